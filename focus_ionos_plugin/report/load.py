"""Read a FOCUS dataset for the report: only the needed columns and months, in batches.

A dataset is a folder written by :mod:`focus_ionos_plugin.focus.writer` (Hive partitions
``provider=<name>/billing_period=YYYY-MM/``, one provider or merged), a folder of FOCUS
files, or one file. Files are found by :func:`focus_ionos_plugin.focus.reader.find_files`,
which reads one format per folder: where a folder holds Parquet files they alone are read
(the writer's CSV twins hold the same rows); a folder of CSV files only is read through the
FOCUS reader. Files that are not Cost and Usage data (a Contract Commitment file, say) are
skipped with a warning.

Parquet is scanned with :mod:`pyarrow.dataset` and Hive partitioning: partitions outside the
requested months are never opened, and files of different providers may differ in columns
(custom ``x_`` columns) and timestamp units, since their schemas are unified first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from .. import FOCUS_VERSION
from ..errors import InputError
from ..focus.reader import FocusFile, find_files, iter_batches
from ..periods import BillingPeriod
from .summary import SOURCE_COLUMNS, summarize

__all__ = [
    "DatasetFiles",
    "dataset_focus_version",
    "dataset_months",
    "find_dataset",
    "read_batches",
    "read_summary",
]

logger = logging.getLogger(__name__)

_METADATA_NAME = "_focus_metadata.json"
_PARTITION_COLUMNS = ("provider", "billing_period")
#: Scan read-ahead: Arrow's default reads several whole files ahead, which costs memory
#: without making the (single-threaded) grouping faster.
_READAHEAD = {"batch_readahead": 4, "fragment_readahead": 1}
#: Columns without which a file is not Cost and Usage data.
_COST_AND_USAGE = ("BilledCost", "ChargeCategory")


@dataclass(frozen=True)
class DatasetFiles:
    """The Cost and Usage files the report reads (one format per folder)."""

    root: Path
    files: tuple[FocusFile, ...]

    @property
    def format(self) -> str:
        """``parquet``, ``csv``, or ``mixed`` (some folders hold Parquet, others only CSV)."""
        formats = {f.format for f in self.files}
        return formats.pop() if len(formats) == 1 else "mixed"


def find_dataset(path: Path, months: Sequence[str] | None = None) -> DatasetFiles:
    """The Cost and Usage files at ``path``; Hive partitions outside ``months`` left out."""
    usable = []
    for focus_file in find_files(path):
        if all(name in focus_file.columns for name in _COST_AND_USAGE):
            usable.append(focus_file)
        else:
            logger.warning("skipping %s: not FOCUS Cost and Usage data", focus_file.path)
    if not usable:
        msg = (
            f"no FOCUS Cost and Usage file under {path} (none has BilledCost and "
            "ChargeCategory columns); give the folder 'focus-ionos export' wrote"
        )
        raise InputError(msg)
    if months:
        usable = [f for f in usable if _partition_month(f.path) in (None, *months)]
    return DatasetFiles(path if path.is_dir() else path.parent, tuple(usable))


def dataset_months(path: Path) -> list[str]:
    """The months the dataset at ``path`` has rows for, oldest first.

    Hive partitions answer from their folder names (an empty Parquet partition, by its
    footer, counts as no data); files outside partitions are read through the summary.
    """
    import pyarrow.parquet as pq

    dataset = find_dataset(path)
    months: set[str] = set()
    unpartitioned = []
    for focus_file in dataset.files:
        month = _partition_month(focus_file.path)
        if month is None:
            unpartitioned.append(focus_file)
        elif focus_file.format != "parquet" or pq.ParquetFile(focus_file.path).metadata.num_rows:
            months.add(month)
    if unpartitioned:
        rest = DatasetFiles(dataset.root, tuple(unpartitioned))
        summary = summarize(read_batches(rest))
        months.update(m for m in summary["month"].to_pylist() if m)
    return sorted(months)


def _partition_month(path: Path) -> str | None:
    for part in path.parts:
        if part.startswith("billing_period="):
            return part.split("=", 1)[1]
    return None


def read_batches(
    dataset: DatasetFiles, months: Sequence[str] | None = None
) -> Iterator[pa.RecordBatch | pa.Table]:
    """The report's columns of the rows whose BillingPeriodStart falls into ``months``."""
    parquet = [f for f in dataset.files if f.format == "parquet"]
    if parquet:
        yield from _parquet(dataset.root, parquet, months)
    for focus_file in (f for f in dataset.files if f.format != "parquet"):
        for batch in iter_batches(focus_file.path, columns=SOURCE_COLUMNS):
            if months:
                yield _in_months(pa.Table.from_batches([batch]), months)
            else:
                yield batch


def _parquet(
    root: Path, files: Sequence[FocusFile], months: Sequence[str] | None
) -> Iterator[pa.RecordBatch]:
    names = [str(f.path) for f in files]
    try:
        options = {"partitioning": "hive", "partition_base_dir": str(root)}
        scan = ds.dataset(names, format="parquet", **options)
        physical = [fragment.physical_schema for fragment in scan.get_fragments()]
        partitions = [f for f in scan.schema if f.name in _PARTITION_COLUMNS]
        schema = pa.unify_schemas([*physical, pa.schema(partitions)], promote_options="permissive")
        scan = ds.dataset(names, format="parquet", schema=schema, **options)
        columns = [c for c in (*SOURCE_COLUMNS, *_PARTITION_COLUMNS) if c in schema.names]
        expression = None
        if months:
            kind = schema.field("BillingPeriodStart").type
            first, last = BillingPeriod(min(months)), BillingPeriod(max(months))
            start = ds.field("BillingPeriodStart")
            expression = (start >= pa.scalar(first.start, kind)) & (
                start < pa.scalar(last.end, kind)
            )
        yield from scan.to_batches(columns=columns, filter=expression, **_READAHEAD)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError) as exc:
        msg = f"cannot read the Parquet files under {root} as one FOCUS dataset: {exc}"
        raise InputError(msg) from exc


def _in_months(table: pa.Table, months: Sequence[str]) -> pa.Table:
    first, last = BillingPeriod(min(months)), BillingPeriod(max(months))
    column = table["BillingPeriodStart"]
    start = pa.scalar(first.start, column.type)
    end = pa.scalar(last.end, column.type)
    return table.filter(pc.and_(pc.greater_equal(column, start), pc.less(column, end)))


def read_summary(path: Path, months: Sequence[str] | None = None) -> pa.Table:
    """Find the dataset at ``path`` and summarize the rows of ``months`` (all when None)."""
    dataset = find_dataset(path, months)
    summary = summarize(read_batches(dataset, months))
    logger.info(
        "summarized %d files of %s into %d groups", len(dataset.files), path, summary.num_rows
    )
    return summary


def dataset_focus_version(path: Path) -> str:
    """The FOCUS version the dataset's metadata file names (ours when it has none)."""
    metadata = path / _METADATA_NAME if path.is_dir() else path.parent / _METADATA_NAME
    if metadata.is_file():
        try:
            version = json.loads(metadata.read_text(encoding="utf-8")).get("FocusVersion")
        except (OSError, ValueError, AttributeError):
            logger.warning("cannot read %s; assuming FOCUS %s", metadata, FOCUS_VERSION)
        else:
            if isinstance(version, str) and version:
                return version
    return FOCUS_VERSION
