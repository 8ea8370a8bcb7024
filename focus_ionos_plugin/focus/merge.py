"""Combine providers' FOCUS rows into one Hive-partitioned FOCUS 1.3 dataset.

Each provider and billing period becomes one partition, written by
:func:`focus_ionos_plugin.focus.writer.write_partition` (atomic, replaces exactly that
partition). Every partition carries every FOCUS 1.3 column (null where the provider has
no such concept) followed by that provider's own ``x_`` columns: a partition's schema
depends on its provider only, never on what else was merged in the same run, so that
re-running one provider cannot leave the others inconsistent. Read the dataset with
schema union by name (DuckDB ``union_by_name = true``, Spark ``mergeSchema``); the
metadata file lists the union of all columns, and the optional combined CSV has it too.

Money is summed per provider and BillingCurrency only (:class:`MergeSummary`): amounts in
different currencies are never added.

Streaming: rows flow as record batches from the source to the writer, one bounded row
group at a time. The host's ``to_focus`` facade gathers a provider's batches into one
table; a raw object that offers ``batches()`` and ``schema`` itself (the FOCUS-file
provider's does) is streamed directly instead, so huge exports never sit in memory.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..findings import Finding
from .schema import cost_and_usage_schema
from .upgrade import Upgrade
from .writer import (
    METADATA_NAME,
    PARQUET_NAME,
    PartitionInfo,
    atomic_file,
    csv_batch,
    csv_header,
    write_metadata,
    write_partition,
)

if TYPE_CHECKING:
    from ..context import Context
    from ..host import PluginHost
    from ..periods import BillingPeriod

__all__ = [
    "COMBINED_CSV_NAME",
    "MergeSummary",
    "align",
    "dataset_schema",
    "finish_dataset",
    "merge_files",
    "merge_provider",
    "write_combined_csv",
]

log = logging.getLogger(__name__)

#: The optional single CSV of the whole dataset (``_`` keeps query engines off it).
COMBINED_CSV_NAME = "_focus_cost_and_usage.csv"


@dataclass
class MergeSummary:
    """What a merge wrote: partitions, findings, and totals per provider and currency."""

    partitions: list[PartitionInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    metadata_path: Path | None = None
    csv_path: Path | None = None

    def rows(self) -> dict[str, int]:
        """Rows written per provider."""
        counts: dict[str, int] = {}
        for info in self.partitions:
            counts[info.provider] = counts.get(info.provider, 0) + info.rows
        return counts

    def totals(self) -> dict[tuple[str, str | None], dict[str, Decimal]]:
        """Money column sums per (provider, BillingCurrency); currencies never mixed."""
        totals: dict[tuple[str, str | None], dict[str, Decimal]] = {}
        for info in self.partitions:
            for currency, sums in info.totals.items():
                target = totals.setdefault((info.provider, currency), {})
                for column, amount in sums.items():
                    target[column] = target.get(column, Decimal(0)) + amount
        return dict(sorted(totals.items(), key=lambda item: (item[0][0], item[0][1] or "")))


def align(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with exactly the columns of ``schema`` (missing ones null), in its order."""
    if batch.schema.equals(schema):
        return batch
    names = set(batch.schema.names)
    arrays = [
        batch.column(f.name).cast(f.type) if f.name in names else pa.nulls(batch.num_rows, f.type)
        for f in schema
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def merge_files(
    host: PluginHost,
    out: Path,
    name: str,
    periods: Sequence[BillingPeriod],
    *,
    context: Context,
    summary: MergeSummary,
    csv: bool = False,
) -> None:
    """Write the partitions of the FOCUS-file input ``name`` (the context's only input)."""
    for period in periods:
        raw = host.fetch_raw("files", period, context)
        info = write_partition(out, name, period, raw.batches(), schema=raw.schema, csv=csv)
        summary.partitions.append(info)
        summary.findings.extend(raw.findings)
        _release_memory()


def merge_provider(
    host: PluginHost,
    out: Path,
    provider: str,
    periods: Sequence[BillingPeriod],
    *,
    context: Context,
    summary: MergeSummary,
    csv: bool = False,
) -> None:
    """Run a plugin provider (fetch, convert, validate) and write its partitions."""
    for result in host.run(provider, periods, context):
        upgrade = Upgrade(
            result.table.schema,
            version="1.3",
            strict=False,
            source=f"provider {provider!r} {result.period}",
            provider=provider,
        )
        batches = (upgrade.apply(batch) for batch in result.table.to_batches())
        info = write_partition(
            out, provider, result.period, batches, schema=upgrade.schema, csv=csv
        )
        summary.partitions.append(info)
        summary.findings.extend(result.findings)
        summary.findings.extend(upgrade.findings())
        _release_memory()


def dataset_schema(root: Path) -> pa.Schema:
    """The union of the partitions' schemas: FOCUS 1.3 columns, then custom columns."""
    focus = cost_and_usage_schema()
    known = set(focus.names)
    custom: dict[str, pa.Field] = {}
    for path in _partition_files(root):
        for f in pq.read_schema(path):
            if f.name not in known:
                custom.setdefault(f.name, f)
    return pa.schema([*focus, *custom.values()], metadata={"focus_version": "1.3"})


def write_combined_csv(root: Path, schema: pa.Schema | None = None) -> Path:
    """One CSV of every partition under ``root`` (FOCUS CSV text), replaced atomically."""
    schema = schema if schema is not None else dataset_schema(root)
    path = root / COMBINED_CSV_NAME
    text_schema = pa.schema([pa.field(f.name, pa.string()) for f in schema])
    with atomic_file(path) as handle:
        handle.write(csv_header(schema.names))
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        with pacsv.CSVWriter(handle, text_schema, write_options=options) as writer:
            for batch in _dataset_batches(root, schema):
                writer.write_batch(csv_batch(batch))
    return path


def finish_dataset(root: Path, *, csv: bool = False) -> tuple[Path, Path | None]:
    """Write the metadata file (and the combined CSV) describing every partition."""
    schema = dataset_schema(root)
    providers = sorted(p.name.split("=", 1)[1] for p in root.glob("provider=*") if p.is_dir())
    metadata = write_metadata(root, schema=schema, providers=providers)
    combined = write_combined_csv(root, schema) if csv else None
    log.info("dataset %s: %d providers, metadata %s", root, len(providers), METADATA_NAME)
    return metadata, combined


def _release_memory() -> None:
    """Hand memory kept for reuse back to the system between partitions.

    Arrow's pool keeps freed pages, and so does the C library's heap, which the Parquet
    reader and writer use for their own bookkeeping; without this, cached pages pile up
    from one provider to the next and peak RSS creeps towards the sum of the partitions'
    peaks. ``malloc_trim`` exists on glibc only; elsewhere the pool release must do.
    """
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None on other C libraries."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _partition_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"provider=*/billing_period=*/{PARQUET_NAME}"))


def _dataset_batches(root: Path, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for path in _partition_files(root):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=64 * 1024):
            yield align(batch, schema)
