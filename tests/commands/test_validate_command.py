"""``focus-ionos validate``: reports in text, JSON and JUnit, exit codes 0/1/2."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
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


def _both_formats(root: Path) -> Path:
    """A dataset as ``export --format both`` writes it: each partition in Parquet and CSV."""
    for month, vendor in (("2026-05", "aws"), ("2026-06", "azure")):
        part = root / "provider=x" / f"billing_period={month}"
        part.mkdir(parents=True)
        stem = f"{vendor}-focus-1.3-cost-and-usage-1k"
        shutil.copy(SAMPLES / f"{stem}.parquet", part / "part-0.parquet")
        shutil.copy(SAMPLES / f"{stem}.csv", part / "part-0.csv")
    return root


def test_csv_twins_of_parquet_files_are_not_read_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _both_formats(tmp_path)
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "2000 rows in 2 files" in out
    assert (
        "  skipped 2 CSV files beside Parquet files (same rows; Parquet is read): "
        "provider=x/billing_period=2026-05/part-0.csv, "
        "provider=x/billing_period=2026-06/part-0.csv"
    ) in out
    assert main(["validate", str(root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 2000
    assert [Path(f).name for f in data["files"]] == ["part-0.parquet", "part-0.parquet"]
    assert [Path(f).parent.name for f in data["skipped_files"]] == [
        "billing_period=2026-05",
        "billing_period=2026-06",
    ]
    o007 = next(f for f in data["findings"] if f["rule_id"] == "CAU-ContractAppliedObject-O-007-M")
    assert o007["rows"] == 627 + 588
    assert main(["validate", str(root), "--format", "junit"]) == 1
    suite = ET.fromstring(capsys.readouterr().out.split("\n", 1)[1])
    properties = [(p.get("name"), Path(p.get("value") or "")) for p in suite.iter("property")]
    assert [(name, path.suffix) for name, path in properties] == [
        ("file", ".parquet"),
        ("file", ".parquet"),
        ("skipped_file", ".csv"),
        ("skipped_file", ".csv"),
    ]


def test_a_csv_only_folder_is_still_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _both_formats(tmp_path)
    for parquet in root.rglob("*.parquet"):
        parquet.unlink()
    assert main(["validate", str(root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 2000
    assert [Path(f).name for f in data["files"]] == ["part-0.csv", "part-0.csv"]
    assert data["skipped_files"] == []


def test_unknown_applicability_criterion_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet")
    assert main(["validate", path, "--applicability-criteria", "REGION_SUPPORTED,FOO"]) == 2
    err = capsys.readouterr().err
    assert "unknown applicability criterion FOO" in err
    assert "ACCOUNT_NAMING_SUPPORTED" in err and "REGION_SUPPORTED" in err and "ALL" in err
    assert main(["validate", path, "--applicability-criteria", "all"]) == 1
    assert main(["validate", path, "--applicability-criteria", "region_supported"]) == 1


def _split(tmp_path: Path) -> Path:
    """The AWS sample in two files: rows 0-2 in a.parquet, rows 3-999 in b.parquet."""
    table = pq.read_table(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet")
    pq.write_table(table.slice(0, 3), tmp_path / "a.parquet")
    pq.write_table(table.slice(3), tmp_path / "b.parquet")
    return tmp_path


def test_sample_rows_name_the_file_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _split(tmp_path)
    rule = "CAU-ContractAppliedObject-O-007-M"
    assert main(["validate", str(root)]) == 1
    line = next(line for line in capsys.readouterr().out.splitlines() if rule in line)
    assert line.endswith("627 rows  e.g. a.parquet rows 1, 2; b.parquet rows 0, 1, 2")

    assert main(["validate", str(root), "--format", "json"]) == 1
    finding = next(
        f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule_id"] == rule
    )
    assert finding["sample_rows"] == [1, 2, 3, 4, 5]
    assert finding["samples"] == [
        {"file": str(root / "a.parquet"), "row": 1},
        {"file": str(root / "a.parquet"), "row": 2},
        {"file": str(root / "b.parquet"), "row": 0},
        {"file": str(root / "b.parquet"), "row": 1},
        {"file": str(root / "b.parquet"), "row": 2},
    ]

    assert main(["validate", str(root), "--format", "junit"]) == 1
    suite = ET.fromstring(capsys.readouterr().out.split("\n", 1)[1])
    case = next(c for c in suite.findall("testcase") if c.get("name") == rule)
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert failure.text.endswith("(627 rows; e.g. a.parquet rows 1, 2; b.parquet rows 0, 1, 2)")


def test_a_single_file_keeps_plain_row_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    path = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "627 rows  e.g. rows 1, 2, 3, 4, 5" in out


def test_dataset_level_findings_appear_once_per_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _split(tmp_path)
    assert main(["validate", str(root), "--dataset", "contract-commitment"]) == 1
    out = capsys.readouterr().out
    missing = [line for line in out.splitlines() if "ContractCommitmentCost is missing" in line]
    assert missing == ["          column ContractCommitmentCost is missing in all 2 files"]
    errors = [line for line in out.splitlines() if line.startswith("  error")]
    assert len(errors) == len({line.split()[1] for line in errors})
