"""The token and the password never show: not in logs (DEBUG included), errors, files, repr."""

from __future__ import annotations

import asyncio
import base64
import logging
import traceback
from pathlib import Path

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Context, Settings
from focus_ionos_plugin.errors import FocusIonosError
from focus_ionos_plugin.ionos.client import BillingClient
from focus_ionos_plugin.ionos.demo.server import FakeBillingApi
from focus_ionos_plugin.ionos.fetch import fetch_periods
from focus_ionos_plugin.ionos.settings import resolve_settings
from focus_ionos_plugin.raw import RawBatch

TOKEN = "tok-SECRET-4be1c6f0a9d2e7"
USERNAME = "finops@example.com"
PASSWORD = "pw-SECRET-8c1e55d3b7f0"
BASIC = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
SECRETS = (TOKEN, PASSWORD, BASIC, "SECRET")

#: Environment of the user, and the credentials the fake API insists on (positive control).
CREDENTIALS = {
    "token": ({"IONOS_TOKEN": TOKEN}, {"token": TOKEN}),
    "basic": (
        {"IONOS_USERNAME": USERNAME, "IONOS_PASSWORD": PASSWORD},
        {"username": USERNAME, "password": PASSWORD},
    ),
}


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows a secret"


@pytest.fixture(params=sorted(CREDENTIALS))
def credentials(request: pytest.FixtureRequest) -> tuple[dict[str, str], dict[str, str]]:
    return CREDENTIALS[request.param]


def test_fetch_at_debug_level_keeps_secrets_out_of_logs_output_files_and_repr(
    credentials, tmp_path, capsys, caplog
):
    environment, accepted = credentials
    caplog.set_level(logging.DEBUG)  # root: httpx and httpcore debug logs too
    with FakeBillingApi(**accepted) as api:
        env = {**environment, "IONOS_API_URL": api.root_url}
        app = App(settings=Settings(env))
        argv = ["-vv", "--debug", "fetch", "--from", "2026-10", "--to", "2026-11"]
        code = cli.main([*argv, "--raw-dir", str(tmp_path)], app=app)
        captured = capsys.readouterr()
        assert code == 0, captured.err  # the fake API only accepts the right credentials

        settings = resolve_settings(app.settings, {})
        client = BillingClient(settings)
        context = Context(settings=app.settings, options={"base_url": api.base_url})
        batch = RawBatch.load(tmp_path / "ionos" / "2026-10")
        shown = [repr(x) + str(x) for x in (app.settings, settings, client, context, batch)]
        asyncio.run(client.aclose())

    assert "GET /31000777/usage?period=2026-10 200" in captured.err  # logging did run
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    assert_no_secret(captured.out + captured.err, "command output and logs")
    assert_no_secret(caplog.text, "DEBUG logs of httpx/httpcore")
    for path in sorted(Path(tmp_path).rglob("*")):
        if path.is_file():
            assert_no_secret(path.read_bytes().decode("utf-8", "replace"), str(path))
    assert_no_secret("".join(shown), "repr()")


@pytest.mark.parametrize(
    "fault",
    [
        ("status", {"status": 500}),
        ("status", {"status": 403}),
        ("malformed_json", {}),
        ("disconnect", {}),
        ("truncated_body", {}),
    ],
    ids=lambda f: f"{f[0]}-{f[1].get('status', '')}",
)
def test_errors_and_their_tracebacks_keep_secrets_out(credentials, fault, caplog):
    environment, accepted = credentials
    caplog.set_level(logging.DEBUG)
    kind, params = fault

    async def no_wait(seconds: float) -> None:
        return None

    with FakeBillingApi(**accepted) as api:
        api.inject(r"/usage$", kind, **params)
        settings = resolve_settings(environment, {"base_url": api.base_url, "retry_budget": 5})

        async def work() -> None:
            async with BillingClient(settings, sleep=no_wait) as client:
                await fetch_periods(client, ["2026-11"])

        with pytest.raises(FocusIonosError) as caught:
            asyncio.run(work())

    error = caught.value
    assert "/31000777/usage" in str(error)
    text = "".join(traceback.format_exception(error)) + repr(error) + str(error)
    assert_no_secret(text, "error message and traceback")
    assert_no_secret(caplog.text, "DEBUG logs")


def test_refused_credentials_message_names_variables_not_values(credentials, capsys):
    environment, _ = credentials
    with FakeBillingApi(token="a-different-token") as api:
        app = App(settings=Settings({**environment, "IONOS_API_URL": api.root_url}))
        code = cli.main(["--debug", "periods"], app=app)
    err = capsys.readouterr().err
    assert code == 3
    assert "HTTP 401" in err
    assert ("IONOS_TOKEN" if "IONOS_TOKEN" in environment else "IONOS_USERNAME") in err
    assert "Traceback" in err
    assert_no_secret(err, "401 error with --debug traceback")
