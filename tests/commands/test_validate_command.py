"""``focus-ionos validate``: reports in text, JSON and JUnit, exit codes 0/1/2."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from focus_ionos_plugin.cli import main

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


def test_conformant_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(SAMPLES / "gcp-focus-1.3-contract-commitment.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "FOCUS 1.3 contract-commitment" in out
    assert "73 rows in 1 file" in out
    assert "RESULT: conformant: 0 errors, 0 warnings; 64 rules passed, 12 not checked" in out


def test_errors_exit_1_worst_first(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(SAMPLES / "azure-focus-1.3-cost-and-usage-1k.parquet")])
    out = capsys.readouterr().out
    assert code == 1
    assert "RESULT: NOT conformant: 4 errors, 0 warnings" in out
    lines = [line for line in out.splitlines() if line.startswith("  error")]
    assert [line.split()[1] for line in lines] == [
        "CAU-ContractAppliedObject-O-007-M",
        "CAU-ContractAppliedObject-O-051-C",
        "CAU-ContractAppliedObject-O-060-C",
        "CAU-ContractAppliedObject-O-042-C",
    ]
    assert "588 rows" in lines[0]


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["validate", str(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv"), "--format", "json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["rows"] == 1000
    assert data["counts"] == {"error": 4, "warning": 0, "skipped": 162, "info": 0}
    assert data["findings"][0]["rule_id"] == "CAU-ContractAppliedObject-O-007-M"
    assert data["findings"][0]["rows"] == 627


def test_junit_report(capsys: pytest.CaptureFixture[str]) -> None:
    path = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"
    code = main(["validate", str(path), "--format", "junit"])
    suite = ET.fromstring(capsys.readouterr().out.split("\n", 1)[1])
    assert code == 1
    assert suite.get("failures") == "4"
    cases = suite.findall("testcase")
    assert len(cases) == 342 + 4 + 162
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert "CAU-ContractAppliedObject-O-042-C" in failed


def test_dataset_option_and_skipped_list(capsys: pytest.CaptureFixture[str]) -> None:
    path = SAMPLES / "aws-focus-1.3-contract-commitment.parquet"
    code = main(["validate", str(path), "--dataset", "contract-commitment", "--show-skipped"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Not checked:" in out
    assert "CCT-ContractId-C-005-M  not checked: needs information outside the dataset" in out


def test_unreadable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"BilledCost,ChargeCategory\n1,Usage,extra\n")
    assert main(["validate", str(broken)]) == 2
    assert "broken CSV" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.parquet")]) == 2


def test_bad_option_exits_2() -> None:
    assert main(["validate", "x.csv", "--format", "xml"]) == 2
