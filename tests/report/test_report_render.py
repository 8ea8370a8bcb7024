"""The HTML page and the JSON document of a report: escaped, self-contained, exact."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from focus_ionos_plugin.findings import Finding, Severity
from focus_ionos_plugin.report.build import analyze
from focus_ionos_plugin.report.model import plain_decimal
from focus_ionos_plugin.report.render import (
    chart_bars,
    format_money,
    invoice_columns,
    matrix_view,
    render_html,
    render_json,
)
from focus_ionos_plugin.report.summary import summarize


@pytest.fixture
def report(crafted):
    findings = [
        Finding("CAU-BilledCost-C-001-M", Severity.WARNING, "BilledCost <b>odd</b>", rows=2),
        Finding("ionos-note", Severity.INFO, "fine"),
    ]
    return analyze(
        summarize(crafted),
        source="crafted/<dataset>",
        findings=findings,
        generated_at=datetime(2026, 5, 2, 8, 30, tzinfo=UTC),
    )


def test_data_values_are_escaped(report):
    html = render_html(report)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "BilledCost &lt;b&gt;odd&lt;/b&gt;" in html
    assert "crafted/&lt;dataset&gt;" in html


def test_page_fetches_nothing(report):
    html = render_html(report)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    assert re.findall(r"<(?:link|img|iframe|object|embed)\b", html) == []
    assert set(re.findall(r'(?:href|src)="([^"]*)"', html)) <= {
        "#kpis",
        "#breakdowns",
        "#matrix",
        "#drivers",
        "#trend",
        "#anomalies",
        "#invoices",
        "#traffic",
        "#compliance",
    }


def test_kpis_show_each_currency_exactly(report):
    html = render_html(report)
    eur = re.search(r'id="kpi-billed-EUR"><span class="money" data-value="([^"]+)">([^<]+)<', html)
    usd = re.search(r'id="kpi-billed-USD"><span class="money" data-value="([^"]+)">([^<]+)<', html)
    assert eur.groups() == ("816.3", "816.30 EUR")
    assert usd.groups() == ("500", "500.00 USD")
    assert "1,316" not in html  # EUR and USD are never added up


def test_sections_carry_the_findings(report):
    html = render_html(report)
    assert "Storage · 2026-04 · EUR" in html
    assert "1.60 ×" in html
    assert "Tax above 5% of the total" in html
    assert "Adjustment above 5% of the total" in html
    assert "VDC-A" in html and "900 GiB" in html
    assert "Generated 2026-05-02 08:30 UTC" in html
    assert "conformant</span>" in html and "1 warning" in html


def test_json_has_the_same_figures_as_exact_strings(report):
    data = json.loads(render_json(report))
    assert "generated_at" not in data
    eur, usd = data["kpis"]["totals"]
    assert (eur["currency"], eur["billed_cost"], usd["billed_cost"]) == ("EUR", "816.3", "500")
    assert data["anomalies"][0]["category"] == "Storage"
    assert data["anomalies"][0]["meters"][0] == {
        "sku_id": "S01000",
        "description": "HDD storage",
        "latest": "70",
        "run_rate": None,
        "trailing_average": "40",
        "increase": "30",
    }
    assert data["compliance"]["counts"] == {"error": 0, "warning": 1, "skipped": 0, "info": 1}
    assert data["compliance"]["conformant"] is True

    def no_floats(value):
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                no_floats(item)
        elif isinstance(value, list):
            for item in value:
                no_floats(item)

    no_floats(data)


def test_money_formatting_rounds_half_even():
    assert format_money(D("1234.565"), "EUR") == "1,234.56 EUR"
    assert format_money(D("-0.015")) == "−0.02"
    assert format_money(None) == "–"
    assert format_money(D("-0.0033"), "EUR") == "0.00 EUR"  # no minus on a rounded zero
    assert plain_decimal(D("100.000000000000000000")) == "100"
    assert plain_decimal(D("0E-18")) == "0"
    assert plain_decimal(D("0.000000000000000001")) == "0.000000000000000001"


def test_chart_bars_scale_to_the_largest(report):
    bars = chart_bars(report.breakdowns["service_category"]["EUR"], limit=3)
    assert [(b.label, b.amount, round(b.length, 4)) for b in bars] == [
        ("Compute", D("430"), 1.0),
        ("Storage", D("230"), 0.5349),
        ("Networking", D("90"), 0.2093),
    ]


def test_matrix_puts_the_longer_dimension_down(report):
    eur = report.matrix[0]
    view = matrix_view(eur)
    assert view.rows == eur.categories and view.columns == eur.regions
    usd = report.matrix[1]
    assert matrix_view(usd).rows == usd.categories


def test_invoice_columns_follow_the_focus_order(report):
    assert invoice_columns(report.invoices) == ["Usage", "Tax", "Adjustment"]
    html = render_html(report)
    header = re.search(r"<th>Invoice</th>.*?</tr>", html, re.S).group(0)
    assert re.findall(r'<th class="num">(\w+)</th>', header) == [
        "Usage",
        "Tax",
        "Adjustment",
        "Total",
    ]
