"""Reduce FOCUS rows to the compact summary every analysis reads.

A provider's month can hold millions of rows (resource x meter x day). The report needs no
row on its own, only sums along a few dimensions, so the rows are grouped once, batch by
batch, by every dimension an analysis uses (currency, month, provider, region, category,
sub-account, resource, meter, invoice, cost status, unit), summing the costs and quantities
exactly (Arrow decimals) and counting rows. Partial sums of batches are summed again, which
is exact, so the summary is the same whatever the batch size. Descriptive labels (names,
descriptions) ride along as the smallest value of their group, and the latest
ChargePeriodEnd as ``period_end``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..focus.schema import DECIMAL_TYPE, TIMESTAMP_TYPE

__all__ = [
    "COST_STATUS_COLUMN",
    "KEY_COLUMNS",
    "LABEL_COLUMNS",
    "PERIOD_END",
    "SOURCE_COLUMNS",
    "SUM_COLUMNS",
    "summarize",
]

logger = logging.getLogger(__name__)

#: The custom column in which the IONOS converter says whether a cost is final.
COST_STATUS_COLUMN = "x_CostStatus"

#: FOCUS columns the report reads; all others are never loaded.
SOURCE_COLUMNS = (
    "BilledCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ConsumedQuantity",
    "ConsumedUnit",
    "EffectiveCost",
    "InvoiceId",
    "ListCost",
    "ProviderName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceProviderName",
    "ServiceSubcategory",
    "SkuId",
    "SubAccountId",
    "SubAccountName",
    COST_STATUS_COLUMN,
)
_REQUIRED = ("BilledCost", "BillingCurrency", "BillingPeriodStart", "ChargeCategory")

#: Group keys of the summary. ``month`` is BillingPeriodStart as YYYY-MM, ``provider`` the
#: ServiceProviderName (else the deprecated ProviderName, else the dataset's partition),
#: ``meter_text`` the ChargeDescription of rows without a SkuId (their only meter name).
KEY_COLUMNS = (
    "BillingCurrency",
    "month",
    "provider",
    "RegionId",
    "ServiceCategory",
    "ServiceSubcategory",
    "ChargeCategory",
    "SubAccountId",
    "ResourceId",
    "SkuId",
    "meter_text",
    "InvoiceId",
    COST_STATUS_COLUMN,
    "ConsumedUnit",
)
#: Descriptive columns carried as the smallest value of each group.
LABEL_COLUMNS = (
    "RegionName",
    "SubAccountName",
    "ResourceName",
    "ResourceType",
    "ServiceName",
    "ChargeDescription",
)
#: Summed columns; ``rows`` counts the source rows of each group.
SUM_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ConsumedQuantity")
#: The latest ChargePeriodEnd of each group (whole seconds, UTC): how far a month's data
#: reaches, so that an open month can be told from a complete one.
PERIOD_END = "period_end"

# Rows gathered before one partial aggregation: bounds memory, keeps group_by efficient.
_CHUNK_ROWS = 200_000


def summarize(data: pa.Table | pa.RecordBatch | Iterable[pa.Table | pa.RecordBatch]) -> pa.Table:
    """Summarize FOCUS rows (a table, a batch or an iterable of them) for the analyses.

    Columns the data lacks are taken as null, except the mandatory BilledCost,
    BillingCurrency, BillingPeriodStart and ChargeCategory (InputError when missing).
    """
    parts = [data] if isinstance(data, pa.Table | pa.RecordBatch) else data
    folded: pa.Table | None = None
    partials: list[pa.Table] = []
    pending = 0
    for chunk in _chunks(parts):
        partial = _aggregate(chunk, first=True)
        partials.append(partial)
        pending += partial.num_rows
        # Fold the partial sums into the running summary once they outgrow it: memory
        # stays bounded by the number of groups plus one chunk, whatever the input size.
        if pending > max(_CHUNK_ROWS, folded.num_rows if folded is not None else 0):
            folded = _fold(folded, partials)
            partials, pending = [], 0
    if folded is None and not partials:
        return _aggregate(_prepare(_empty_source()), first=True)
    if folded is None and len(partials) == 1:
        return partials[0]
    return _fold(folded, partials)


def _fold(folded: pa.Table | None, partials: list[pa.Table]) -> pa.Table:
    tables = partials if folded is None else [folded, *partials]
    return _aggregate(pa.concat_tables(tables), first=False)


def _chunks(parts: Iterable[pa.Table | pa.RecordBatch]) -> Iterator[pa.Table]:
    pending: list[pa.Table] = []
    size = 0
    for part in parts:
        table = _prepare(part)
        pending.append(table)
        size += table.num_rows
        if size >= _CHUNK_ROWS:
            yield pa.concat_tables(pending)
            pending, size = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _empty_source() -> pa.Table:
    return pa.table(
        {
            "BilledCost": pa.array([], DECIMAL_TYPE),
            "BillingCurrency": pa.array([], pa.string()),
            "BillingPeriodStart": pa.array([], TIMESTAMP_TYPE),
            "ChargeCategory": pa.array([], pa.string()),
        }
    )


def _prepare(part: pa.Table | pa.RecordBatch) -> pa.Table:
    """One batch of FOCUS rows as the summary's key, label and sum columns."""
    table = part if isinstance(part, pa.Table) else pa.Table.from_batches([part])
    names = set(table.column_names)
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        msg = (
            f"the data has no {', '.join(missing)} column; the report needs FOCUS Cost and "
            "Usage data (write it with 'focus-ionos export' or check the input path)"
        )
        raise InputError(msg)
    rows = table.num_rows

    def text(name: str) -> pa.ChunkedArray | pa.Array:
        if name not in names:
            return pa.nulls(rows, pa.string())
        column = table[name]
        return column if column.type == pa.string() else pc.cast(column, pa.string())

    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name in KEY_COLUMNS:
        if name == "month":
            columns[name] = _months(table["BillingPeriodStart"])
        elif name == "provider":
            columns[name] = pc.coalesce(
                text("ServiceProviderName"), text("ProviderName"), text("provider")
            )
        elif name == "meter_text":
            sku = text("SkuId")
            columns[name] = pc.if_else(
                pc.is_null(sku), text("ChargeDescription"), pa.nulls(rows, pa.string())
            )
        else:
            columns[name] = text(name)
    for name in LABEL_COLUMNS:
        columns[name] = text(name)
    for name in SUM_COLUMNS:
        columns[name] = _decimal(table, name) if name in names else pa.nulls(rows, DECIMAL_TYPE)
    columns[PERIOD_END] = (
        pc.cast(table["ChargePeriodEnd"], TIMESTAMP_TYPE, safe=False)
        if "ChargePeriodEnd" in names and pa.types.is_timestamp(table["ChargePeriodEnd"].type)
        else pa.nulls(rows, TIMESTAMP_TYPE)
    )
    return pa.table(columns)


