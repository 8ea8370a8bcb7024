"""Whole-file cases: other providers' FOCUS 1.3 exports (focus-data-toolkit samples).

The samples are conformant except for one data defect of the generator: ContractApplied
elements carry either the applied cost or the applied quantity and unit, and leave the other
keys out, while FOCUS 1.3 asks for all five keys in every element (the official validator
reports the same four rules on the same elements).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.focus.conformance import validate_path

SAMPLES = Path(__file__).parent.parent / "tests" / "data" / "samples"

# sample -> {rule: failing rows}
EXPECTED = {
    "aws": {
        "CAU-ContractAppliedObject-O-007-M": 627,
        "CAU-ContractAppliedObject-O-042-C": 227,
        "CAU-ContractAppliedObject-O-051-C": 400,
        "CAU-ContractAppliedObject-O-060-C": 400,
    },
    "azure": {
        "CAU-ContractAppliedObject-O-007-M": 588,
        "CAU-ContractAppliedObject-O-042-C": 188,
        "CAU-ContractAppliedObject-O-051-C": 400,
        "CAU-ContractAppliedObject-O-060-C": 400,
    },
    "gcp": {
        "CAU-ContractAppliedObject-O-007-M": 611,
        "CAU-ContractAppliedObject-O-042-C": 198,
        "CAU-ContractAppliedObject-O-051-C": 413,
        "CAU-ContractAppliedObject-O-060-C": 413,
    },
}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("provider", sorted(EXPECTED))
def test_cost_and_usage_sample(provider: str, fmt: str) -> None:
    report = validate_path(SAMPLES / f"{provider}-focus-1.3-cost-and-usage-1k.{fmt}")
    assert report.dataset == "cost-and-usage"
    assert report.rows == 1000
    failing = {
        f.rule_id: f.rows
        for f in report.findings
        if f.severity in (Severity.ERROR, Severity.WARNING)
    }
    assert failing == EXPECTED[provider]
    assert len(report.passed) == 342


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("provider", sorted(EXPECTED))
def test_contract_commitment_sample_is_conformant(provider: str, fmt: str) -> None:
    report = validate_path(SAMPLES / f"{provider}-focus-1.3-contract-commitment.{fmt}")
    assert report.dataset == "contract-commitment"
    assert report.ok
    assert [f for f in report.findings if f.severity is not Severity.SKIPPED] == []
    assert report.count(Severity.SKIPPED) == 12
