"""One named input of FOCUS files: discover its parts, list its periods, stream its rows.

An input is a list of paths (files or folders, searched recursively) holding CSV or
Parquet parts of one provider's export; files are found and read as stored by
:mod:`focus_ionos_plugin.focus.reader` (UTF-8 with or without byte-order mark, quoted
fields, empty field = null). Every part is checked when the input is opened (schema only,
no rows): it must be FOCUS (1.0 to 1.3) or the input is refused with the missing mandatory
columns. Rows are read lazily, batch by batch, typed (:mod:`.normalize`: MAP tags, float or
text amounts) and upgraded to FOCUS 1.3 (:mod:`focus_ionos_plugin.focus.upgrade`).

A FOCUS metadata file (``*.json`` with a ``FocusVersion`` key) lying among the parts
declares the version for every part of its folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import InputError
from ..findings import Finding, Severity
from ..focus import reader
from ..focus.upgrade import Upgrade
from ..periods import BillingPeriod
from .normalize import Normalizer

__all__ = ["BATCH_ROWS", "FocusFile", "FocusInput", "PeriodSlice"]

log = logging.getLogger(__name__)

#: Rows per record batch read from a part (bounded memory, vectorised work per batch).
BATCH_ROWS = reader.DEFAULT_BATCH_SIZE


@dataclass
class FocusFile:
    """One part of an export: the reader's file, its schema and declared FOCUS version."""

    file: reader.FocusFile
    schema: pa.Schema
    declared_version: str | None = None

    @property
    def path(self) -> Path:
        """Where the part lies."""
        return self.file.path

    @property
    def format(self) -> str:
        """``csv`` or ``parquet``."""
        return self.file.format

    @property
    def metadata(self) -> dict[str, str]:
        """Version metadata for :func:`focus_ionos_plugin.focus.upgrade.detect_version`."""
        found = {}
        raw = self.schema.metadata or {}
        if b"focus_version" in raw:
            found["focus_version"] = raw[b"focus_version"].decode("utf-8", "replace")
        if self.declared_version:
            found["FocusVersion"] = self.declared_version
        return found

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The rows of this part as stored (CSV: every column as text)."""
        yield from reader.iter_file_batches(self.file, batch_size=BATCH_ROWS, columns=columns)


@dataclass
class PeriodSlice:
    """The rows of one input for one billing period, not read yet (``fetch_raw``'s result)."""

    name: str
    period: BillingPeriod
    files: tuple[FocusFile, ...]
    source: FocusInput
    findings: list[Finding] = field(default_factory=list)

    @property
    def schema(self) -> pa.Schema:
        """The FOCUS 1.3 schema of the rows, custom columns of every part included."""
        return self.source.schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        """FOCUS 1.3 record batches of this period; findings collect in ``findings``."""
        start, end = _bounds(self.period)
        for part in self.files:
            upgrade = self.source.upgrade_for(part)
            normalizer = Normalizer(str(part.path), self.name)
            for raw in part.batches():
                if raw.num_rows == 0:
                    continue
                batch = upgrade.apply(normalizer.apply(raw))
                begins = batch.column("BillingPeriodStart")
                inside = pc.fill_null(
                    pc.and_(pc.greater_equal(begins, start), pc.less(begins, end)), False
                )
                if not pc.all(inside).as_py():  # most parts hold one period: no copy then
                    batch = batch.filter(inside)
                if batch.num_rows:
                    yield self.source.widen(batch)
            self.findings.extend(normalizer.findings())
            self.findings.extend(upgrade.findings())


class FocusInput:
    """The parts of one named input, checked as FOCUS when opened."""

    def __init__(self, name: str, paths: Sequence[Path | str]) -> None:
        self.name = name
        self.files, self.notes = _discover(name, [Path(p) for p in paths])
        self._versions: dict[Path, tuple[str, str]] = {}
        custom: dict[str, pa.DataType] = {}
        owners: dict[str, Path] = {}  # the first part with each custom column
        self._owners = owners
        focus_fields: list[pa.Field] = []
        for part in self.files:
            upgrade = Upgrade(
                _typed_schema(part.schema),
                metadata=part.metadata,
                source=self._describe(part),
                provider=name,
            )
            self._versions[part.path] = (upgrade.version, upgrade.evidence)
            log.info(
                "%s: FOCUS %s (from its %s)", upgrade.source, upgrade.version, upgrade.evidence
            )
            focus_fields = [f for f in upgrade.schema if not f.name.startswith("x_")]
            for f in upgrade.schema:
                if f.name.startswith("x_"):
                    kind = _custom_type(f.type)
                    if f.name in custom:
                        kind = self._common_type(f.name, custom[f.name], kind, part)
                    custom[f.name] = kind
                    owners.setdefault(f.name, part.path)
        fields = [*focus_fields, *(pa.field(n, t) for n, t in custom.items())]
        self.schema = pa.schema(fields, metadata={"focus_version": "1.3"})
        self._periods: list[BillingPeriod] | None = None
        self._period_files: dict[str, list[FocusFile]] = {}

    def _common_type(
        self, name: str, first: pa.DataType, other: pa.DataType, part: FocusFile
    ) -> pa.DataType:
        """One type for a custom column the parts store differently (all-null: any)."""
        if first == other:
            return first
        try:
            merged = pa.unify_schemas(
                [pa.schema([(name, first)]), pa.schema([(name, other)])],
                promote_options="permissive",
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            msg = (
                f"input {self.name!r}: custom column {name} is {first} in "
                f"{self._owners[name]} but {other} in {part.path}; the parts of one export "
                f"must agree. Re-export the column with one type ({exc})"
            )
            raise InputError(msg) from exc
        return merged.field(name).type

    def _describe(self, part: FocusFile) -> str:
        return f"input {self.name!r} file {part.path}"

    def upgrade_for(self, part: FocusFile) -> Upgrade:
        """A fresh upgrade of one part to FOCUS 1.3 (its findings count one read)."""
        version, evidence = self._versions[part.path]
        return Upgrade(
            _typed_schema(part.schema),
            version=version,
            evidence=evidence,
            source=self._describe(part),
            provider=self.name,
        )

    def versions(self) -> dict[str, str]:
        """The detected FOCUS version of each part, by path."""
        return {str(path): version for path, (version, _) in self._versions.items()}

    def widen(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with the custom columns of the other parts added as nulls."""
        if batch.schema.names == self.schema.names:
            return batch.cast(self.schema) if not batch.schema.equals(self.schema) else batch
        arrays = []
        for f in self.schema:
            if f.name in batch.schema.names:
                arrays.append(batch.column(f.name).cast(f.type))
            else:
                arrays.append(pa.nulls(batch.num_rows, f.type))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def periods(self) -> list[BillingPeriod]:
        """The billing periods present (months of BillingPeriodStart), oldest first."""
        if self._periods is None:
            months: dict[str, list[FocusFile]] = {}
            for part in self.files:
                found, unplaced = _months_of(part)
                for month in found:
                    months.setdefault(month, []).append(part)
                if unplaced:
                    self.notes.append(
                        Finding(
                            "files-rows-without-period",
                            Severity.WARNING,
                            f"input {self.name!r}: {part.path} has {unplaced} rows without "
                            f"BillingPeriodStart; they belong to no billing period and are "
                            f"not merged. Fill BillingPeriodStart in the export",
                            column="BillingPeriodStart",
                            rows=unplaced,
                            provider=self.name,
                        )
                    )
            self._period_files = months
            self._periods = [BillingPeriod(month) for month in sorted(months)]
        return list(self._periods)

    def slice(self, period: BillingPeriod) -> PeriodSlice:
        """The lazily read rows of ``period``."""
        self.periods()
        files = tuple(self._period_files.get(period.month, ()))
        return PeriodSlice(self.name, period, files, self)


def _discover(name: str, paths: Sequence[Path]) -> tuple[list[FocusFile], list[Finding]]:
    if not paths:
        msg = f"input {name!r} has no path; give --input {name}=PATH"
        raise InputError(msg)
    declared = _declared_versions(paths)
    parts = []
    seen: set[Path] = set()
    notes: list[Finding] = []
    for path in paths:
        try:
            selection = reader.scan_files(path)
        except InputError as exc:
            msg = f"input {name!r}: {exc}"
            raise InputError(msg) from exc
        for file in selection.files:
            # A part named twice (the same file, or a folder and a file in it) is one part:
            # reading it twice would count its rows twice.
            if file.path.resolve() in seen:
                log.info("input %r: %s is already among the parts; read once", name, file.path)
                continue
            seen.add(file.path.resolve())
            parts.append(FocusFile(file, _schema(file), declared.get(file.path.parent)))
        notes.extend(
            Finding(
                "files-csv-twin-skipped",
                Severity.INFO,
                f"input {name!r}: {file.path} skipped; its folder holds Parquet files, "
                f"and a CSV beside them is taken for a copy of the same rows",
                provider=name,
            )
            for file in selection.skipped
        )
    return parts, notes


def _schema(file: reader.FocusFile) -> pa.Schema:
    if file.format == "parquet":
        return pq.read_schema(file.path)
    return pa.schema([(name, pa.string()) for name in file.columns])


def _declared_versions(paths: Sequence[Path]) -> dict[Path, str]:
    """``FocusVersion`` of FOCUS metadata files among the inputs, by folder."""
    declared: dict[Path, str] = {}
    for path in paths:
        candidates = path.rglob("*.json") if path.is_dir() else path.parent.glob("*.json")
        for candidate in candidates:
            try:
                document = json.loads(candidate.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError):
                continue
            version = _metadata_version(document)
            if version:
                declared[candidate.parent] = version
    return declared


def _metadata_version(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("FocusVersion"), str):
        return str(document["FocusVersion"])
    for schema in document.get("Schemas") or document.get("Schema") or []:
        if isinstance(schema, dict) and isinstance(schema.get("FocusVersion"), str):
            return str(schema["FocusVersion"])
    return None


def _typed_schema(schema: pa.Schema) -> pa.Schema:
    """The schema an upgrade sees: the names of ``schema`` with our FOCUS types."""
    from ..focus.schema import column_specs

    specs = column_specs()
    fields = [pa.field(f.name, specs[f.name].arrow_type) if f.name in specs else f for f in schema]
    return pa.schema(fields)


def _custom_type(kind: pa.DataType) -> pa.DataType:
    """Custom columns keep their type; dictionary-encoded ones are decoded."""
    return kind.value_type if pa.types.is_dictionary(kind) else kind


def _months_of(part: FocusFile) -> tuple[list[str], int]:
    """The months of BillingPeriodStart in ``part``, and how many rows have none."""
    if "BillingPeriodStart" not in part.schema.names:
        return [], 0
    if part.format == "parquet":
        found = _months_from_statistics(part.path)
        if found is not None:
            return found
    seen: set[str] = set()
    nulls = 0
    normalizer = Normalizer(str(part.path))
    for batch in part.batches(columns=["BillingPeriodStart"]):
        typed = normalizer.apply(batch).column(0)
        nulls += typed.null_count
        text = pc.strftime(typed, format="%Y-%m")
        seen.update(m for m in pc.unique(text).to_pylist() if m is not None)
    return sorted(seen), nulls


def _months_from_statistics(path: Path) -> tuple[list[str], int] | None:
    """Months from row-group min/max of BillingPeriodStart, when each group has one."""
    metadata = pq.ParquetFile(path).metadata
    arrow_schema = pq.read_schema(path)
    kind = arrow_schema.field("BillingPeriodStart").type
    if not pa.types.is_timestamp(kind):
        return None
    index = metadata.schema.names.index("BillingPeriodStart")
    months: set[str] = set()
    nulls = 0
    for group in range(metadata.num_row_groups):
        if metadata.row_group(group).num_rows == 0:
            continue
        stats = metadata.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max or not stats.has_null_count:
            return None
        low, high = stats.min, stats.max
        if not isinstance(low, datetime) or not isinstance(high, datetime):
            return None
        if (low.year, low.month) != (high.year, high.month):
            return None
        months.add(f"{low.year:04d}-{low.month:02d}")
        nulls += stats.null_count
    return sorted(months), nulls


def _bounds(period: BillingPeriod) -> tuple[pa.Scalar, pa.Scalar]:
    kind = pa.timestamp("s", tz="UTC")
    return (
        pa.scalar(period.start.astimezone(UTC), kind),
        pa.scalar(period.end.astimezone(UTC), kind),
    )
