"""The analyses on the crafted table: every figure checked exactly against hand sums."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pyarrow as pa
import pytest

from focus_ionos_plugin.errors import InputError
from focus_ionos_plugin.report import analysis
from focus_ionos_plugin.report import summary as summary_module
from focus_ionos_plugin.report.build import ionos_traffic_direction
from focus_ionos_plugin.report.summary import summarize


@pytest.fixture
def summary(crafted: pa.Table) -> pa.Table:
    return summarize(crafted)


def _sorted(table: pa.Table) -> list[dict[str, object]]:
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in sorted(r)))


def test_summary_is_the_same_whatever_the_batch_size(crafted, summary):
    one_by_one = summarize(crafted.to_batches(max_chunksize=1))
    assert _sorted(one_by_one) == _sorted(summary)
    assert sum(summary["rows"].to_pylist()) == 23


def test_summary_folds_partial_sums_the_same_way(crafted, summary, monkeypatch):
    monkeypatch.setattr(summary_module, "_CHUNK_ROWS", 3)
    folded = summarize(crafted.to_batches(max_chunksize=2))
    assert _sorted(folded) == _sorted(summary)


def test_summary_refuses_float_money(crafted):
    floats = crafted.set_column(
        crafted.schema.get_field_index("BilledCost"),
        "BilledCost",
        crafted["BilledCost"].cast(pa.float64()),
    )
    with pytest.raises(InputError, match="BilledCost holds binary floating-point"):
        summarize(floats)


def test_summary_needs_the_mandatory_columns(crafted):
    with pytest.raises(InputError, match="no BillingCurrency column"):
        summarize(crafted.drop_columns(["BillingCurrency"]))


def test_kpis_keep_currencies_apart(summary):
    kpis = analysis.kpis(summary)
    eur, usd = kpis.totals
    assert (eur.currency, eur.billed_cost, eur.effective_cost, eur.rows) == (
        "EUR",
        D("816.30"),
        D("816.30"),
        22,
    )
    assert (usd.currency, usd.billed_cost, usd.rows) == ("USD", D("500"), 1)
    assert [(s.status, s.billed_cost, s.rows, s.share) for s in eur.cost_status] == [
        ("Invoiced", D("561.30"), 16, D("68.76")),
        ("Estimated", D("255"), 5, D("31.24")),
        ("Unpriced", D("0"), 1, D("0.00")),
    ]
    assert [(s.status, s.share) for s in usd.cost_status] == [("Not stated", D("100.00"))]
    assert (kpis.rows, kpis.providers, kpis.sub_accounts, kpis.resources) == (23, 2, 3, 5)
    assert kpis.months == ("2026-01", "2026-02", "2026-03", "2026-04")
    assert kpis.has_cost_status


def test_breakdowns_with_shares(summary):
    def rows(dimension):
        return [
            (r.key, r.label, r.billed_cost, r.share)
            for r in analysis.breakdown(summary, dimension)["EUR"]
        ]

    assert rows("region") == [
        ("de/fra", "Frankfurt", D("710"), D("86.98")),
        ("de/txl", "Berlin", D("65"), D("7.96")),
        (None, "(no region)", D("41.30"), D("5.06")),
    ]
    assert rows("service_category") == [
        ("Compute", "Compute", D("430"), D("52.68")),
        ("Storage", "Storage", D("230"), D("28.18")),
        ("Networking", "Networking", D("90"), D("11.03")),
        ("Other", "Other", D("41.30"), D("5.06")),
        ("Databases", "Databases", D("25"), D("3.06")),
    ]
    assert rows("charge_category") == [
        ("Usage", "Usage", D("775"), D("94.94")),
        ("Tax", "Tax", D("32.30"), D("3.96")),
        ("Adjustment", "Adjustment", D("9"), D("1.10")),
    ]
    providers = analysis.breakdown(summary, "provider")
    assert [(r.label, r.billed_cost, r.share) for r in providers["USD"]] == [
        ("Example Cloud", D("500"), D("100.00"))
    ]
    assert [r.label for r in providers["EUR"]] == ["IONOS Cloud"]


def test_category_region_matrix(summary):
    eur, usd = analysis.category_region_matrix(summary)
    assert eur.categories == ("Compute", "Storage", "Networking", "Other", "Databases")
    assert eur.regions == ("Frankfurt", "Berlin", "(no region)")
    assert eur.cells == (
        (D("430"), None, None),
        (D("190"), D("40"), None),
        (D("90"), None, None),
        (None, D("0"), D("41.30")),
        (None, D("25"), None),
    )
    assert eur.region_totals == (D("710"), D("65"), D("41.30"))
    assert eur.total == D("816.30")
    assert (usd.currency, usd.total, usd.regions) == ("USD", D("500"), ("US East",))


def test_cost_drivers_fall_back_to_sub_accounts_and_skip_tax(summary):
    drivers = analysis.cost_drivers(summary)
    assert [(d.kind, d.key, d.label, d.billed_cost, d.share) for d in drivers["EUR"]] == [
        ("resource", "srv-1", "srv-1", D("430"), D("52.68")),
        ("resource", "vol-1", "vol-1", D("190"), D("23.28")),
        ("sub_account", "vdc-a", "VDC-A (no resource id)", D("90"), D("11.03")),
        ("resource", "vol-2", "vol-2", D("40"), D("4.90")),
        ("resource", "db-1", "db-1", D("25"), D("3.06")),
    ]
    (usd,) = drivers["USD"]
    assert (usd.label, usd.provider, usd.sub_account, usd.billed_cost) == (
        "<script>alert(1)</script>",
        "Example Cloud",
        "ACCT-1",
        D("500"),
    )


def test_month_over_month_flags_increases_above_twenty_percent(summary):
    eur, usd = analysis.month_over_month(summary)
    assert eur.months == ("2026-01", "2026-02", "2026-03", "2026-04")
    trends = {
        t.category: [(m.billed_cost, m.change_pct, m.flagged) for m in t.months]
        for t in eur.categories
    }
    # Exactly +20.00 % is not above the threshold; +33.33 % is.
    assert trends["Compute"] == [
        (D("100"), None, False),
        (D("120"), D("20.00"), False),
        (D("90"), D("-25.00"), False),
        (D("120"), D("33.33"), True),
    ]
    assert trends["Storage"][3] == (D("80"), D("60.00"), True)
    assert trends["Networking"][3] == (D("30"), D("50.00"), True)
    # New spending has no percentage; a month after a negative one neither.
    assert trends["Databases"][3] == (D("25"), None, False)
    assert trends["Other"] == [
        (D("32.30"), None, False),
        (D("-1"), D("-103.10"), False),
        (D("10"), None, False),
        (D("0"), D("-100.00"), False),
    ]
    assert [t.category for t in eur.categories] == [
        "Compute",
        "Storage",
        "Networking",
        "Other",
        "Databases",
    ]
    assert usd.months == ("2026-04",)


def test_anomalies_found_and_not_found(summary):
    found, note = analysis.anomalies(summary)
    assert [(a.currency, a.category, a.latest, a.trailing_average, a.ratio) for a in found] == [
        ("EUR", "Storage", D("80"), D("50.00"), D("1.60")),
        ("EUR", "Databases", D("25"), D("0.00"), None),
    ]
    storage = found[0]
    assert storage.month == "2026-04"
    assert storage.trailing_months == ("2026-01", "2026-02", "2026-03")
    # Only the HDD meter rose; the SSD meter stayed at its average.
    assert [
        (m.sku_id, m.description, m.latest, m.trailing_average, m.increase) for m in storage.meters
    ] == [
        ("S01000", "HDD storage", D("70"), D("40.00"), D("30.00")),
    ]
    assert [(m.sku_id, m.increase) for m in found[1].meters] == [("DBPGC1000", D("25.00"))]
    # Networking at exactly 1.5 x its average and Compute below it are not anomalies.
    assert "Networking" not in {a.category for a in found}
    assert "Compute" not in {a.category for a in found}
    assert note == (
        "EUR: 2026-04 against the average of 2026-01, 2026-02, 2026-03; "
        "USD: only 2026-04 in the data, no trailing months to compare"
    )


def test_anomaly_window_uses_only_months_the_data_covers(crafted):
    march_april = crafted.filter(
        pa.compute.greater_equal(crafted["BillingPeriodStart"].cast(pa.string()), "2026-03")
    )
    found, note = analysis.anomalies(summarize(march_april))
    assert note.startswith("EUR: 2026-04 against the average of 2026-03;")
    # Storage 80 against 50, Networking 30 against 20 (1.5 x: not above), Compute 120 vs 90.
    assert [(a.category, a.ratio) for a in found] == [("Storage", D("1.60")), ("Databases", None)]


def test_invoice_reconciliation_flags_tax_and_adjustment(summary):
    invoices = {i.invoice_id: i for i in analysis.invoice_reconciliation(summary)}
    assert sorted(invoices) == ["EX-1", "INV-01", "INV-02", "INV-03"]
    jan, feb, mar = invoices["INV-01"], invoices["INV-02"], invoices["INV-03"]
    assert jan.by_category == {"Usage": D("170"), "Tax": D("32.30")}
    assert (jan.total, jan.tax_share, jan.flags) == (
        D("202.30"),
        D("15.97"),
        ("Tax above 5% of the total",),
    )
    assert feb.by_category == {"Usage": D("190"), "Adjustment": D("-1")}
    assert (feb.total, feb.adjustment_share, feb.flags) == (D("189"), D("0.53"), ())
    assert (mar.total, mar.adjustment_share, mar.flags) == (
        D("170"),
        D("5.88"),
        ("Adjustment above 5% of the total",),
    )
    assert (mar.provider, mar.months, mar.currency) == ("IONOS Cloud", ("2026-03",), "EUR")
    assert (invoices["EX-1"].currency, invoices["EX-1"].total) == ("USD", D("500"))


def test_period_status_compares_invoice_and_catalog_estimate(summary):
    periods = {(p.month, p.currency): p for p in analysis.period_status(summary)}
    jan = periods["2026-01", "EUR"]
    assert (jan.state, jan.invoiced, jan.estimated, jan.list_cost_invoiced) == (
        "closed",
        D("202.30"),
        D("0"),
        D("180"),
    )
    assert jan.estimate_difference == D("22.30")
    april = periods["2026-04", "EUR"]
    assert (april.state, april.invoiced, april.estimated, april.unpriced_rows) == (
        "open",
        D("0"),
        D("255"),
        1,
    )
    assert april.list_cost_invoiced is None
    usd = periods["2026-04", "USD"]
    assert (usd.state, usd.not_stated) == ("not stated", D("500"))


def test_period_status_is_empty_without_cost_status(crafted):
    without = summarize(crafted.drop_columns(["x_CostStatus"]))
    assert analysis.period_status(without) == ()
    assert not analysis.kpis(without).has_cost_status


def test_network_traffic_per_vdc_from_the_meter_catalog(summary):
    (vdc,) = analysis.network_traffic(summary, ionos_traffic_direction())
    assert (vdc.sub_account_id, vdc.sub_account_name, vdc.currency, vdc.unit) == (
        "vdc-a",
        "VDC-A",
        "EUR",
        "GiB",
    )
    assert (vdc.inbound, vdc.outbound, vdc.inbound_cost, vdc.outbound_cost) == (
        D("50"),
        D("900"),
        D("0"),
        D("90"),
    )


@pytest.mark.parametrize(
    ("sku", "expected"),
    [
        ("CTO0000", "out"),
        ("CTO1200", "out"),
        ("CTI1000", "in"),
        ("S3TO1000", "out"),
        ("C05000", None),
        ("S3SU1100", None),
        ("SKU-ca9c2ba97f0b30fb137ef130", None),
    ],
)
def test_traffic_direction_of_meters(sku, expected):
    assert ionos_traffic_direction()(sku) == expected


def test_shares_and_previous_months():
    assert analysis.share_pct(D("1"), D("3")) == D("33.33")
    assert analysis.share_pct(D("1"), D("0")) is None
    assert analysis.share_pct(D("0.125"), D("1")) == D("12.50")
    assert analysis.previous_months("2026-02", 3) == ("2026-01", "2025-12", "2025-11")


def _april_ends(crafted: pa.Table, end: datetime) -> pa.Table:
    """The crafted rows with ChargePeriodEnd set: whole months, and ``end`` in April."""
    ends = [
        end if start.month == 4 else start.replace(month=start.month + 1)
        for start in crafted["BillingPeriodStart"].to_pylist()
    ]
    index = crafted.schema.get_field_index("ChargePeriodEnd")
    return crafted.set_column(
        index, "ChargePeriodEnd", pa.array(ends, crafted.schema.field(index).type)
    )


def test_a_partial_month_is_compared_by_its_run_rate(crafted):
    # April's data ends on the 16th: 15 of 30 days, so its run-rate is twice its cost.
    summary = summarize(_april_ends(crafted, datetime(2026, 4, 16, tzinfo=UTC)))
    eur_april = analysis.month_coverage(summary)["EUR"]["2026-04"]
    assert (eur_april.covered_days, eur_april.days, eur_april.covered_seconds) == (
        D("15.00"),
        30,
        15 * 86400,
    )
    eur = analysis.month_over_month(summary)[0]
    assert [p.month for p in eur.partial] == ["2026-04"]
    compute = next(t for t in eur.categories if t.category == "Compute")
    april = compute.months[3]
    assert (april.billed_cost, april.run_rate, april.change_pct, april.flagged) == (
        D("120"),
        D("240.00"),
        D("166.67"),
        True,
    )
    assert compute.months[2].run_rate is None

    found, note = analysis.anomalies(summary)
    assert note.startswith(
        "EUR: 2026-04 (15 of 30 days, scaled to the whole month) against the average of "
        "2026-01, 2026-02, 2026-03;"
    )
    # Compute 240 against 103.33 and Networking 60 against 20 are anomalies now.
    assert [(a.category, a.latest, a.run_rate, a.trailing_average, a.ratio) for a in found] == [
        ("Compute", D("120"), D("240.00"), D("103.33"), D("2.32")),
        ("Storage", D("80"), D("160.00"), D("50.00"), D("3.20")),
        ("Databases", D("25"), D("50.00"), D("0.00"), None),
        ("Networking", D("30"), D("60.00"), D("20.00"), D("3.00")),
    ]
    storage = found[1]
    assert [(m.sku_id, m.latest, m.run_rate, m.increase) for m in storage.meters] == [
        ("S01000", D("70"), D("140.00"), D("100.00")),
        ("S02000", D("10"), D("20.00"), D("10.00")),
    ]


def test_a_month_whose_data_reaches_its_end_is_complete(crafted, summary):
    assert analysis.month_coverage(summary) == {}  # no ChargePeriodEnd at all
    whole = summarize(_april_ends(crafted, datetime(2026, 5, 1, tzinfo=UTC)))
    assert analysis.month_coverage(whole) == {}
    assert analysis.anomalies(whole) == analysis.anomalies(summary)
