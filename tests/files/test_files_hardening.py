"""Odd real-world exports against the FOCUS-file provider and ``focus-ionos merge``.

Each test is one shape of input that once broke the merge: the same part given twice,
the dataset written into the folder it reads, custom columns whose type differs between
parts, and a column that clashes with its own ``x_`` name.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.cli import main
from focus_ionos_plugin.errors import InputError
from focus_ionos_plugin.files.source import FocusInput
from focus_ionos_plugin.periods import BillingPeriod

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
AWS_CSV = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv"
AWS_PARQUET = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"
AWS_TOTAL = Decimal("23635.852353571874674")
MAY = BillingPeriod("2026-05")


def _rows(source: FocusInput) -> pa.Table:
    piece = source.slice(MAY)
    return pa.Table.from_batches(list(piece.batches()), piece.schema)


def _total(table: pa.Table) -> Decimal:
    return pc.sum(table.column("BilledCost")).as_py().normalize()  # type: ignore[no-any-return]


def _five(path: Path, **extra: pa.Array) -> Path:
    """The first five AWS rows as Parquet at ``path``, with ``extra`` columns appended."""
    table = pq.read_table(AWS_PARQUET).slice(0, 5)
    for name, values in extra.items():
        table = table.append_column(name, values)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def test_the_same_part_named_twice_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "aws"
    folder.mkdir()
    shutil.copy(AWS_CSV, folder / "part.csv")

    twice = FocusInput("aws", [AWS_CSV, AWS_CSV])
    overlapping = FocusInput("aws", [folder, folder / "part.csv", folder / ".." / "aws"])

    for source in (twice, overlapping):
        table = _rows(source)
        assert table.num_rows == 1000
        assert _total(table) == AWS_TOTAL


def test_merge_refuses_an_out_folder_inside_an_input_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    shutil.copy(AWS_CSV, exports / "aws.csv")
    out = exports / "combined"

    code = main(["merge", "--out", str(out), "--input", f"aws={exports}"])

    assert code == 2
    err = capsys.readouterr().err
    assert str(out) in err and str(exports) in err
    assert not out.exists()


def test_merge_refuses_an_input_inside_the_out_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "combined"
    assert main(["merge", "--out", str(out), "--input", f"aws={AWS_CSV}"]) == 0
    before = pq.read_table(out / "provider=aws" / "billing_period=2026-05" / "part-0.parquet")
    capsys.readouterr()

    code = main(["merge", "--out", str(out), "--input", f"copy={out / 'provider=aws'}"])

    assert code == 2
    assert "inside" in capsys.readouterr().err
    assert not (out / "provider=copy").exists()
    after = pq.read_table(out / "provider=aws" / "billing_period=2026-05" / "part-0.parquet")
    assert after.equals(before)


def test_a_custom_column_all_null_in_one_part_takes_the_other_parts_type(
    tmp_path: Path,
) -> None:
    _five(tmp_path / "aws" / "a.parquet", x_Team=pa.nulls(5))
    _five(tmp_path / "aws" / "b.parquet", x_Team=pa.array(["web", None, "db", "db", "web"]))

    table = _rows(FocusInput("aws", [tmp_path / "aws"]))

    assert table.schema.field("x_Team").type == pa.string()
    assert table.column("x_Team").to_pylist() == [None] * 5 + ["web", None, "db", "db", "web"]


def test_a_custom_column_of_incompatible_types_is_refused_by_name(tmp_path: Path) -> None:
    _five(tmp_path / "aws" / "a.parquet", x_Team=pa.array([1, 2, 3, 4, 5]))
    _five(tmp_path / "aws" / "b.parquet", x_Team=pa.array(["a", "b", "c", "d", "e"]))

    with pytest.raises(InputError, match=r"x_Team.*a\.parquet.*b\.parquet"):
        FocusInput("aws", [tmp_path / "aws"])


def test_a_column_clashing_with_its_custom_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    part = _five(tmp_path / "aws.parquet", x_Team=pa.array(["a"] * 5), Team=pa.array(["b"] * 5))

    code = main(["merge", "--out", str(tmp_path / "out"), "--input", f"aws={part}"])

    assert code == 2
    err = capsys.readouterr().err
    assert "Team" in err and "x_Team" in err and str(part) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["x_Team", "BilledCost"])
def test_a_parquet_part_with_a_duplicated_column_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    table = pq.read_table(AWS_PARQUET).slice(0, 5)
    column = table.column(name) if name in table.column_names else pa.array(["a"] * 5)
    doubled = pa.Table.from_arrays(
        [*table.columns, column, column], names=[*table.column_names, name, name]
    )
    part = tmp_path / "aws.parquet"
    pq.write_table(doubled, part)

    code = main(["merge", "--out", str(tmp_path / "out"), "--input", f"aws={part}"])

    assert code == 2
    err = capsys.readouterr().err
    assert "duplicate column names" in err and name in err and str(part) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [("ChargePeriodStart", "01/05/2026 00:00"), ("BilledCost", "0.1234567890123456789")],
)
def test_an_unreadable_value_is_named_as_the_export_wrote_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, value: str
) -> None:
    lines = AWS_CSV.read_text(encoding="utf-8").splitlines()[:4]
    header = lines[0].split(",")
    row = lines[2].split(",")
    row[header.index(column)] = value
    part = tmp_path / "aws.csv"
    part.write_text("\n".join([*lines[:2], ",".join(row), lines[3]]) + "\n", encoding="utf-8")

    code = main(["merge", "--out", str(tmp_path / "out"), "--input", f"aws={part}"])

    assert code == 2
    err = capsys.readouterr().err
    assert str(part) in err and column in err and repr(value) in err
    assert "assume_timezone" not in err
    assert "(data row 2)" in err
    assert not list(tmp_path.glob("out/provider=*"))


def test_a_header_name_with_stray_spaces_or_case_is_pointed_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = AWS_CSV.read_text(encoding="utf-8").splitlines()[:3]
    header = (
        lines[0].replace("BilledCost,", "BilledCost ,").replace("ChargeCategory", "chargecategory")
    )
    part = tmp_path / "aws.csv"
    part.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")

    code = main(["merge", "--out", str(tmp_path / "out"), "--input", f"aws={part}"])

    assert code == 2
    err = capsys.readouterr().err
    assert "missing: BilledCost, ChargeCategory" in err
    assert "'BilledCost '" in err and "'chargecategory'" in err
