"""Load and run the conformance cases (tiny row sets with the findings they must produce).

A case file ``cases/<dataset>/<Column>.json`` holds ``{"dataset": ..., "cases": [...]}``. Each
case names the rule it is about (``rule``), a ``name``, and its rows: every row is the
dataset's valid base row (``base/<dataset>.json``) with the case's values laid over it. A
value in a case row is taken as the cell would be in a file: strings (text), ``null``, or a
JSON number or boolean (to show a column of the wrong type). Optional keys:

* ``drop``: columns to leave out of the dataset altogether;
* ``extra``: columns to add (``{"name": [values per row]}``), e.g. custom ``x_`` columns;
* ``extra_first``: put the ``extra`` columns before the FOCUS columns;
* ``criteria``: applicability criteria the data generator declares;
* ``csv``: raw CSV text instead of rows (read through the FOCUS reader);
* ``as_csv``: write the rows as a CSV file (``{"bom": true}`` adds a byte-order mark) and
  read it through the FOCUS reader, as a user's file would be.

``expect`` maps every rule that must report an error or warning to the zero-based rows it
must name; an empty ``expect`` means the rows are conformant.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from focus_ionos_plugin.findings import Finding, Severity
from focus_ionos_plugin.focus.conformance import validate_batches, validate_path

HERE = Path(__file__).parent
CASES = HERE / "cases"
BASE = HERE / "base"


@dataclass(frozen=True)
class Case:
    """One conformance case."""

    dataset: str
    rule: str
    name: str
    file: str
    rows: tuple[dict[str, Any], ...] = ()
    drop: tuple[str, ...] = ()
    extra: dict[str, list[Any]] = field(default_factory=dict)
    extra_first: bool = False
    criteria: tuple[str, ...] = ()
    csv: str | None = None
    as_csv: dict[str, Any] | None = None
    expect: dict[str, list[int]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.name}"


def base_row(dataset: str) -> dict[str, Any]:
    """The valid row every case starts from."""
    return json.loads((BASE / f"{dataset}.json").read_text(encoding="utf-8"))


def load_cases() -> list[Case]:
    """Every case of every case file, in file order."""
    cases = []
    for path in sorted(CASES.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for raw in data["cases"]:
            cases.append(
                Case(
                    dataset=data["dataset"],
                    rule=raw["rule"],
                    name=raw["name"],
                    file=str(path.relative_to(HERE)),
                    rows=tuple(raw.get("rows", ())),
                    drop=tuple(raw.get("drop", ())),
                    extra=raw.get("extra", {}),
                    extra_first=raw.get("extra_first", False),
                    criteria=tuple(raw.get("criteria", ())),
                    csv=raw.get("csv"),
                    as_csv=raw.get("as_csv"),
                    expect=raw.get("expect", {}),
                )
            )
    return cases


def _array(values: list[Any]) -> pa.Array:
    present = [v for v in values if v is not None]
    if not present or all(isinstance(v, str) for v in present):
        return pa.array(values, pa.string())
    if all(isinstance(v, bool) for v in present):
        return pa.array(values, pa.bool_())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.array(values, pa.int64())
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.array(values, pa.float64())
    msg = f"mixed value types in one column: {values!r}"
    raise ValueError(msg)


def case_table(case: Case) -> pa.Table:
    """The case's rows as an Arrow table (text columns, as a CSV would give them)."""
    base = base_row(case.dataset)
    rows = [{**base, **row} for row in case.rows]
    names = [n for n in base if n not in case.drop]
    names += [n for row in case.rows for n in row if n not in base and n not in names]
    columns = {name: _array([row.get(name) for row in rows]) for name in names}
    extra = {name: _array(values) for name, values in case.extra.items()}
    return pa.table({**extra, **columns} if case.extra_first else {**columns, **extra})


def run_case(case: Case, tmp_dir: Path | None = None) -> list[Finding]:
    """Validate the case with the vectorised validator and return its findings."""
    if case.csv is not None or case.as_csv is not None:
        assert tmp_dir is not None, "CSV cases need a temporary folder"
        path = tmp_dir / "case.csv"
        path.write_bytes(case.csv.encode("utf-8") if case.csv is not None else _csv_bytes(case))
        return validate_path(path, dataset=case.dataset, criteria=case.criteria).findings
    return validate_batches(case_table(case), dataset=case.dataset, criteria=case.criteria)


def _csv_bytes(case: Case) -> bytes:
    """The case's rows as a FOCUS CSV: every field quoted, null as an empty field."""
    table = case_table(case)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else str(v) for v in row.values()])
    text = buffer.getvalue()
    prefix = "\ufeff" if (case.as_csv or {}).get("bom") else ""
    return (prefix + text).encode("utf-8")


def reported(findings: list[Finding]) -> dict[str, list[int]]:
    """Errors and warnings as ``{rule id: sample rows}``."""
    return {
        f.rule_id: list(f.sample_rows)
        for f in findings
        if f.severity in (Severity.ERROR, Severity.WARNING)
    }
