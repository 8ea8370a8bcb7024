"""The report of the IONOS demo export (``focus-ionos export --demo``), figure by figure.

The demo account is fixed (its "today" is 2026-12-04): three invoiced months, the first
three days of December estimated, a rebate in October, traffic in three VDCs.
"""

from __future__ import annotations

import io
import logging
from decimal import Decimal as D
from pathlib import Path

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.report.build import build_report
from focus_ionos_plugin.report.model import Report


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Report:
    out = tmp_path_factory.mktemp("demo") / "focus-out"
    logger = logging.getLogger("focus_ionos_plugin")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    app = App(stdout=io.StringIO(), stderr=io.StringIO(), settings=Settings({}))
    try:
        code = cli.main(["-q", "export", "--demo", "--out", str(out)], app=app)
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    assert code == 0, app.stderr.getvalue()
    return build_report(Path(out))


def test_demo_totals(demo):
    kpis = demo.kpis
    (eur,) = kpis.totals
    assert (eur.currency, eur.billed_cost, eur.effective_cost, eur.rows) == (
        "EUR",
        D("4150.55"),
        D("4150.55"),
        2790,
    )
    assert [(s.status, s.billed_cost, s.rows, s.share) for s in eur.cost_status] == [
        ("Invoiced", D("3990.37"), 2686, D("96.14")),
        ("Estimated", D("160.18"), 102, D("3.86")),
        ("Unpriced", D("0"), 2, D("0.00")),
    ]
    assert (kpis.providers, kpis.sub_accounts, kpis.resources) == (1, 4, 25)
    assert kpis.months == ("2026-09", "2026-10", "2026-11", "2026-12")


def test_demo_breakdowns(demo):
    def rows(dimension):
        return [(r.key, r.billed_cost, r.share) for r in demo.breakdowns[dimension]["EUR"]]

    assert rows("region") == [
        ("de/fra", D("1859.58"), D("44.80")),
        ("de/txl", D("1745.73"), D("42.06")),
        ("es/vit", D("545.24"), D("13.14")),
    ]
    assert rows("service_category") == [
        ("Compute", D("3127.93"), D("75.36")),
        ("Databases", D("455.71"), D("10.98")),
        ("Storage", D("423.18"), D("10.20")),
        ("Networking", D("163.73"), D("3.94")),
        ("Other", D("-20"), D("-0.48")),
    ]
    assert rows("charge_category") == [
        ("Usage", D("4170.55"), D("100.48")),
        ("Credit", D("-20"), D("-0.48")),
    ]
    (matrix,) = demo.matrix
    assert matrix.regions == ("Frankfurt (Germany)", "Berlin (Germany)", "Logroño (Spain)")
    assert matrix.cells[0] == (D("982.41"), D("1643.01"), D("502.51"))


def test_demo_drivers_are_resources(demo):
    assert [(d.label, d.sub_account, d.billed_cost) for d in demo.cost_drivers["EUR"]] == [
        ("web-01", "prod-fra", D("764.96")),
        ("nodepool-a-1", "analytics-txl", D("764.86")),
        ("nodepool-a-2", "analytics-txl", D("764.84")),
        ("orders-pg", "prod-fra", D("455.71")),
        ("edge-01", "edge-vit", D("319.21")),
    ]


def test_demo_open_month_is_compared_by_run_rate(demo):
    (mom,) = demo.month_over_month
    (december,) = mom.partial
    assert (december.month, december.covered_days, december.days) == ("2026-12", D("3"), 31)
    compute = mom.categories[0]
    assert compute.category == "Compute"
    assert [(m.billed_cost, m.change_pct, m.run_rate) for m in compute.months] == [
        (D("999.74"), None, None),
        (D("921.88"), D("-7.79"), None),
        (D("1081.60"), D("17.33"), None),
        (D("124.71"), D("19.14"), D("1288.67")),
    ]
    assert not any(m.flagged for t in mom.categories for m in t.months)
    assert demo.anomalies == ()
    assert demo.anomaly_note == (
        "EUR: 2026-12 (3 of 31 days, scaled to the whole month) against the average of "
        "2026-09, 2026-10, 2026-11"
    )


def test_demo_invoices_and_months(demo):
    assert [(i.invoice_id, i.by_category, i.total, i.flags) for i in demo.invoices] == [
        ("GY26090001", {"Usage": D("1322.53")}, D("1322.53"), ()),
        ("GY26100001", {"Usage": D("1261.95"), "Credit": D("-20")}, D("1241.95"), ()),
        ("GY26110001", {"Usage": D("1425.89")}, D("1425.89"), ()),
    ]
    assert [(p.month, p.state, p.invoiced, p.estimated, p.unpriced_rows) for p in demo.periods] == [
        ("2026-09", "closed", D("1322.53"), D("0"), 0),
        ("2026-10", "closed", D("1241.95"), D("0"), 0),
        ("2026-11", "closed", D("1425.89"), D("0"), 0),
        ("2026-12", "open", D("0"), D("160.18"), 2),
    ]


def test_demo_traffic_per_vdc(demo):
    assert [
        (t.sub_account_name, t.inbound, t.outbound, t.unit, t.inbound_cost, t.outbound_cost)
        for t in demo.traffic
    ] == [
        ("prod-fra", D("269.390625"), D("1193.09375"), "GiB", D("0"), D("47.73")),
        ("S3", D("0"), D("307.8125"), "GiB", D("0"), D("12.32")),
        ("edge-vit", D("63.828125"), D("274.875"), "GiB", D("0"), D("10.99")),
    ]


def test_demo_compliance(demo):
    compliance = demo.compliance
    assert compliance is not None
    assert (compliance.checked, compliance.conformant, compliance.counts["error"]) == (
        True,
        True,
        0,
    )
    assert compliance.caveats == (
        "102 rows (160.18 EUR, 3.86 % of the EUR total) are estimates of months not yet "
        "invoiced, priced with the product catalog; the invoice replaces them.",
        "2 rows have no price in the product catalog: their quantities are kept and their "
        "cost counts as 0 until invoiced.",
        "Open months (not fully invoiced): 2026-12.",
    )
