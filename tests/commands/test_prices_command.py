"""``focus-ionos prices``: the demo contract's price list in FOCUS terms."""

from __future__ import annotations

import io
import json

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings


def _run(*argv: str) -> tuple[int, str, str]:
    app = App(stdout=io.StringIO(), stderr=io.StringIO(), settings=Settings({}))
    code = cli.main(list(argv), app=app)
    return code, app.stdout.getvalue(), app.stderr.getvalue()


def test_json_price_list_in_focus_terms():
    code, stdout, _ = _run("prices", "--demo", "--date", "2026-06-01", "--json")
    assert code == 0
    data = json.loads(stdout)
    assert (data["contract"], data["date"], len(data["products"])) == (
        "031000777",
        "2026-06-01",
        18,
    )
    products = {p["SkuId"]: p for p in data["products"]}
    assert products["C05000"] == {
        "SkuId": "C05000",
        "Description": "1h core AMD EPYC (+1 hyperthread core)",
        "ServiceName": "Compute Engine",
        "ServiceCategory": "Compute",
        "ServiceSubcategory": "Virtual Machines",
        "ListUnitPrice": "0.0550",
        "PricingUnit": "Core-Hours",
        "PricingCurrency": "EUR",
        "Deprecated": False,
        "IonosUnit": "1 hour",
        "ProductType": "consumption",
        "TermMonths": None,
    }
    assert products["C02000"]["Deprecated"] is True
    assert (products["S02000"]["PricingUnit"], products["S02000"]["ListUnitPrice"]) == (
        "GiB-Months",
        "0.1700",
    )
    assert (products["CTO0000"]["ServiceName"], products["CTO0000"]["PricingUnit"]) == (
        "Data Transfer",
        "GiB",
    )


def test_price_of_a_later_date():
    code, stdout, _ = _run(
        "prices", "--demo", "--date", "2026-11-01", "--json", "--search", "C05000"
    )
    assert code == 0
    (product,) = json.loads(stdout)["products"]
    assert product["ListUnitPrice"] == "0.0600"


def test_search_table():
    code, stdout, _ = _run("prices", "--demo", "--date", "2026-06-01", "--search", "ssd storage")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].split() == [
        "SkuId",
        "ServiceName",
        "ServiceCategory",
        "UnitPrice",
        "PricingUnit",
        "Currency",
        "Status",
        "Description",
    ]
    assert [line.split()[0] for line in lines[1:-1]] == ["S02000", "S05000"]
    assert "0.1700  GiB-Months   EUR" in lines[1]
    assert lines[-1] == "2 of 18 products, contract 031000777, prices of 2026-06-01"


def test_search_without_match():
    code, stdout, _ = _run("prices", "--demo", "--date", "2026-06-01", "--search", "quantum")
    assert code == 0
    assert stdout == (
        "no products matching 'quantum' in the price list of contract 031000777 on 2026-06-01\n"
    )


@pytest.mark.parametrize("day", ["2026-6-1", "tomorrow"])
def test_bad_date_exits_2(day):
    code, _, stderr = _run("prices", "--demo", "--date", day)
    assert code == 2
    assert f"--date {day!r} is not a day written YYYY-MM-DD" in stderr


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2026-13-01", "month 13"),
        ("2026-00-10", "month 0"),
        ("2026-02-30", "February 2026 has 28 days"),
        ("2028-02-30", "February 2028 has 29 days"),
        ("0000-01-01", "year 0"),
    ],
)
def test_impossible_date_says_why(day, why):
    code, _, stderr = _run("prices", "--demo", "--date", day)
    assert code == 2
    assert stderr == f"error: --date {day} is not a valid date ({why}); for example 2026-06-01\n"


def test_without_credentials_exits_3_and_suggests_the_demo():
    code, stdout, stderr = _run("prices", "--search", "core")
    assert (code, stdout) == (3, "")
    assert "no IONOS credentials: set IONOS_TOKEN" in stderr
    assert "add --demo" in stderr
