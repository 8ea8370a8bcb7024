"""Write FOCUS datasets: one Hive partition per provider and billing period, atomically.

Layout under the output root::

    _focus_metadata.json                          FOCUS metadata (write_metadata)
    provider=<name>/billing_period=YYYY-MM/
        part-0.parquet                            Arrow types kept (decimal128, timestamp)
        part-0.csv                                only when asked for (csv=True)

Choices, and why:

- The partition keys live in the folder names only; they are not repeated as columns in
  the files (Hive convention; DuckDB, Spark, Trino and pyarrow add them back when reading
  with Hive partitioning, and a duplicated column would clash with the path value).
- The metadata file starts with ``_`` so that query engines pointed at the root (pyarrow,
  Spark, Athena) skip it as a hidden file. Staging and leftover folders start with ``.``
  for the same reason. A CSV twin sits inside the partition so that one rename swaps both
  formats; engines reading Parquet then need a ``*.parquet`` glob.
- A partition is written to a staging folder beside its target and swapped in with
  renames (one writer per partition at a time: a second one would remove the first's
  staging folder as a leftover). An exception (or Ctrl-C) while writing removes the
  staging folder and leaves the previous partition untouched. Between the two renames of
  the swap the old partition sits in ``.billing_period=YYYY-MM.old-*``; if the process
  dies exactly there, the next write of that partition puts it back before anything else.
  (Linux could swap in one step with renameat2(RENAME_EXCHANGE); Python's os module does
  not offer it, and the repair keeps the guarantee without platform code.)
- Memory stays bounded: record batches are buffered only up to one row group
  (``row_group_bytes``) and written with :class:`pyarrow.parquet.ParquetWriter`.

CSV follows the FOCUS way: decimals as plain decimal strings (no exponent, no trailing
zeros), date/times as ``YYYY-MM-DDTHH:MM:SSZ``, an empty unquoted field for null.
"""

from __future__ import annotations

import contextlib
import csv as csv_module
import io
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .. import FOCUS_VERSION, __version__
from ..errors import InputError, UsageError
from ..periods import BillingPeriod
from .schema import ColumnSpec, column_specs, cost_and_usage_schema

__all__ = [
    "CSV_NAME",
    "METADATA_NAME",
    "PARQUET_NAME",
    "TOTAL_COLUMNS",
    "PartitionInfo",
    "atomic_file",
    "column_definitions",
    "csv_batch",
    "csv_header",
    "partition_path",
    "plain_decimal_strings",
    "write_metadata",
    "write_partition",
]

log = logging.getLogger(__name__)

PARQUET_NAME = "part-0.parquet"
CSV_NAME = "part-0.csv"
METADATA_NAME = "_focus_metadata.json"

#: Money columns summed per BillingCurrency while a partition is written.
TOTAL_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")

#: Parquet schema metadata key carrying the FOCUS version of the rows.
VERSION_KEY = b"focus_version"

_PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_DEFAULT_ROW_GROUP_BYTES = 64 * 2**20


@dataclass(frozen=True)
class PartitionInfo:
    """What :func:`write_partition` wrote.

    ``totals`` maps each BillingCurrency (``None`` for rows without one) to the sums of
    the money columns in :data:`TOTAL_COLUMNS` that the data has; amounts in different
    currencies are never added together.
    """

    provider: str
    period: str
    path: Path
    files: tuple[Path, ...]
    rows: int
    schema: pa.Schema
    totals: dict[str | None, dict[str, Decimal]] = field(default_factory=dict)
    replaced: bool = False


def partition_path(root: Path | str, provider: str, period: BillingPeriod | str) -> Path:
    """The folder of one provider's billing period under ``root``."""
    month = _month(period)
    _check_provider(provider)
    return Path(root) / f"provider={provider}" / f"billing_period={month}"


