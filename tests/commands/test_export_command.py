"""``focus-ionos export``: the main job on the demo account, end to end over loopback."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings

D = Decimal
TOTALS = {"2026-09": D("1322.53"), "2026-10": D("1241.95"), "2026-11": D("1425.89")}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    app = App(stdout=out, stderr=err, settings=Settings({}))
    code = cli.main(list(argv), app=app)
    return code, out.getvalue(), err.getvalue()


def partition(root: Path, month: str) -> Path:
    return root / "provider=ionos" / f"billing_period={month}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, int, str]:
    root = tmp_path_factory.mktemp("export") / "focus-out"
    code, out, err = run("export", "--demo", "--out", str(root), "--format", "both")
    assert err == ""
    return root, code, out


def test_demo_export_writes_every_month_and_exits_0(exported):
    root, code, _ = exported
    assert code == 0
    months = sorted(p.name for p in (root / "provider=ionos").iterdir())
    assert months == [f"billing_period={m}" for m in ("2026-09", "2026-10", "2026-11", "2026-12")]
    for month, total in TOTALS.items():
        table = pq.read_table(partition(root, month) / "part-0.parquet")
        assert pc.sum(table["BilledCost"]).as_py() == total
        assert set(table["x_CostStatus"].to_pylist()) == {"Invoiced"}
    open_month = pq.read_table(partition(root, "2026-12") / "part-0.parquet")
    assert set(open_month["x_CostStatus"].to_pylist()) == {"Estimated", "Unpriced"}


def test_summary_shows_rows_totals_and_findings(exported):
    _, _, out = exported
    assert "ionos     2026-09         816  1,322.53 EUR Invoiced" in out
    assert "ionos     2026-12         104  160.18 EUR Estimated, 0.00 EUR Unpriced" in out
    assert "total: 2790 rows in 4 partition(s)" in out
    assert "EUR Invoiced           3,990.37" in out
    assert "findings: 0 error(s), 1 warning(s), 1 info" in out
    assert "warning ionos-unpriced-meter [BilledCost] 2026-12" in out


def test_parquet_and_csv_keep_the_leading_zero_and_exact_decimals(exported):
    root, _, _ = exported
    folder = partition(root, "2026-10")
    table = pq.read_table(folder / "part-0.parquet")
    assert set(table["BillingAccountId"].to_pylist()) == {"031000777"}
    assert str(table.schema.field("BilledCost").type) == "decimal128(38, 18)"
    assert table.schema.metadata is None or b"focus_ionos.reconciliation" not in (
        table.schema.metadata or {}
    )
    options = pacsv.ConvertOptions(column_types={"BillingAccountId": "string"})
    csv = pacsv.read_csv(folder / "part-0.csv", convert_options=options)
    assert set(csv["BillingAccountId"].to_pylist()) == {"031000777"}
    text = (folder / "part-0.csv").read_text(encoding="utf-8")
    assert "031000777" in text
    assert re.search(r'"-?[0-9.]+[eE][-+]?[0-9]+"', text) is None  # no exponents
    assert csv.num_rows == table.num_rows == 907


def test_metadata_file_describes_the_columns(exported):
    root, _, _ = exported
    meta = json.loads((root / "_focus_metadata.json").read_text(encoding="utf-8"))
    assert meta["FocusVersion"] == "1.3"
    columns = [c["ColumnName"] for c in meta["Schemas"][0]["ColumnDefinition"]]
    assert columns[-2:] == ["x_CostStatus", "x_Source"]
    assert len(columns) == 67
    assert meta["Providers"] == ["ionos"]


def test_reexport_of_one_period_replaces_it_without_duplicates(exported, tmp_path):
    root = tmp_path / "out"
    raw = tmp_path / "raw"
    for _ in range(2):
        code, _, _ = run(
            "export", "--demo", "--period", "2026-11", "--out", str(root), "--raw-dir", str(raw)
        )
        assert code == 0
    assert (raw / "ionos" / "2026-11" / "manifest.json").is_file()
    assert (raw / "ionos" / "2026-11" / "invoice-GY26110001.json").is_file()
    table = pq.read_table(partition(root, "2026-11"))
    assert table.num_rows == 963
    assert pc.sum(table["BilledCost"]).as_py() == TOTALS["2026-11"]
    assert sorted(p.name for p in (root / "provider=ionos").iterdir()) == ["billing_period=2026-11"]
    assert not (partition(root, "2026-11") / "part-0.csv").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--period", "2026-11", "--to", "2026-12"], "--to goes with --from"),
        (["--to", "2026-09"], "--to 2026-09 needs --from (the first month); for that month"),
        (["--from", "2027-01"], "--from 2027-01 is after 2026-12, the latest period there is"),
        (["--period", "11/2026"], "is not a month written YYYY-MM"),
    ],
)
def test_bad_period_options_exit_2(tmp_path, argv, message):
    code, _, err = run("export", "--demo", "--out", str(tmp_path), *argv)
    assert code == 2
    assert message in err


def test_summary_counts_each_rule_not_checked_once(exported):
    _, _, out = exported
    assert "findings: 0 error(s), 1 warning(s), 1 info, 162 rule(s) not checked" in out


def test_unpriced_meter_warning_names_quantity_unit_and_rows(exported):
    _, _, out = exported
    assert "meter(s) NLB1000 (38 Hours, 2 rows): their rows keep the quantity" in out


def test_finding_counts_errors_per_partition_facts_once():
    from focus_ionos_plugin.commands.export import finding_counts
    from focus_ionos_plugin.findings import Finding, Severity

    skipped = Finding("R-1", Severity.SKIPPED, "needs data outside the dataset")
    error = Finding("R-2", Severity.ERROR, "BilledCost is null", column="BilledCost", rows=3)
    info = Finding("R-3", Severity.INFO, "uses custom columns x_")
    findings = [(m, f) for m in ("2026-09", "2026-10") for f in (skipped, error, info)]
    counts = finding_counts(findings)
    assert counts == {
        Severity.ERROR: 2,
        Severity.WARNING: 0,
        Severity.SKIPPED: 1,
        Severity.INFO: 1,
    }


def test_period_without_data_is_not_written_and_exits_2(tmp_path):
    out = tmp_path / "x1"
    code, stdout, err = run("export", "--demo", "--period", "2025-01", "--out", str(out))
    assert (code, stdout) == (2, "")
    assert err == (
        "error: no IONOS Cloud data for 2025-01; periods with data: 2026-09, 2026-10, "
        "2026-11, 2026-12 (see 'focus-ionos periods')\n"
    )
    assert not out.exists()


def test_range_with_and_without_data_writes_the_months_with_data(tmp_path, capsys):
    out = tmp_path / "x1"
    code, stdout, _ = run(
        "export", "--demo", "--from", "2026-07", "--to", "2026-09", "--out", str(out)
    )
    assert code == 0
    months = sorted(p.name for p in (out / "provider=ionos").iterdir())
    assert months == ["billing_period=2026-09"]
    assert "  no data, not written: 2026-07, 2026-08\n" in stdout
    assert "total: 816 rows in 1 partition(s)" in stdout
    assert "WARNING focus_ionos_plugin.commands.export: no IONOS Cloud data for 2026-07, " in (
        capsys.readouterr().err
    )


def test_from_alone_runs_to_the_latest_listed_period(tmp_path):
    out = tmp_path / "x1"
    code, stdout, _ = run("export", "--demo", "--from", "2026-11", "--out", str(out))
    assert code == 0
    months = sorted(p.name for p in (out / "provider=ionos").iterdir())
    assert months == ["billing_period=2026-11", "billing_period=2026-12"]
    assert "total: 1067 rows in 2 partition(s)" in stdout


@pytest.mark.parametrize("demo", [["--demo"], []])
def test_out_that_is_a_file_exits_2_before_fetching(tmp_path, demo):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    code, stdout, err = run("export", *demo, "--period", "2026-11", "--out", str(afile))
    assert (code, stdout) == (2, "")
    assert err == f"error: --out {afile} is a file; give a folder (it is created when missing)\n"
    code, _, err = run("export", *demo, "--period", "2026-11", "--out", str(afile / "sub"))
    assert code == 2
    assert err == f"error: --out {afile / 'sub'}: {afile} is a file; give a folder\n"
    assert afile.read_text() == "keep me"


def test_quiet_summary_is_one_line_per_partition_plus_totals(tmp_path):
    out = tmp_path / "x1"
    code, stdout, err = run(
        "-q", "export", "--demo", "--from", "2026-11", "--to", "2026-12", "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert stdout == (
        "  ionos     2026-11         963  1,425.89 EUR Invoiced\n"
        "  ionos     2026-12         104  160.18 EUR Estimated, 0.00 EUR Unpriced\n"
        "  total: 1067 rows in 2 partition(s)\n"
        "    EUR Estimated            160.18\n"
        "    EUR Invoiced           1,425.89\n"
        "    EUR Unpriced               0.00\n"
        "findings: 0 error(s), 1 warning(s)\n"
    )


def test_report_of_a_month_the_export_does_not_hold_exits_2(exported, tmp_path):
    root, _, _ = exported
    code, _, err = run("report", str(root), "--period", "2025-01", "--out", str(tmp_path / "r"))
    assert code == 2
    assert err == f"error: {root} has no rows in 2025-01; its months: 2026-09, 2026-10, " + (
        "2026-11, 2026-12\n"
    )
