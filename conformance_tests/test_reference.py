"""The vectorised checks and jsonschema (the reference) agree on every row of every case."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
import reference
from casebook import Case, case_table, load_cases

from focus_ionos_plugin.focus.conformance import row_values, rule_verdicts, rules
from focus_ionos_plugin.focus.reader import iter_batches
from focus_ionos_plugin.focus.schema import column_specs

CASES = load_cases()


def _batch(case: Case, tmp_path: Path) -> pa.RecordBatch:
    if case.csv is None and case.as_csv is None:
        return case_table(case).combine_chunks().to_batches()[0]
    from casebook import _csv_bytes

    path = tmp_path / "case.csv"
    path.write_bytes(case.csv.encode() if case.csv is not None else _csv_bytes(case))
    batches = list(iter_batches(path, dataset=case.dataset, typed=False))  # type: ignore[arg-type]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


@pytest.mark.parametrize("dataset", ["cost-and-usage", "contract-commitment"])
def test_reference_schema_is_valid_json_schema(dataset: str) -> None:
    assert reference.validator(dataset) is not None


def test_identical_verdicts_on_every_case(tmp_path: Path) -> None:
    disagreements = []
    checked = 0
    for case in CASES:
        batch = _batch(case, tmp_path)
        focus_types = {n: s.data_type for n, s in column_specs(case.dataset).items()}  # type: ignore[arg-type]
        rows = row_values(batch, focus_types)
        fast = rule_verdicts(batch, case.dataset)  # type: ignore[arg-type]
        for rule in rules(case.dataset):  # type: ignore[arg-type]
            if rule.kind not in ("column", "row") or rule.rule_id not in fast:
                continue
            slow = [reference.passes(rule, row, case.dataset) for row in rows]
            checked += 1
            if slow != fast[rule.rule_id]:
                disagreements.append((case.id, rule.rule_id, fast[rule.rule_id], slow))
    assert checked > 10_000
    assert disagreements == []


def test_json_shapes_give_the_verdicts_of_each_text() -> None:
    """Sample rows with real ContractApplied, Tags, ... values: shape-based == per text."""
    samples = Path(__file__).parent.parent / "tests" / "data" / "samples"
    table = pa.Table.from_batches(
        list(iter_batches(samples / "aws-focus-1.3-cost-and-usage-1k.csv", typed=False))
    )
    batch = table.slice(0, 400).combine_chunks().to_batches()[0]
    focus_types = {n: s.data_type for n, s in column_specs("cost-and-usage").items()}
    json_columns = {n for n, t in focus_types.items() if t == "JSON"}
    rows = row_values(batch, focus_types)
    fast = rule_verdicts(batch, "cost-and-usage")
    checked = [
        r
        for r in rules("cost-and-usage")
        if r.kind in ("column", "row") and json_columns & set(r.columns)
    ]
    assert len(checked) > 40
    for rule in checked:
        slow = [reference.passes(rule, row, "cost-and-usage") for row in rows]
        assert fast[rule.rule_id] == slow, rule.rule_id
