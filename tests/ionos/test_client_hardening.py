"""Attacks on the IONOS client: hostile payloads, pasted secrets, slow servers, long queues."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from ionos_test_fakes import FakeTime

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.errors import (
    ApiError,
    AuthenticationError,
    FocusIonosError,
    PayloadError,
    UsageError,
)
from focus_ionos_plugin.ionos.client import BillingClient
from focus_ionos_plugin.ionos.demo.server import FakeBillingApi
from focus_ionos_plugin.ionos.fetch import fetch_periods
from focus_ionos_plugin.ionos.payloads import parse_payload
from focus_ionos_plugin.ionos.settings import (
    Credentials,
    IonosSettings,
    resolve_base_url,
    resolve_settings,
)

TOKEN = "tok-HARD-SECRET-93e1d7"
CONTRACT = "031000777"


@pytest.fixture
def api() -> Iterator[FakeBillingApi]:
    with FakeBillingApi() as server:
        yield server


def client_for(base_url: str, fake_time: FakeTime | None = None, **overrides) -> BillingClient:  # type: ignore[no-untyped-def]
    credentials = overrides.pop("credentials", Credentials(token=TOKEN))
    transport = overrides.pop("transport", None)
    settings = IonosSettings(base_url=base_url, credentials=credentials, **overrides)
    fake_time = fake_time or FakeTime()
    return BillingClient(
        settings,
        transport=transport,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        jitter=lambda: 0.5,
    )


def usage(client: BillingClient):  # type: ignore[no-untyped-def]
    async def work():  # type: ignore[no-untyped-def]
        async with client:
            return await client.usage(CONTRACT, "2026-09")

    return asyncio.run(work())


# -- hostile payloads ----------------------------------------------------------------------


def quantity(literal: bytes) -> bytes:
    return b'{"datacenters": [{"meters": [{"quantity": {"quantity": ' + literal + b"}}]}]}"


@pytest.mark.parametrize(
    "literal",
    [b"NaN", b"Infinity", b"-Infinity", b"1e99999", b"-1E+25", b"1" + b"0" * 20],
    ids=lambda b: b.decode()[:12],
)
def test_numbers_no_decimal_column_can_hold_are_rejected_naming_endpoint_and_period(api, literal):
    api.inject(r"/usage$", "body", body=quantity(literal))
    with pytest.raises(PayloadError) as caught:
        usage(client_for(api.base_url))
    message = str(caught.value)
    assert "GET /{contract}/usage" in message
    assert "period 2026-09" in message
    assert literal.decode()[:20] in message


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (b"1.5E+3", Decimal("1.5E+3")),
        (b"-0.000000000000000001", Decimal("-1E-18")),
        (b"99999999999999999999", 99999999999999999999),
        (b'"12.50"', "12.50"),
    ],
)
def test_exponents_and_large_but_representable_numbers_stay_exact(api, literal, expected):
    api.inject(r"/usage$", "body", body=quantity(literal))
    response = usage(client_for(api.base_url))
    value = response.data["datacenters"][0]["meters"][0]["quantity"]["quantity"]
    assert value == expected
    assert type(value) is type(expected)


def test_deeply_nested_body_is_a_payload_error_not_a_crash(api):
    api.inject(r"/usage$", "body", body=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(PayloadError, match=r"GET /\{contract\}/usage"):
        usage(client_for(api.base_url))


def test_parse_payload_is_exact_and_strict():
    assert parse_payload(b'{"a": 0.1, "b": 7}') == {"a": Decimal("0.1"), "b": 7}
    with pytest.raises(ValueError, match="NaN"):
        parse_payload(b'{"a": NaN}')


@pytest.mark.parametrize(
    "body",
    [b"<html><body>502 Bad Gateway</body></html>", b"\xff\xfe{}", b"", b"   "],
    ids=["html", "not-utf8", "empty", "blank"],
)
def test_200_with_something_else_than_json_names_the_endpoint(api, body):
    api.inject(r"/usage$", "body", body=body)
    with pytest.raises(PayloadError, match=r"GET /\{contract\}/usage .*period 2026-09"):
        usage(client_for(api.base_url))


# -- pasted secrets ------------------------------------------------------------------------


@pytest.mark.parametrize("token", [TOKEN + "\n", " " + TOKEN + " \r\n"])
def test_token_pasted_with_surrounding_whitespace_is_trimmed(token):
    settings = resolve_settings({"IONOS_TOKEN": token}, {})
    assert settings.credentials.authorization() == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    "token",
    ["tok\rHARD-SECRET", "tok\x00HARD-SECRET", "tök-HARD-SECRET", "tok HARD-SECRET"],
    ids=["cr", "nul", "non-ascii", "space"],
)
def test_token_a_header_cannot_carry_is_refused_without_showing_it(token, capsys):
    with FakeBillingApi() as api:
        app = App(settings=Settings({"IONOS_TOKEN": token, "IONOS_API_URL": api.root_url}))
        code = cli.main(["--debug", "periods"], app=app)
    err = capsys.readouterr().err
    assert code == 3
    assert "IONOS_TOKEN" in err
    assert "HARD-SECRET" not in err


def test_header_errors_never_carry_the_secret_into_messages_or_tracebacks(api):
    # Built directly (a library user), so the settings check did not run.
    bad = object.__new__(Credentials)
    object.__setattr__(bad, "token", "tok\nHARD-SECRET")
    object.__setattr__(bad, "username", None)
    object.__setattr__(bad, "password", None)
    with pytest.raises(FocusIonosError) as caught:
        usage(client_for(api.base_url, credentials=bad))
    error = caught.value
    text = "".join(traceback.format_exception(error)) + repr(error)
    assert "HARD-SECRET" not in text


def test_query_in_api_url_is_refused_without_echoing_it():
    with pytest.raises(UsageError) as caught:
        resolve_base_url("https://api.ionos.com/billing?token=HARD-SECRET")
    assert "HARD-SECRET" not in str(caught.value)
    assert "IONOS_API_URL" in str(caught.value)


# -- time bounds ---------------------------------------------------------------------------


def test_waiting_for_a_free_slot_does_not_eat_the_retry_budget():
    fake_time = FakeTime()
    seen: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)  # let the other calls queue up for the one slot
        fake_time.now += 10.0  # every answer takes 10 s of API time
        path = request.url.path
        seen[path] = seen.get(path, 0) + 1
        if path.endswith("/evn/2026-09") and seen[path] == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={})

    client = client_for(
        "https://api.ionos.com/billing",
        fake_time,
        transport=httpx.MockTransport(handler),
        max_in_flight=1,
        retry_budget=60.0,
    )

    async def work() -> list[object]:
        async with client:
            days = [client.utilization_daily(CONTRACT, f"2026-09-{d:02d}") for d in range(1, 11)]
            return await asyncio.gather(*days, client.evn(CONTRACT, "2026-09"))

    answers = asyncio.run(work())
    assert len(answers) == 11
    assert seen["/billing/31000777/evn/2026-09"] == 2


@pytest.fixture
def trickling_server() -> Iterator[str]:
    """A loopback server that sends a valid answer one byte every 0.1 s (about 4 s)."""
    body = b'{"companies": []}' + b" " * 24
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
            conn.sendall(head)
            for byte in body:
                if stop.is_set():
                    return
                conn.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            return
        finally:
            conn.close()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/billing"
    stop.set()
    listener.close()


def test_a_server_that_trickles_bytes_cannot_hold_a_call_past_its_time_limits(
    trickling_server,
):
    settings = IonosSettings(
        base_url=trickling_server,
        credentials=Credentials(token=TOKEN),
        timeout=0.3,
        retry_budget=0.5,
        max_attempts=1,
    )

    async def work() -> object:
        async with BillingClient(settings) as client:
            return await client.profile()

    with pytest.raises(ApiError, match=r"GET /profile .*Timeout"):
        asyncio.run(work())


def test_retry_after_beyond_the_budget_says_what_the_api_asked_for():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "3600"})

    client = client_for(
        "https://api.ionos.com/billing", transport=httpx.MockTransport(handler), retry_budget=60
    )
    with pytest.raises(ApiError, match="asked to wait 3600 s"):
        usage(client)


# -- contracts -----------------------------------------------------------------------------


def test_leading_zero_given_by_the_user_survives_a_profile_that_sends_an_integer(api):
    profile = {"companies": [{"contractId": 31000777, "customerId": "1000001"}]}
    api.inject(r"/profile$", "body", body=profile)
    client = client_for(api.base_url, contract=CONTRACT)

    async def work():  # type: ignore[no-untyped-def]
        async with client:
            return await fetch_periods(client, ["2026-09"])

    (batch,) = asyncio.run(work())
    assert batch.meta["contract"] == CONTRACT


def test_several_contracts_in_the_profile_are_never_mixed(api):
    profile = {"companies": [{"contractId": CONTRACT}, {"contractId": "031000888"}]}
    api.inject(r"/profile$", "body", body=profile)
    with pytest.raises(UsageError, match="031000777, 031000888"):
        asyncio.run(_fetch(client_for(api.base_url)))
    assert [r.path for r in api.requests] == ["/profile"]


async def _fetch(client: BillingClient):  # type: ignore[no-untyped-def]
    async with client:
        return await fetch_periods(client, ["2026-09"])


def test_401_on_any_endpoint_stops_the_fetch_without_retry(api):
    api.inject(r"/evn/", "status", status=401)
    with pytest.raises(AuthenticationError, match=r"GET /\{contract\}/evn/\{period\}"):
        asyncio.run(_fetch(client_for(api.base_url)))
    assert sum(1 for r in api.requests if "/evn/" in r.path) == 1