def _months(column: pa.ChunkedArray) -> pa.Array:
    """BillingPeriodStart as ``YYYY-MM``; formatted once per distinct value, not per row."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    labels = pc.strftime(encoded.dictionary, format="%Y-%m")
    return pc.take(labels, encoded.indices)


def _decimal(table: pa.Table, name: str) -> pa.ChunkedArray:
    """The column as exact decimals; floats are refused (they cannot hold cents exactly)."""
    column = table[name]
    if column.type == DECIMAL_TYPE:
        return column
    if pa.types.is_floating(column.type):
        msg = (
            f"column {name} holds binary floating-point numbers ({column.type}); the report "
            "sums money exactly and needs decimals: re-export the data as FOCUS Parquet "
            "with decimal columns, or read the CSV with focus-ionos"
        )
        raise InputError(msg)
    return pc.cast(column, DECIMAL_TYPE)


def _aggregate(table: pa.Table, *, first: bool) -> pa.Table:
    """Group by the key columns; ``first`` counts source rows, later rounds add the counts."""
    aggregations: list[tuple[str | list[str], str]] = [(name, "sum") for name in SUM_COLUMNS]
    aggregations += [(name, "min") for name in LABEL_COLUMNS]
    aggregations.append((PERIOD_END, "max"))
    aggregations.append(([], "count_all") if first else ("rows", "sum"))
    grouped = table.group_by(list(KEY_COLUMNS), use_threads=False).aggregate(aggregations)
    renames = {f"{name}_sum": name for name in SUM_COLUMNS}
    renames |= {f"{name}_min": name for name in LABEL_COLUMNS}
    renames |= {"count_all": "rows", "rows_sum": "rows", f"{PERIOD_END}_max": PERIOD_END}
    grouped = grouped.rename_columns([renames.get(n, n) for n in grouped.column_names])
    if first:
        grouped = grouped.set_column(
            grouped.column_names.index("rows"), "rows", pc.cast(grouped["rows"], pa.int64())
        )
    for name in SUM_COLUMNS:
        # A sum over many chunks may come back wider; the dataset's type is the contract.
        if grouped[name].type != DECIMAL_TYPE:
            index = grouped.column_names.index(name)
            grouped = grouped.set_column(index, name, pc.cast(grouped[name], DECIMAL_TYPE))
    logger.debug("summarized %d rows into %d groups", table.num_rows, grouped.num_rows)
    return grouped.select([*KEY_COLUMNS, *LABEL_COLUMNS, *SUM_COLUMNS, PERIOD_END, "rows"])
