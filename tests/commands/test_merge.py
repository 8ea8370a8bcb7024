"""``focus-ionos merge``: the combined multi-provider dataset, end to end."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.cli import main
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.files import plugin as files_plugin
from focus_ionos_plugin.focus.conformance import validate_path
from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.focus.upgrade import ADDED_IN
from focus_ionos_plugin.hookspecs import ProviderInfo, hookimpl
from focus_ionos_plugin.host import PluginHost
from focus_ionos_plugin.periods import BillingPeriod

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
TOTALS = {
    "aws": Decimal("23635.852353571874674"),
    "azure": Decimal("29519.49261263168"),
    "gcp": Decimal("33469.1987752909775"),
}
FOCUS_COLUMNS = cost_and_usage_schema().names
# Inputs of older FOCUS versions are made by dropping the columns added since.
NEW_IN_1_3 = list(ADDED_IN["1.3"])
NEW_IN_1_1_AND_1_2 = [*ADDED_IN["1.1"], *ADDED_IN["1.2"]]


class StandInIonos:
    """A throwaway provider named ``ionos``: two months, EUR and one CHF row, x_ column."""

    @hookimpl
    def focus_providers(self, register):  # type: ignore[no-untyped-def]
        register(ProviderInfo("ionos", "IONOS Cloud (stand-in)"))

    @hookimpl
    def list_periods(self, provider, context):  # type: ignore[no-untyped-def]
        if provider != "ionos":
            return None
        return [BillingPeriod("2026-05"), BillingPeriod("2026-06", closed=False)]

    @hookimpl
    def fetch_raw(self, provider, period):  # type: ignore[no-untyped-def]
        return {"month": period.month} if provider == "ionos" else None

    @hookimpl
    def to_focus(self, provider, raw):  # type: ignore[no-untyped-def]
        if provider != "ionos":
            return None
        year, month = map(int, raw["month"].split("-"))
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        costs = [Decimal("100.10"), Decimal("0.000001"), Decimal("7")]
        return pa.table(
            {
                "BilledCost": pa.array(costs, pa.decimal128(38, 18)),
                "EffectiveCost": pa.array(costs, pa.decimal128(38, 18)),
                "BillingCurrency": ["EUR", "EUR", "CHF"],
                "BillingPeriodStart": pa.array([start] * 3, pa.timestamp("s", tz="UTC")),
                "BillingPeriodEnd": pa.array([end] * 3, pa.timestamp("s", tz="UTC")),
                "ChargeCategory": ["Usage", "Usage", "Tax"],
                "ProviderName": ["IONOS Cloud"] * 3,
                "x_CostStatus": ["Invoiced", "Invoiced", "Estimated"],
            }
        )


@pytest.fixture
def app() -> Iterator[App]:
    """An App whose host has only the FOCUS-file plugin and the IONOS stand-in."""
    host = PluginHost(environ={}).load(
        entry_points=False, plugins=[("files", files_plugin), ("ionos", StandInIonos())]
    )
    yield App(stdout=io.StringIO(), stderr=io.StringIO(), settings=Settings({}), _host=host)
    host.unregister("files")
    host.unregister("ionos")


def _merge(app: App, *args: str) -> tuple[int, dict[str, Any]]:
    app.stdout = io.StringIO()
    app.stderr = io.StringIO()
    code = main(["merge", "--json", *args], app=app)
    text = app.stdout.getvalue()  # type: ignore[attr-defined]
    return code, json.loads(text) if text else {}


def _inputs(fmt: str = "parquet") -> list[str]:
    return [
        f"--input={name}={SAMPLES / f'{name}-focus-1.3-cost-and-usage-1k.{fmt}'}"
        for name in ("aws", "azure", "gcp")
    ]


def _duckdb(out: Path, sql: str) -> list[tuple[Any, ...]]:
    source = f"read_parquet('{out}/*/*/*.parquet', hive_partitioning = true, union_by_name = true)"
    return duckdb.sql(sql.replace("DATA", source)).fetchall()


def test_merge_three_clouds_and_ionos(tmp_path: Path, app: App) -> None:
    out = tmp_path / "combined"
    code, summary = _merge(app, "--out", str(out), "--ionos", *_inputs("csv"), "--csv")

    assert code == 0, app.stderr.getvalue()  # type: ignore[attr-defined]
    assert [(p["provider"], p["billing_period"], p["rows"]) for p in summary["partitions"]] == [
        ("ionos", "2026-05", 3),
        ("ionos", "2026-06", 3),
        ("aws", "2026-05", 1000),
        ("azure", "2026-05", 1000),
        ("gcp", "2026-05", 1000),
    ]
    money = ("BilledCost", "EffectiveCost")
    totals = [
        {k: v for k, v in t.items() if k in ("provider", "currency", *money)}
        for t in summary["totals"]
    ]
    assert summary["totals"][0]["ListCost"] == "30285.709979165439508"
    assert totals == [
        {
            "provider": "aws",
            "currency": "USD",
            "BilledCost": "23635.852353571874674",
            "EffectiveCost": "23635.852353571874674",
        },
        {
            "provider": "azure",
            "currency": "USD",
            "BilledCost": "29519.49261263168",
            "EffectiveCost": "29519.49261263168",
        },
        {
            "provider": "gcp",
            "currency": "USD",
            "BilledCost": "33469.1987752909775",
            "EffectiveCost": "33469.1987752909775",
        },
        {"provider": "ionos", "currency": "CHF", "BilledCost": "14", "EffectiveCost": "14"},
        {
            "provider": "ionos",
            "currency": "EUR",
            "BilledCost": "200.200002",
            "EffectiveCost": "200.200002",
        },
    ]

    # DuckDB reads the dataset Hive-partitioned with exact types
    rows = _duckdb(
        out,
        "SELECT provider, BillingCurrency, count(*), sum(BilledCost) FROM DATA "
        "GROUP BY ALL ORDER BY ALL",
    )
    assert rows == [
        ("aws", "USD", 1000, TOTALS["aws"]),
        ("azure", "USD", 1000, TOTALS["azure"]),
        ("gcp", "USD", 1000, TOTALS["gcp"]),
        ("ionos", "CHF", 2, Decimal(14)),
        ("ionos", "EUR", 4, Decimal("200.200002")),
    ]
    types = dict(_duckdb(out, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM DATA)"))
    assert types["BilledCost"] == "DECIMAL(38,18)"
    assert types["ChargePeriodStart"] == "TIMESTAMP WITH TIME ZONE"
    assert types["BillingAccountId"] == "VARCHAR"
    assert types["x_CostStatus"] == "VARCHAR"
    assert types["billing_period"] == "VARCHAR"
    assert _duckdb(
        out, "SELECT DISTINCT BillingAccountId FROM DATA WHERE provider = 'aws' ORDER BY 1 LIMIT 1"
    ) == [("100000000001",)]

    # every partition has every FOCUS 1.3 column; custom columns stay with their provider
    for path in sorted(out.glob("provider=*/billing_period=*/part-0.parquet")):
        names = pq.read_schema(path).names
        assert names[:65] == FOCUS_COLUMNS
        assert names[65:] == (["x_CostStatus"] if "ionos" in str(path) else [])
    ionos = pq.read_table(out / "provider=ionos" / "billing_period=2026-05" / "part-0.parquet")
    assert ionos.column("x_CostStatus").to_pylist() == ["Invoiced", "Invoiced", "Estimated"]
    assert ionos.column("ServiceProviderName").to_pylist() == ["IONOS Cloud"] * 3

    metadata = json.loads((out / "_focus_metadata.json").read_text())
    assert metadata["FocusVersion"] == "1.3"
    assert metadata["Providers"] == ["aws", "azure", "gcp", "ionos"]
    columns = [c["ColumnName"] for c in metadata["Schemas"][0]["ColumnDefinition"]]
    assert columns == [*FOCUS_COLUMNS, "x_CostStatus"]

    combined = duckdb.sql(
        f"SELECT count(*), sum(CAST(BilledCost AS DECIMAL(38, 18))) FROM read_csv("
        f"'{out / '_focus_cost_and_usage.csv'}', all_varchar = true)"
    ).fetchall()
    assert combined == [(3006, sum(TOTALS.values()) + Decimal("214.200002"))]


def test_the_merged_dataset_adds_no_conformance_error(tmp_path: Path, app: App) -> None:
    out = tmp_path / "combined"
    assert _merge(app, "--out", str(out), *_inputs())[0] == 0

    merged = validate_path(out)
    alone = [
        validate_path(SAMPLES / f"{n}-focus-1.3-cost-and-usage-1k.parquet")
        for n in ("aws", "azure", "gcp")
    ]

    assert merged.rows == 3000
    errors = {f.rule_id: f.rows for f in merged.findings if f.severity == "error"}
    expected: dict[str, int] = {}
    for report in alone:
        for f in report.findings:
            if f.severity == "error":
                expected[f.rule_id] = expected.get(f.rule_id, 0) + f.rows
    # the samples' own known defect (ContractApplied elements lack keys), nothing else
    assert errors == expected
    assert set(errors) == {
        "CAU-ContractAppliedObject-O-007-M",
        "CAU-ContractAppliedObject-O-042-C",
        "CAU-ContractAppliedObject-O-051-C",
        "CAU-ContractAppliedObject-O-060-C",
    }


def test_rerun_replaces_exactly_one_partition(tmp_path: Path, app: App) -> None:
    out = tmp_path / "combined"
    assert _merge(app, "--out", str(out), "--ionos", *_inputs())[0] == 0
    gcp_file = out / "provider=gcp" / "billing_period=2026-05" / "part-0.parquet"
    gcp_before = gcp_file.stat()
    smaller = tmp_path / "aws-small.parquet"
    pq.write_table(
        pq.read_table(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet").slice(0, 10), smaller
    )

    code, summary = _merge(app, "--out", str(out), f"--input=aws={smaller}")

    assert code == 0
    assert [(p["provider"], p["rows"], p["replaced"]) for p in summary["partitions"]] == [
        ("aws", 10, True)
    ]
    rows = _duckdb(
        out, "SELECT provider, billing_period, count(*) FROM DATA GROUP BY ALL ORDER BY ALL"
    )
    assert rows == [
        ("aws", "2026-05", 10),
        ("azure", "2026-05", 1000),
        ("gcp", "2026-05", 1000),
        ("ionos", "2026-05", 3),
        ("ionos", "2026-06", 3),
    ]
    assert gcp_file.stat().st_ino == gcp_before.st_ino
    assert gcp_file.stat().st_mtime_ns == gcp_before.st_mtime_ns
    assert sorted(p.name for p in out.iterdir()) == [
        "_focus_metadata.json",
        "provider=aws",
        "provider=azure",
        "provider=gcp",
        "provider=ionos",
    ]


def test_an_interrupted_merge_leaves_the_old_partition(tmp_path: Path, app: App) -> None:
    out = tmp_path / "combined"
    assert _merge(app, "--out", str(out), *_inputs())[0] == 0
    before = (out / "provider=aws" / "billing_period=2026-05" / "part-0.parquet").read_bytes()

    # a second part whose row 500 cannot be read: the error strikes mid-stream, after the
    # first part's rows went to the staging folder
    folder = tmp_path / "aws-parts"
    folder.mkdir()
    shutil.copy(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv", folder / "part-0.csv")
    with (SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[500][rows[0].index("BilledCost")] = "12.5 EUR"
    with (folder / "part-1.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows[:501])

    code, _ = _merge(app, "--out", str(out), f"--input=aws={folder}")

    assert code == 2
    assert "column BilledCost" in app.stderr.getvalue()  # type: ignore[attr-defined]
    assert "'12.5 EUR'" in app.stderr.getvalue()  # type: ignore[attr-defined]
    after = out / "provider=aws" / "billing_period=2026-05" / "part-0.parquet"
    assert after.read_bytes() == before
    assert [p.name for p in (out / "provider=aws").iterdir()] == ["billing_period=2026-05"]


def test_older_focus_versions_are_upgraded(tmp_path: Path, app: App) -> None:
    aws = pq.read_table(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet")
    pq.write_table(aws.drop_columns(NEW_IN_1_3 + NEW_IN_1_1_AND_1_2), tmp_path / "aws-1.0.parquet")
    azure = pq.read_table(SAMPLES / "azure-focus-1.3-cost-and-usage-1k.parquet")
    pq.write_table(azure.drop_columns(NEW_IN_1_3), tmp_path / "azure-1.2.parquet")
    out = tmp_path / "combined"

    code, summary = _merge(
        app,
        "--out",
        str(out),
        f"--input=aws={tmp_path / 'aws-1.0.parquet'}",
        f"--input=azure={tmp_path / 'azure-1.2.parquet'}",
    )

    assert code == 0
    assert [t["BilledCost"] for t in summary["totals"]] == [
        "23635.852353571874674",
        "29519.49261263168",
    ]
    unknown = {
        (f["provider"], f["column"]): f["rows"]
        for f in summary["findings"]
        if f["rule_id"] == "focus-upgrade-value-unknown"
    }
    assert unknown[("aws", "ServiceSubcategory")] == 1000
    assert unknown[("aws", "ContractApplied")] == 1000
    assert unknown[("azure", "ContractApplied")] == 1000
    assert ("azure", "ServiceSubcategory") not in unknown
    rows = _duckdb(
        out,
        "SELECT provider, any_value(ServiceProviderName), any_value(HostProviderName), "
        "any_value(PricingCurrency), count(ServiceSubcategory), count(ContractApplied) "
        "FROM DATA GROUP BY ALL ORDER BY ALL",
    )
    assert rows == [
        ("aws", "AWS", "AWS", "USD", 0, 0),
        ("azure", "Microsoft Azure", "Microsoft Azure", "USD", 1000, 0),
    ]


def test_a_non_focus_input_stops_the_merge_before_writing(tmp_path: Path, app: App) -> None:
    cur = tmp_path / "cur.csv"
    cur.write_text("identity/LineItemId,lineItem/UnblendedCost\nabc,1.5\n")
    out = tmp_path / "combined"

    code, _ = _merge(app, "--out", str(out), *_inputs(), f"--input=legacy={cur}")

    assert code == 2
    message = app.stderr.getvalue()  # type: ignore[attr-defined]
    assert "input 'legacy'" in message
    assert "mandatory columns missing: BilledCost, BillingAccountId" in message
    assert not out.exists()


def test_period_selection(tmp_path: Path, app: App) -> None:
    out = tmp_path / "combined"
    code, summary = _merge(app, "--out", str(out), "--ionos", *_inputs(), "--period", "2026-06")
    assert code == 0
    assert [(p["provider"], p["billing_period"]) for p in summary["partitions"]] == [
        ("ionos", "2026-06")
    ]
    code, summary = _merge(
        app, "--out", str(out), "--ionos", "--from", "2026-04", "--to", "2026-05"
    )
    assert [(p["provider"], p["billing_period"]) for p in summary["partitions"]] == [
        ("ionos", "2026-05")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to merge"),
        (["--input", "AWS=x.csv"], "cannot name a provider partition"),
        (["--input", "aws"], "is not NAME=PATH"),
        (["--ionos", "--input", "ionos=x.csv"], "clashes with --ionos"),
        (["--from", "2026-05", "--ionos"], "needs --to"),
        (["--input", "aws=/nonexistent.csv"], "no such file or folder"),
    ],
)
def test_usage_errors(tmp_path: Path, app: App, args: list[str], message: str) -> None:
    code, _ = _merge(app, "--out", str(tmp_path / "out"), *args)
    assert code == 2
    assert message in app.stderr.getvalue()  # type: ignore[attr-defined]


def test_text_summary(tmp_path: Path, app: App) -> None:
    app.stdout = io.StringIO()
    code = main(["merge", "--out", str(tmp_path), "--ionos", *_inputs()[:1]], app=app)
    text = app.stdout.getvalue()  # type: ignore[attr-defined]
    assert code == 0
    assert "  aws          2026-05       1,000 rows  (new)" in text
    assert "  ionos        2026-06           3 rows  (new)" in text
    assert "  ionos        CHF  BilledCost 14  EffectiveCost 14" in text
    assert "  ionos        EUR  BilledCost 200.200002  EffectiveCost 200.200002" in text
    assert "findings: 2 warning\n" in text
    assert "warning focus-columns-missing: provider 'ionos' 2026-05: the provider's rows" in text
    check = f"(check the whole dataset with 'focus-ionos validate {tmp_path}')"
    assert f"not validated while merging: aws {check}" in text
