"""Open months (and months without invoice access): costs estimated from the product list.

Each utilization record is priced with the product-list unit price valid for the period
(``products?date=<period>-01``): ListUnitPrice and ContractedUnitPrice are that price,
ListCost and ContractedCost price x quantity. BilledCost is an estimate of what the invoice
will say, built the way IONOS bills: per data center and meter, price x total quantity
rounded half up to the cent, then split over the records like an invoice line (same exact
allocation), so estimated and invoiced months have the same shape. ``x_CostStatus`` is
``Estimated``.

A meter without a price keeps its quantity, gets cost 0 (unit prices 0, so cost = price x
quantity still holds) and ``x_CostStatus`` ``Unpriced``; a warning lists such meters.
Usage-endpoint lines (data center x meter) without any utilization record become one row at
data-center level, priced the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from ..findings import Finding, Severity
from ..focus.schema import DECIMAL_TYPE
from .allocate import allocate
from .convert_charges import (
    ESTIMATED,
    UNPRICED,
    USAGE,
    ChargeRow,
    charge_table,
    concat,
    finding,
    price_of,
    repeat,
    round_money,
    with_columns,
)
from .convert_keys import pair_codes
from .convert_sources import Sources
from .meters import focus_unit

__all__ = ["EstimatedResult", "estimated_charges"]

_DECIMAL = DECIMAL_TYPE


@dataclass
class EstimatedResult:
    """Charges of an open month and what the conversion noticed on the way."""

    charges: pa.Table
    findings: list[Finding] = field(default_factory=list)


def estimated_charges(sources: Sources, currency: str) -> EstimatedResult:
    """Charges priced from the product list (see module doc)."""
    assert sources.detail is not None
    detail = sources.detail
    result = EstimatedResult(charges=charge_table([]))
    unpriced: dict[str, Decimal] = {}
    parts = []

    if detail.num_rows:
        groups, pairs = pair_codes(detail.column("vdc_id"), detail.column("meter_id"))
        pair_list = [f"{vdc}|{meter}" for vdc, meter in pairs]
        meters = [meter for _, meter in pairs]
        sums = _group_sums(groups, detail.column("quantity"), len(pair_list))
        prices = [price_of(sources.prices, meter) for meter in meters]
        estimates = [
            round_money(price * total) if price is not None else Decimal(0)
            for price, total in zip(prices, sums, strict=True)
        ]
        for meter, price, total in zip(meters, prices, sums, strict=True):
            if price is None:
                unpriced[meter] = unpriced.get(meter, Decimal(0)) + total
        billed = allocate(groups, detail.column("quantity").combine_chunks(), estimates)
        unit_price = pc.take(pa.array([p or Decimal(0) for p in prices], _DECIMAL), groups)
        status = pc.take(
            pa.array([ESTIMATED if p is not None else UNPRICED for p in prices]), groups
        )
        count = detail.num_rows
        source = pc.if_else(
            pc.equal(detail.column("grain"), "daily"),
            "products+utilization-daily",
            "products+utilization",
        )
        parts.append(
            with_columns(
                detail,
                {
                    "category": repeat(USAGE, count, pa.string()),
                    "billed": billed,
                    "list_price": unit_price,
                    "contracted_price": unit_price,
                    "currency": repeat(currency, count, pa.string()),
                    "cost_status": status,
                    "source": source,
                },
            )
        )
        covered = set(pair_list)
    else:
        covered = set()

    rows = []
    for line in sources.usage:
        if f"{line.vdc_id}|{line.meter_id}" in covered:
            continue
        price = price_of(sources.prices, line.meter_id)
        if price is None:
            unpriced[line.meter_id] = unpriced.get(line.meter_id, Decimal(0)) + line.quantity
        vdc = sources.vdcs.get(line.vdc_id)
        rows.append(
            ChargeRow(
                category=USAGE,
                billed=round_money(price * line.quantity) if price is not None else Decimal(0),
                currency=currency,
                cost_status=ESTIMATED if price is not None else UNPRICED,
                source="products+usage",
                vdc_id=line.vdc_id or None,
                vdc_name=vdc.name if vdc else None,
                meter_id=line.meter_id,
                meter_desc=line.description,
                quantity=line.quantity,
                unit=line.unit,
                list_price=price or Decimal(0),
                contracted_price=price or Decimal(0),
            )
        )
    parts.append(charge_table(rows))
    result.charges = concat(parts)
    if unpriced:
        listed = _unpriced_text(result.charges, unpriced)
        count = pc.sum(pc.equal(result.charges.column("cost_status"), UNPRICED)).as_py() or 0
        result.findings.append(
            finding(
                "ionos-unpriced-meter",
                Severity.WARNING,
                f"no product-list price for {sources.period} for meter(s) {listed}: their rows "
                "keep the quantity, cost 0 and x_CostStatus Unpriced",
                column="BilledCost",
                rows=count,
            )
        )
    return result


def _unpriced_text(charges: pa.Table, unpriced: dict[str, Decimal]) -> str:
    """``NLB1000 (38 Hours, 2 rows), ...``: quantity with its unit, and the rows it made."""
    rows = charges.filter(pc.equal(charges.column("cost_status"), UNPRICED))
    meters = rows.column("meter_id").to_pylist()
    units = rows.column("unit").to_pylist()
    parts = []
    for meter, quantity in sorted(unpriced.items()):
        mine = [unit for m, unit in zip(meters, units, strict=True) if m == meter]
        unit = ", ".join(sorted({focus_unit(u) or u for u in mine if u})) or "units"
        count = len(mine)
        parts.append(
            f"{meter} ({quantity.normalize():f} {unit}, {count} row{'s' if count != 1 else ''})"
        )
    return ", ".join(parts)


def _group_sums(groups: pa.Array, values: pa.ChunkedArray, count: int) -> list[Decimal]:
    """Sum of ``values`` per group index (exact decimals)."""
    table = pa.table({"g": groups, "v": values.combine_chunks()})
    grouped = table.group_by("g").aggregate([("v", "sum")])
    sums = [Decimal(0)] * count
    for group, value in zip(grouped["g"].to_pylist(), grouped["v_sum"].to_pylist(), strict=True):
        sums[group] = value or Decimal(0)
    return sums
