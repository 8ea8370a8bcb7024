"""Spell a charges table out as FOCUS 1.3 columns, vectorised.

Everything that depends on a few distinct values (meter -> service and units, location ->
region name, IONOS time stamp -> UTC instant) is computed once per distinct value and
spread over the rows with ``take``; costs are exact decimal products. Every FOCUS 1.3 Cost
and Usage column is present, in specification order, null where IONOS has no such concept
(commitments, capacity reservations, split allocation, tags), followed by the custom
columns ``x_CostStatus`` and ``x_Source``.

Time: IONOS ``from`` is an inclusive start, ``to`` an inclusive end such as
``2026-06-30T23:59:59.999Z``. ChargePeriodStart is ``from`` truncated to the second;
ChargePeriodEnd is exclusive: ``to`` plus one millisecond, rounded up to the whole second
(``...23:59:59.999`` -> next day ``00:00:00Z``). A ``to`` that already sits on a whole
minute is taken as exclusive as it is. Values without a zone are UTC. A time stamp that
cannot be read falls back to the billing period's bound, and an end not after its start
becomes start + 1 second, each with a warning: FOCUS needs start < end on every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..findings import Finding, Severity
from ..focus.schema import DECIMAL_TYPE, cost_and_usage_schema
from .convert_charges import USAGE, finding
from .convert_keys import combination_codes
from .meters import MeterCatalog
from .regions import is_location, region_name

__all__ = [
    "CUSTOM_COLUMNS",
    "PROVIDER_NAME",
    "FocusContext",
    "exclusive_end",
    "focus_schema",
    "focus_table",
    "inclusive_start",
    "parse_instant",
]

#: ServiceProviderName, HostProviderName, InvoiceIssuerName, ProviderName, PublisherName.
PROVIDER_NAME = "IONOS"
#: Custom columns after the FOCUS ones: name, type, description.
CUSTOM_COLUMNS = (
    (
        "x_CostStatus",
        pa.string(),
        "Invoiced (BilledCost from an invoice), Estimated (priced from the product list), "
        "Unpriced (no price known: cost 0, quantity kept) or Uninvoiced (usage of a closed "
        "month that no invoice line covers: BilledCost 0)",
    ),
    (
        "x_Source",
        pa.string(),
        "IONOS payloads the row was made from, e.g. invoice+utilization-daily",
    ),
)
_DECIMAL = DECIMAL_TYPE
_TIMESTAMP = pa.timestamp("s", tz="UTC")
_VDC_TYPE = "Virtual Data Center"
_SPECIAL = {"Credit": "REBATE", "Adjustment": "ADJUSTMENT"}
_METER_NAMES = (
    "service_name",
    "service_category",
    "service_subcategory",
    "resource_type",
    "consumed_unit",
    "pricing_unit",
    "sku_id",
    "sku_meter",
    "sku_price_id",
    "pricing_category",
    "charge_frequency",
    "charge_description",
)
_S3_TYPE = "Object Storage"


@dataclass(frozen=True)
class FocusContext:
    """Per-batch facts every row shares."""

    contract: str
    period_start: datetime
    period_end: datetime
    price_date: str
    currency: str
    catalog: MeterCatalog
    #: vdc id -> (name, location)
    vdcs: dict[str, tuple[str | None, str | None]]


def focus_schema() -> pa.Schema:
    """The FOCUS 1.3 Cost and Usage schema plus our custom columns."""
    schema = cost_and_usage_schema()
    for name, type_, description in CUSTOM_COLUMNS:
        schema = schema.append(pa.field(name, type_, metadata={"description": description}))
    return schema


def parse_instant(text: str) -> datetime:
    """An IONOS time stamp as an aware UTC datetime (no zone means UTC)."""
    value = text.strip().replace(" ", "T")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def inclusive_start(text: str) -> datetime:
    """ChargePeriodStart: the instant truncated to whole seconds."""
    return parse_instant(text).replace(microsecond=0)


def exclusive_end(text: str) -> datetime:
    """ChargePeriodEnd from an inclusive IONOS end (see module doc)."""
    instant = parse_instant(text)
    if instant.second == 0 and instant.microsecond == 0:
        return instant
    later = instant + timedelta(milliseconds=1)
    if later.microsecond:
        later = later.replace(microsecond=0) + timedelta(seconds=1)
    return later


def focus_table(
    charges: pa.Table, ctx: FocusContext, findings: list[Finding] | None = None
) -> pa.Table:
    """FOCUS 1.3 rows (plus custom columns) for ``charges``; repairs go to ``findings``."""
    count = charges.num_rows
    schema = focus_schema()
    col = charges.column
    is_usage = pc.equal(col("category"), USAGE)

    # Non-usage rows (credits, adjustments) carry no quantity or prices (see ChargeRow).
    meters = _meter_columns(charges, ctx)
    places = _place_columns(charges, ctx)
    quantity = col("quantity")
    list_price = col("list_price")
    contracted_price = col("contracted_price")
    billed = col("billed")
    contracted_product = _multiply(contracted_price, quantity)
    # Usually the product-list price is the invoice rate: one exact product serves both.
    same_nulls = pc.all(pc.equal(pc.is_valid(list_price), pc.is_valid(contracted_price)))
    same_prices = pc.all(pc.equal(list_price, contracted_price))
    reuse = same_nulls.as_py() is not False and same_prices.as_py() is not False
    list_product = contracted_product if reuse else _multiply(list_price, quantity)
    list_cost = pc.if_else(is_usage, list_product, billed)
    contracted_cost = pc.if_else(is_usage, contracted_product, billed)
    currency = pc.fill_null(col("currency"), ctx.currency)
    resource_id = pc.coalesce(_none_if_empty(col("resource_id")), _none_if_empty(col("record_id")))
    resource_name = _none_if_empty(col("name"))
    resource_name = pc.if_else(pc.equal(resource_name, resource_id), None, resource_name)

    starts, ends = _charge_periods(charges, ctx, findings if findings is not None else [])

    values: dict[str, Any] = {
        "BilledCost": billed,
        "BillingAccountId": _repeat(ctx.contract, count),
        "BillingAccountType": _repeat("Contract", count),
        "BillingCurrency": currency,
        "BillingPeriodEnd": _repeat(ctx.period_end, count, _TIMESTAMP),
        "BillingPeriodStart": _repeat(ctx.period_start, count, _TIMESTAMP),
        "ChargeCategory": col("category"),
        "ChargeDescription": meters["charge_description"],
        "ChargeFrequency": meters["charge_frequency"],
        "ChargePeriodEnd": ends,
        "ChargePeriodStart": starts,
        "ConsumedQuantity": quantity,
        "ConsumedUnit": meters["consumed_unit"],
        "ContractedCost": contracted_cost,
        "ContractedUnitPrice": contracted_price,
        "EffectiveCost": billed,
        "HostProviderName": _repeat(PROVIDER_NAME, count),
        "InvoiceId": col("invoice_id"),
        "InvoiceIssuerName": _repeat(PROVIDER_NAME, count),
        "ListCost": list_cost,
        "ListUnitPrice": list_price,
        "PricingCategory": meters["pricing_category"],
        "PricingCurrency": currency,
        "PricingCurrencyContractedUnitPrice": contracted_price,
        "PricingCurrencyEffectiveCost": billed,
        "PricingCurrencyListUnitPrice": list_price,
        "PricingQuantity": quantity,
        "PricingUnit": meters["pricing_unit"],
        "ProviderName": _repeat(PROVIDER_NAME, count),
        "PublisherName": _repeat(PROVIDER_NAME, count),
        "RegionId": places["region_id"],
        "RegionName": places["region_name"],
        "ResourceId": resource_id,
        "ResourceName": resource_name,
        "ResourceType": pc.if_else(pc.is_valid(resource_id), meters["resource_type"], None),
        "ServiceCategory": meters["service_category"],
        "ServiceName": meters["service_name"],
        "ServiceProviderName": _repeat(PROVIDER_NAME, count),
        "ServiceSubcategory": meters["service_subcategory"],
        "SkuId": meters["sku_id"],
        "SkuMeter": meters["sku_meter"],
        "SkuPriceId": meters["sku_price_id"],
        "SubAccountId": places["sub_account_id"],
        "SubAccountName": places["sub_account_name"],
        "SubAccountType": places["sub_account_type"],
        "x_CostStatus": col("cost_status"),
        "x_Source": col("source"),
    }
    arrays = []
    for field in schema:
        value = values.get(field.name)
        arrays.append(pa.nulls(count, field.type) if value is None else _as(value, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


# -- helpers ---------------------------------------------------------------------------------


def _as(value: Any, type_: pa.DataType) -> Any:
    """``value`` (array or chunked array, chunks kept) as ``type_``."""
    return value if value.type == type_ else value.cast(type_)


def _repeat(value: Any, count: int, type_: pa.DataType | None = None) -> pa.Array:
    return pa.repeat(pa.scalar(value, type_ or pa.string()), count)


def _none_if_empty(values: Any) -> Any:
    """Empty or blank strings become null (FOCUS: nulls, never empty strings)."""
    blank = pc.or_(pc.equal(values, ""), pc.utf8_is_space(values))
    return pc.if_else(blank, pa.scalar(None, pa.string()), values)


def _mapped(values: Any, function: Callable[[str], Any], type_: pa.DataType | None = None) -> Any:
    """``function`` applied once per distinct non-null value, spread over the rows."""
    encoded = pc.dictionary_encode(values)
    encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
    mapped = pa.array([function(v) for v in encoded.dictionary.to_pylist()], type_)
    return pc.take(mapped, encoded.indices)


def _charge_periods(charges: pa.Table, ctx: FocusContext, findings: list[Finding]) -> Any:
    """ChargePeriodStart and ChargePeriodEnd, repaired so that start < end (module doc)."""
    unreadable: list[str] = []
    starts = _instants(charges.column("start"), inclusive_start, ctx.period_start, unreadable)
    ends = _instants(charges.column("end"), exclusive_end, ctx.period_end, unreadable)
    if unreadable:
        findings.append(
            finding(
                "ionos-bad-timestamp",
                Severity.WARNING,
                f"utilization time stamps that are not ISO 8601 ({', '.join(unreadable[:5])}): "
                "their rows use the billing period's start or end instead",
                column="ChargePeriodStart",
            )
        )
    reversed_ = pc.less_equal(ends, starts)
    count = pc.sum(reversed_).as_py() or 0
    if count:
        later = pc.add(starts, pa.scalar(timedelta(seconds=1), pa.duration("s")))
        ends = pc.if_else(reversed_, later, ends)
        findings.append(
            finding(
                "ionos-charge-period-repaired",
                Severity.WARNING,
                f"{count} utilization records end at or before their start; their "
                "ChargePeriodEnd is set to ChargePeriodStart + 1 second",
                column="ChargePeriodEnd",
                rows=count,
            )
        )
    return starts, ends


def _instants(
    values: Any, convert: Callable[[str], datetime], default: datetime, unreadable: list[str]
) -> Any:
    def one(text: str) -> datetime:
        if not text or not text.strip():
            return default
        try:
            return convert(text)
        except ValueError:
            unreadable.append(repr(text))
            return default

    mapped = _mapped(values, one, _TIMESTAMP)
    return pc.fill_null(mapped, pa.scalar(default, _TIMESTAMP))


def _meter_columns(charges: pa.Table, ctx: FocusContext) -> dict[str, Any]:
    """Columns that follow from (category, meter, resource type, unit, description).

    Computed once per distinct combination (a few dozen) and spread over the rows.
    """
    codes, combinations = combination_codes(
        charges.column("category"),
        charges.column("meter_id"),
        charges.column("type"),
        charges.column("unit"),
        charges.column("meter_desc"),
    )
    rows: list[dict[str, str | None]] = []
    for category, meter_id, type_, unit, description in combinations:
        usage = category == USAGE
        # A record without meter id still needs a SkuId as a Usage row; the placeholder
        # names its resource type, and convert.py reports such records in a warning.
        meter = meter_id or missing_meter_sku(type_)
        if usage:
            info = ctx.catalog.lookup(meter, type_ or None, unit or None)
        else:
            info = ctx.catalog.special(_SPECIAL.get(category, "UNKNOWN"))
        rows.append(
            {
                "service_name": info.service_name,
                "service_category": info.service_category,
                "service_subcategory": info.service_subcategory,
                "resource_type": info.resource_type or "Resource",
                "consumed_unit": info.consumed_unit if usage else None,
                "pricing_unit": info.pricing_unit if usage else None,
                "sku_id": meter if usage else None,
                "sku_meter": (info.sku_meter or description or meter) if usage else None,
                "sku_price_id": f"{meter}:{ctx.price_date}" if usage else None,
                "pricing_category": "Standard" if usage else None,
                "charge_frequency": "Usage-Based" if usage else "One-Time",
                "charge_description": (description or "").strip() or meter or category,
            }
        )
    return {
        name: pc.take(pa.array([row[name] for row in rows], pa.string()), codes)
        for name in _METER_NAMES
    }


def missing_meter_sku(resource_type: str | None) -> str:
    """The SkuId of usage whose record carries no meter id, e.g. ``UNKNOWN-STORAGE``."""
    return f"UNKNOWN-{(resource_type or 'RESOURCE').strip().upper() or 'RESOURCE'}"


def _place_columns(charges: pa.Table, ctx: FocusContext) -> dict[str, Any]:
    """SubAccount* and Region* columns, once per distinct (data center, record region).

    RegionId is the record's location code, else its data center's; never a UUID.
    """
    codes, combinations = combination_codes(charges.column("vdc_id"), charges.column("region"))
    rows = []
    for vdc_id, region in combinations:
        name, location = ctx.vdcs.get(vdc_id, (None, None))
        chosen = region if is_location(region) else location if is_location(location) else None
        known = bool(vdc_id.strip())
        rows.append(
            {
                "sub_account_id": vdc_id if known else None,
                "sub_account_name": (name or None) if known else None,
                "sub_account_type": _sub_account_type(name) if known else None,
                "region_id": chosen,
                "region_name": region_name(chosen) if chosen else None,
            }
        )
    names = ("sub_account_id", "sub_account_name", "sub_account_type", "region_id", "region_name")
    return {
        name: pc.take(pa.array([row[name] for row in rows], pa.string()), codes) for name in names
    }


def _sub_account_type(vdc_name: str | None) -> str:
    """IONOS puts object storage in a pseudo data center named ``S3``."""
    return _S3_TYPE if vdc_name == "S3" else _VDC_TYPE


def _multiply(prices: Any, quantities: Any) -> Any:
    """price x quantity exactly, rounded half-even to 18 decimals (decimal128(38, 18)).

    Prices are few distinct values, so the digits they need are found in Python; the
    quantity keeps all 18 decimals. When the exact product cannot fit decimal128 the
    multiplication runs in decimal256.
    """
    prices = prices.combine_chunks() if isinstance(prices, pa.ChunkedArray) else prices
    quantities = (
        quantities.combine_chunks() if isinstance(quantities, pa.ChunkedArray) else quantities
    )
    distinct = [v for v in pc.unique(prices).to_pylist() if v is not None] or [Decimal(0)]
    p_scale = max(max(-int(v.normalize().as_tuple().exponent), 0) for v in distinct)
    p_int = max(len(str(int(abs(v)))) for v in distinct)
    q_max = max(abs(pc.max(quantities).as_py() or 0), abs(pc.min(quantities).as_py() or 0))
    q_int = len(str(int(q_max)))
    left_type: pa.DataType = pa.decimal128(p_int + p_scale, p_scale)
    right_type: pa.DataType = pa.decimal128(q_int + 18, 18)
    if p_int + p_scale + q_int + 18 + 1 > 38:
        left_type = pa.decimal256(p_int + p_scale, p_scale)
        right_type = pa.decimal256(q_int + 18, 18)
    product = pc.multiply(prices.cast(left_type), quantities.cast(right_type))
    if p_scale:
        product = pc.round(product, 18, round_mode="half_to_even")
    return product.cast(_DECIMAL)
