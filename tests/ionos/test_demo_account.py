"""The demo account tells one consistent story, to the cent and to the byte.

These checks read the shipped data files (what the fake API serves and the converter is
tested against) and assert the exact figures documented in the demo README.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from focus_ionos_plugin.ionos.demo.account import build_account
from focus_ionos_plugin.ionos.demo.shipped import ShippedAccount, write_demo_data
from focus_ionos_plugin.raw import loads_exact

C = "/31000777"
CLOSED = ("2026-09", "2026-10", "2026-11")
PERIODS = (*CLOSED, "2026-12")
DATA = Path(__file__).resolve().parents[2] / "focus_ionos_plugin" / "ionos" / "demo" / "data"


@pytest.fixture(scope="module")
def shipped() -> ShippedAccount:
    return ShippedAccount(DATA)


def payload(account: Any, key: str) -> Any:
    body = account.body(key)
    assert body is not None, key
    return loads_exact(body)


def test_shipped_files_equal_a_fresh_generation(tmp_path):
    write_demo_data(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    shipped = {p.relative_to(DATA): p.read_bytes() for p in DATA.rglob("*") if p.is_file()}
    assert sorted(fresh) == sorted(shipped)
    changed = [str(name) for name in fresh if fresh[name] != shipped[name]]
    assert changed == [], "run: python -m focus_ionos_plugin.ionos.demo.shipped"


def test_shipped_data_stays_small():
    assert sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file()) < 1_600_000


def test_invoice_totals_are_the_documented_ones(shipped):
    listing = payload(shipped, f"{C}/invoices")["invoices"]
    assert [(i["id"], i["date"], i["amount"], i["unit"]) for i in listing] == [
        ("GY26110001", "2026-11", Decimal("1425.89"), "EUR"),
        ("GY26100001", "2026-10", Decimal("1241.95"), "EUR"),
        ("GY26090001", "2026-09", Decimal("1322.53"), "EUR"),
    ]
    assert build_account().invoice_totals() == {
        "2026-09": Decimal("1322.53"),
        "2026-10": Decimal("1241.95"),
        "2026-11": Decimal("1425.89"),
    }


@pytest.mark.parametrize("period", CLOSED)
def test_invoice_lines_are_quantity_times_rate_and_total_subtracts_rebates(shipped, period):
    (invoice,) = payload(shipped, f"/invoices/{period}")
    assert invoice == payload(shipped, f"{C}/invoices/{invoice['metadata']['invoiceId']}")
    lines = Decimal(0)
    rebates = Decimal(0)
    for dc in invoice["datacenters"]:
        for meter in dc["meters"]:
            quantity, rate = meter["quantity"]["quantity"], meter["rate"]["quantity"]
            expected = (Decimal(quantity) * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert meter["amount"]["quantity"] == expected, (dc["name"], meter["meterId"])
            lines += meter["amount"]["quantity"]
        if "rebate" in dc:
            rebates += dc["rebate"]["amount"]["quantity"]
    assert invoice["total"] == {"quantity": lines - rebates, "unit": "EUR"}
    assert rebates == (Decimal("20.00") if period == "2026-10" else 0)


def test_invoice_metadata_and_a_line_checked_field_by_field(shipped):
    invoice = payload(shipped, f"{C}/invoices/GY26100001")
    assert invoice["metadata"] == {
        "invoiceId": "GY26100001",
        "contractId": "031000777",
        "customerId": "112000777",
        "createdDate": "2026-11-02",
        "startDate": "2026-10-01",
        "endDate": "2026-10-31",
        "postingPeriod": "2026-11",
        "finallyPosted": True,
        "reference": None,
        "resellerRef": None,
    }
    edge = next(dc for dc in invoice["datacenters"] if dc["name"] == "edge-vit")
    assert edge["location"] == "es/vit"
    storage = next(m for m in edge["meters"] if m["meterId"] == "S05000")
    # 93 x 0.085 = 7.905: half-up gives 7.91 (half-even would give 7.90).
    assert storage["quantity"] == {"quantity": 93, "unit": "1G*30Days"}
    assert storage["rate"] == {"quantity": Decimal("0.085"), "unit": "EUR"}
    assert storage["amount"] == {"quantity": Decimal("7.91"), "unit": "EUR"}
    fra = next(dc for dc in invoice["datacenters"] if dc["name"] == "prod-fra")
    assert fra["rebate"] == {"amount": {"quantity": 20, "unit": "EUR"}}


def test_open_month_has_no_invoice(shipped):
    assert payload(shipped, "/invoices/2026-12") == []
    assert "2026-12" not in {i["date"] for i in payload(shipped, f"{C}/invoices")["invoices"]}


def _usage_totals(shipped: ShippedAccount, period: str) -> dict[tuple[str, str], Decimal]:
    totals = {}
    for dc in payload(shipped, f"{C}/usage?period={period}")["datacenters"]:
        for meter in dc["meters"]:
            assert isinstance(meter["quantity"]["quantity"], str)
            totals[dc["id"], meter["meterId"]] = Decimal(meter["quantity"]["quantity"])
    return totals


@pytest.mark.parametrize("period", PERIODS)
def test_utilization_sums_to_usage_per_datacenter_and_meter(shipped, period):
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for dc in payload(shipped, f"{C}/utilization/{period}")["datacenters"]:
        assert "location" not in dc
        for meter in dc["meters"]:
            sums[dc["id"], meter["meterId"]] += meter["quantity"]["quantity"]
    assert dict(sums) == _usage_totals(shipped, period)


@pytest.mark.parametrize("period", CLOSED)
def test_invoice_quantities_equal_usage(shipped, period):
    (invoice,) = payload(shipped, f"/invoices/{period}")
    quantities = {
        (dc["id"], m["meterId"]): m["quantity"]["quantity"]
        for dc in invoice["datacenters"]
        for m in dc["meters"]
    }
    assert quantities == _usage_totals(shipped, period)


def _days(period: str) -> list[str]:
    day = date.fromisoformat(f"{period}-01")
    last = date(2026, 12, 3)
    days = []
    while day.strftime("%Y-%m") == period and day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


@pytest.mark.parametrize("period", PERIODS)
def test_daily_utilization_sums_to_the_period_per_resource_and_meter(shipped, period):
    period_sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for dc in payload(shipped, f"{C}/utilization/{period}")["datacenters"]:
        for meter in dc["meters"]:
            period_sums[meter["resourceId"], meter["meterId"]] += meter["quantity"]["quantity"]
    daily_sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for day in _days(period):
        daily = payload(shipped, f"{C}/utilization/daily/{day}")
        assert (daily["startDate"], daily["endDate"]) == (day, day)
        for dc in daily["datacenters"]:
            for meter in dc["meters"]:
                assert meter["from"].startswith(day) and meter["to"].startswith(day)
                daily_sums[meter["resourceId"], meter["meterId"]] += meter["quantity"]["quantity"]
    assert dict(daily_sums) == dict(period_sums)


_HOURLY_UNITS = {"1hour", "1G*1hour"}


@pytest.mark.parametrize("period", PERIODS)
def test_evn_intervals_match_utilization(shipped, period):
    evn = payload(shipped, f"{C}/evn/{period}")
    from_evn: dict[tuple[str, str], Decimal] = {}
    for dc in evn["datacenters"]:
        for item in dc["data"]:
            hours = Decimal(item["intervalMin"]) / item["intervalDivisor"]
            from_evn[item["resourceUUID"], item["itemStub"]] = (
                Decimal(item["value"]) / item["valueDivisor"] * hours
            )
    util: dict[tuple[str, str], Decimal] = {}
    for dc in payload(shipped, f"{C}/utilization/{period}")["datacenters"]:
        for meter in dc["meters"]:
            key = (meter["resourceId"], meter["meterId"])
            if key in from_evn:
                unit = meter["quantity"]["unit"]
                factor = Decimal(1) if unit in _HOURLY_UNITS else Decimal(720)
                util[key] = meter["quantity"]["quantity"] * factor
    assert util == from_evn
    assert len(evn["evnCSV"]) == 1 + len(from_evn)
    assert evn["evnCSV"][1].startswith("31000777,")
    assert {item["itemStub"] for dc in evn["datacenters"] for item in dc["data"]}.isdisjoint(
        {"S3SU1100", "S3TO1000", "CTI1000", "CTO0000"}
    )


@pytest.mark.parametrize("period", PERIODS)
def test_traffic_bytes_match_the_traffic_meters(shipped, period):
    meters: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for dc in payload(shipped, f"{C}/utilization/{period}")["datacenters"]:
        for meter in dc["meters"]:
            if meter["meterId"] in ("CTI1000", "CTO0000"):
                meters[dc["id"], meter["meterId"], ""] += meter["quantity"]["quantity"]
    by_vdc: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    traffic = payload(shipped, f"{C}/traffic/{period}?output=obj")
    assert traffic["metadata"]["unit"] == "Byte"
    for group in traffic["trafficObj"]["vdc"]:
        for day in group["dates"]:
            assert set(day) == {"Date", "In", "Out"}
            by_vdc[group["vdcUUID"], "CTI1000", ""] += Decimal(day["In"]) / 2**30
            by_vdc[group["vdcUUID"], "CTO0000", ""] += Decimal(day["Out"]) / 2**30
    assert dict(by_vdc) == dict(meters)
    by_ip: dict[str, int] = defaultdict(int)
    for group in payload(shipped, f"{C}/traffic/{period}?ip=true&output=obj")["trafficObj"]["nic"]:
        by_ip[group["vdcUUID"]] += sum(day["Out"] for day in group["dates"])
    assert {k: Decimal(v) / 2**30 for k, v in by_ip.items()} == {
        vdc: q for (vdc, meter, _), q in meters.items() if meter == "CTO0000"
    }


def test_price_change_between_months(shipped):
    def price(key: str, meter_id: str) -> str:
        products = payload(shipped, key)["products"]
        return next(p["unitCost"]["quantity"] for p in products if p["meterId"] == meter_id)

    assert price(f"{C}/products?date=2025-01-01", "C05000") == "0.0550"
    assert price(f"{C}/products?date=2026-11-01", "C05000") == "0.0600"
    assert price(f"{C}/products", "C05000") == "0.0600"
    rates = {
        period: next(
            m["rate"]["quantity"]
            for dc in payload(shipped, f"/invoices/{period}")[0]["datacenters"]
            for m in dc["meters"]
            if m["meterId"] == "C05000"
        )
        for period in CLOSED
    }
    assert rates == {
        "2026-09": Decimal("0.055"),
        "2026-10": Decimal("0.055"),
        "2026-11": Decimal("0.06"),
    }


def test_unpriced_meter_has_open_month_usage_only(shipped):
    for valid_from in ("2025-01-01", "2026-11-01"):
        products = payload(shipped, f"{C}/products?date={valid_from}")["products"]
        assert "NLB1000" not in {p["meterId"] for p in products}
    usage = _usage_totals(shipped, "2026-12")
    assert [q for (_, meter), q in usage.items() if meter == "NLB1000"] == [Decimal(38)]
    for period in CLOSED:
        assert all(meter != "NLB1000" for _, meter in _usage_totals(shipped, period))


def test_mid_month_lifecycles(shipped):
    rows = [
        meter
        for dc in payload(shipped, f"{C}/utilization/2026-09")["datacenters"]
        for meter in dc["meters"]
        if meter["name"] == "batch-01" and meter["meterId"] == "C05000"
    ]
    assert [(r["from"], r["to"], r["quantity"]["quantity"]) for r in rows] == [
        ("2026-09-08T06:00:00.000Z", "2026-09-19T17:59:59.999Z", 2208)
    ]
    october = payload(shipped, f"{C}/utilization/2026-10")["datacenters"]
    assert "batch-01" not in {m["name"] for dc in october for m in dc["meters"]}
    web2 = next(m for dc in october for m in dc["meters"] if m["name"] == "web-02-boot")
    assert web2["from"] == "2026-10-12T09:00:00.000Z"
    assert web2["quantity"] == {"quantity": Decimal("58.875"), "unit": "1G*30Days"}


def test_json_types_follow_the_api(shipped):
    profile = payload(shipped, "/profile")
    assert profile == {
        "companies": [{"contractId": "031000777", "customerId": "112000777", "reference": None}]
    }
    product = payload(shipped, f"{C}/products")["products"][0]
    assert isinstance(product["unitCost"]["quantity"], str)
    usage = payload(shipped, f"{C}/usage")
    assert (usage["startDate"], usage["endDate"]) == ("2026-12-01", "2026-12-03")
    util = payload(shipped, f"{C}/utilization")["datacenters"][0]["meters"][0]
    assert not isinstance(util["quantity"]["quantity"], str)
    assert util["exists"] is None


def test_generated_big_account_stays_consistent():
    account = build_account(resources_per_vdc=40, seed=7)
    assert len(account.model.resources) == 25 + 3 * 40
    usage = account.payload(f"{C}/usage?period=2026-10")
    util = account.payload(f"{C}/utilization/2026-10")
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for dc in util["datacenters"]:
        for meter in dc["meters"]:
            sums[dc["id"], meter["meterId"]] += meter["quantity"]["quantity"]
    assert dict(sums) == {
        (dc["id"], m["meterId"]): Decimal(m["quantity"]["quantity"])
        for dc in usage["datacenters"]
        for m in dc["meters"]
    }
    assert build_account(resources_per_vdc=40, seed=7).body(f"{C}/evn/2026-10") == account.body(
        f"{C}/evn/2026-10"
    )


def test_more_closed_months_for_benchmarks():
    account = build_account(closed_months=11)
    assert account.meta.periods[0] == "2026-01"
    assert len(account.meta.periods) == 12
    assert account.invoice_totals()["2026-10"] == Decimal("1241.95")


def test_readme_states_the_exact_invoices(shipped):
    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    for period in CLOSED:
        (invoice,) = payload(shipped, f"/invoices/{period}")
        meta = invoice["metadata"]
        section = readme.split(f"### {period} invoice {meta['invoiceId']} total ")[1]
        assert Decimal(section.split("\n")[0]) == invoice["total"]["quantity"]
        rows = section.split("\n\n")[1].splitlines()[2:]
        expected = []
        for dc in invoice["datacenters"]:
            for m in dc["meters"]:
                expected.append(
                    (
                        dc["name"],
                        m["meterId"],
                        Decimal(m["quantity"]["quantity"]),
                        m["amount"]["quantity"],
                    )
                )
            if "rebate" in dc:
                expected.append((dc["name"], "rebate", None, -dc["rebate"]["amount"]["quantity"]))
        found = []
        for line in rows:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            found.append(
                (cells[0], cells[1], Decimal(cells[2]) if cells[2] else None, Decimal(cells[5]))
            )
        assert found == expected


def test_daily_traffic_bytes_match_daily_meters(shipped):
    day = "2026-10-12"  # web-02 starts at 09:00: its NIC moves 15/24 of a day's traffic
    traffic = payload(shipped, f"{C}/traffic/2026-10?output=obj")["trafficObj"]["vdc"]
    fra = next(group for group in traffic if group["vdcName"] == "prod-fra")
    entry = next(d for d in fra["dates"] if d["Date"] == day)
    daily = payload(shipped, f"{C}/utilization/daily/{day}")["datacenters"]
    meters = [m for dc in daily if dc["name"] == "prod-fra" for m in dc["meters"]]
    out = sum(m["quantity"]["quantity"] for m in meters if m["meterId"] == "CTO0000")
    inbound = sum(m["quantity"]["quantity"] for m in meters if m["meterId"] == "CTI1000")
    assert (Decimal(entry["Out"]) / 2**30, Decimal(entry["In"]) / 2**30) == (out, inbound)
    assert len([m for m in meters if m["meterId"] == "CTO0000"]) == 2
