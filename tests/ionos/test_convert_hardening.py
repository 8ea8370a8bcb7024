"""Crafted raw batches that once broke the IONOS conversion: each must stay FOCUS-valid and
reconcile to the cent, or say clearly (a finding) what it repaired."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow.compute as pc

from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.focus.conformance import validate_batches
from focus_ionos_plugin.ionos.convert import Conversion, convert_batch

D = Decimal
PROD = "5b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8"
INVOICE = "invoice-GY09000123"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def edited(support: Any, file: str, vdc: str, meter: str, change: Callable[[dict], None]) -> Any:
    """An example payload with ``change`` applied to the records of ``vdc`` x ``meter``."""
    payload = copy.deepcopy(support.example_payload(file))
    for dc in payload["datacenters"]:
        for record in dc["meters"] if dc["id"] == vdc else ():
            if record["meterId"] == meter:
                change(record)
    return payload


def convert(support: Any, **options: Any) -> Conversion:
    return convert_batch(support.example_batch(**options))


def focus_errors(result: Conversion) -> list[str]:
    return [f.rule_id for f in validate_batches(result.table) if f.severity == Severity.ERROR]


def total(result: Conversion) -> Decimal:
    return pc.sum(result.table["BilledCost"]).as_py()


def rows_of(result: Conversion, meter: str) -> list[dict[str, Any]]:
    return [r for r in result.table.to_pylist() if r["SkuId"] == meter]


def rule_ids(result: Conversion) -> list[str]:
    return [f.rule_id for f in result.findings]


def test_negative_utilization_quantity_converts_and_reconciles(support):
    util = edited(
        support, "utilization.json", PROD, "S01000", lambda r: r["quantity"].update(quantity=-3)
    )
    closed = convert(support, replace={"utilization": util})
    assert total(closed) == D("344.69")
    assert focus_errors(closed) == []
    [row] = rows_of(closed, "S01000")
    assert row["BilledCost"] == D("15")  # the line amount stays on its only record
    assert row["ConsumedQuantity"] == D(-3)
    assert "ionos-negative-quantity" in rule_ids(closed)
    estimated = convert(support, closed=False, replace={"utilization": util})
    assert focus_errors(estimated) == []
    assert "ionos-negative-quantity" in rule_ids(estimated)


def test_point_and_reversed_intervals_get_a_positive_charge_period(support):
    def point(record: dict) -> None:
        record.update({"from": "2026-06-15T00:00:00Z", "to": "2026-06-15T00:00:00Z"})

    def reversed_(record: dict) -> None:
        record.update({"from": "2026-06-20T00:00:00Z", "to": "2026-06-10T23:59:59.999Z"})

    for change, day in ((point, 15), (reversed_, 20)):
        util = edited(support, "utilization.json", PROD, "C05000", change)
        result = convert(support, replace={"utilization": util})
        assert focus_errors(result) == []
        row = next(r for r in rows_of(result, "C05000") if r["SubAccountId"] == PROD)
        assert row["ChargePeriodStart"] == at(2026, 6, day)
        assert row["ChargePeriodEnd"] == at(2026, 6, day, 0, 0, 1)
        assert "ionos-charge-period-repaired" in rule_ids(result)
        assert total(result) == D("344.69")


def test_unreadable_time_stamp_falls_back_to_the_billing_period_with_a_warning(support):
    util = edited(support, "utilization.json", PROD, "C05000", lambda r: r.update({"from": "soon"}))
    result = convert(support, replace={"utilization": util})
    assert focus_errors(result) == []
    row = next(r for r in rows_of(result, "C05000") if r["SubAccountId"] == PROD)
    assert row["ChargePeriodStart"] == at(2026, 6, 1)
    assert "ionos-bad-timestamp" in rule_ids(result)


def test_missing_utilization_quantity_becomes_zero_with_a_warning(support):
    util = edited(
        support, "utilization.json", PROD, "C05000", lambda r: r["quantity"].update(quantity=None)
    )
    for options in ({}, {"closed": False}):
        result = convert(support, replace={"utilization": util}, **options)
        assert focus_errors(result) == []
        row = next(r for r in rows_of(result, "C05000") if r["SubAccountId"] == PROD)
        assert row["ConsumedQuantity"] == D(0)
        assert "ionos-quantity-missing" in rule_ids(result)
    assert total(convert(support, replace={"utilization": util})) == D("344.69")


def test_list_price_in_another_currency_is_not_used(support):
    invoice = copy.deepcopy(support.example_payload("invoice-detail.json"))
    for dc in invoice["datacenters"]:
        for meter in dc["meters"]:
            meter["amount"]["unit"] = meter["rate"]["unit"] = "USD"
        if dc.get("rebate"):
            dc["rebate"]["amount"]["unit"] = "USD"
    invoice["total"]["unit"] = "USD"
    products = copy.deepcopy(support.example_payload("products.json"))
    for product in products["products"]:
        if product["meterId"] == "C05000":
            product["unitCost"]["quantity"] = "0.06"  # EUR, unlike the invoice
    result = convert(support, replace={INVOICE: invoice, "products": products})
    assert set(result.table["BillingCurrency"].to_pylist()) == {"USD"}
    row = next(r for r in rows_of(result, "C05000") if r["SubAccountId"] == PROD)
    assert row["ListUnitPrice"] == row["ContractedUnitPrice"] == D("0.055")
    assert row["ListCost"] == D("158.4")
    assert total(result) == D("344.69")


def test_usage_without_meter_id_keeps_a_named_placeholder_sku(support):
    util = edited(support, "utilization.json", PROD, "S01000", lambda r: r.pop("meterId"))
    for closed in (True, False):
        result = convert(support, closed=closed, replace={"utilization": util})
        assert focus_errors(result) == []
        rows = [r for r in result.table.to_pylist() if (r["SkuId"] or "").startswith("UNKNOWN-")]
        assert [r["SkuId"] for r in rows] == ["UNKNOWN-STORAGE"]
        assert rows[0]["SkuPriceId"].startswith("UNKNOWN-STORAGE:")
        assert "ionos-meter-missing" in rule_ids(result)
    # The invoice still reconciles: its S01000 line stays one data-center row.
    assert total(convert(support, replace={"utilization": util})) == D("344.69")
