"""How every FOCUS 1.3 column is filled from IONOS data, as data.

``focus-ionos mapping`` prints this, with the meter catalog and the region map in use, and
``docs/ionos-mapping.md`` is generated from it (a test regenerates the file and fails when
they differ), so the documentation and the converter cannot drift apart. Tests also check
that every schema column is described here and that the columns described as always null
are null in converted data and the others are not.
"""

from __future__ import annotations

from typing import Any

from ..focus.schema import cost_and_usage_schema
from .convert_focus import CUSTOM_COLUMNS, PROVIDER_NAME
from .meters import COLUMNS as CATALOG_COLUMNS
from .meters import MeterCatalog
from .regions import regions

__all__ = [
    "ALWAYS_NULL",
    "COLUMN_SOURCES",
    "DATA_SOURCES",
    "NOTES",
    "ROUNDING_RULE",
    "mapping_document",
    "mapping_markdown",
]

#: Which IONOS data makes which rows.
DATA_SOURCES = (
    (
        "Closed month, invoice access",
        "Invoice lines (data center x meter) are the money. Each line is split over the "
        "utilization records of that data center and meter (daily records where fetched, "
        "else monthly), in proportion to quantity; a line without records stays one "
        "data-center row. Rebates become Credit rows; a remaining difference to the "
        "invoice total becomes one Adjustment row (with a warning). x_CostStatus Invoiced.",
    ),
    (
        "Open month, or no invoice access",
        "Utilization records priced with the product list valid on the 1st of the month. "
        "BilledCost is an estimate: per data center and meter, price x total quantity "
        "rounded half up to the cent, split like an invoice line. x_CostStatus Estimated; "
        "a meter without price keeps its quantity with cost 0 and x_CostStatus Unpriced "
        "(warning).",
    ),
    (
        "Usage endpoint",
        "Only fills data-center/meter pairs that utilization lacks (one data-center row); "
        "otherwise cross-checks quantities.",
    ),
    (
        "Traffic",
        "Counted once, from the utilization traffic meters (CTI* inbound, CTO* outbound, "
        "separate rows per meter, unit GiB = 2^30 bytes). The traffic endpoint only "
        "cross-checks volumes (info finding on a difference).",
    ),
    (
        "EVN",
        "Not used for rows: utilization carries the same intervals and quantities, and EVN "
        "has no object storage, traffic or location.",
    ),
    (
        "Utilization of a closed month without invoice line",
        "Kept with its quantity, BilledCost 0 and x_CostStatus Uninvoiced (warning).",
    ),
)

#: Choices a reader of the data should know about.
NOTES = (
    (
        "Units",
        "IONOS GB are GiB (2^30 bytes). IONOS 'per 30 days' meters count months of 30 days "
        "(720 hours), written Months / GiB-Months because the FOCUS unit format cannot put an "
        "interval into a unit-times-time unit: a volume kept all of a 31-day month counts "
        "1.0333 GiB-Months per GiB, exactly as IONOS bills it.",
    ),
    (
        "Time",
        "All instants UTC, whole seconds. IONOS 'to' is inclusive (...23:59:59.999); "
        "ChargePeriodEnd is exclusive: 'to' plus 1 ms rounded up to the second (a 'to' on a "
        "whole minute is taken as exclusive already). Values without a zone are UTC.",
    ),
    (
        "Unpriced meters",
        "Unit prices 0 (not null) so that cost = unit price x quantity holds and the row "
        "stays a valid Usage row; x_CostStatus Unpriced says the 0 is not a price.",
    ),
    (
        "Exit code",
        "export and convert exit 1 when any finding is an error; the data is still written, "
        "so the rows the findings point at can be inspected.",
    ),
)

#: The allocation rule, as stated in :mod:`focus_ionos_plugin.ionos.allocate`.
ROUNDING_RULE = (
    "Largest remainder in minor units (cents): each row gets floor(A x w / W) cents, where "
    "A is the line amount, w the row quantity rounded half-even to 6 decimals and W their "
    "sum; the cents still missing go one each to the rows with the largest remainders "
    "(ties in row order). The rows of a line sum to the line exactly."
)

