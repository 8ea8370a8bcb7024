"""The intermediate "charges" table both conversion paths produce, and shared helpers.

A charge row is a FOCUS row before the columns are spelt out: what was consumed (meter,
resource, interval, quantity in the IONOS unit), at which prices, for how much
(``billed``), on which invoice, and how sure we are (``cost_status``). The invoiced path
(closed months) and the estimated path (open months) both emit this table;
:mod:`convert_focus` turns it into FOCUS 1.3 columns in one vectorised pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa

from ..findings import Finding, Severity
from ..focus.schema import DECIMAL_TYPE
from .convert_sources import Price
from .convert_utilization import DETAIL_SCHEMA

__all__ = [
    "ADJUSTMENT",
    "CHARGE_SCHEMA",
    "CREDIT",
    "ESTIMATED",
    "INVOICED",
    "UNINVOICED",
    "UNPRICED",
    "USAGE",
    "ChargeRow",
    "charge_table",
    "concat",
    "empty_charges",
    "finding",
    "price_of",
    "repeat",
    "round_money",
    "with_columns",
]

USAGE = "Usage"
CREDIT = "Credit"
ADJUSTMENT = "Adjustment"

#: x_CostStatus values.
INVOICED = "Invoiced"
ESTIMATED = "Estimated"
UNPRICED = "Unpriced"
UNINVOICED = "Uninvoiced"

_DECIMAL = DECIMAL_TYPE
_CENT = Decimal("0.01")

#: DETAIL_SCHEMA columns (the utilization record) plus what the conversion decides.
CHARGE_SCHEMA = pa.schema(
    [
        pa.field("category", pa.string()),
        *DETAIL_SCHEMA,
        pa.field("grain", pa.string()),
        pa.field("billed", _DECIMAL),
        pa.field("list_price", _DECIMAL),
        pa.field("contracted_price", _DECIMAL),
        pa.field("invoice_id", pa.string()),
        pa.field("currency", pa.string()),
        pa.field("cost_status", pa.string()),
        pa.field("source", pa.string()),
    ]
)


@dataclass(frozen=True)
class ChargeRow:
    """One charge built in Python (VDC-level lines, credits, adjustments: few rows)."""

    category: str
    billed: Decimal
    currency: str | None
    cost_status: str
    source: str
    vdc_id: str | None = None
    vdc_name: str | None = None
    meter_id: str | None = None
    meter_desc: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    list_price: Decimal | None = None
    contracted_price: Decimal | None = None
    invoice_id: str | None = None


def charge_table(rows: Sequence[ChargeRow]) -> pa.Table:
    """A CHARGE_SCHEMA table of Python-built rows (resource columns null)."""
    if not rows:
        return empty_charges()
    columns: dict[str, list[Any]] = {name: [] for name in CHARGE_SCHEMA.names}
    for row in rows:
        for name in CHARGE_SCHEMA.names:
            columns[name].append(getattr(row, name, None))
    return pa.table(
        {name: pa.array(values, CHARGE_SCHEMA.field(name).type) for name, values in columns.items()}
    )


def empty_charges() -> pa.Table:
    """A charges table with no rows."""
    return CHARGE_SCHEMA.empty_table()


def with_columns(detail: pa.Table, values: Mapping[str, pa.Array | pa.ChunkedArray]) -> pa.Table:
    """Detail rows (DETAIL_SCHEMA + grain) completed with ``values`` into CHARGE_SCHEMA."""
    count = detail.num_rows
    arrays = []
    for field in CHARGE_SCHEMA:
        if field.name in values:
            arrays.append(values[field.name])
        elif field.name in detail.column_names:
            arrays.append(detail.column(field.name))
        else:
            arrays.append(pa.nulls(count, field.type))
    return pa.Table.from_arrays(arrays, schema=CHARGE_SCHEMA)


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half up (how an estimate of an invoice line is rounded)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def price_of(prices: Mapping[str, Price], meter_id: str) -> Decimal | None:
    """The product-list unit price of ``meter_id`` for the period, or None."""
    price = prices.get(meter_id)
    return price.unit_price if price is not None else None


def finding(
    rule_id: str, severity: Severity, message: str, *, column: str | None = None, rows: int = 0
) -> Finding:
    """A finding of the IONOS provider."""
    return Finding(rule_id, severity, message, column=column, rows=rows, provider="ionos")


def repeat(value: Any, count: int, type_: pa.DataType) -> pa.Array:
    """``value`` repeated ``count`` times as an Arrow array of ``type_``."""
    if value is None:
        return pa.nulls(count, type_)
    return pa.repeat(pa.scalar(value, type_), count)


def concat(tables: Iterable[pa.Table]) -> pa.Table:
    """Concatenate charge tables (all CHARGE_SCHEMA)."""
    tables = [t for t in tables if t.num_rows]
    return pa.concat_tables(tables) if tables else empty_charges()
