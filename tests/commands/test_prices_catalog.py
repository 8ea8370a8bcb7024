"""The price list in FOCUS terms, from a ``/products`` payload: mapping, search, bad prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from focus_ionos_plugin.errors import PayloadError
from focus_ionos_plugin.ionos.meters import builtin_catalog
from focus_ionos_plugin.ionos.prices import price_entries, search_prices

PAYLOAD = {
    "products": [
        {
            "meterId": "S02000",
            "meterDesc": "30d per 1 GB SSD Storage Premium",
            "deprecated": False,
            "unit": "1 GB * 30 days",
            "type": "consumption",
            "term": None,
            "unitCost": {"quantity": "0.1700", "unit": "EUR"},
        },
        {
            "meterId": "XX4200",
            "meterDesc": "Something new",
            "unit": "1 hour",
            "unitCost": None,
        },
        {"meterDesc": "no meter id"},
        {
            "meterId": "C02000",
            "meterDesc": "1h core Intel Broadwell (+1 hyperthread core)",
            "deprecated": True,
            "unit": "1 hour",
            "unitCost": {"quantity": "0.0500", "unit": "EUR"},
        },
    ]
}


def test_products_in_focus_terms():
    entries = price_entries(PAYLOAD, builtin_catalog())
    assert [e.sku_id for e in entries] == ["C02000", "S02000", "XX4200"]
    broadwell, ssd, unknown = entries
    assert (broadwell.service_name, broadwell.deprecated, broadwell.pricing_unit) == (
        "Compute Engine",
        True,
        "Core-Hours",
    )
    assert (ssd.service_category, ssd.list_unit_price, ssd.pricing_unit, ssd.currency) == (
        "Storage",
        Decimal("0.1700"),
        "GiB-Months",
        "EUR",
    )
    # An unknown meter is listed in ServiceCategory Other, its unit derived from IONOS's.
    assert (unknown.service_category, unknown.list_unit_price, unknown.pricing_unit) == (
        "Other",
        None,
        "Hours",
    )
    assert unknown.to_dict()["ListUnitPrice"] is None


def test_search_needs_every_word():
    entries = price_entries(PAYLOAD, builtin_catalog())
    assert [e.sku_id for e in search_prices(entries, "ssd STORAGE")] == ["S02000"]
    assert [e.sku_id for e in search_prices(entries, "compute")] == ["C02000"]
    assert search_prices(entries, "ssd compute") == []
    assert len(search_prices(entries, "")) == 3


def test_a_price_that_is_no_number_names_the_meter():
    payload = {"products": [{"meterId": "S01000", "unitCost": {"quantity": "n/a"}}]}
    with pytest.raises(PayloadError, match=r"unitCost\.quantity 'n/a' of meter S01000"):
        price_entries(payload, builtin_catalog())
