"""The demo account converted month by month: reconciled to the cent with its invoices."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.focus.conformance import validate_batches
from focus_ionos_plugin.ionos.checks import check_table
from focus_ionos_plugin.ionos.convert import convert_batch
from focus_ionos_plugin.ionos.convert_mapping import ALWAYS_NULL
from focus_ionos_plugin.raw import loads_exact

D = Decimal
INVOICES = {
    "2026-09": ("GY26090001", D("1322.53"), 816),
    "2026-10": ("GY26100001", D("1241.95"), 907),
    "2026-11": ("GY26110001", D("1425.89"), 963),
}


@pytest.fixture(scope="module")
def converted(support):
    """Raw batch and conversion of every demo month."""
    months = [*INVOICES, "2026-12"]
    batches = {m: support.demo_batch(m) for m in months}
    return {m: (batches[m], convert_batch(batches[m])) for m in months}


def _sums(table: pa.Table, keys: list[str]) -> dict[tuple, Decimal]:
    grouped = table.group_by(keys).aggregate([("BilledCost", "sum")])
    return {
        tuple(grouped[k][i].as_py() for k in keys): grouped["BilledCost_sum"][i].as_py()
        for i in range(grouped.num_rows)
    }


@pytest.mark.parametrize("month", list(INVOICES))
def test_closed_month_sums_to_invoice_total_and_lines(converted, month):
    invoice_id, total, count = INVOICES[month]
    batch, result = converted[month]
    table = result.table
    assert table.num_rows == count
    assert _sums(table, ["InvoiceId"]) == {(invoice_id,): total}
    invoice = loads_exact(batch.entries[f"invoice-{invoice_id}"].body)
    lines = {
        (dc["id"], m["meterId"]): m["amount"]["quantity"]
        for dc in invoice["datacenters"]
        for m in dc["meters"]
    }
    usage = table.filter(pc.equal(table["ChargeCategory"], "Usage"))
    assert _sums(usage, ["SubAccountId", "SkuId"]) == lines
    assert set(table["x_CostStatus"].to_pylist()) == {"Invoiced"}
    assert set(table["BillingAccountId"].to_pylist()) == {"031000777"}


def test_closed_months_reconcile_without_findings(converted):
    for month in INVOICES:
        assert check_table(converted[month][1].table) == []


def test_october_rebate_is_a_credit_on_prod_fra(converted):
    table = converted["2026-10"][1].table
    credits = table.filter(pc.equal(table["ChargeCategory"], "Credit")).to_pylist()
    assert [(r["SubAccountName"], r["BilledCost"], r["InvoiceId"]) for r in credits] == [
        ("prod-fra", D("-20"), "GY26100001")
    ]


def test_price_change_shows_in_november_rates(converted):
    for month, price in (("2026-10", D("0.055")), ("2026-11", D("0.06"))):
        table = converted[month][1].table
        cores = table.filter(pc.equal(table["SkuId"], "C05000"))
        assert set(cores["ContractedUnitPrice"].to_pylist()) == {price}
        assert set(cores["ListUnitPrice"].to_pylist()) == {price}
        assert set(cores["SkuPriceId"].to_pylist()) == {f"C05000:{month}-01"}


def test_open_month_is_estimated_with_the_unpriced_meter_kept(converted):
    result = converted["2026-12"][1]
    table = result.table
    assert table.num_rows == 104
    assert set(table["x_CostStatus"].to_pylist()) == {"Estimated", "Unpriced"}
    assert set(table["InvoiceId"].to_pylist()) == {None}
    nlb = table.filter(pc.equal(table["SkuId"], "NLB1000"))
    assert pc.sum(nlb["ConsumedQuantity"]).as_py() == D(38)
    assert set(nlb["x_CostStatus"].to_pylist()) == {"Unpriced"}
    assert pc.sum(nlb["BilledCost"]).as_py() == D(0)
    assert set(nlb["ResourceName"].to_pylist()) == {"lb-fra"}
    assert pc.sum(table["BilledCost"]).as_py() == D("160.18")
    assert [(f.severity, f.rule_id) for f in result.findings] == [
        (Severity.INFO, "ionos-open-month"),
        (Severity.WARNING, "ionos-unpriced-meter"),
    ]


def test_daily_grain_rows_have_whole_day_periods(converted):
    table = converted["2026-09"][1].table
    usage = table.filter(pc.equal(table["ChargeCategory"], "Usage"))
    assert set(usage["x_Source"].to_pylist()) == {"invoice+utilization-daily"}
    length = pc.subtract(usage["ChargePeriodEnd"], usage["ChargePeriodStart"])
    hours = {value.total_seconds() / 3600 for value in length.to_pylist()}
    assert max(hours) == 24
    assert all(0 < h <= 24 for h in hours)


def test_core_conformance_finds_no_errors(converted):
    for _, result in converted.values():
        errors = [f for f in validate_batches(result.table) if f.severity is Severity.ERROR]
        assert errors == []


def test_documented_null_columns_are_null_and_the_others_filled(converted):
    tables = [result.table for _, result in converted.values()]
    combined = pa.concat_tables(tables)
    for name in combined.column_names:
        nulls = combined[name].null_count
        if name in ALWAYS_NULL:
            assert nulls == combined.num_rows, name
        else:
            assert nulls < combined.num_rows, name


def test_unpriced_open_month_row_column_by_column(converted):
    table = converted["2026-12"][1].table
    day = table.filter(
        pc.and_(
            pc.equal(table["SkuId"], "NLB1000"),
            pc.equal(table["ChargePeriodStart"], datetime(2026, 12, 2, 10, tzinfo=UTC)),
        )
    )
    [row] = day.to_pylist()
    expected = {
        "BilledCost": D(0),
        "BillingAccountId": "031000777",
        "BillingPeriodStart": datetime(2026, 12, 1, tzinfo=UTC),
        "BillingPeriodEnd": datetime(2027, 1, 1, tzinfo=UTC),
        "ChargeCategory": "Usage",
        "ChargeDescription": "1h of first 5 forwarding rules for network load balancer",
        "ChargePeriodEnd": datetime(2026, 12, 3, tzinfo=UTC),
        "ConsumedQuantity": D(14),
        "ConsumedUnit": "Hours",
        "ContractedCost": D(0),
        "ContractedUnitPrice": D(0),
        "InvoiceId": None,
        "ListCost": D(0),
        "ListUnitPrice": D(0),
        "PricingQuantity": D(14),
        "RegionId": "de/fra",
        "ResourceName": "lb-fra",
        "ResourceType": "Network Load Balancer",
        "ServiceCategory": "Networking",
        "ServiceName": "Network Load Balancer",
        "ServiceSubcategory": "Application Networking",
        "SkuPriceId": "NLB1000:2026-12-01",
        "SubAccountName": "prod-fra",
        "x_CostStatus": "Unpriced",
        "x_Source": "products+utilization-daily",
    }
    assert {name: row[name] for name in expected} == expected


def test_estimated_line_is_rounded_then_split(converted):
    # acme-backups storage, 2026-12-01..03: 0.0068 x 351 GiB-Months = 2.3868 -> 2.39.
    table = converted["2026-12"][1].table
    rows = table.filter(
        pc.and_(
            pc.equal(table["SkuId"], "S3SU1100"), pc.equal(table["ResourceName"], "acme-backups")
        )
    ).to_pylist()
    assert [(r["ConsumedQuantity"], r["BilledCost"], r["ListCost"]) for r in rows] == [
        (D("116.8"), D("0.79"), D("0.79424")),
        (D("117"), D("0.80"), D("0.7956")),
        (D("117.2"), D("0.80"), D("0.79696")),
    ]
    assert {r["x_CostStatus"] for r in rows} == {"Estimated"}


def test_edge_vit_rows_are_in_logrono(converted):
    table = converted["2026-11"][1].table
    edge = table.filter(pc.equal(table["SubAccountName"], "edge-vit"))
    assert set(edge["RegionId"].to_pylist()) == {"es/vit"}
    assert set(edge["RegionName"].to_pylist()) == {"Logroño (Spain)"}
