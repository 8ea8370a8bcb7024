"""Core FOCUS 1.3 conformance checks: our JSON Schemas compiled into vectorised Arrow checks.

The rules live in ``schemas/focus-1.3/*.json`` (each subschema carries its FOCUS rule id). This
module reads them (:func:`rules`), has :mod:`.vectorised` compile each into an Arrow check, and
runs the checks on every batch of a stream (:class:`Validator`), counting failing rows and
keeping a few row numbers per rule. Memory is bounded by the batch size plus the dataset-level
accumulators (distinct id pairs), never by the file size.

The module is also the core ``validate`` plugin (entry point ``conformance``).
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..findings import Finding, Severity, has_errors, sort_findings
from ..hookspecs import hookimpl
from .reader import DEFAULT_BATCH_SIZE, iter_file_batches, scan_files
from .schema import DATASETS, Dataset, column_specs, load_json_schema
from .vectorised import (
    OPAQUE,
    BatchView,
    Compiler,
    JsonNumber,
    Pred,
    Verdict,
    decode_json_text,
    element_values,
    prefetch_shapes,
    shape_pool,
)

if TYPE_CHECKING:
    from ..context import Context

__all__ = [
    "JsonNumber",
    "Rule",
    "ValidationReport",
    "Validator",
    "criteria_names",
    "decode_json_text",
    "detect_dataset",
    "row_values",
    "rule_verdicts",
    "rules",
    "validate",
    "validate_batches",
    "validate_path",
]

logger = logging.getLogger(__name__)

_SEVERITY = {"MUST": Severity.ERROR, "MUST NOT": Severity.ERROR}
_MAX_SAMPLES = 5
_PREFETCH_ROWS = 10_000  # batches at least this large compute JSON shapes on a second thread
_COMPACT_ROWS = 200_000  # buffered key rows before distinct pairs are folded together
# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One checkable (or knowingly unchecked) FOCUS rule, as read from our JSON Schema.

    ``kind`` is ``column`` (a check of one cell), ``row`` (a check across the columns of a
    row), ``dataset`` (a check across rows or of the header) or ``unchecked`` (needs
    information outside the data; reported as skipped). ``columns`` are the columns the rule
    needs: when one is absent the rule is skipped. ``schema`` is the JSON Schema fragment the
    rule asserts (value-level for ``column`` rules, row-level for ``row`` rules).
    """

    rule_id: str
    keyword: str
    description: str
    kind: str
    subject: str | None = None
    columns: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False)
    check: str | None = None

    @property
    def severity(self) -> Severity:
        """ERROR for MUST / MUST NOT rules, WARNING for SHOULD / RECOMMENDED ones."""
        return _SEVERITY.get(self.keyword, Severity.WARNING)


def _schema_rule(
    sub: dict[str, Any],
    kind: str,
    subject: str | None,
    columns: tuple[str, ...],
    check: str | None = None,
) -> Rule:
    """A rule from one ``x-focus-rule`` sub-schema."""
    return Rule(
        rule_id=sub["x-focus-rule"],
        keyword=sub["x-focus-keyword"],
        description=sub["description"],
        kind=kind,
        subject=subject,
        columns=columns,
        criteria=tuple(sub.get("x-focus-criteria", ())),
        schema=sub,
        check=check,
    )


@cache
def rules(dataset: Dataset = "cost-and-usage") -> tuple[Rule, ...]:
    """Return every rule the schema of ``dataset`` names, in schema order."""
    root = load_json_schema(dataset)
    found: list[Rule] = []
    for column, prop in root["properties"].items():
        found += [_schema_rule(sub, "column", column, (column,)) for sub in prop.get("allOf", [])]
    for sub in root["allOf"]:
        subject = sub["x-focus-subject"]
        columns = tuple(sub.get("x-focus-columns", (subject,)))
        found.append(_schema_rule(sub, "row", subject, columns))
    for sub in root["x-focus-dataset-rules"]:
        column = sub.get("column")
        columns = tuple(c for c in (column, sub.get("determines")) if c)
        found.append(_schema_rule(sub, "dataset", column, columns, check=sub["x-focus-check"]))
    for sub in root["x-focus-unchecked-rules"]:
        found.append(
            Rule(
                rule_id=sub["rule"],
                keyword=sub["keyword"],
                description=sub["reason"],
                kind="unchecked",
                subject=sub.get("column"),
                columns=(sub["column"],) if sub.get("column") else (),
            )
        )
    return tuple(found)


