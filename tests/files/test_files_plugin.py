"""The FOCUS-file provider: real-world export shapes, periods, and the plugin hooks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.context import Context, Settings
from focus_ionos_plugin.errors import InputError, PluginError, UsageError
from focus_ionos_plugin.files import plugin as files_plugin
from focus_ionos_plugin.files.plugin import FilesRaw
from focus_ionos_plugin.files.source import FocusInput
from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.focus.writer import write_partition
from focus_ionos_plugin.host import PluginHost
from focus_ionos_plugin.periods import BillingPeriod

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
AWS_CSV = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv"
AWS_PARQUET = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"
AWS_TOTAL = Decimal("23635.852353571874674")
MAY = BillingPeriod("2026-05")


@pytest.fixture
def host() -> Iterator[PluginHost]:
    """A host with only the FOCUS-file plugin."""
    plugin_host = PluginHost(environ={}).load(entry_points=False, plugins=[("files", files_plugin)])
    yield plugin_host
    plugin_host.unregister("files")


def _context(**inputs: object) -> Context:
    return Context(settings=Settings({}), options={"inputs": inputs})


def _read(source: FocusInput, period: BillingPeriod = MAY) -> tuple[pa.Table, list]:  # type: ignore[type-arg]
    piece = source.slice(period)
    table = pa.Table.from_batches(list(piece.batches()), piece.schema)
    return table, piece.findings


def _total(table: pa.Table) -> Decimal:
    return pc.sum(table.column("BilledCost")).as_py().normalize()  # type: ignore[no-any-return]


def test_csv_and_parquet_of_one_export_give_the_same_rows() -> None:
    from_csv, _ = _read(FocusInput("aws", [AWS_CSV]))
    from_parquet, findings = _read(FocusInput("aws", [AWS_PARQUET]))

    assert from_csv.num_rows == from_parquet.num_rows == 1000
    assert _total(from_csv) == _total(from_parquet) == AWS_TOTAL
    assert from_csv.schema.equals(from_parquet.schema, check_metadata=False)
    assert from_csv.column("BillingAccountId")[0].as_py() == "100000000001"
    for name in ("BilledCost", "ChargePeriodStart", "Tags", "ContractApplied"):
        assert from_csv.column(name).equals(from_parquet.column(name)), name
    assert findings == []


def test_a_csv_with_byte_order_mark(tmp_path: Path) -> None:
    bom = tmp_path / "aws-bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + AWS_CSV.read_bytes())

    source = FocusInput("aws", [bom])
    table, _ = _read(source)

    assert source.schema.names[:2] == ["AllocatedMethodDetails", "AllocatedMethodId"]
    assert table.num_rows == 1000
    assert _total(table) == AWS_TOTAL
    assert table.column("ProviderName")[0].as_py() == "AWS"


def test_a_folder_with_a_zero_row_part(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(AWS_PARQUET, folder / "part-1.parquet")
    empty = pq.read_table(AWS_PARQUET).slice(0, 0)
    pq.write_table(empty, folder / "part-0.parquet")

    source = FocusInput("aws", [folder])
    table, findings = _read(source)

    assert [p.path.name for p in source.files] == ["part-0.parquet", "part-1.parquet"]
    assert source.periods() == [MAY]
    assert table.num_rows == 1000
    assert _total(table) == AWS_TOTAL
    assert findings == []


def test_a_header_only_csv_part(tmp_path: Path) -> None:
    header = AWS_CSV.read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "part-0.csv").write_text(header + "\n", encoding="utf-8")
    shutil.copy(AWS_CSV, tmp_path / "part-1.csv")

    source = FocusInput("aws", [tmp_path])
    table, _ = _read(source)

    assert [p.path.name for p in source.files] == ["part-0.csv", "part-1.csv"]
    assert table.num_rows == 1000
    assert _total(table) == AWS_TOTAL
    only_header = FocusInput("aws", [tmp_path / "part-0.csv"])
    assert only_header.periods() == []
    assert only_header.schema.names == cost_and_usage_schema().names


def test_csv_twins_beside_parquet_are_skipped(tmp_path: Path) -> None:
    shutil.copy(AWS_PARQUET, tmp_path / "part-0.parquet")
    shutil.copy(AWS_CSV, tmp_path / "part-0.csv")

    source = FocusInput("aws", [tmp_path])

    assert [p.path.name for p in source.files] == ["part-0.parquet"]
    assert [(f.rule_id, f.severity) for f in source.notes] == [("files-csv-twin-skipped", "info")]
    assert _read(source)[0].num_rows == 1000


def test_a_non_focus_file_is_refused(tmp_path: Path, host: PluginHost) -> None:
    cur = tmp_path / "cur.csv"
    cur.write_text("identity/LineItemId,lineItem/UnblendedCost,BillingCurrency\na,1.5,USD\n")

    with pytest.raises(InputError) as caught:
        FocusInput("aws", [cur])
    message = str(caught.value)
    assert "is not a FOCUS 1.0 Cost and Usage dataset" in message
    assert "mandatory columns missing: BilledCost, BillingAccountId" in message
    assert str(cur) in message
    with pytest.raises(InputError, match="mandatory columns missing"):
        host.list_periods("files", _context(aws=[cur]))


def test_parquet_with_map_tags_and_string_numbers(tmp_path: Path) -> None:
    original = pq.read_table(AWS_PARQUET)
    # MAP<string, string>: values are text in a map (numbers included)
    plain = [None if t is None else json.loads(t) for t in original["Tags"].to_pylist()]
    text = [None if d is None else {k: str(v) for k, v in d.items()} for d in plain]
    tags = [None if d is None else list(d.items()) for d in text]
    table = original.set_column(
        original.column_names.index("Tags"),
        "Tags",
        pa.array(tags, pa.map_(pa.string(), pa.string())),
    )
    for name in ("BilledCost", "PricingQuantity"):
        index = table.column_names.index(name)
        table = table.set_column(index, name, table.column(name).cast(pa.string()))
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)

    result, _ = _read(FocusInput("aws", [path]))

    assert result.schema.field("Tags").type == pa.string()
    decoded = [None if t is None else json.loads(t) for t in result["Tags"].to_pylist()]
    assert decoded == text
    assert result["Tags"][0].as_py() == (
        '{"Environment":"prod","CostCenter":"cc-3110","Owner":"team-platform"}'
    )
    assert result.schema.field("BilledCost").type == pa.decimal128(38, 18)
    assert result.column("BilledCost").equals(original.column("BilledCost"))
    assert _total(result) == AWS_TOTAL


def test_float_amounts_keep_their_shortest_text_and_are_reported(tmp_path: Path) -> None:
    original = pq.read_table(AWS_PARQUET).slice(0, 3)
    index = original.column_names.index("BilledCost")
    table = original.set_column(index, "BilledCost", pa.array([0.1, 0.096, 1e-7]))
    path = tmp_path / "floats.parquet"
    pq.write_table(table, path)

    result, findings = _read(FocusInput("aws", [path]))

    assert result.column("BilledCost").to_pylist() == [
        Decimal("0.1"),
        Decimal("0.096"),
        Decimal("1E-7"),
    ]
    assert [(f.rule_id, f.column, f.rows) for f in findings] == [
        ("files-float-amounts", "BilledCost", 3)
    ]


def test_periods_and_slices_of_a_two_month_export(tmp_path: Path) -> None:
    table = pq.read_table(AWS_PARQUET)
    june = datetime(2026, 6, 1, tzinfo=UTC)
    moved = table.slice(600)
    for name in ("BillingPeriodStart", "ChargePeriodStart"):
        index = moved.column_names.index(name)
        moved = moved.set_column(index, name, pa.array([june] * 400, moved.schema.field(name).type))
    both = pa.concat_tables([table.slice(0, 600), moved])
    pq.write_table(both, tmp_path / "two-months.parquet", row_group_size=500)
    as_csv = write_partition(tmp_path, "x", MAY, both, csv=True, parquet=False, check_period=False)

    # Parquet: months from row-group statistics; CSV: from a scan of one column
    for path in (tmp_path / "two-months.parquet", as_csv.files[0]):
        source = FocusInput("aws", [path])
        assert source.periods() == [MAY, BillingPeriod("2026-06")]
        may, _ = _read(source, MAY)
        june_rows, _ = _read(source, BillingPeriod("2026-06"))
        assert (may.num_rows, june_rows.num_rows) == (600, 400)
        assert _total(may) + _total(june_rows) == AWS_TOTAL


def test_rows_without_billing_period_are_reported(tmp_path: Path) -> None:
    table = pq.read_table(AWS_PARQUET).slice(0, 10)
    index = table.column_names.index("BillingPeriodStart")
    starts = table.column(index).to_pylist()
    starts[3] = starts[7] = None
    table = table.set_column(
        index, "BillingPeriodStart", pa.array(starts, table.schema[index].type)
    )
    pq.write_table(table, tmp_path / "gaps.parquet")
    as_csv = write_partition(tmp_path, "x", MAY, table, csv=True, parquet=False)

    for path in (tmp_path / "gaps.parquet", as_csv.files[0]):
        source = FocusInput("aws", [path])
        assert source.periods() == [MAY]
        assert [(f.rule_id, f.rows) for f in source.notes] == [("files-rows-without-period", 2)]
        assert _read(source)[0].num_rows == 8


def test_metadata_file_declares_the_version(tmp_path: Path) -> None:
    newer = [
        "AllocatedMethodDetails",
        "AllocatedMethodId",
        "AllocatedResourceId",
        "AllocatedResourceName",
        "AllocatedTags",
        "ContractApplied",
        "HostProviderName",
        "ServiceProviderName",
        "BillingAccountType",
        "SubAccountType",
        "InvoiceId",
    ]
    table = pq.read_table(AWS_PARQUET).drop_columns(newer)
    pq.write_table(table, tmp_path / "part-0.parquet")
    (tmp_path / "metadata.json").write_text(json.dumps({"FocusVersion": "1.1"}))

    source = FocusInput("aws", [tmp_path])

    assert source.versions() == {str(tmp_path / "part-0.parquet"): "1.1"}
    table, findings = _read(source)
    assert {f.column for f in findings} == {
        "BillingAccountType",
        "ContractApplied",
        "InvoiceId",
        "SubAccountType",
    }
    assert all("(FOCUS 1.1, declared by its metadata)" in f.message for f in findings)
    # a 1.1 export states prices in its billing currency: copied, not reported
    assert table.column("PricingCurrency").to_pylist() != [None] * 1000


def test_hooks_through_the_host(host: PluginHost) -> None:
    context = _context(aws=[AWS_PARQUET], gcp=[SAMPLES / "gcp-focus-1.3-cost-and-usage-1k.csv"])

    assert host.provider("files").display_name == "FOCUS files"
    assert host.list_periods("files", context) == [MAY]
    raw = host.fetch_raw("files", MAY, context)
    assert isinstance(raw, FilesRaw)
    table = host.to_focus("files", raw, context)

    assert table.num_rows == 2000
    assert table.column_names == cost_and_usage_schema().names
    by_provider = table.group_by("ServiceProviderName").aggregate([("BilledCost", "sum")])
    totals = {r["ServiceProviderName"]: r["BilledCost_sum"] for r in by_provider.to_pylist()}
    assert totals == {"AWS": AWS_TOTAL, "Google Cloud": Decimal("33469.1987752909775")}


def test_inputs_are_needed(host: PluginHost) -> None:
    with pytest.raises(UsageError, match="--input NAME=PATH"):
        host.list_periods("files", Context(settings=Settings({})))
    with pytest.raises(PluginError, match="no plugin converts"):
        host.to_focus("files", {"not": "ours"}, _context(aws=[AWS_PARQUET]))
    with pytest.raises(InputError, match="no such file or folder"):
        FocusInput("aws", [Path("/nonexistent/export.csv")])
