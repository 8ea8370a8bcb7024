"""Conversion of the reference example payloads (contract 031000000, June 2026)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow.compute as pc
import pytest

from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.ionos.convert import convert_batch
from focus_ionos_plugin.ionos.convert_focus import exclusive_end, inclusive_start

D = Decimal
PROD = "5b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8"
STAGING = "6c2d3e4f-5061-4b72-9c83-a4b5c6d7e8f9"
S3 = "e4a5b6c7-d8e9-43fa-94ab-2c3d4e5f6a78"
WEB01 = "7d3e4f50-6172-4c83-8d94-b5c6d7e8f901"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rows(table, **match):
    """Rows (as dicts) whose columns equal the given values."""
    mask = None
    for column, value in match.items():
        test = pc.equal(table[column], value)
        mask = test if mask is None else pc.and_(mask, test)
    return table.filter(mask).to_pylist()


def rule_ids(findings):
    return sorted(f.rule_id for f in findings)


def test_every_focus_column_is_present_in_spec_order_then_custom_columns(support):
    table = convert_batch(support.example_batch()).table
    names = cost_and_usage_schema().names
    assert table.column_names == [*names, "x_CostStatus", "x_Source"]
    assert table.schema.field("BilledCost").type == cost_and_usage_schema().field("BilledCost").type


def test_invoice_month_rows_and_totals(support):
    result = convert_batch(support.example_batch())
    table = result.table
    assert table.num_rows == 16
    assert pc.sum(table["BilledCost"]).as_py() == D("344.69")
    assert set(table["BillingAccountId"].to_pylist()) == {"031000000"}
    assert set(table["InvoiceId"].to_pylist()) == {"GY09000123"}
    assert set(table["x_CostStatus"].to_pylist()) == {"Invoiced"}
    assert result.findings == []


def test_resource_row_column_by_column(support):
    table = convert_batch(support.example_batch()).table
    [row] = rows(table, ResourceId=WEB01, SkuId="C05000")
    expected = {
        "BilledCost": D("158.4"),
        "BillingAccountId": "031000000",
        "BillingAccountName": None,
        "BillingAccountType": "Contract",
        "BillingCurrency": "EUR",
        "BillingPeriodStart": at(2026, 6, 1),
        "BillingPeriodEnd": at(2026, 7, 1),
        "ChargeCategory": "Usage",
        "ChargeClass": None,
        "ChargeDescription": "1h core AMD EPYC (+1 hyperthread core)",
        "ChargeFrequency": "Usage-Based",
        "ChargePeriodStart": at(2026, 6, 1),
        "ChargePeriodEnd": at(2026, 7, 1),
        "CommitmentDiscountId": None,
        "ConsumedQuantity": D(2880),
        "ConsumedUnit": "Core-Hours",
        "ContractedCost": D("158.4"),
        "ContractedUnitPrice": D("0.055"),
        "EffectiveCost": D("158.4"),
        "HostProviderName": "IONOS",
        "InvoiceId": "GY09000123",
        "InvoiceIssuerName": "IONOS",
        "ListCost": D("158.4"),
        "ListUnitPrice": D("0.055"),
        "PricingCategory": "Standard",
        "PricingCurrency": "EUR",
        "PricingQuantity": D(2880),
        "PricingUnit": "Core-Hours",
        "ProviderName": "IONOS",
        "PublisherName": "IONOS",
        "RegionId": "de/fra",
        "RegionName": "Frankfurt (Germany)",
        "ResourceId": WEB01,
        "ResourceName": "web-01",
        "ResourceType": "Server",
        "ServiceCategory": "Compute",
        "ServiceName": "Compute Engine",
        "ServiceProviderName": "IONOS",
        "ServiceSubcategory": "Virtual Machines",
        "SkuId": "C05000",
        "SkuMeter": "vCPU core AMD EPYC",
        "SkuPriceId": "C05000:2026-06-01",
        "SubAccountId": PROD,
        "SubAccountName": "prod-fra",
        "SubAccountType": "Virtual Data Center",
        "Tags": None,
        "x_CostStatus": "Invoiced",
        "x_Source": "invoice+utilization",
    }
    assert {name: row[name] for name in expected} == expected


def test_rebate_becomes_a_credit_row(support):
    table = convert_batch(support.example_batch()).table
    [row] = rows(table, ChargeCategory="Credit")
    assert row["BilledCost"] == row["EffectiveCost"] == row["ListCost"] == D("-7.5")
    assert row["ContractedCost"] == D("-7.5")
    assert (row["SubAccountId"], row["SubAccountName"], row["RegionId"]) == (
        PROD,
        "prod-fra",
        "de/fra",
    )
    assert (row["SkuId"], row["SkuPriceId"], row["PricingQuantity"]) == (None, None, None)
    assert (row["ChargeFrequency"], row["ServiceCategory"]) == ("One-Time", "Other")
    assert row["ChargeDescription"] == "Rebate on invoice GY09000123 for data center prod-fra"


def test_inclusive_ends_become_exclusive_whole_seconds(support):
    table = convert_batch(support.example_batch()).table
    [row] = rows(table, ResourceName="stage-01", SkuId="C05000")
    assert row["ChargePeriodStart"] == at(2026, 6, 1)
    assert row["ChargePeriodEnd"] == at(2026, 6, 15, 12)
    assert row["BilledCost"] == D("38.28")
    assert row["RegionId"] == "de/txl"


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2026-06-30T23:59:59.999Z", at(2026, 7, 1)),
        ("2026-06-30T23:59:59.999", at(2026, 7, 1)),
        ("2026-06-30T23:59:59Z", at(2026, 7, 1)),
        ("2026-06-30T23:59:59.999+00:00", at(2026, 7, 1)),
        ("2026-06-15T11:59:59.500Z", at(2026, 6, 15, 12)),
        ("2026-07-01T00:00:00.000Z", at(2026, 7, 1)),
    ],
)
def test_exclusive_end_rule(text, end):
    assert exclusive_end(text) == end


def test_start_truncates_to_the_second():
    assert inclusive_start("2026-06-11T00:00:00.750Z") == at(2026, 6, 11)


def test_line_split_over_daily_records_sums_to_the_line(support):
    result = convert_batch(support.example_batch(daily=True))
    table = result.table
    assert pc.sum(table["BilledCost"]).as_py() == D("344.69")
    [row] = rows(table, ResourceId=WEB01, SkuId="C05000")
    assert row["x_Source"] == "invoice+utilization-daily"
    assert (row["ChargePeriodStart"], row["ChargePeriodEnd"]) == (at(2026, 6, 15), at(2026, 6, 16))
    assert (row["ConsumedQuantity"], row["BilledCost"]) == (D(96), D("158.4"))


def test_split_of_one_line_over_two_records(support):
    table = convert_batch(support.example_batch()).table
    parts = rows(table, SubAccountId=S3, SkuId="S3SU1100")
    assert [(r["ChargePeriodStart"].day, r["BilledCost"]) for r in parts] == [
        (29, D("0.04")),
        (30, D("0.04")),
    ]
    assert parts[0]["ContractedCost"] == D("0.00272")  # 0.0068 x 0.4, exact


def test_adjustment_row_closes_a_gap_to_the_invoice_total(support):
    invoice = support.example_payload("invoice-detail.json")
    invoice["total"]["quantity"] = 344.74
    result = convert_batch(support.example_batch(replace={"invoice-GY09000123": invoice}))
    table = result.table
    [row] = rows(table, ChargeCategory="Adjustment")
    assert row["BilledCost"] == D("0.05")
    assert (row["InvoiceId"], row["SubAccountId"], row["ChargeClass"]) == ("GY09000123", None, None)
    assert pc.sum(table["BilledCost"]).as_py() == D("344.74")
    assert rule_ids(result.findings) == ["ionos-invoice-adjustment"]


def test_line_without_utilization_stays_one_data_center_row(support):
    result = convert_batch(support.example_batch(skip=("utilization",)))
    table = result.table
    assert table.num_rows == 15  # 14 lines + rebate
    [row] = rows(table, SubAccountId=STAGING, SkuId="S05000")
    assert (row["ResourceId"], row["ResourceType"], row["x_Source"]) == (None, None, "invoice")
    assert (row["RegionId"], row["ConsumedQuantity"], row["BilledCost"]) == (
        "de/txl",
        D(50),
        D("4.25"),
    )
    assert (row["ChargePeriodStart"], row["ChargePeriodEnd"]) == (at(2026, 6, 1), at(2026, 7, 1))
    assert pc.sum(table["BilledCost"]).as_py() == D("344.69")


def test_record_without_region_takes_its_data_center_location(support):
    utilization = support.example_payload("utilization.json")
    for meter in utilization["datacenters"][1]["meters"]:
        meter["region"] = None
    table = convert_batch(support.example_batch(replace={"utilization": utilization})).table
    staging = rows(table, SubAccountId=STAGING)
    assert len(staging) == 3
    assert {row["RegionId"] for row in staging} == {"de/txl"}


def test_no_invoice_access_gives_estimates(support):
    result = convert_batch(support.example_batch(invoice_access=False))
    table = result.table
    assert set(table["x_CostStatus"].to_pylist()) == {"Estimated"}
    assert set(table["InvoiceId"].to_pylist()) == {None}
    assert "ionos-no-invoice-access" in rule_ids(result.findings)
    [row] = rows(table, ResourceId=WEB01, SkuId="C05000")
    assert (row["BilledCost"], row["ListUnitPrice"], row["ContractedCost"]) == (
        D("158.4"),
        D("0.055"),
        D("158.4"),
    )
    # S3 storage: 0.0068 x (0.4 + 0.4) = 0.00544 -> 0.01, split 0.01 / 0.00
    storage = rows(table, SubAccountId=S3, SkuId="S3SU1100")
    assert [r["BilledCost"] for r in storage] == [D("0.01"), D("0.00")]


def test_open_month_unpriced_and_unknown_meters_keep_their_quantity(support):
    products = support.example_payload("products.json")
    products["products"] = [p for p in products["products"] if p["meterId"] != "NAT1000"]
    utilization = support.example_payload("utilization.json")
    odd = copy.deepcopy(utilization["datacenters"][0]["meters"][5])
    odd.update(meterId="ZZ1000", meterDesc="1h of something new", type="GADGET")
    utilization["datacenters"][0]["meters"].append(odd)
    batch = support.example_batch(
        closed=False, replace={"products": products, "utilization": utilization}
    )
    result = convert_batch(batch)
    table = result.table
    [nat] = rows(table, SkuId="NAT1000")
    assert (nat["x_CostStatus"], nat["ConsumedQuantity"], nat["BilledCost"]) == (
        "Unpriced",
        D(720),
        D(0),
    )
    assert (nat["ListUnitPrice"], nat["ListCost"], nat["ContractedCost"]) == (D(0), D(0), D(0))
    [odd_row] = rows(table, SkuId="ZZ1000")
    assert (odd_row["ServiceCategory"], odd_row["ServiceSubcategory"]) == ("Other", "Other (Other)")
    assert (odd_row["ResourceType"], odd_row["x_CostStatus"]) == ("GADGET", "Unpriced")
    assert rule_ids(result.findings) == [
        "ionos-open-month",
        "ionos-unknown-meter",
        "ionos-unpriced-meter",
    ]
    unpriced = next(f for f in result.findings if f.rule_id == "ionos-unpriced-meter")
    assert "meter(s) NAT1000 (720 Hours, 1 row), ZZ1000 (720 Hours, 1 row):" in unpriced.message
    assert unpriced.rows == 2


def test_closed_month_usage_without_invoice_line_is_kept_uninvoiced(support):
    invoice = support.example_payload("invoice-detail.json")
    invoice["datacenters"][0]["meters"] = [
        m for m in invoice["datacenters"][0]["meters"] if m["meterId"] != "NAT1000"
    ]
    invoice["total"]["quantity"] = 320.93
    result = convert_batch(support.example_batch(replace={"invoice-GY09000123": invoice}))
    table = result.table
    [nat] = rows(table, SkuId="NAT1000")
    assert (nat["x_CostStatus"], nat["BilledCost"], nat["InvoiceId"]) == ("Uninvoiced", D(0), None)
    assert (nat["ConsumedQuantity"], nat["ListCost"]) == (D(720), D("23.76"))
    assert rule_ids(result.findings) == ["ionos-usage-without-invoice-line"]
    assert pc.sum(table["BilledCost"]).as_py() == D("320.93")


def test_list_price_from_the_product_list_can_differ_from_the_invoice_rate(support):
    products = support.example_payload("products.json")
    for product in products["products"]:
        if product["meterId"] == "C05000":
            product["unitCost"]["quantity"] = "0.0600"
    table = convert_batch(support.example_batch(replace={"products": products})).table
    [row] = rows(table, ResourceId=WEB01, SkuId="C05000")
    assert (row["ListUnitPrice"], row["ListCost"]) == (D("0.06"), D("172.8"))
    assert (row["ContractedUnitPrice"], row["ContractedCost"], row["BilledCost"]) == (
        D("0.055"),
        D("158.4"),
        D("158.4"),
    )