@cache
def criteria_names() -> tuple[str, ...]:
    """Every applicability criterion a rule of either dataset depends on, sorted."""
    names = {name for dataset in DATASETS for rule in rules(dataset) for name in rule.criteria}
    return tuple(sorted(names))


def detect_dataset(columns: Iterable[str]) -> Dataset:
    """Guess the dataset from column names (Contract Commitment has ids and no ChargeCategory)."""
    names = set(columns)
    if "ContractCommitmentId" in names and "ChargeCategory" not in names:
        return "contract-commitment"
    return "cost-and-usage"


# --------------------------------------------------------------------------- validator


@cache
def _compiled(dataset: Dataset) -> tuple[tuple[Rule, Pred], ...]:
    compiler = Compiler(dataset)
    result = []
    for rule in rules(dataset):
        if rule.kind == "column":
            assert rule.subject is not None
            result.append((rule, compiler.value(rule.schema, rule.subject)))
        elif rule.kind == "row":
            result.append((rule, compiler.row(rule.schema)))
    # Rules on JSON columns last: their shapes are meanwhile computed on a second thread.
    json_columns = {n for n, spec in column_specs(dataset).items() if spec.data_type == "JSON"}
    result.sort(key=lambda item: bool(json_columns & set(item[0].columns)))
    return tuple(result)


@dataclass
class _Tally:
    rows: int = 0
    samples: list[int] = field(default_factory=list)

    def add(self, passed: Verdict, rows: int, offset: int) -> None:
        """Count the rows of one batch that did not pass, and keep the first few row numbers."""
        if passed is True:
            return
        if passed is False:
            self.rows += rows
            wanted = max(0, min(rows, _MAX_SAMPLES - len(self.samples)))
            self.samples.extend(range(offset, offset + wanted))
            return
        count = passed.false_count
        if not count:
            return
        self.rows += count
        if len(self.samples) < _MAX_SAMPLES:
            failing = pc.indices_nonzero(pc.invert(passed))
            first = failing.slice(0, _MAX_SAMPLES - len(self.samples))
            self.samples.extend(offset + i for i in first.to_pylist())


