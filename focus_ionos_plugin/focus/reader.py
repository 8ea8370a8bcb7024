"""Read FOCUS files (CSV, Parquet, or a folder of them) as Arrow record batches, streaming.

CSV is read the way FOCUS data is written: UTF-8 with or without a byte-order mark, quoted
fields, and an empty field means null. Every CSV column is first read as text, so ids such
as AWS account numbers stay strings and amounts are never routed through floats.

Two views of the same file:

* :func:`iter_batches` with ``typed=True`` (the default) casts every FOCUS column to our Arrow
  schema (:mod:`focus_ionos_plugin.focus.schema`): Decimal columns to ``decimal128(38, 18)``,
  exactly; DateTime columns to ``timestamp("s", tz="UTC")``. A value that does not convert
  raises :class:`~focus_ionos_plugin.errors.InputError` naming the file, column, row and value.
  Custom (``x_``) and unknown columns are passed through unchanged.
* ``typed=False`` gives the file as stored (CSV: every column as text; Parquet: its own types).
  The validator uses it, because a bad value there is a finding, not an exception.

A folder is read one format per folder: where it holds Parquet files, its CSV files (the
writer's twins of the same rows) are skipped; :func:`scan_files` says which.

Memory stays bounded: files are read batch by batch, never whole.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError
from .schema import DECIMAL_TYPE, TIMESTAMP_TYPE, Dataset, column_specs

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FileSelection",
    "FocusFile",
    "find_files",
    "iter_batches",
    "iter_file_batches",
    "read_table",
    "scan_files",
]

logger = logging.getLogger(__name__)

#: Rows per record batch: large enough for fast kernels, small enough for bounded memory.
DEFAULT_BATCH_SIZE = 65_536
_CSV_BLOCK_SIZE = 16 << 20
_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z")


@dataclass(frozen=True)
class FocusFile:
    """One data file: its path, format (``csv`` or ``parquet``) and column names."""

    path: Path
    format: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class FileSelection:
    """The data files to read at a path, and those left out as copies of others.

    ``skipped`` holds CSV files that have a Parquet file of the same name beside them: the
    writer (``export --format both``) puts such a CSV twin of the same rows beside each
    Parquet file, and reading both would count every row twice. Other CSV files in a folder
    with Parquet files are data of their own and are read.
    """

    files: tuple[FocusFile, ...]
    skipped: tuple[FocusFile, ...] = ()


def scan_files(path: str | Path) -> FileSelection:
    """Find the data files at ``path``: the file itself, or the CSV/Parquet files below a folder.

    Files in a folder are taken in sorted path order (stable row numbers); hidden files and
    files of other types (such as a dataset's metadata JSON) are ignored. One format is read
    per file: a CSV with a Parquet twin of the same name beside it is skipped (see
    :class:`FileSelection`). This is the one place that rule lives; every reader of a
    dataset (validator, report, FOCUS-file provider) goes through it.
    """
    root = Path(path)
    if not root.exists():
        msg = f"{root}: no such file or folder; pass a FOCUS CSV or Parquet file, or a folder"
        raise InputError(msg)
    if not root.is_dir():
        if root.suffix.lower() not in _SUFFIXES:
            msg = f"{root}: unknown file type {root.suffix!r}; expected .csv or .parquet"
            raise InputError(msg)
        return FileSelection((_describe(root),))
    candidates = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in _SUFFIXES
        and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
    )
    if not candidates:
        msg = f"{root}: folder holds no .csv or .parquet file"
        raise InputError(msg)
    # A CSV is a twin (same rows) only when a Parquet file of the same name stands beside it,
    # as the writer makes them (part-0.csv, part-0.parquet); any other CSV is data of its own.
    parquet_stems = {
        (p.parent, p.stem) for p in candidates if _SUFFIXES[p.suffix.lower()] == "parquet"
    }
    skipped = [
        p
        for p in candidates
        if _SUFFIXES[p.suffix.lower()] == "csv" and (p.parent, p.stem) in parquet_stems
    ]
    chosen = [p for p in candidates if p not in skipped]
    if skipped:
        logger.info("%s: skipping %d CSV twins of Parquet files", root, len(skipped))
    return FileSelection(
        tuple(_describe(p) for p in sorted(set(chosen))),
        tuple(FocusFile(p, "csv", ()) for p in skipped),
    )


def find_files(path: str | Path) -> list[FocusFile]:
    """Return the data files to read at ``path`` (see :func:`scan_files`)."""
    return list(scan_files(path).files)


def _describe(path: Path) -> FocusFile:
    fmt = _SUFFIXES[path.suffix.lower()]
    if fmt == "parquet":
        try:
            names = tuple(pq.read_schema(path).names)
        except (pa.ArrowException, OSError) as exc:
            msg = f"{path}: not a readable Parquet file ({exc})"
            raise InputError(msg) from exc
        _refuse_duplicates(path, names)
    else:
        names = tuple(_csv_header(path))
    return FocusFile(path=path, format=fmt, columns=names)


def _refuse_duplicates(path: Path, names: Sequence[str]) -> None:
    """A column name twice makes every read by name ambiguous: refuse the file."""
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        msg = (
            f"{path}: duplicate column names: {', '.join(duplicates)}; give every column "
            f"of the export a distinct name"
        )
        raise InputError(msg)


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open("rb") as handle:
            first = handle.readline()
        header = next(csv.reader([first.decode("utf-8-sig")]), None)
    except UnicodeDecodeError as exc:
        msg = f"{path}: the header is not UTF-8 text ({exc.reason}); save the file as UTF-8"
        raise InputError(msg) from exc
    except OSError as exc:
        msg = f"{path}: cannot read ({exc.strerror})"
        raise InputError(msg) from exc
    if not header:
        msg = f"{path}: empty file; a FOCUS CSV starts with a header line of column names"
        raise InputError(msg)
    _refuse_duplicates(path, header)
    return header


def iter_batches(
    path: str | Path,
    *,
    dataset: Dataset = "cost-and-usage",
    typed: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
    columns: Sequence[str] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield the record batches of a FOCUS file or folder, file after file.

    :param dataset: the FOCUS dataset the columns belong to (decides the typed casts).
    :param typed: cast FOCUS columns to our Arrow schema (see the module docstring).
    :param batch_size: rows per batch (Parquet); CSV batches follow the reader's blocks.
    :param columns: read only these columns (those a file lacks are skipped).
    :raises InputError: unreadable file, bad UTF-8, broken CSV, or (typed) a bad value.
    """
    for focus_file in find_files(path):
        for batch in iter_file_batches(focus_file, batch_size=batch_size, columns=columns):
            yield _typed(batch, dataset, focus_file.path) if typed else batch


def iter_file_batches(
    focus_file: FocusFile,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    columns: Sequence[str] | None = None,
    dictionary: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Yield one file's batches as stored (CSV: all text; Parquet: its own types).

    With ``dictionary=True`` text columns come dictionary-encoded (Parquet: straight from
    the file's dictionary pages), which lets checks run once per distinct value.
    """
    wanted = list(focus_file.columns if columns is None else columns)
    present = [name for name in wanted if name in focus_file.columns]
    if focus_file.format == "parquet":
        yield from _parquet_batches(focus_file.path, present, batch_size, dictionary)
    else:
        yield from _csv_batches(focus_file, present, dictionary)


def _parquet_batches(
    path: Path, columns: list[str], batch_size: int, dictionary: bool
) -> Iterator[pa.RecordBatch]:
    try:
        schema = pq.read_schema(path)
        text = [
            f.name
            for f in schema
            if f.name in columns
            and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
        ]
        parquet = pq.ParquetFile(path, read_dictionary=text if dictionary else None)
        # One row group at a time: a single iter_batches over the whole file keeps buffers
        # of the row groups already read, so memory would grow with the file.
        for group in range(parquet.num_row_groups):
            yield from parquet.iter_batches(
                batch_size=batch_size, columns=columns, row_groups=[group]
            )
    except (pa.ArrowException, OSError) as exc:
        msg = f"{path}: cannot read Parquet data ({exc})"
        raise InputError(msg) from exc


def _csv_batches(
    focus_file: FocusFile, columns: list[str], dictionary: bool
) -> Iterator[pa.RecordBatch]:
    path = focus_file.path
    text_type = pa.dictionary(pa.int32(), pa.string()) if dictionary else pa.string()
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(focus_file.columns, text_type),
        include_columns=columns,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=True,
    )
    parse = pacsv.ParseOptions(newlines_in_values=True)
    read = pacsv.ReadOptions(block_size=_CSV_BLOCK_SIZE)
    try:
        with pacsv.open_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        ) as reader:
            yield from reader
    except pa.ArrowInvalid as exc:
        detail = str(exc).splitlines()[0]
        if "UTF8" in detail or "utf8" in detail.lower():
            msg = f"{path}: not valid UTF-8 text ({detail}); save the file as UTF-8"
        else:
            msg = f"{path}: broken CSV ({detail}); check quoting and the number of fields"
        raise InputError(msg) from exc
    except OSError as exc:
        msg = f"{path}: cannot read ({exc})"
        raise InputError(msg) from exc


def read_table(
    path: str | Path, *, dataset: Dataset = "cost-and-usage", typed: bool = True
) -> pa.Table:
    """Read a whole FOCUS file or folder into one table (for small data and tests).

    Files with different columns are combined; a column missing from one file is null there.
    """
    batches = list(iter_batches(path, dataset=dataset, typed=typed))
    if not batches:
        files = find_files(path)
        names = [name for f in files for name in f.columns]
        specs = column_specs(dataset)
        return pa.schema(
            [
                pa.field(n, specs[n].arrow_type if typed and n in specs else pa.string())
                for n in dict.fromkeys(names)
            ]
        ).empty_table()
    tables = [pa.Table.from_batches([batch]) for batch in batches]
    return pa.concat_tables(tables, promote_options="permissive")


def _typed(batch: pa.RecordBatch, dataset: Dataset, path: Path) -> pa.RecordBatch:
    specs = column_specs(dataset)
    arrays = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        spec = specs.get(name)
        arrays.append(column if spec is None else _cast(column, spec.arrow_type, name, path))
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _cast(column: pa.Array, target: pa.DataType, name: str, path: Path) -> pa.Array:
    if column.type == target:
        return column
    try:
        if target == TIMESTAMP_TYPE and pa.types.is_string(column.type):
            return _parse_datetimes(column)
        if target == TIMESTAMP_TYPE and pa.types.is_timestamp(column.type):
            if column.type.tz is None:
                column = pc.assume_timezone(column, "UTC")
            return column.cast(target)  # safe cast: refuses to drop fractional seconds
        if target == DECIMAL_TYPE and pa.types.is_floating(column.type):
            # Floats are not exact; go through their shortest text form, not binary.
            column = pc.cast(column, pa.string())
        return column.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        bad = _first_bad_value(column, target)
        msg = (
            f"{path}: column {name}: cannot read {bad!r} as {target} ({str(exc).splitlines()[0]});"
            " run 'focus-ionos validate' on the file for the full list of problems"
        )
        raise InputError(msg) from exc


def _parse_datetimes(column: pa.Array) -> pa.Array:
    """Parse ISO 8601 text (with ``Z`` or an offset) into UTC timestamps, exactly."""
    result = None
    remaining = column
    for fmt in _DATETIME_FORMATS:
        parsed = pc.strptime(remaining, format=fmt, unit="s", error_is_null=True)
        result = parsed if result is None else pc.coalesce(result, parsed)
    assert result is not None
    unparsed = pc.and_(pc.is_valid(column), pc.is_null(result))
    if pc.any(unparsed).as_py():
        msg = "not an ISO 8601 UTC date/time such as 2026-05-01T00:00:00Z"
        raise pa.ArrowInvalid(msg)
    if result.type.tz is None:
        result = pc.assume_timezone(result, "UTC")
    return result.cast(TIMESTAMP_TYPE)


def _first_bad_value(column: pa.Array, target: pa.DataType) -> object:
    """Find the first value that does not cast, for the error message (slow path, rare)."""
    for index in range(len(column)):
        value = column.slice(index, 1)
        try:
            if target == TIMESTAMP_TYPE and pa.types.is_string(value.type):
                _parse_datetimes(value)
            else:
                value.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return value[0].as_py()
    return None