_P = PROVIDER_NAME

#: FOCUS column -> how it is filled. Columns in ALWAYS_NULL are null on every row.
COLUMN_SOURCES: dict[str, str] = {
    "AllocatedMethodDetails": "null (IONOS does no split cost allocation)",
    "AllocatedMethodId": "null",
    "AllocatedResourceId": "null",
    "AllocatedResourceName": "null",
    "AllocatedTags": "null",
    "AvailabilityZone": "null (the Billing API reports no zones)",
    "BilledCost": "invoice line amount split over its rows (rounding rule below); rebate "
    "(negative) on Credit rows; difference to the invoice total on Adjustment rows; "
    "estimate in open months",
    "BillingAccountId": "contract number as IONOS writes it, leading zeros kept (031000777)",
    "BillingAccountName": "null (IONOS contracts have no name)",
    "BillingAccountType": '"Contract"',
    "BillingCurrency": "currency of the invoice amounts, else of the product list",
    "BillingPeriodEnd": "first instant of the next month, UTC (exclusive)",
    "BillingPeriodStart": "first instant of the billing month, UTC",
    "CapacityReservationId": "null (no capacity reservations)",
    "CapacityReservationStatus": "null",
    "ChargeCategory": "Usage (meters), Credit (rebates), Adjustment (invoice total difference)",
    "ChargeClass": "null (no corrections of earlier periods)",
    "ChargeDescription": "meter description (meterDesc); text for rebates and adjustments",
    "ChargeFrequency": "Usage-Based for Usage rows, One-Time for credits and adjustments",
    "ChargePeriodEnd": "utilization to, inclusive ...23:59:59.999 -> next whole second "
    "(exclusive); billing period end for data-center rows",
    "ChargePeriodStart": "utilization from, whole seconds; billing period start for "
    "data-center rows",
    "CommitmentDiscountCategory": "null (no commitment discounts)",
    "CommitmentDiscountId": "null",
    "CommitmentDiscountName": "null",
    "CommitmentDiscountQuantity": "null",
    "CommitmentDiscountStatus": "null",
    "CommitmentDiscountType": "null",
    "CommitmentDiscountUnit": "null",
    "ConsumedQuantity": "utilization (or invoice/usage) quantity in the meter unit; Usage only",
    "ConsumedUnit": "meter catalog unit (FOCUS format, GiB for IONOS GB); Usage only",
    "ContractApplied": "null (no contract commitments)",
    "ContractedCost": "ContractedUnitPrice x PricingQuantity (exact); = BilledCost on "
    "credits and adjustments",
    "ContractedUnitPrice": "invoice rate (closed months), product-list price (open months); "
    "0 for unpriced meters",
    "EffectiveCost": "= BilledCost (no amortisation at IONOS)",
    "HostProviderName": f'"{_P}"',
    "InvoiceId": "invoice id (metadata.invoiceId) on invoiced rows; null on estimates",
    "InvoiceIssuerName": f'"{_P}"',
    "ListCost": "ListUnitPrice x PricingQuantity (exact); = BilledCost on credits and adjustments",
    "ListUnitPrice": "product-list price valid on the 1st of the month (the invoice rate "
    "when the list lacks the meter); 0 for unpriced meters",
    "PricingCategory": '"Standard" on Usage rows',
    "PricingCurrency": "= BillingCurrency (IONOS prices and bills in one currency)",
    "PricingCurrencyContractedUnitPrice": "= ContractedUnitPrice",
    "PricingCurrencyEffectiveCost": "= EffectiveCost",
    "PricingCurrencyListUnitPrice": "= ListUnitPrice",
    "PricingQuantity": "= ConsumedQuantity (IONOS bills what it meters)",
    "PricingUnit": "meter catalog unit (FOCUS format)",
    "ProviderName": f'"{_P}" (deprecated in 1.3, still emitted)',
    "PublisherName": f'"{_P}" (deprecated in 1.3, still emitted)',
    "RegionId": "location code (de/fra) of the record, else of its data center; never a UUID",
    "RegionName": "readable name from the region map",
    "ResourceId": "utilization resourceId (the record id when null); null on data-center rows",
    "ResourceName": "utilization name (null when empty or equal to the id)",
    "ResourceType": "meter catalog resource type (by meter, else by the IONOS type)",
    "ServiceCategory": "meter catalog (FOCUS allowed values; Other for unknown meters)",
    "ServiceName": "meter catalog",
    "ServiceProviderName": f'"{_P}"',
    "ServiceSubcategory": "meter catalog (FOCUS allowed values)",
    "SkuId": "meter id (C05000); Usage rows",
    "SkuMeter": "meter catalog sku_meter, else the meter description",
    "SkuPriceDetails": "null",
    "SkuPriceId": "meter id and price-list date: C05000:2026-11-01",
    "SubAccountId": "virtual data center UUID (the S3 pseudo data center for object storage)",
    "SubAccountName": "virtual data center name",
    "SubAccountType": '"Virtual Data Center", or "Object Storage" for the S3 pseudo data center',
    "Tags": "null (the Billing API reports no tags)",
}

