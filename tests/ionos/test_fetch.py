"""Fetching IONOS periods from the fake Billing API over loopback: layout, faults, limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest
from ionos_test_fakes import FakeTime

from focus_ionos_plugin.errors import ApiError, AuthenticationError, PayloadError, UsageError
from focus_ionos_plugin.ionos.client import BillingClient
from focus_ionos_plugin.ionos.demo.server import FakeBillingApi
from focus_ionos_plugin.ionos.fetch import fetch_periods, list_billing_periods
from focus_ionos_plugin.ionos.settings import Credentials, IonosSettings
from focus_ionos_plugin.periods import BillingPeriod
from focus_ionos_plugin.raw import RawBatch

TOKEN = "tok-FETCH-41c2"
CONTRACT = "031000777"
SEPTEMBER_DAYS = [f"utilization-daily-2026-09-{day:02d}" for day in range(1, 31)]


@pytest.fixture
def api() -> Iterator[FakeBillingApi]:
    with FakeBillingApi() as server:
        yield server


def client_for(
    api: FakeBillingApi, fake_time: FakeTime | None = None, **overrides
) -> BillingClient:  # type: ignore[no-untyped-def]
    credentials = overrides.pop("credentials", Credentials(token=TOKEN))
    settings = IonosSettings(base_url=api.base_url, credentials=credentials, **overrides)
    fake_time = fake_time or FakeTime()
    return BillingClient(settings, sleep=fake_time.sleep, clock=fake_time.clock, jitter=lambda: 0.5)


def fetch(client: BillingClient, months: list[str]) -> list[RawBatch]:
    async def work() -> list[RawBatch]:
        async with client:
            return await fetch_periods(client, months)

    return asyncio.run(work())


def periods(client: BillingClient) -> list[BillingPeriod]:
    async def work() -> list[BillingPeriod]:
        async with client:
            return await list_billing_periods(client)

    return asyncio.run(work())


# -- happy path ----------------------------------------------------------------------------


def test_closed_month_has_every_agreed_entry(api):
    (batch,) = fetch(client_for(api), ["2026-09"])

    assert (batch.provider, batch.period) == ("ionos", "2026-09")
    assert sorted(batch.entries) == sorted(
        [
            "profile",
            "products",
            "invoices",
            "invoice-GY26090001",
            "usage",
            "utilization",
            *SEPTEMBER_DAYS,
            "traffic",
            "traffic-ip",
            "evn",
        ]
    )
    assert batch.meta == {
        "contract": CONTRACT,
        "closed": True,
        "invoice_ids": ["GY26090001"],
        "invoice_access": True,
        "currency": "EUR",
    }
    paths = {name: entry.request_path for name, entry in batch.entries.items()}
    assert paths["products"] == "/31000777/products?date=2026-09-01"
    assert paths["invoice-GY26090001"] == "/31000777/invoices/GY26090001"
    assert paths["usage"] == "/31000777/usage?period=2026-09"
    assert paths["utilization"] == "/31000777/utilization/2026-09"
    assert paths["utilization-daily-2026-09-17"] == "/31000777/utilization/daily/2026-09-17"
    assert paths["traffic"] == "/31000777/traffic/2026-09?output=obj"
    assert paths["traffic-ip"] == "/31000777/traffic/2026-09?ip=true&output=obj"
    assert paths["evn"] == "/31000777/evn/2026-09"
    assert batch.entries["evn"].endpoint == "GET /{contract}/evn/{period}"
    assert all(entry.status == 200 for entry in batch.entries.values())


def test_open_month_has_no_invoice_and_days_up_to_the_api_today(api):
    (batch,) = fetch(client_for(api), ["2026-12"])

    assert batch.meta == {
        "contract": CONTRACT,
        "closed": False,
        "invoice_ids": [],
        "invoice_access": True,
        "currency": "EUR",
    }
    assert not [name for name in batch.entries if name.startswith("invoice-")]
    # The demo's today is 2026-12-04; its data ends the day before (the 04 answers 404).
    days = sorted(name for name in batch.entries if name.startswith("utilization-daily-"))
    assert days == [f"utilization-daily-2026-12-{day:02d}" for day in (1, 2, 3)]


def test_payloads_are_exact_and_the_contract_keeps_its_leading_zero(api, tmp_path):
    batches = fetch(client_for(api), ["2026-10", "2026-11"])
    for batch in batches:
        batch.save(tmp_path / batch.period)
    loaded = RawBatch.load(tmp_path / "2026-10")

    assert loaded.meta["contract"] == "031000777"
    assert loaded.json("profile")["companies"][0]["contractId"] == "031000777"
    invoice = loaded.json("invoice-GY26100001")
    assert invoice["metadata"]["contractId"] == "031000777"
    listed = {row["id"]: row["amount"] for row in loaded.json("invoices")["invoices"]}
    assert isinstance(invoice["total"]["quantity"], Decimal)
    assert invoice["total"]["quantity"] == listed["GY26100001"]
    assert invoice["total"]["quantity"] == Decimal("1241.95")
    first = invoice["datacenters"][0]["meters"][0]
    assert (first["meterId"], first["amount"]["quantity"]) == ("C05000", Decimal("215.49"))
    lines = [m["amount"]["quantity"] for dc in invoice["datacenters"] for m in dc["meters"]]
    assert not [amount for amount in lines if isinstance(amount, float)]
    assert all(request.path.startswith(("/profile", "/31000777/")) for request in api.requests)


def test_list_periods_gives_invoiced_months_and_the_open_month(api):
    assert periods(client_for(api)) == [
        BillingPeriod("2026-09", closed=True),
        BillingPeriod("2026-10", closed=True),
        BillingPeriod("2026-11", closed=True),
        BillingPeriod("2026-12", closed=False),
    ]
    found = periods(client_for(api))
    assert [p.invoice_ids for p in found] == [
        ("GY26090001",),
        ("GY26100001",),
        ("GY26110001",),
        (),
    ]


def test_several_periods_stay_within_the_in_flight_bound(api):
    api.latency = 0.002
    client = client_for(api, max_in_flight=4)
    batches = fetch(client, ["2026-11", "2026-12"])

    assert [b.period for b in batches] == ["2026-11", "2026-12"]
    assert client.peak_in_flight == 4
    assert api.max_in_flight <= 4
    # profile + invoice list once, then per month: products, invoice, usage, utilization,
    # days, traffic x2, evn (the open month has no invoice and four day calls).
    assert client.attempts == 2 + (7 + 30) + (6 + 4)


def test_several_visible_contracts_must_be_chosen_from(api):
    companies = [{"contractId": "031000777"}, {"contractId": "031000888"}]
    api.inject(r"^/profile$", "body", body={"companies": companies})
    with pytest.raises(UsageError) as caught:
        fetch(client_for(api), ["2026-11"])
    assert str(caught.value) == (
        "these IONOS credentials can see 2 contracts (031000777, 031000888); choose one "
        "with --contract or IONOS_CONTRACT_NUMBER (contracts are never mixed)"
    )
    (batch,) = fetch(client_for(api, contract="31000777"), ["2026-11"])
    assert batch.meta["contract"] == "031000777"


# -- faults --------------------------------------------------------------------------------


def test_no_invoice_access_continues_on_usage_and_says_costs_are_estimates(api, caplog):
    api.inject(r"/invoices", "status", status=403)
    with caplog.at_level(logging.WARNING, logger="focus_ionos_plugin"):
        batches = fetch(client_for(api), ["2026-10", "2026-11"])

    for batch in batches:
        assert batch.meta["invoice_access"] is False
        assert batch.meta["invoice_ids"] == []
        assert batch.meta["closed"] is True
        assert not [name for name in batch.entries if name.startswith("invoice")]
        assert {"usage", "utilization", "products", "evn"} <= set(batch.entries)
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "no access to the invoices of IONOS contract 031000777 (HTTP 403)" in message
    assert "costs for 2026-10..2026-11 will be estimates" in message
    assert "never invoiced amounts" in message


def test_403_on_one_invoice_marks_only_that_period_as_estimated(api, caplog):
    api.inject(r"/invoices/GY26100001$", "status", status=403)
    with caplog.at_level(logging.WARNING, logger="focus_ionos_plugin"):
        october, november = fetch(client_for(api), ["2026-10", "2026-11"])

    assert october.meta["invoice_access"] is False
    assert "invoice-GY26100001" not in october.entries
    assert november.meta["invoice_access"] is True
    assert "invoice-GY26110001" in november.entries
    assert "costs for 2026-10 will be estimates" in caplog.text


def test_list_periods_without_invoice_access_uses_the_twelve_month_window(api):
    api.inject(r"/invoices$", "status", status=403)
    found = periods(client_for(api))
    assert [p.month for p in found] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [p.closed for p in found] == [True] * 11 + [False]
    assert all(p.invoice_ids == () for p in found)


def test_429_with_retry_after_1_is_honoured(api):
    api.inject(r"/usage$", "status", status=429, retry_after=1, times=1)
    fake_time = FakeTime()
    (batch,) = fetch(client_for(api, fake_time), ["2026-11"])
    assert fake_time.sleeps == [1.0]
    assert "usage" in batch.entries
    usage_calls = [r.status for r in api.requests if r.path == "/31000777/usage"]
    assert usage_calls == [429, 200]


def test_503_twice_then_200_succeeds(api):
    api.inject(r"/evn/2026-11$", "status", status=503, times=2)
    fake_time = FakeTime()
    (batch,) = fetch(client_for(api, fake_time), ["2026-11"])
    assert fake_time.sleeps == [0.375, 0.75]
    assert "evn" in batch.entries
    assert [r.status for r in api.requests if r.path.endswith("/evn/2026-11")] == [503, 503, 200]


def test_503_forever_fails_within_the_bounded_time_with_a_clear_message(api):
    api.inject(r"/traffic/", "status", status=503)
    fake_time = FakeTime()
    with pytest.raises(ApiError) as caught:
        fetch(client_for(api, fake_time, max_attempts=4, retry_budget=30), ["2026-11"])
    assert caught.value.status == 503
    assert "GET /{contract}/traffic/{period}" in str(caught.value)
    assert "still answered HTTP 503 after 4 attempts" in str(caught.value)
    assert "try again later" in str(caught.value)
    assert fake_time.now <= 30


def test_401_fails_on_the_first_call(api):
    with FakeBillingApi(token="the-right-token") as strict:
        with pytest.raises(AuthenticationError, match="Check IONOS_TOKEN"):
            fetch(client_for(strict), ["2026-11"])
        assert [(r.path, r.status) for r in strict.requests] == [("/profile", 401)]


def test_malformed_json_names_the_endpoint(api):
    api.inject(r"/usage$", "malformed_json")
    with pytest.raises(PayloadError) as caught:
        fetch(client_for(api), ["2026-10"])
    message = str(caught.value)
    assert "GET /{contract}/usage (/31000777/usage?period=2026-10)" in message
    assert "not JSON" in message


def test_truncated_body_is_retried(api):
    api.inject(r"/utilization/2026-10$", "truncated_body", times=1)
    fake_time = FakeTime()
    (batch,) = fetch(client_for(api, fake_time), ["2026-10"])
    assert fake_time.sleeps == [0.375]
    assert batch.json("utilization")["datacenters"]


def test_404_for_a_period_endpoint_records_no_entry(api):
    api.inject(r"/evn/", "status", status=404)
    (batch,) = fetch(client_for(api), ["2026-10"])
    assert "evn" not in batch.entries
    assert "usage" in batch.entries


def test_a_period_that_has_not_started_is_a_usage_error(api):
    with pytest.raises(UsageError, match=r"period 2027-01 has not started yet.*2026-12"):
        fetch(client_for(api), ["2027-01"])


def test_explicit_contract_is_spelt_as_the_profile_spells_it(api):
    (batch,) = fetch(client_for(api, contract="31000777"), ["2026-11"])
    assert batch.meta["contract"] == "031000777"


def test_contract_not_visible_to_the_credentials_is_refused(api):
    with pytest.raises(UsageError, match=r"contract 31000778 is not among .*031000777"):
        fetch(client_for(api, contract="31000778"), ["2026-11"])
