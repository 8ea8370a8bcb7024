"""The dataset writer: layout, exact types, FOCUS CSV text, atomic replacement, metadata."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.errors import InputError, UsageError
from focus_ionos_plugin.focus import writer
from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.focus.writer import (
    METADATA_NAME,
    partition_path,
    plain_decimal_strings,
    write_metadata,
    write_partition,
)

DEC = pa.decimal128(38, 18)
TS = pa.timestamp("s", tz="UTC")
MAY = datetime(2026, 5, 1, tzinfo=UTC)
JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def _table(costs: list[str], currency: list[str] | None = None, start: datetime = MAY) -> pa.Table:
    rows = len(costs)
    return pa.table(
        {
            "BilledCost": pa.array([Decimal(c) for c in costs], DEC),
            "EffectiveCost": pa.array([Decimal(c) for c in costs], DEC),
            "BillingCurrency": currency or ["EUR"] * rows,
            "BillingPeriodStart": pa.array([start] * rows, TS),
            "ChargeDescription": [f"row {i}" for i in range(rows)],
            "x_Note": ["kept"] * rows,
        }
    )


def _read(path: Path) -> pa.Table:
    return pq.read_table(path)


def test_layout_types_and_totals(tmp_path: Path) -> None:
    info = write_partition(tmp_path, "acme", "2026-05", _table(["1.10", "0.000000001", "-2"]))

    assert info.path == tmp_path / "provider=acme" / "billing_period=2026-05"
    assert info.files == (info.path / "part-0.parquet",)
    assert info.rows == 3
    assert info.replaced is False
    assert info.totals == {
        "EUR": {"BilledCost": Decimal("-0.899999999"), "EffectiveCost": Decimal("-0.899999999")}
    }
    table = _read(info.files[0])
    assert table.schema.field("BilledCost").type == DEC
    # Parquet has no seconds unit: whole seconds are stored (and read back) as milliseconds
    assert table.schema.field("BillingPeriodStart").type == pa.timestamp("ms", tz="UTC")
    assert "provider" not in table.column_names
    assert "billing_period" not in table.column_names
    assert table.column("BilledCost").to_pylist()[1] == Decimal("0.000000001")
    assert pq.read_schema(info.files[0]).metadata[b"focus_version"] == b"1.3"
    assert sorted(p.name for p in (tmp_path / "provider=acme").iterdir()) == [
        "billing_period=2026-05"
    ]


def test_totals_are_kept_apart_per_currency(tmp_path: Path) -> None:
    table = _table(["10.01", "5", "0.99"], currency=["EUR", "USD", "EUR"])
    info = write_partition(tmp_path, "acme", "2026-05", table)
    assert info.totals["EUR"]["BilledCost"] == Decimal("11.00")
    assert info.totals["USD"]["BilledCost"] == Decimal("5")


def test_batches_stream_into_row_groups(tmp_path: Path) -> None:
    def batches() -> Iterator[pa.RecordBatch]:
        for i in range(50):
            yield from _table([f"{i}.01"] * 100).to_batches()

    info = write_partition(tmp_path, "acme", "2026-05", batches(), row_group_bytes=100_000)
    metadata = pq.ParquetFile(info.files[0]).metadata
    assert metadata.num_rows == 5000
    assert 1 < metadata.num_row_groups < 50
    assert info.totals["EUR"]["BilledCost"] == sum(Decimal(f"{i}.01") * 100 for i in range(50))


def test_csv_is_written_the_focus_way(tmp_path: Path) -> None:
    table = _table(["0.0000001", "0", "100", "-0.000000000000000001", "12.50"])
    table = table.set_column(4, "ChargeDescription", pa.array(['a, "b"', None, "", "x", "y"]))
    info = write_partition(tmp_path, "acme", "2026-05", table, csv=True)

    assert [p.name for p in info.files] == ["part-0.parquet", "part-0.csv"]
    text = (info.path / "part-0.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == [
        "BilledCost",
        "EffectiveCost",
        "BillingCurrency",
        "BillingPeriodStart",
        "ChargeDescription",
        "x_Note",
    ]
    assert [r[0] for r in rows[1:]] == ["0.0000001", "0", "100", "-0.000000000000000001", "12.5"]
    assert rows[1][3] == "2026-05-01T00:00:00Z"
    assert rows[1][4] == 'a, "b"'
    lines = text.splitlines()
    assert lines[2].split(",")[4] == ""  # null: an empty, unquoted field
    assert lines[3].split(",")[4] == '""'  # an empty string stays distinguishable
    assert "E-" not in text


def test_csv_only(tmp_path: Path) -> None:
    info = write_partition(tmp_path, "acme", "2026-05", _table(["1"]), csv=True, parquet=False)
    assert [p.name for p in info.files] == ["part-0.csv"]
    with pytest.raises(UsageError, match="at least one format"):
        write_partition(tmp_path, "acme", "2026-05", _table(["1"]), parquet=False)


def test_plain_decimal_strings_never_use_exponents() -> None:
    values = ["0E-18", "1E-18", "-0.00000012", "123456789012345678.5", "7", None]
    array = pa.array([None if v is None else Decimal(v) for v in values], DEC)
    assert plain_decimal_strings(array).to_pylist() == [
        "0",
        "0.000000000000000001",
        "-0.00000012",
        "123456789012345678.5",
        "7",
        None,
    ]
    integers = pa.array([Decimal(5), Decimal(-10)], pa.decimal128(10, 0))
    assert plain_decimal_strings(integers).to_pylist() == ["5", "-10"]


def test_rerun_replaces_exactly_that_partition(tmp_path: Path) -> None:
    write_partition(tmp_path, "acme", "2026-05", _table(["1", "2", "3"]))
    june = write_partition(tmp_path, "acme", "2026-06", _table(["9"], start=JUNE))
    other = write_partition(tmp_path, "zeta", "2026-05", _table(["4"]))

    again = write_partition(tmp_path, "acme", "2026-05", _table(["5", "6"]))

    assert again.replaced is True
    assert _read(again.files[0]).column("BilledCost").to_pylist() == [Decimal(5), Decimal(6)]
    assert _read(june.files[0]).num_rows == 1
    assert _read(other.files[0]).num_rows == 1
    hidden = list(tmp_path.rglob(".*"))
    assert hidden == []


def test_interrupted_write_leaves_the_old_partition(tmp_path: Path) -> None:
    old = write_partition(tmp_path, "acme", "2026-05", _table(["1", "2"]), csv=True)

    def failing() -> Iterator[pa.RecordBatch]:
        yield from _table(["7"] * 10).to_batches()
        raise RuntimeError("connection lost in the middle")

    with pytest.raises(RuntimeError, match="connection lost"):
        write_partition(tmp_path, "acme", "2026-05", failing(), csv=True, row_group_bytes=1)

    assert _read(old.files[0]).column("BilledCost").to_pylist() == [Decimal(1), Decimal(2)]
    assert (old.path / "part-0.csv").exists()
    assert sorted(p.name for p in (tmp_path / "provider=acme").iterdir()) == [
        "billing_period=2026-05"
    ]


def test_a_swap_interrupted_between_renames_is_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_partition(tmp_path, "acme", "2026-05", _table(["1", "2"]))
    real_rename = Path.rename

    def crash_on_second_rename(self: Path, target: Path) -> Path:
        if ".staging-" in self.name:
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", crash_on_second_rename)
    with pytest.raises(KeyboardInterrupt):
        write_partition(tmp_path, "acme", "2026-05", _table(["3"]))
    monkeypatch.undo()
    assert not partition_path(tmp_path, "acme", "2026-05").exists()  # the crash window

    june = write_partition(tmp_path, "acme", "2026-06", _table(["9"], start=JUNE))
    assert june.rows == 1
    info = write_partition(tmp_path, "acme", "2026-05", _table(["4"]))
    assert info.replaced is True  # the old partition was put back first, then replaced
    assert [p.name for p in (tmp_path / "provider=acme").iterdir() if p.name[0] == "."] == []


def test_restore_before_anything_else(tmp_path: Path) -> None:
    target = partition_path(tmp_path, "acme", "2026-05")
    write_partition(tmp_path, "acme", "2026-05", _table(["1", "2"]))
    target.rename(target.parent / ".billing_period=2026-05.old-abc")

    def failing() -> Iterator[pa.RecordBatch]:
        raise RuntimeError("no data today")
        yield  # pragma: no cover

    with pytest.raises(RuntimeError):
        write_partition(tmp_path, "acme", "2026-05", failing())
    assert _read(target / "part-0.parquet").num_rows == 2


def test_zero_rows_still_make_a_typed_partition(tmp_path: Path) -> None:
    info = write_partition(tmp_path, "acme", "2026-05", [], csv=True)
    table = _read(info.files[0])
    assert table.num_rows == 0
    assert table.column_names == cost_and_usage_schema().names
    assert table.schema.field("BilledCost").type == DEC
    header = (info.path / "part-0.csv").read_text().splitlines()
    assert header[0].split(",")[0] == "AllocatedMethodDetails"
    assert len(header) == 1

    empty = _table([])
    info = write_partition(tmp_path, "acme", "2026-06", empty)
    assert _read(info.files[0]).column_names == empty.column_names
    assert info.totals == {}


def test_rows_of_another_period_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"2026-06-01 .* billing period 2026-05"):
        write_partition(tmp_path, "acme", "2026-05", _table(["1"], start=JUNE))
    assert not (tmp_path / "provider=acme" / "billing_period=2026-05").exists()
    info = write_partition(
        tmp_path, "acme", "2026-05", _table(["1"], start=JUNE), check_period=False
    )
    assert info.rows == 1


def test_batches_must_share_columns(tmp_path: Path) -> None:
    first = _table(["1"])
    second = first.drop_columns(["x_Note"])
    with pytest.raises(InputError, match=r"missing \['x_Note'\]"):
        write_partition(tmp_path, "acme", "2026-05", [*first.to_batches(), *second.to_batches()])
    reordered = first.select(list(reversed(first.column_names)))
    info = write_partition(tmp_path, "acme", "2026-05", [first, reordered])
    assert _read(info.files[0]).column_names == first.column_names


def test_bad_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot name a partition folder"):
        write_partition(tmp_path, "../etc", "2026-05", _table(["1"]))
    with pytest.raises(UsageError, match="YYYY-MM"):
        write_partition(tmp_path, "acme", "May", _table(["1"]))


def test_float_money_is_refused_in_csv(tmp_path: Path) -> None:
    table = pa.table({"BilledCost": [0.1], "BillingCurrency": ["EUR"]})
    with pytest.raises(InputError, match="floating point"):
        write_partition(tmp_path, "acme", "2026-05", table, csv=True, check_period=False)
    assert not (tmp_path / "provider=acme" / "billing_period=2026-05").exists()


def test_duckdb_reads_the_dataset_hive_partitioned(tmp_path: Path) -> None:
    write_partition(tmp_path, "acme", "2026-05", _table(["1.25", "2"]), csv=True)
    write_partition(tmp_path, "zeta", "2026-06", _table(["0.000001"], start=JUNE))
    write_metadata(tmp_path)
    pattern = str(tmp_path / "*" / "*" / "*.parquet")
    rows = duckdb.sql(
        f"SELECT provider, billing_period, sum(BilledCost) AS total, typeof(sum(BilledCost)) "
        f"FROM read_parquet('{pattern}', hive_partitioning = true) GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("acme", "2026-05", Decimal("3.25"), "DECIMAL(38,18)"),
        ("zeta", "2026-06", Decimal("0.000001"), "DECIMAL(38,18)"),
    ]


def test_metadata_file(tmp_path: Path) -> None:
    created = datetime(2026, 6, 2, 8, 30, tzinfo=UTC)
    schema = cost_and_usage_schema().append(pa.field("x_CostStatus", pa.string()))
    path = write_metadata(tmp_path, schema=schema, created=created, providers=["ionos", "aws"])

    assert path == tmp_path / METADATA_NAME
    document = json.loads(path.read_text())
    assert document["FocusVersion"] == "1.3"
    assert document["DataGenerator"]["DataGenerator"] == "focus-ionos"
    assert document["DataGenerator"]["Version"] == writer.__version__
    assert document["CreationDate"] == "2026-06-02T08:30:00Z"
    assert document["Providers"] == ["aws", "ionos"]
    columns = {c["ColumnName"]: c for c in document["Schemas"][0]["ColumnDefinition"]}
    assert len(columns) == 66
    assert columns["BilledCost"] == {
        "ColumnName": "BilledCost",
        "DataType": "Decimal",
        "NumberPrecision": 38,
        "NumberScale": 18,
    }
    assert columns["ChargePeriodStart"]["DataType"] == "DateTime"
    assert columns["Tags"]["DataType"] == "JSON"
    assert columns["ProviderName"]["Deprecated"] is True
    assert columns["x_CostStatus"]["Custom"] is True
    assert [p.name for p in tmp_path.iterdir()] == [METADATA_NAME]


def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UsageError, match=r"cannot write partition .* Check free space"):
        write_partition(blocker, "acme", "2026-05", _table(["1"]))
