"""``focus-ionos report``: HTML and JSON files from a dataset, period options, errors."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
AWS = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _run(*argv: str) -> tuple[int, str, str]:
    app = App(stdout=io.StringIO(), stderr=io.StringIO(), settings=Settings({}))
    code = cli.main(list(argv), app=app)
    return code, app.stdout.getvalue(), app.stderr.getvalue()


@pytest.fixture
def dataset(tmp_path) -> Path:
    folder = tmp_path / "dataset"
    folder.mkdir()
    shutil.copy(AWS, folder / AWS.name)
    return folder


def test_html_report_is_written(dataset, tmp_path):
    out = tmp_path / "site" / "report.html"
    code, stdout, stderr = _run("report", str(dataset), "--out", str(out), "--no-validate")
    assert (code, stderr) == (0, "")
    assert stdout == f"wrote {out}: 2026-05..2026-05, billed 23,635.85 USD\n"
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'data-value="23635.852353571874674">23,635.85 USD<' in html
    assert list(out.parent.iterdir()) == [out]  # no staging file left behind
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_json_goes_to_standard_output(dataset):
    code, stdout, _ = _run("report", str(dataset), "--format", "json", "--no-validate")
    assert code == 0
    data = json.loads(stdout)
    assert data["months"] == ["2026-05"]
    assert data["kpis"]["totals"][0]["billed_cost"] == "23635.852353571874674"
    assert [row["key"] for row in data["breakdowns"]["charge_category"]["USD"]] == [
        "Purchase",
        "Usage",
        "Tax",
    ]


def test_period_outside_the_data_exits_2_naming_the_months_there_are(dataset, tmp_path):
    out = tmp_path / "r.html"
    code, stdout, stderr = _run("report", str(dataset), "--period", "2026-04", "--out", str(out))
    assert (code, stdout) == (2, "")
    assert stderr == f"error: {dataset} has no rows in 2026-04; its months: 2026-05\n"
    assert not out.exists()


def test_from_alone_runs_to_the_latest_month_of_the_dataset(dataset):
    code, stdout, _ = _run(
        "report", str(dataset), "--format", "json", "--from", "2026-03", "--no-validate"
    )
    assert code == 0
    assert json.loads(stdout)["months"] == ["2026-05"]


def test_from_to_selects_months(dataset, tmp_path):
    out = tmp_path / "r.json"
    code, stdout, _ = _run(
        "report",
        str(dataset),
        "--format",
        "json",
        "--from",
        "2026-04",
        "--to",
        "2026-05",
        "--out",
        str(out),
        "--no-validate",
    )
    assert (code, stdout) == (0, f"wrote the report's analyses to {out}\n")
    assert json.loads(out.read_text())["months"] == ["2026-05"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--period", "2026-13"], "period '2026-13' is not a month written YYYY-MM"),
        (["--from", "2026-07"], "--from 2026-07 is after 2026-05, the latest period there is"),
        (["--to", "2026-01"], "--to 2026-01 needs --from"),
        (["--period", "2025-01"], "has no rows in 2025-01; its months: 2026-05"),
        (["--from", "2025-01", "--to", "2025-12"], "no rows in 2025-01..2025-12; its months"),
        (["--from", "2026-05", "--to", "2026-01"], "--from 2026-05 is after --to 2026-01"),
        (["--period", "2026-05", "--to", "2026-06"], "--to goes with --from"),
    ],
)
def test_bad_period_options_exit_2(dataset, options, message):
    code, _, stderr = _run("report", str(dataset), "--no-validate", *options)
    assert code == 2
    assert message in stderr


def test_missing_dataset_exits_2(tmp_path):
    code, _, stderr = _run("report", str(tmp_path / "nope"), "--out", str(tmp_path / "r.html"))
    assert code == 2
    assert f"{tmp_path / 'nope'}: no such file or folder" in stderr


def test_unwritable_output_exits_2(dataset, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, stderr = _run(
        "report", str(dataset), "--out", str(blocker / "r.html"), "--no-validate"
    )
    assert code == 2
    assert stderr == (
        f"error: --out {blocker / 'r.html'}: its parent {blocker} is a file, not a folder; "
        "give another path\n"
    )


def test_output_that_is_a_folder_exits_2(dataset, tmp_path):
    code, _, stderr = _run("report", str(dataset), "--out", str(tmp_path), "--no-validate")
    assert code == 2
    suggested = tmp_path / "report.html"
    assert stderr == f"error: --out {tmp_path} is a folder; give a file name such as {suggested}\n"