def write_partition(
    root: Path | str,
    provider: str,
    period: BillingPeriod | str,
    data: pa.Table | pa.RecordBatchReader | Iterable[pa.RecordBatch],
    *,
    csv: bool = False,
    parquet: bool = True,
    schema: pa.Schema | None = None,
    check_period: bool = True,
    compression: str = "zstd",
    row_group_bytes: int = _DEFAULT_ROW_GROUP_BYTES,
) -> PartitionInfo:
    """Write ``data`` as the partition of ``provider`` and ``period``, replacing it whole.

    ``data`` is consumed once, batch by batch. Every batch is cast to ``schema`` (default:
    the schema of the first batch, or the FOCUS 1.3 schema when there is no batch at all);
    a batch with other columns is refused. With ``check_period`` every row's
    BillingPeriodStart must fall into ``period`` (that is what the partition means).

    Nothing is visible under the target folder until every file is complete; on any
    exception the staging folder is removed and the exception propagates.
    """
    if not (csv or parquet):
        msg = "write_partition needs at least one format: parquet=True or csv=True"
        raise UsageError(msg)
    month = _month(period)
    target = partition_path(root, provider, month)
    parent = target.parent
    if schema is None and isinstance(data, pa.Table | pa.RecordBatchReader):
        schema = data.schema
    token = uuid.uuid4().hex[:12]
    staging = parent / f".billing_period={month}.staging-{token}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _recover(parent, month)
        staging.mkdir()
    except OSError as exc:
        raise UsageError(_cannot_write(target, exc)) from exc
    sink = _PartitionSink(staging, csv=csv, parquet=parquet, compression=compression)
    try:
        rows = 0
        for table in _row_groups(_batches(data), schema, row_group_bytes):
            if check_period:
                _check_period(table, provider, BillingPeriod(month))
            sink.write(table)
            rows += table.num_rows
        written = sink.close(schema)
        _fsync_dir(staging)
        replaced = _swap(staging, target, parent, month, token)
    except BaseException as exc:
        sink.abort()
        shutil.rmtree(staging, ignore_errors=True)
        _remove_if_empty(parent)
        if isinstance(exc, OSError):
            raise UsageError(_cannot_write(target, exc)) from exc
        raise
    files = tuple(target / path.name for path in sink.files)
    log.info("wrote %s %s: %d rows to %s", provider, month, rows, target)
    return PartitionInfo(provider, month, target, files, rows, written, sink.totals, replaced)


# -- staging and swapping -----------------------------------------------------------------


def _cannot_write(target: Path, exc: OSError) -> str:
    return (
        f"cannot write partition {target}: {exc}. Check free space and permissions of the "
        f"output folder; the previous partition, if any, is unchanged"
    )


def _swap(staging: Path, target: Path, parent: Path, month: str, token: str) -> bool:
    """Put ``staging`` in place of ``target``; return True when an old partition existed."""
    old = parent / f".billing_period={month}.old-{token}"
    replaced = target.exists()
    if replaced:
        target.rename(old)
    staging.rename(target)
    _fsync_dir(parent)
    if replaced:
        shutil.rmtree(old, ignore_errors=True)
    return replaced


def _remove_if_empty(folder: Path) -> None:
    """Remove a provider folder a failed first write left empty (it would list the provider)."""
    with contextlib.suppress(OSError):  # not empty (other partitions) or gone: keep it
        folder.rmdir()


