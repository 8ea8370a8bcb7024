"""``focus-ionos convert``: saved raw payloads to a FOCUS dataset, offline."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.raw import RawBatch

D = Decimal


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    app = App(stdout=out, stderr=err, settings=Settings({}))
    code = cli.main(list(argv), app=app)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("raw")
    code, _, err = run(
        "fetch", "--demo", "--from", "2026-10", "--to", "2026-11", "--raw-dir", str(folder)
    )
    assert (code, err) == (0, "")
    return folder


def test_convert_saved_payloads(raw_dir, tmp_path):
    out = tmp_path / "out"
    code, text, err = run(
        "convert",
        "--raw-dir",
        str(raw_dir),
        "--from",
        "2026-10",
        "--to",
        "2026-11",
        "--out",
        str(out),
        "--format",
        "both",
    )
    assert (code, err) == (0, "")
    october = pq.read_table(out / "provider=ionos" / "billing_period=2026-10" / "part-0.parquet")
    assert pc.sum(october["BilledCost"]).as_py() == D("1241.95")
    assert set(october["BillingAccountId"].to_pylist()) == {"031000777"}
    assert (out / "provider=ionos" / "billing_period=2026-11" / "part-0.csv").is_file()
    assert (out / "_focus_metadata.json").is_file()
    assert "ionos     2026-11         963  1,425.89 EUR Invoiced" in text
    assert "findings: 0 error(s), 0 warning(s), 0 info" in text


def test_error_findings_exit_1_and_the_data_is_still_written(raw_dir, tmp_path):
    batch = RawBatch.load(raw_dir / "ionos" / "2026-10")
    batch.meta["contract"] = "031000778"  # another contract than the payloads say
    copy = tmp_path / "raw"
    batch.save(copy / "ionos" / "2026-10")
    out = tmp_path / "out"
    code, text, _ = run("convert", "--raw-dir", str(copy), "--period", "2026-10", "--out", str(out))
    assert code == 1
    assert "error ionos-contract-mismatch [BillingAccountId] 2026-10" in text
    written = pq.read_table(out / "provider=ionos" / "billing_period=2026-10")
    assert set(written["BillingAccountId"].to_pylist()) == {"031000778"}


def test_tampered_payload_is_refused(raw_dir, tmp_path):
    copy = tmp_path / "raw" / "ionos" / "2026-10"
    RawBatch.load(raw_dir / "ionos" / "2026-10").save(copy)
    (copy / "usage.json").write_text(json.dumps({"datacenters": []}), encoding="utf-8")
    code, _, err = run(
        "convert",
        "--raw-dir",
        str(tmp_path / "raw"),
        "--period",
        "2026-10",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 2
    assert "does not match its SHA-256" in err


def test_missing_period_names_the_fetch_command(raw_dir, tmp_path):
    code, _, err = run(
        "convert", "--raw-dir", str(raw_dir), "--period", "2026-09", "--out", str(tmp_path)
    )
    assert code == 2
    assert "no saved raw batch of ionos 2026-09" in err
    assert "focus-ionos fetch --period 2026-09" in err


@pytest.fixture(scope="module")
def raw_with_empty_month(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("raw-empty")
    code, _, err = run(
        "fetch", "--demo", "--from", "2026-08", "--to", "2026-09", "--raw-dir", str(folder)
    )
    assert (code, err) == (0, "")
    return folder


def test_saved_month_without_data_is_not_written_and_exits_2(raw_with_empty_month, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run(
        "convert", "--raw-dir", str(raw_with_empty_month), "--period", "2026-08", "--out", str(out)
    )
    assert (code, stdout) == (2, "")
    assert err == (
        "error: no IONOS Cloud data in the saved batch of 2026-08; saved periods with data: "
        f"2026-09 (under {raw_with_empty_month / 'ionos'})\n"
    )
    assert not out.exists()


def test_from_alone_converts_up_to_the_latest_saved_month(raw_with_empty_month, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = run(
        "convert", "--raw-dir", str(raw_with_empty_month), "--from", "2026-08", "--out", str(out)
    )
    assert code == 0
    months = sorted(p.name for p in (out / "provider=ionos").iterdir())
    assert months == ["billing_period=2026-09"]
    assert "  no data, not written: 2026-08\n" in stdout
    assert "total: 816 rows in 1 partition(s)" in stdout


def test_out_that_is_a_file_exits_2(raw_dir, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    code, _, err = run(
        "convert", "--raw-dir", str(raw_dir), "--period", "2026-10", "--out", str(afile)
    )
    assert code == 2
    assert err == f"error: --out {afile} is a file; give a folder (it is created when missing)\n"
