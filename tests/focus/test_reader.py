"""Reading FOCUS CSV and Parquet the FOCUS way: text first, exact decimals, UTC, streaming."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.errors import InputError
from focus_ionos_plugin.focus.reader import find_files, iter_batches, read_table, scan_files
from focus_ionos_plugin.focus.schema import DECIMAL_TYPE, TIMESTAMP_TYPE

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
HEADER = "BillingAccountId,BilledCost,ChargePeriodStart,ChargeDescription,x_Note\n"


def _csv(tmp_path: Path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "costs.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_csv_with_bom_quotes_and_empty_fields(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        HEADER
        + '000123,12.345678901234567891,2026-05-01T00:00:00Z,"Server ""web-1"", Köln",\n'
        + '000124,,2026-05-02T00:00:00Z,"",x\n',
        bom=True,
    )
    table = read_table(path)
    assert table.column_names[0] == "BillingAccountId"
    assert table["BillingAccountId"].to_pylist() == ["000123", "000124"]
    assert table["BilledCost"].type == DECIMAL_TYPE
    assert table["BilledCost"].to_pylist() == [Decimal("12.345678901234567891"), None]
    assert table["ChargeDescription"].to_pylist() == ['Server "web-1", Köln', None]
    assert table["ChargePeriodStart"].type == TIMESTAMP_TYPE
    assert table["x_Note"].to_pylist() == [None, "x"]


def test_amounts_stay_exact(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,0.1,2026-05-01T00:00:00Z,a,\n2,0.2,2026-05-01T00:00:00Z,b,\n")
    assert pc.sum(read_table(path)["BilledCost"]).as_py() == Decimal("0.3")


def test_untyped_read_keeps_the_text(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,12.50,2026-05-01T00:00:00Z,a,\n")
    batch = next(iter_batches(path, typed=False))
    assert batch.schema.field("BilledCost").type == pa.string()
    assert batch.column("BilledCost").to_pylist() == ["12.50"]


def test_bad_value_names_file_column_and_value(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,12;50,2026-05-01T00:00:00Z,a,\n")
    with pytest.raises(InputError, match=r"costs.csv: column BilledCost: cannot read '12;50'"):
        read_table(path)


def test_more_than_18_decimal_places_is_refused_not_rounded(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,0.1234567890123456789,2026-05-01T00:00:00Z,a,\n")
    with pytest.raises(InputError, match="column BilledCost"):
        read_table(path)


def test_bad_datetime_is_an_input_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,1,yesterday,a,\n")
    with pytest.raises(InputError, match="column ChargePeriodStart"):
        read_table(path)


def test_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,1,2026-05-01T02:00:00+02:00,a,\n")
    assert str(read_table(path)["ChargePeriodStart"][0]) == "2026-05-01 00:00:00+00:00"


def test_invalid_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "1,1,2026-05-01T00:00:00Z,Köln,\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_table(path)


def test_ragged_csv_is_an_input_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "1,1\n")
    with pytest.raises(InputError, match="broken CSV"):
        read_table(path)


def test_missing_path_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        find_files(tmp_path / "absent.csv")
    (tmp_path / "costs.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"unknown file type '\.xlsx'"):
        find_files(tmp_path / "costs.xlsx")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"holds no \.csv or \.parquet file"):
        find_files(empty)


def test_sample_csv_and_parquet_agree_to_the_cent() -> None:
    csv_table = read_table(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv")
    parquet_table = read_table(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet")
    assert csv_table.num_rows == parquet_table.num_rows == 1000
    for table in (csv_table, parquet_table):
        assert pc.sum(table["BilledCost"]).as_py() == Decimal("23635.852353571874674")
        assert table["BillingAccountId"][0].as_py() == "100000000001"
        assert table.schema.field("ChargePeriodStart").type == TIMESTAMP_TYPE


def test_folder_reads_every_file_in_order(tmp_path: Path) -> None:
    part = tmp_path / "provider=ionos" / "billing_period=2026-05"
    part.mkdir(parents=True)
    source = read_table(SAMPLES / "gcp-focus-1.3-cost-and-usage-1k.parquet")
    pq.write_table(source.slice(0, 600), part / "part-0.parquet")
    pq.write_table(source.slice(600), part / "part-1.parquet")
    (part / "metadata.json").write_text("{}")
    files = find_files(tmp_path)
    assert [f.path.name for f in files] == ["part-0.parquet", "part-1.parquet"]
    table = read_table(tmp_path)
    assert table.num_rows == 1000
    assert "provider" not in table.column_names
    assert pc.sum(table["BilledCost"]).as_py() == Decimal("33469.1987752909775")


def test_batches_stream(tmp_path: Path) -> None:
    batches = list(
        iter_batches(SAMPLES / "azure-focus-1.3-cost-and-usage-1k.parquet", batch_size=300)
    )
    assert [b.num_rows for b in batches] == [300, 300, 300, 100]


def _twin_partitions(root: Path) -> None:
    """Two partitions as ``export --format both`` writes them, plus one CSV-only partition."""
    for month, vendor in (("2026-05", "aws"), ("2026-06", "azure")):
        part = root / "provider=x" / f"billing_period={month}"
        part.mkdir(parents=True)
        stem = f"{vendor}-focus-1.3-cost-and-usage-1k"
        shutil.copy(SAMPLES / f"{stem}.parquet", part / "part-0.parquet")
        shutil.copy(SAMPLES / f"{stem}.csv", part / "part-0.csv")
    csv_only = root / "provider=x" / "billing_period=2026-07"
    csv_only.mkdir(parents=True)
    shutil.copy(SAMPLES / "gcp-focus-1.3-cost-and-usage-1k.csv", csv_only / "part-0.csv")


def test_csv_twins_of_parquet_files_are_skipped(tmp_path: Path) -> None:
    _twin_partitions(tmp_path)
    selection = scan_files(tmp_path)
    names = [str(f.path.relative_to(tmp_path)) for f in selection.files]
    assert names == [
        "provider=x/billing_period=2026-05/part-0.parquet",
        "provider=x/billing_period=2026-06/part-0.parquet",
        "provider=x/billing_period=2026-07/part-0.csv",
    ]
    assert [str(f.path.relative_to(tmp_path)) for f in selection.skipped] == [
        "provider=x/billing_period=2026-05/part-0.csv",
        "provider=x/billing_period=2026-06/part-0.csv",
    ]
    assert [f.path for f in find_files(tmp_path)] == [f.path for f in selection.files]
    table = read_table(tmp_path)
    assert table.num_rows == 3000
    # aws 23635.852353571874674 + azure 29519.49261263168 + gcp 33469.1987752909775
    assert pc.sum(table["BilledCost"]).as_py() == Decimal("86624.543741494532174")


def test_a_csv_part_without_parquet_twin_is_read_beside_parquet(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet", tmp_path / "part-0.parquet")
    shutil.copy(SAMPLES / "gcp-focus-1.3-cost-and-usage-1k.csv", tmp_path / "part-1.csv")
    selection = scan_files(tmp_path)
    assert [f.path.name for f in selection.files] == ["part-0.parquet", "part-1.csv"]
    assert selection.skipped == ()
    table = read_table(tmp_path)
    assert table.num_rows == 2000
    # aws 23635.852353571874674 + gcp 33469.1987752909775
    assert pc.sum(table["BilledCost"]).as_py() == Decimal("57105.051128862852174")


def test_a_single_file_is_read_whatever_lies_beside_it() -> None:
    selection = scan_files(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv")
    assert [f.format for f in selection.files] == ["csv"]
    assert selection.skipped == ()
