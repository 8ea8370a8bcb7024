"""Every rule in the schemas has a passing and a failing case; no case names an unknown rule."""

from __future__ import annotations

import pytest
from casebook import load_cases

from focus_ionos_plugin.focus.conformance import rules

CASES = load_cases()
DATASETS = ["cost-and-usage", "contract-commitment"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_checked_rule_has_a_passing_and_a_failing_case(dataset: str) -> None:
    checked = {r.rule_id for r in rules(dataset) if r.kind != "unchecked"}  # type: ignore[arg-type]
    ours = [c for c in CASES if c.dataset == dataset]
    failing = {c.rule for c in ours if c.rule in c.expect}
    passing = {c.rule for c in ours if c.rule not in c.expect}
    assert sorted(checked - failing) == []
    assert sorted(checked - passing) == []


@pytest.mark.parametrize("dataset", DATASETS)
def test_cases_name_only_known_rules(dataset: str) -> None:
    known = {r.rule_id for r in rules(dataset)}  # type: ignore[arg-type]
    ours = [c for c in CASES if c.dataset == dataset]
    unknown = {c.rule for c in ours} | {rid for c in ours for rid in c.expect}
    assert sorted(unknown - known) == []


@pytest.mark.parametrize("dataset", DATASETS)
def test_rule_ids_are_unique_and_official_where_they_exist(dataset: str) -> None:
    ids = [r.rule_id for r in rules(dataset)]  # type: ignore[arg-type]
    assert len(ids) == len(set(ids))
    prefix = "CAU-" if dataset == "cost-and-usage" else "CCT-"
    own = [i for i in ids if not i.startswith((prefix, "ColumnHandling-"))]
    assert all(i.startswith("focus-") for i in own)
