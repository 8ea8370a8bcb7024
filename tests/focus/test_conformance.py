"""The vectorised validator: findings as data, streaming, dataset rules, the validate hook."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.context import Context
from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.focus import conformance
from focus_ionos_plugin.focus.conformance import (
    Validator,
    decode_json_text,
    detect_dataset,
    rules,
    validate_batches,
    validate_path,
)
from focus_ionos_plugin.focus.reader import read_table

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
AWS = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"


def _errors(findings: list) -> dict[str, tuple[int, tuple[int, ...]]]:
    return {f.rule_id: (f.rows, f.sample_rows) for f in findings if f.severity is Severity.ERROR}


@pytest.fixture(scope="module")
def aws() -> pa.Table:
    return read_table(AWS)


def test_rules_come_from_the_schemas() -> None:
    cau = rules("cost-and-usage")
    kinds = {kind: sum(1 for r in cau if r.kind == kind) for kind in ("column", "row", "dataset")}
    assert kinds == {"column": 202, "row": 71, "dataset": 74}
    frequency = next(r for r in cau if r.rule_id == "CAU-ChargeFrequency-C-003-M")
    assert frequency.severity is Severity.ERROR
    assert frequency.subject == "ChargeFrequency"
    unit = next(r for r in cau if r.rule_id == "CAU-PricingUnit-C-003-O")
    assert unit.severity is Severity.WARNING


def test_bad_rows_are_counted_with_sample_row_numbers(aws: pa.Table) -> None:
    categories = aws["ChargeCategory"].to_pylist()
    for row in (3, 500, 998):
        categories[row] = "Bogus"
    table = aws.set_column(
        aws.schema.get_field_index("ChargeCategory"), "ChargeCategory", pa.array(categories)
    )
    findings = validate_batches(table)
    finding = next(f for f in findings if f.rule_id == "CAU-ChargeCategory-C-003-M")
    assert (finding.rows, finding.sample_rows, finding.column) == (
        3,
        (3, 500, 998),
        "ChargeCategory",
    )
    assert "Usage, Purchase, Tax, Credit, Adjustment" in finding.message


def test_row_numbers_continue_across_batches(aws: pa.Table) -> None:
    frequencies = aws["ChargeFrequency"].to_pylist()
    frequencies[999] = "Sometimes"
    table = aws.set_column(
        aws.schema.get_field_index("ChargeFrequency"), "ChargeFrequency", pa.array(frequencies)
    )
    validator = Validator("cost-and-usage")
    validator.begin(table.column_names)
    for batch in table.to_batches(max_chunksize=128):
        validator.feed(batch)
    found = _errors(validator.finish())
    assert found["CAU-ChargeFrequency-C-003-M"] == (1, (999,))
    assert validator.rows == 1000


def test_typed_and_text_input_give_the_same_verdict() -> None:
    typed = validate_path(AWS).findings
    text = validate_path(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv").findings
    assert _errors(typed) == _errors(text)


def test_missing_mandatory_column_and_unprefixed_custom_column(aws: pa.Table) -> None:
    table = aws.drop_columns(["BilledCost"]).append_column("Datacenter", pa.array(["x"] * 1000))
    findings = validate_batches(table)
    errors = _errors(findings)
    assert errors["CAU-CostAndUsage-D-006-M"] == (0, ())
    assert errors["ColumnHandling-A-010-M"] == (0, ())
    skipped = {f.rule_id for f in findings if f.severity is Severity.SKIPPED}
    assert "CAU-BilledCost-C-003-M" in skipped


def test_absent_conditional_column_is_skipped_not_failed(aws: pa.Table) -> None:
    findings = validate_batches(aws.drop_columns(["Tags"]))
    tags = [f for f in findings if f.column == "Tags"]
    assert {f.severity for f in tags} == {Severity.SKIPPED}
    declared = validate_batches(aws.drop_columns(["Tags"]), criteria=["TAGGING_SUPPORTED"])
    assert _errors(declared)["CAU-CostAndUsage-D-064-C"] == (0, ())


def test_functional_dependency_across_batches(aws: pa.Table) -> None:
    names = aws["ServiceName"].to_pylist()
    categories = aws["ServiceCategory"].to_pylist()
    name = names[0]
    last = max(i for i, n in enumerate(names) if n == name)
    categories[last] = "Other" if categories[last] != "Other" else "Compute"
    subcategories = aws["ServiceSubcategory"].to_pylist()
    subcategories[last] = f"Other ({categories[last]})"
    table = aws.set_column(
        aws.schema.get_field_index("ServiceCategory"), "ServiceCategory", pa.array(categories)
    )
    table = table.set_column(
        table.schema.get_field_index("ServiceSubcategory"),
        "ServiceSubcategory",
        pa.array(subcategories),
    )
    validator = Validator()
    validator.begin(table.column_names)
    for batch in table.to_batches(max_chunksize=100):
        validator.feed(batch)
    finding = next(f for f in validator.finish() if f.rule_id == "CAU-ServiceName-C-005-C")
    assert finding.severity is Severity.ERROR
    assert finding.rows == names.count(name)
    assert name in finding.message


def test_decimal_product_rule_is_exact_near_the_tolerance() -> None:
    base = {"ListUnitPrice": ["0.1"], "PricingQuantity": ["3"]}
    near = validate_batches(pa.table({**base, "ListCost": ["0.3000000000000000001"]}))
    far = validate_batches(pa.table({**base, "ListCost": ["0.31"]}))
    assert "CAU-ListCost-C-011-C" not in _errors(near)
    assert _errors(far)["CAU-ListCost-C-011-C"] == (1, (0,))


def test_decode_json_text_is_strict_and_exact() -> None:
    ok, value = decode_json_text('{"a": 0.10, "b": [1, true, null]}')
    assert ok
    assert value["a"] == Decimal("0.10") and value["a"].text == "0.10"
    assert decode_json_text('{"a": 1, "a": 2}') == (False, None)
    assert decode_json_text('{"a": NaN}') == (False, None)
    assert decode_json_text("{'a': 1}") == (False, None)


def test_detect_dataset() -> None:
    assert detect_dataset(["ContractCommitmentId", "ContractId"]) == "contract-commitment"
    assert detect_dataset(["ChargeCategory", "ContractCommitmentId"]) == "cost-and-usage"


def test_validate_hook_returns_findings_for_any_provider(aws: pa.Table) -> None:
    findings = conformance.validate(table=aws, provider="aws", context=Context())
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert {f.rule_id for f in errors} == {
        "CAU-ContractAppliedObject-O-007-M",
        "CAU-ContractAppliedObject-O-042-C",
        "CAU-ContractAppliedObject-O-051-C",
        "CAU-ContractAppliedObject-O-060-C",
    }
    assert {f.provider for f in findings} == {"aws"}


def test_report_of_a_folder(tmp_path: Path, aws: pa.Table) -> None:
    pq.write_table(aws.slice(0, 400), tmp_path / "a.parquet")
    pq.write_table(aws.slice(400), tmp_path / "b.parquet")
    report = validate_path(tmp_path)
    assert report.rows == 1000
    assert len(report.files) == 2
    assert not report.ok and report.exit_code == 1
    data = report.to_dict()
    assert data["counts"]["error"] == 4
    assert data["conformant"] is False
    o007 = next(f for f in data["findings"] if f["rule_id"] == "CAU-ContractAppliedObject-O-007-M")
    assert o007["rows"] == 627
    assert o007["sample_rows"] == [1, 2, 3, 4, 5]


def _walk(node: object, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, str(index)))


def test_json_rules_look_at_values_only_through_type_blankness_and_units() -> None:
    """The JSON shape grouping in .vectorised relies on this; a new kind of check must fail here."""
    from focus_ionos_plugin.focus.vectorised import _JSON_UNIT_KEYS

    text = r"[^ \t\n\r\f\v]"
    for rule in rules("cost-and-usage"):
        json_schemas = [rule.schema.get(k) for k in ("x-focus-json", "contentSchema")]
        for root in filter(None, json_schemas):
            for path, node in _walk(root):
                assert not {"minimum", "maximum", "const", "minLength", "maxLength"} & set(node)
                if "enum" in node:
                    assert "propertyNames" in path, (rule.rule_id, path)
                if "pattern" in node:
                    in_keys = "propertyNames" in path
                    unit_key = len(path) >= 2 and path[-1] in _JSON_UNIT_KEYS
                    assert in_keys or unit_key or node["pattern"] == text, (rule.rule_id, path)