def _recover(parent: Path, month: str) -> None:
    """Undo what an interrupted earlier write of this partition left behind."""
    target = parent / f"billing_period={month}"
    olds = sorted(parent.glob(f".billing_period={month}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and not target.exists():
        log.warning("restoring %s from %s (an earlier write was interrupted)", target, olds[-1])
        olds[-1].rename(target)
        olds = olds[:-1]
    for leftover in [*olds, *parent.glob(f".billing_period={month}.staging-*")]:
        log.info("removing leftover %s of an interrupted write", leftover)
        shutil.rmtree(leftover, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk so that a rename survives a crash."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open folders; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the files of one partition -----------------------------------------------------------


class _PartitionSink:
    """Parquet and CSV writers of one staging folder, plus running totals."""

    def __init__(self, folder: Path, *, csv: bool, parquet: bool, compression: str) -> None:
        self._folder = folder
        self._csv = csv
        self._parquet = parquet
        self._compression = compression
        self._parquet_writer: pq.ParquetWriter | None = None
        self._csv_writer: pacsv.CSVWriter | None = None
        self._csv_file: Any = None
        self.schema: pa.Schema | None = None
        self.totals: dict[str | None, dict[str, Decimal]] = {}
        self.files: list[Path] = []

    def _open(self, schema: pa.Schema) -> None:
        self.schema = schema
        if self._parquet:
            path = self._folder / PARQUET_NAME
            stamped = schema.with_metadata({**(schema.metadata or {}), VERSION_KEY: b"1.3"})
            self._parquet_writer = pq.ParquetWriter(
                path, stamped, compression=self._compression, write_statistics=True
            )
            self.files.append(path)
        if self._csv:
            path = self._folder / CSV_NAME
            self._csv_file = path.open("wb")
            self._csv_file.write(csv_header(schema.names))
            csv_schema = pa.schema([pa.field(f.name, pa.string()) for f in schema])
            options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
            self._csv_writer = pacsv.CSVWriter(self._csv_file, csv_schema, write_options=options)
            self.files.append(path)

    def write(self, table: pa.Table) -> None:
        if self.schema is None:
            self._open(table.schema)
        if self._parquet_writer is not None:
            self._parquet_writer.write_table(table, row_group_size=max(table.num_rows, 1))
        if self._csv_writer is not None:
            for batch in table.to_batches():
                self._csv_writer.write_batch(csv_batch(batch))
        _add_totals(self.totals, table)

    def close(self, schema: pa.Schema | None) -> pa.Schema:
        """Finish every file (flushed to disk) and return the schema written."""
        if self.schema is None:  # no batch at all: an empty partition still has a schema
            self._open(schema if schema is not None else cost_and_usage_schema())
        assert self.schema is not None  # set by _open
        if self._parquet_writer is not None:
            self._parquet_writer.close()
            self._parquet_writer = None
        if self._csv_writer is not None:
            self._csv_writer.close()
            self._csv_file.flush()
            os.fsync(self._csv_file.fileno())
            self._csv_file.close()
            self._csv_writer = None
        for path in self.files:
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        return self.schema

    def abort(self) -> None:
        for closer in (self._parquet_writer, self._csv_writer, self._csv_file):
            if closer is not None:
                try:
                    closer.close()
                except Exception:  # the original error matters, not this one
                    log.debug("ignoring error while closing a failed partition", exc_info=True)


def _batches(
    data: pa.Table | pa.RecordBatchReader | Iterable[pa.RecordBatch],
) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        yield from data.to_batches()
        return
    for item in data:
        if isinstance(item, pa.Table):
            yield from item.to_batches()
        else:
            yield item


def _row_groups(
    batches: Iterator[pa.RecordBatch], schema: pa.Schema | None, limit: int
) -> Iterator[pa.Table]:
    """Group batches into tables of about ``limit`` bytes, each cast to one schema."""
    pending: list[pa.RecordBatch] = []
    size = 0
    written = False
    for batch in batches:
        if schema is None:
            schema = batch.schema
        if batch.num_rows == 0:
            continue
        conformed = _conform(batch, schema)
        pending.append(conformed)
        size += conformed.nbytes
        if size >= limit:
            yield pa.Table.from_batches(pending, schema)
            pending, size, written = [], 0, True
    if pending:
        yield pa.Table.from_batches(pending, schema)
    elif schema is not None and not written:
        yield schema.empty_table()


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    if batch.schema.equals(schema):
        return batch
    if sorted(batch.schema.names) != sorted(schema.names):
        missing = sorted(set(schema.names) - set(batch.schema.names))
        extra = sorted(set(batch.schema.names) - set(schema.names))
        msg = (
            f"a record batch has other columns than the partition's first batch "
            f"(missing {missing}, extra {extra}); align the batches to one schema first"
        )
        raise InputError(msg)
    try:
        return batch.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = f"a record batch cannot be cast to the partition's schema: {exc}"
        raise InputError(msg) from exc


def _check_period(table: pa.Table, provider: str, period: BillingPeriod) -> None:
    if "BillingPeriodStart" not in table.column_names or table.num_rows == 0:
        return
    column = table.column("BillingPeriodStart")
    if not pa.types.is_timestamp(column.type):
        return
    bounds = pc.min_max(column)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None:
        return
    if low.tzinfo is None:
        low, high = low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)
    if low < period.start or high >= period.end:
        msg = (
            f"provider {provider!r}: rows with BillingPeriodStart from {low:%Y-%m-%d} to "
            f"{high:%Y-%m-%d} do not belong to billing period {period}; split the rows by "
            f"the month of BillingPeriodStart before writing"
        )
        raise InputError(msg)


def _add_totals(totals: dict[str | None, dict[str, Decimal]], table: pa.Table) -> None:
    columns = [
        name
        for name in TOTAL_COLUMNS
        if name in table.column_names and pa.types.is_decimal(table.schema.field(name).type)
    ]
    if "BillingCurrency" not in table.column_names or not columns or table.num_rows == 0:
        return
    grouped = table.group_by("BillingCurrency").aggregate([(name, "sum") for name in columns])
    for row in grouped.to_pylist():
        sums = totals.setdefault(row["BillingCurrency"], {})
        for name in columns:
            value = row[f"{name}_sum"]
            if value is not None:
                sums[name] = sums.get(name, Decimal(0)) + value


# -- CSV the FOCUS way --------------------------------------------------------------------


def csv_header(names: Sequence[str]) -> bytes:
    """The CSV header line, quoted only where needed (Arrow would quote every name)."""
    header = io.StringIO()
    csv_module.writer(header, lineterminator="\n").writerow(names)
    return header.getvalue().encode("utf-8")


def csv_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with every column as FOCUS CSV text (nulls stay null)."""
    arrays = [_csv_text(column, batch.schema.field(i)) for i, column in enumerate(batch.columns)]
    names = batch.schema.names
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema([(n, pa.string()) for n in names]))


def _csv_text(column: pa.Array, field_: pa.Field) -> pa.Array:
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_large_string(kind):
        return column.cast(pa.string())
    if pa.types.is_decimal(kind):
        return plain_decimal_strings(column)
    if pa.types.is_timestamp(kind):
        seconds = column.cast(pa.timestamp("s", tz="UTC"), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
    if pa.types.is_floating(kind):
        msg = (
            f"column {field_.name!r} holds floating point numbers; convert money and "
            f"quantities to decimals before writing (FOCUS CSV must not lose digits)"
        )
        raise InputError(msg)
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = f"column {field_.name!r} of type {kind} cannot be written to CSV: {exc}"
        raise InputError(msg) from exc


def plain_decimal_strings(column: pa.Array) -> pa.Array:
    """Decimals as plain strings: ``0.0000001`` not ``1E-7``, ``1.5`` not ``1.500000``.

    Arrow writes values below 1e-6 (and zero at a large scale) in E notation. Those rows
    are rebuilt from ``|v| + 1`` (which never uses E notation) by replacing the leading
    ``1`` with ``0`` and putting the sign back; all vectorised.
    """
    text = column.cast(pa.string())
    scale = column.type.scale
    if scale <= 0:
        return text
    exponent = pc.fill_null(pc.match_substring(text, "E"), False)
    if pc.any(exponent).as_py():
        small = pc.filter(column, exponent)
        wide = pa.decimal256(max(small.type.precision + 2, scale + 2), scale)
        shifted = pc.add(pc.abs(small.cast(wide)), pa.scalar(Decimal(1), pa.decimal256(1, 0)))
        fixed = pc.binary_join_element_wise(
            pc.if_else(pc.less(small.cast(wide), pa.scalar(Decimal(0), wide)), "-", ""),
            pc.utf8_replace_slice(shifted.cast(pa.string()), 0, 1, "0"),
            "",
        )
        text = pc.replace_with_mask(text, exponent, fixed)
    text = pc.replace_substring_regex(text, r"(\.[0-9]*[1-9])0+$", r"\1")
    return pc.replace_substring_regex(text, r"\.0+$", "")


# -- FOCUS metadata -----------------------------------------------------------------------


def write_metadata(
    root: Path | str,
    *,
    schema: pa.Schema | None = None,
    generator: str = "focus-ionos",
    generator_version: str = __version__,
    created: datetime | None = None,
    providers: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write the FOCUS metadata file of the dataset under ``root`` and return its path.

    It names the FOCUS version, the data generator and its version, the creation time and
    one definition per column (from ``schema``, default the FOCUS 1.3 Cost and Usage
    schema; custom ``x_`` columns included). The file is replaced atomically.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    schema = schema if schema is not None else cost_and_usage_schema()
    stamp = (created or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    document: dict[str, Any] = {
        "FocusVersion": FOCUS_VERSION,
        "DataGenerator": {"DataGenerator": generator, "Version": generator_version},
        "CreationDate": stamp,
        "Schemas": [
            {
                "SchemaId": f"{generator}-{generator_version}-cost-and-usage",
                "FocusVersion": FOCUS_VERSION,
                "CreationDate": stamp,
                "DatasetType": "CostAndUsage",
                "ColumnDefinition": column_definitions(schema),
            }
        ],
        "Partitioning": {"Style": "hive", "Keys": ["provider", "billing_period"]},
    }
    if providers:
        document["Providers"] = sorted(providers)
    if extra:
        document.update(extra)
    path = root / METADATA_NAME
    with atomic_file(path) as handle:
        handle.write((json.dumps(document, indent=2) + "\n").encode("utf-8"))
    _fsync_dir(root)
    return path


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on a hidden staging file that replaces ``path`` when the block ends.

    The data is synced to disk before the rename; an exception (or Ctrl-C) removes the
    staging file and leaves ``path`` as it was.
    """
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}")
    try:
        with staging.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        staging.replace(path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def column_definitions(schema: pa.Schema) -> list[dict[str, Any]]:
    """One FOCUS ColumnDefinition per column of ``schema``, types as FOCUS names them."""
    specs = column_specs()
    definitions = []
    for field_ in schema:
        spec = specs.get(field_.name)
        definition: dict[str, Any] = {"ColumnName": field_.name}
        kind = field_.type
        if pa.types.is_decimal(kind):
            definition.update(DataType="Decimal", NumberPrecision=kind.precision)
            definition["NumberScale"] = kind.scale
        elif pa.types.is_timestamp(kind):
            definition["DataType"] = "DateTime"
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            definition["DataType"] = _spec_text_type(spec)
            definition["StringEncoding"] = "UTF-8"
        else:
            definition["DataType"] = str(kind)
        if spec is not None and spec.deprecated:
            definition["Deprecated"] = True
        if field_.name.startswith("x_"):
            definition["Custom"] = True
        definitions.append(definition)
    return definitions


def _spec_text_type(spec: ColumnSpec | None) -> str:
    """``JSON`` for the FOCUS columns holding JSON text, ``String`` otherwise."""
    return "JSON" if spec is not None and spec.data_type == "JSON" else "String"


# -- small checks -------------------------------------------------------------------------


def _month(period: BillingPeriod | str) -> str:
    return period.month if isinstance(period, BillingPeriod) else BillingPeriod(period).month


def _check_provider(provider: str) -> None:
    if not _PROVIDER_NAME.match(provider or ""):
        msg = (
            f"provider name {provider!r} cannot name a partition folder; use lowercase "
            f"letters, digits, '.', '_' or '-' (for example 'aws')"
        )
        raise UsageError(msg)
