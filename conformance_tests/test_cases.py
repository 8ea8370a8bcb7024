"""Every conformance case gives exactly the errors and warnings it expects, on the rows it names."""

from __future__ import annotations

from pathlib import Path

import pytest
from casebook import Case, load_cases, reported, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.dataset}:{c.id}" for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    findings = run_case(case, tmp_path)
    assert reported(findings) == case.expect
    for finding in findings:
        if finding.rule_id in case.expect:
            assert finding.rows == len(case.expect[finding.rule_id])