#: Columns null on every row the converter makes.
ALWAYS_NULL = frozenset(
    name for name, text in COLUMN_SOURCES.items() if text == "null" or text.startswith("null ")
)


def mapping_document(catalog: MeterCatalog) -> dict[str, Any]:
    """The mapping as a JSON-ready document (``focus-ionos mapping --json``)."""
    schema = cost_and_usage_schema()
    return {
        "focus_version": "1.3",
        "data_sources": [{"case": case, "rule": rule} for case, rule in DATA_SOURCES],
        "rounding_rule": ROUNDING_RULE,
        "notes": [{"topic": topic, "note": note} for topic, note in NOTES],
        "columns": [
            {"column": name, "source": COLUMN_SOURCES[name], "always_null": name in ALWAYS_NULL}
            for name in schema.names
        ]
        + [
            {"column": name, "source": description, "always_null": False}
            for name, _, description in CUSTOM_COLUMNS
        ],
        "meter_catalog": {
            "sources": list(catalog.sources),
            "entries": [entry.to_dict() for entry in catalog.entries],
        },
        "regions": [{"location": code, "name": name} for code, name in regions().items()],
    }


def mapping_markdown(catalog: MeterCatalog) -> str:
    """The mapping as Markdown: docs/ionos-mapping.md is exactly this text."""
    doc = mapping_document(catalog)
    out = [
        "# IONOS Billing API to FOCUS 1.3: the mapping",
        "",
        "Generated by `focus-ionos mapping --markdown` from the data the converter uses; "
        "do not edit by hand.",
        "",
        "## Which data makes which rows",
        "",
        "| Case | Rule |",
        "| --- | --- |",
    ]
    out += [f"| {item['case']} | {item['rule']} |" for item in doc["data_sources"]]
    out += ["", f"Rounding rule of the split: {doc['rounding_rule']}", ""]
    out += ["## Notes", "", "| Topic | Note |", "| --- | --- |"]
    out += [f"| {item['topic']} | {item['note']} |" for item in doc["notes"]]
    out += [""]
    out += ["## Columns", "", "| Column | Filled from |", "| --- | --- |"]
    out += [f"| {c['column']} | {_cell(c['source'])} |" for c in doc["columns"]]
    out += [
        "",
        "## Meter catalog",
        "",
        "Lookup order: exact meter id, longest prefix, the utilization record's resource type, "
        "then `UNKNOWN` (ServiceCategory Other, with a warning). Empty units are derived from "
        "the IONOS unit string. Catalog file(s): "
        + ", ".join(f"`{source}`" for source in doc["meter_catalog"]["sources"])
        + ".",
        "",
        "| Kind | Match | ServiceName | ServiceCategory | ServiceSubcategory | ResourceType "
        "| ConsumedUnit | PricingUnit | SkuMeter |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in doc["meter_catalog"]["entries"]:
        cells = [entry[name] or "" for name in CATALOG_COLUMNS]
        out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    out += ["", "## Regions", "", "| RegionId | RegionName |", "| --- | --- |"]
    out += [f"| {item['location']} | {item['name']} |" for item in doc["regions"]]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
