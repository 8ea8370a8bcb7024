"""The command line: plugin listing, exit codes, error messages, logging options."""

from __future__ import annotations

import io
import json
import logging

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.errors import (
    ApiError,
    AuthenticationError,
    InputError,
    PluginError,
    UsageError,
)
from focus_ionos_plugin.host import PluginHost


def test_plugins_json_lists_installed_plugins_and_providers(capsys):
    assert cli.main(["plugins", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    by_name = {plugin["name"]: plugin for plugin in listing["plugins"]}
    assert {"conformance", "files", "ionos"} <= set(by_name)
    assert by_name["ionos"]["distribution"] == "focus-ionos-plugin"
    assert by_name["ionos"]["version"]


def test_plugins_text_names_each_plugin(capsys):
    assert cli.main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "ionos " in out
    assert "(focus-ionos-plugin)" in out


def test_no_command_is_bad_usage(capsys):
    assert cli.main([]) == 2
    assert "usage: focus-ionos" in capsys.readouterr().err


def test_unknown_option_is_bad_usage(capsys):
    assert cli.main(["plugins", "--no-such-option"]) == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (UsageError("bad period"), 2),
        (InputError("cannot read x.csv"), 2),
        (PluginError("plugin 'x' is rejected"), 2),
        (AuthenticationError("IONOS refused the credentials"), 3),
        (ApiError("usage answered 500", endpoint="usage", status=500), 3),
    ],
)
def test_user_errors_become_messages_and_exit_codes(monkeypatch, capsys, error, code):
    def fail(self):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(PluginHost, "plugins", fail)
    assert cli.main(["plugins"]) == code
    captured = capsys.readouterr()
    assert captured.err == f"error: {error}\n"
    assert "Traceback" not in captured.err


def test_unexpected_error_asks_for_a_report_without_traceback(monkeypatch, capsys):
    def crash(self):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(PluginHost, "plugins", crash)
    assert cli.main(["plugins"]) == 4
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: boom" in err
    assert "--debug" in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback_of_a_user_error(monkeypatch, capsys):
    def fail(self):  # type: ignore[no-untyped-def]
        raise InputError("cannot read x.csv")

    monkeypatch.setattr(PluginHost, "plugins", fail)
    assert cli.main(["--debug", "plugins"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "error: cannot read x.csv" in err


@pytest.mark.parametrize(
    ("flags", "level"),
    [
        ([], logging.WARNING),
        (["-v"], logging.INFO),
        (["-vv"], logging.DEBUG),
        (["-q"], logging.ERROR),
    ],
)
def test_verbosity_flags_set_the_log_level(flags, level):
    assert cli.main([*flags, "plugins", "--json"]) == 0
    assert logging.getLogger("focus_ionos_plugin").level == level


def test_closed_output_pipe_ends_quietly(capsys):
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    app = App(stdout=ClosedPipe())
    assert cli.main(["plugins", "--json"], app=app) == 141
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["plugins", "-v", "--json"], logging.INFO),
        (["-vv", "plugins", "--json"], logging.DEBUG),
        (["plugins", "--json", "-q"], logging.ERROR),
    ],
)
def test_global_options_work_before_and_after_the_command(argv, level):
    assert cli.main(argv) == 0
    assert logging.getLogger("focus_ionos_plugin").level == level
