"""Every command's ``--help``: wrapped description and examples, nothing wider than 90."""

from __future__ import annotations

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import COMMAND_MODULES as COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_wrapped_and_has_examples(command, capsys, monkeypatch):
    # argparse wraps option help to the terminal; descriptions and examples are ours.
    monkeypatch.setenv("COLUMNS", "90")
    assert cli.main([command, "--help"]) == 0
    text = capsys.readouterr().out
    wide = [line for line in text.splitlines() if len(line) > 90]
    assert wide == []
    assert "\nexample" in text
    assert "  focus-ionos " in text.partition("\nexample")[2]


@pytest.mark.parametrize("command", ["fetch", "export", "convert", "report"])
def test_to_default_is_documented(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--from without --to runs to the " in text
