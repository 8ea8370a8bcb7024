"""The IONOS price list in FOCUS terms: SkuId, service, unit price, PricingUnit, currency.

IONOS publishes the contract's prices at ``GET /{contract}/products?date=``: one product per
meter id with a description, an IONOS unit string and ``unitCost`` (a decimal string and a
currency). :func:`price_entries` joins each product with the meter catalog
(:mod:`focus_ionos_plugin.ionos.meters`) so the list reads like FOCUS data: SkuId (the meter
id), ServiceName, ServiceCategory, ServiceSubcategory, ListUnitPrice, PricingUnit (FOCUS
unit format, GiB for IONOS "GB") and PricingCurrency. :func:`fetch_price_entries` asks the
API (or the demo server) for the list valid on one day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import PayloadError
from .meters import MeterCatalog, focus_unit

__all__ = ["PriceEntry", "fetch_price_entries", "price_entries", "search_prices"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PriceEntry:
    """One product of the price list, described in FOCUS terms."""

    sku_id: str
    description: str | None
    service_name: str
    service_category: str
    service_subcategory: str
    list_unit_price: Decimal | None  # None when IONOS lists the product without a price
    pricing_unit: str | None
    currency: str | None
    deprecated: bool
    ionos_unit: str | None
    product_type: str | None
    term_months: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, FOCUS column names where one exists; the price as a decimal string."""
        return {
            "SkuId": self.sku_id,
            "Description": self.description,
            "ServiceName": self.service_name,
            "ServiceCategory": self.service_category,
            "ServiceSubcategory": self.service_subcategory,
            "ListUnitPrice": None if self.list_unit_price is None else str(self.list_unit_price),
            "PricingUnit": self.pricing_unit,
            "PricingCurrency": self.currency,
            "Deprecated": self.deprecated,
            "IonosUnit": self.ionos_unit,
            "ProductType": self.product_type,
            "TermMonths": self.term_months,
        }


def price_entries(payload: Mapping[str, Any], catalog: MeterCatalog) -> list[PriceEntry]:
    """The products of a ``/products`` payload as price entries, ordered by SkuId.

    Products without a ``meterId`` cannot be billed by anything and are skipped with a
    debug message; an unparseable price is a PayloadError naming the meter.
    """
    entries = []
    for product in payload.get("products") or ():
        meter_id = (product.get("meterId") or "").strip()
        if not meter_id:
            log.debug("skipping a product without meterId: %r", product.get("meterDesc"))
            continue
        unit = product.get("unit")
        info = catalog.lookup(meter_id, unit=unit)
        cost = product.get("unitCost") or {}
        entries.append(
            PriceEntry(
                sku_id=meter_id,
                description=product.get("meterDesc"),
                service_name=info.service_name,
                service_category=info.service_category,
                service_subcategory=info.service_subcategory,
                list_unit_price=_price(cost.get("quantity"), meter_id),
                pricing_unit=info.pricing_unit or focus_unit(unit),
                currency=cost.get("unit") or None,
                deprecated=bool(product.get("deprecated")),
                ionos_unit=unit,
                product_type=product.get("type"),
                term_months=product.get("term"),
            )
        )
    return sorted(entries, key=lambda e: e.sku_id)


def _price(value: Any, meter_id: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        msg = (
            f"products: unitCost.quantity {value!r} of meter {meter_id} is not a decimal "
            "number; the price list cannot be shown"
        )
        raise PayloadError(msg) from exc


def search_prices(entries: Iterable[PriceEntry], text: str | None) -> list[PriceEntry]:
    """Entries matching every word of ``text`` (case-insensitive) in SkuId, description,
    service name, category or subcategory; all entries when ``text`` is empty."""
    words = (text or "").lower().split()
    found = []
    for entry in entries:
        haystack = " ".join(
            value or ""
            for value in (
                entry.sku_id,
                entry.description,
                entry.service_name,
                entry.service_category,
                entry.service_subcategory,
            )
        ).lower()
        if all(word in haystack for word in words):
            found.append(entry)
    return found


def fetch_price_entries(
    settings: Mapping[str, str],
    options: Mapping[str, Any],
    day: str,
    catalog: MeterCatalog,
) -> tuple[str, list[PriceEntry]]:
    """Ask the Billing API for the price list valid on ``day``; return contract and entries.

    ``settings`` and ``options`` are a context's (credentials, ``base_url`` of the demo
    server, ``contract``); without a contract the profile names it.
    """
    from .fetch import run_sync
    from .settings import resolve_settings

    resolved = resolve_settings(settings, options)
    contract, payload = run_sync(_fetch_products(resolved, day))
    return contract, price_entries(payload or {}, catalog)


async def _fetch_products(settings: Any, day: str) -> tuple[str, Any]:
    from .client import BillingClient
    from .fetch import discover_account

    async with BillingClient(settings) as client:
        contract = settings.contract
        if contract is None:
            contract = (await discover_account(client)).contract
        response = await client.products(contract, day)
        return contract, response.data
