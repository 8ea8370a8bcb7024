"""The report reads a dataset once: Parquet where a folder has it, CSV where it has only CSV."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from focus_ionos_plugin.report.load import find_dataset, read_batches

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


def _mixed(root: Path) -> Path:
    """One partition in Parquet with its CSV twin, one partition in CSV only."""
    both = root / "provider=x" / "billing_period=2026-05"
    both.mkdir(parents=True)
    shutil.copy(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet", both / "part-0.parquet")
    shutil.copy(SAMPLES / "aws-focus-1.3-cost-and-usage-1k.csv", both / "part-0.csv")
    csv_only = root / "provider=y" / "billing_period=2026-05"
    csv_only.mkdir(parents=True)
    shutil.copy(SAMPLES / "gcp-focus-1.3-cost-and-usage-1k.csv", csv_only / "part-0.csv")
    return root


def test_report_reads_each_partition_once_in_one_format(tmp_path: Path) -> None:
    root = _mixed(tmp_path)
    dataset = find_dataset(root)
    assert [str(f.path.relative_to(root)) for f in dataset.files] == [
        "provider=x/billing_period=2026-05/part-0.parquet",
        "provider=y/billing_period=2026-05/part-0.csv",
    ]
    batches = list(read_batches(dataset))
    assert sum(b.num_rows for b in batches) == 2000
    total = sum(
        (pc.sum(pc.cast(b.column("BilledCost"), pa.decimal128(38, 18))).as_py() for b in batches),
        Decimal(0),
    )
    # aws 23635.852353571874674 + gcp 33469.1987752909775
    assert total == Decimal("57105.051128862852174")