class Validator:
    """Streaming conformance check of one dataset: ``begin`` per file, ``feed``, ``finish``.

    :param dataset: ``cost-and-usage`` or ``contract-commitment``.
    :param criteria: applicability criteria the data generator declares (``{"ALL"}`` for
        every one); rules gated by an undeclared criterion are reported as skipped.
    """

    def __init__(
        self,
        dataset: Dataset = "cost-and-usage",
        *,
        criteria: Iterable[str] = (),
        provider: str | None = None,
    ) -> None:
        self.dataset = dataset
        self.provider = provider
        self.criteria = frozenset(criteria)
        self.specs = column_specs(dataset)
        self.focus_types = {name: spec.data_type for name, spec in self.specs.items()}
        self._json_columns = [n for n, spec in self.specs.items() if spec.data_type == "JSON"]
        self.rows = 0
        self.sources: list[str] = []
        self._compiled = _compiled(dataset)
        self._tallies: dict[str, _Tally] = {}
        self._evaluated: set[str] = set()
        self._absent: dict[str, list[str]] = {}
        # (rule id, problem) -> files that have it: a problem of the header is reported once
        # per dataset, with the files it affects, not once per file.
        self._header: dict[tuple[Rule, str], list[str]] = {}
        self._pairs: dict[str, list[pa.Table]] = {}
        self._result: list[Finding] | None = None

    def _declared(self, rule: Rule) -> bool:
        return "ALL" in self.criteria or set(rule.criteria) <= self.criteria

    # ---- header (per file)

    def begin(self, columns: Sequence[str], source: str = "") -> None:
        """Check a file's columns before its rows: presence, names, order."""
        self.sources.append(source)
        self._result = None
        names = list(columns)
        for rule in rules(self.dataset):
            if rule.check != "columnPresent" or rule.subject in names:
                continue
            assert rule.subject is not None
            self._absent.setdefault(rule.subject, []).append(source)
            if rule.criteria and not self._declared(rule):
                continue  # reported once, as skipped, by finish()
            self._header_problem(rule, f"column {rule.subject} is missing", source)
        unknown = [n for n in names if n not in self.specs and not n.startswith("x_")]
        if unknown:
            message = (
                f"columns that are not FOCUS 1.3 {self.dataset} columns must start with x_"
                f": {', '.join(unknown)}"
            )
            self._header_problem(self._rule("ColumnHandling-A-010-M"), message, source)
        last_focus = max((i for i, n in enumerate(names) if n in self.specs), default=-1)
        early = [n for i, n in enumerate(names) if n.startswith("x_") and i < last_focus]
        if early:
            message = f"custom columns come before FOCUS columns: {', '.join(early)}"
            self._header_problem(self._rule("ColumnHandling-A-013-O"), message, source)
        self._evaluated.update(("ColumnHandling-A-010-M", "ColumnHandling-A-013-O"))

    def _header_problem(self, rule: Rule, problem: str, source: str) -> None:
        self._header.setdefault((rule, problem), []).append(source)

    def _header_findings(self) -> list[Finding]:
        """One finding per header problem, naming the files (or their count) it affects."""
        findings = []
        total = len(self.sources)
        for (rule, problem), sources in self._header.items():
            named = [s for s in sources if s]
            if not named:
                where = ""
            elif total == 1:
                where = f" in {named[0]}"
            elif len(named) == total:
                where = f" in all {total} files"
            else:
                where = f" in {len(named)} of {total} files: {_shorten(named)}"
            if ": " in problem and where:  # keep the list of columns last
                head, tail = problem.split(": ", 1)
                message = f"{head}{where}: {tail}"
            else:
                message = f"{problem}{where}"
            findings.append(self._finding(rule, message, rows=0))
        return findings

    def _rule(self, rule_id: str) -> Rule:
        return next(r for r in rules(self.dataset) if r.rule_id == rule_id)

    # ---- rows

    def feed(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Check one batch of rows (row numbers continue from the previous batch)."""
        if isinstance(batch, pa.Table):
            for part in batch.to_batches():
                self.feed(part)
            return
        if batch.num_rows == 0:
            return
        view = BatchView(batch, self.focus_types)
        offset = self.rows
        if batch.num_rows >= _PREFETCH_ROWS:
            prefetch_shapes(view, self._json_columns, shape_pool())
        for rule, pred in self._compiled:
            if not (view.names.issuperset(rule.columns) and self._declared(rule)):
                continue
            self._evaluated.add(rule.rule_id)
            tally = self._tallies.setdefault(rule.rule_id, _Tally())
            tally.add(pred(view), batch.num_rows, offset)
        self._collect_dataset_facts(view, offset)
        self.rows += batch.num_rows
        self._result = None

    def _collect_dataset_facts(self, view: BatchView, offset: int) -> None:
        row_numbers = pa.array(range(offset, offset + view.rows), pa.int64())
        for rule in rules(self.dataset):
            if rule.kind != "dataset" or not all(view.has(c) for c in rule.columns):
                continue
            if rule.check in ("functionalDependency", "unique"):
                keys = {f"k{i}": _key_array(view, c) for i, c in enumerate(rule.columns)}
                ones = pa.array([1] * view.rows, pa.int64())
                table = pa.table(
                    {**keys, "row_min": row_numbers, "row_max": row_numbers, "row_count": ones}
                )
                parts = self._pairs.setdefault(rule.rule_id, [])
                parts.append(table.filter(pc.is_valid(keys["k0"])))
                if sum(part.num_rows for part in parts) > _COMPACT_ROWS:
                    self._pairs[rule.rule_id] = [_regroup(parts, list(keys))]
                self._evaluated.add(rule.rule_id)
            elif rule.check == "contractAppliedParent" and view.kind(rule.columns[0]) == "string":
                self._collect_parents(rule, view, offset)
                self._evaluated.add(rule.rule_id)

    def _collect_parents(self, rule: Rule, view: BatchView, offset: int) -> None:
        found = element_values(view, rule.columns[0])
        row = pc.add(found["row"], offset)
        ones = pa.array([1] * found.num_rows, pa.int64())
        table = pa.table(
            {
                "k0": found["v0"],
                "k1": found["v1"],
                "row_min": row,
                "row_max": row,
                "row_count": ones,
            }
        )
        parts = self._pairs.setdefault(rule.rule_id, [])
        parts.append(table)
        if sum(part.num_rows for part in parts) > _COMPACT_ROWS:
            self._pairs[rule.rule_id] = [_regroup(parts, ["k0", "k1"])]

    # ---- result

    def finish(self) -> list[Finding]:
        """Return every finding, worst first: failures, then rules that could not be checked."""
        if self._result is None:
            self._result = self._findings()
        return list(self._result)

    def _findings(self) -> list[Finding]:
        findings = self._header_findings()
        for rule in rules(self.dataset):
            if rule.kind in ("column", "row"):
                findings.extend(self._row_result(rule))
            elif rule.kind == "dataset" and rule.check != "columnPresent":
                findings.extend(self._dataset_result(rule))
            elif rule.kind == "dataset":
                absent = rule.subject in self._absent
                if absent and rule.criteria and not self._declared(rule):
                    findings.append(self._skip(rule, _criteria_reason(rule)))
            elif rule.kind == "unchecked":
                findings.append(self._skip(rule, rule.description))
        return sort_findings(findings)

    def passed(self) -> list[str]:
        """Rule ids that were checked and found no problem."""
        failed = {rule.rule_id for rule, _ in self._header} | {
            rid for rid, tally in self._tallies.items() if tally.rows
        }
        checked = set(self._evaluated)
        for rule in rules(self.dataset):
            if rule.check == "columnPresent" and (
                rule.subject not in self._absent or not rule.criteria or self._declared(rule)
            ):
                checked.add(rule.rule_id)
        checked -= {f.rule_id for f in self.finish() if f.severity is Severity.SKIPPED}
        return sorted(checked - failed)

    def _row_result(self, rule: Rule) -> list[Finding]:
        tally = self._tallies.get(rule.rule_id)
        if rule.rule_id not in self._evaluated:
            if rule.criteria and not self._declared(rule):
                return [self._skip(rule, _criteria_reason(rule))]
            missing = [c for c in rule.columns if c in self._absent or c not in self.specs]
            shown = ", ".join(missing or rule.columns)
            return [self._skip(rule, f"needs column {shown}, which the dataset does not have")]
        if tally is None or not tally.rows:
            return []
        message = f"{rule.description} ({tally.rows} of {self.rows} rows)"
        return [self._finding(rule, message, rows=tally.rows, samples=tally.samples)]

    def _dataset_result(self, rule: Rule) -> list[Finding]:
        if rule.rule_id not in self._evaluated:
            if rule.check in ("customColumnPrefix", "customColumnsLast"):
                return []
            shown = ", ".join(rule.columns)
            return [self._skip(rule, f"needs column {shown}, which the dataset does not have")]
        parts = self._pairs.get(rule.rule_id)
        if not parts:
            return []
        keys = ["k0"] if rule.check == "unique" else ["k0", "k1"]
        table = _regroup(parts, keys)
        if rule.check == "unique":
            bad = table.filter(pc.greater(table["row_count"], 1))
        else:
            per_key = table.group_by("k0").aggregate(
                [("k1", "count_distinct", pc.CountOptions("all"))]
            )
            offenders = per_key.filter(pc.greater(per_key["k1_count_distinct"], 1))["k0"]
            bad = table.filter(pc.is_in(table["k0"], value_set=offenders.combine_chunks()))
        if bad.num_rows == 0:
            return []
        rows = pc.sum(bad["row_count"]).as_py()
        samples = sorted(set(bad["row_min"].to_pylist()) | set(bad["row_max"].to_pylist()))
        values = sorted({str(v) for v in bad["k0"].to_pylist()})
        message = f"{rule.description}; offending values: {_shorten(values)}"
        return [self._finding(rule, message, rows=rows, samples=samples[:_MAX_SAMPLES])]

    def _finding(
        self, rule: Rule, message: str, *, rows: int, samples: Sequence[int] = ()
    ) -> Finding:
        return Finding(
            rule_id=rule.rule_id,
            severity=rule.severity,
            message=message,
            column=rule.subject,
            rows=rows,
            sample_rows=tuple(samples),
            provider=self.provider,
        )

    def _skip(self, rule: Rule, reason: str) -> Finding:
        return Finding(
            rule_id=rule.rule_id,
            severity=Severity.SKIPPED,
            message=f"not checked: {reason}",
            column=rule.subject,
            provider=self.provider,
        )


def _criteria_reason(rule: Rule) -> str:
    return (
        f"applies only when the data generator supports {', '.join(rule.criteria)}"
        " (declare it with --applicability-criteria)"
    )


def _key_array(view: BatchView, column: str) -> pa.Array:
    if view.kind(column) == "string":
        return view.text(column)
    return pc.cast(view.column(column), pa.string())


def _regroup(parts: list[pa.Table], keys: list[str]) -> pa.Table:
    table = pa.concat_tables(parts)
    return (
        table.group_by(keys)
        .aggregate([("row_min", "min"), ("row_max", "max"), ("row_count", "sum")])
        .rename_columns([*keys, "row_min", "row_max", "row_count"])
    )


def _shorten(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


# --------------------------------------------------------------------------- entry points


@dataclass
class ValidationReport:
    """The outcome of validating one file or folder.

    ``files`` were read in this order, ``file_rows`` holds their row counts (row numbers in
    findings count across the files; :meth:`locate` turns one into file and row within it),
    and ``skipped`` names the CSV twins of Parquet files that were not read.
    """

    path: str
    dataset: Dataset
    files: tuple[str, ...]
    rows: int
    findings: list[Finding]
    passed: list[str]
    seconds: float
    file_rows: tuple[int, ...] = ()
    skipped: tuple[str, ...] = ()

    def locate(self, row: int) -> tuple[str, int]:
        """The file a dataset row number falls in, and the zero-based row within that file."""
        if len(self.file_rows) != len(self.files) or not self.files:
            return (self.files[0] if self.files else self.path), row
        starts = [0]
        for count in self.file_rows[:-1]:
            starts.append(starts[-1] + count)
        index = max(0, bisect.bisect_right(starts, row) - 1)
        return self.files[index], row - starts[index]

    def samples(self, finding: Finding) -> list[tuple[str, int]]:
        """The finding's sample rows as (file, row within the file)."""
        return [self.locate(row) for row in finding.sample_rows]

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not has_errors(self.findings)

    @property
    def exit_code(self) -> int:
        """0 when conformant, 1 when any error was found."""
        return 0 if self.ok else 1

    def count(self, severity: Severity) -> int:
        """Number of findings of ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary with every finding."""
        return {
            "path": self.path,
            "dataset": self.dataset,
            "focus_version": "1.3",
            "files": list(self.files),
            "skipped_files": list(self.skipped),
            "rows": self.rows,
            "conformant": self.ok,
            "seconds": round(self.seconds, 3),
            "counts": {str(s): self.count(s) for s in Severity},
            "passed_rules": self.passed,
            "findings": [self._finding_dict(f) for f in self.findings],
        }

    def _finding_dict(self, finding: Finding) -> dict[str, Any]:
        data = finding.to_dict()
        data["samples"] = [{"file": name, "row": row} for name, row in self.samples(finding)]
        return data


def validate_path(
    path: str | Path,
    *,
    dataset: Dataset | None = None,
    criteria: Iterable[str] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ValidationReport:
    """Validate a FOCUS CSV or Parquet file, or a folder of them, batch by batch.

    A folder's CSV twins of its Parquet files are skipped (:func:`.reader.scan_files`).

    :param dataset: the dataset to check against; guessed from the first file when None.
    :raises InputError: the path cannot be read as CSV/Parquet (exit code 2 on the CLI).
    """
    started = time.perf_counter()
    selection = scan_files(path)
    files = selection.files
    chosen: Dataset = dataset or detect_dataset(files[0].columns)
    validator = Validator(chosen, criteria=criteria)
    file_rows = []
    for focus_file in files:
        validator.begin(focus_file.columns, source=str(focus_file.path))
        before = validator.rows
        for batch in iter_file_batches(focus_file, batch_size=batch_size, dictionary=True):
            validator.feed(batch)
        file_rows.append(validator.rows - before)
    findings = validator.finish()
    logger.info("validated %s: %d rows, %d findings", path, validator.rows, len(findings))
    return ValidationReport(
        path=str(path),
        dataset=chosen,
        files=tuple(str(f.path) for f in files),
        rows=validator.rows,
        findings=findings,
        passed=validator.passed(),
        seconds=time.perf_counter() - started,
        file_rows=tuple(file_rows),
        skipped=tuple(str(f.path) for f in selection.skipped),
    )


def validate_batches(
    data: pa.Table | Iterable[pa.RecordBatch],
    *,
    dataset: Dataset | None = None,
    criteria: Iterable[str] = (),
    provider: str | None = None,
) -> list[Finding]:
    """Validate a table or a stream of record batches already in memory."""
    if isinstance(data, pa.Table):
        columns = data.schema.names
        batches: Iterable[pa.RecordBatch] = data.to_batches(max_chunksize=DEFAULT_BATCH_SIZE)
    else:
        iterator = iter(data)
        first = next(iterator, None)
        if first is None:
            return []
        columns = first.schema.names
        batches = _chain(first, iterator)
    validator = Validator(dataset or detect_dataset(columns), criteria=criteria, provider=provider)
    validator.begin(columns)
    for batch in batches:
        validator.feed(batch)
    return validator.finish()


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


def row_values(batch: pa.RecordBatch, focus_types: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rows of ``batch`` in the JSON form the schemas describe (for the jsonschema check).

    Text cells become strings (typed Decimal and DateTime cells their canonical text), other
    cells JSON numbers or booleans, and cells of types JSON has no word for an opaque value.
    """
    view = BatchView(batch, focus_types)
    columns: dict[str, list[Any]] = {}
    for name in batch.schema.names:
        kind = view.kind(name)
        if kind == "string":
            columns[name] = view.text(name).to_pylist()
        elif kind in ("number", "boolean", "null"):
            values = view.column(name).to_pylist()
            columns[name] = [
                v if v is None or kind != "number" else _json_number(v) for v in values
            ]
        else:
            columns[name] = [None if v is None else OPAQUE for v in view.column(name).to_pylist()]
    return [{name: columns[name][i] for name in columns} for i in range(batch.num_rows)]


def _json_number(value: Any) -> Any:
    return JsonNumber(str(value)) if not isinstance(value, float) else value


@hookimpl
def validate(table: pa.Table, provider: str | None, context: Context) -> list[Finding]:
    """Core conformance checks of a FOCUS table (every table, every provider)."""
    criteria = context.options.get("applicability_criteria", ()) if context else ()
    dataset = context.options.get("dataset") if context else None
    if dataset not in DATASETS:
        dataset = None
    return validate_batches(table, dataset=dataset, criteria=criteria, provider=provider)


def rule_verdicts(
    batch: pa.RecordBatch, dataset: Dataset = "cost-and-usage"
) -> dict[str, list[bool]]:
    """Per-row verdicts (True = passes) of every row-level rule whose columns ``batch`` has.

    For tests and debugging: the same compiled checks :class:`Validator` runs, unsummarised.
    """
    view = BatchView(batch, {name: spec.data_type for name, spec in column_specs(dataset).items()})
    verdicts: dict[str, list[bool]] = {}
    for rule, pred in _compiled(dataset):
        if view.names.issuperset(rule.columns):
            verdict = pred(view)
            values = (
                [verdict] * batch.num_rows if isinstance(verdict, bool) else verdict.to_pylist()
            )
            verdicts[rule.rule_id] = values
    return verdicts
