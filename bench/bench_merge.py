"""Benchmark ``focus-ionos merge`` against a plain pyarrow dataset copy of the same data.

Builds three providers' FOCUS 1.3 Parquet exports under ``--work`` (default
``/tmp/bench-merge``), then, each in a fresh child process so that peak RSS is its own:

1. ``merge``: ``focus-ionos merge --out OUT --input aws=... --input azure=... --input gcp=...``
   (discovery, typing, upgrade/alignment, per-currency totals, atomic partition writes);
2. ``copy``: the reference, ``pyarrow.dataset.write_dataset`` of each input folder into a
   Hive-partitioned folder (read, write; nothing else).

Where the rows come from: the toolkit that made the repository samples
(focus-data-toolkit) writes about 4,000 rows/s, i.e. over 40 minutes for 10 million rows.
So a base set is replicated in Arrow: by default the three 1,000-row samples in
``tests/data/samples``; with ``--toolkit PATH --base-rows N`` a fresh base of N rows per
provider is generated first with ``/work/shared/tools/focus-samples/make-samples.py``.
Replicated rows are identical copies (dictionary encoding sees the same value variety as
in the base set).

Usage::

    .venv/bin/python bench/bench_merge.py                   # 10,000,000 rows
    .venv/bin/python bench/bench_merge.py --rows 1000000
    .venv/bin/python bench/bench_merge.py --toolkit /tmp/fdt/bin/focus-toolkit --base-rows 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

PROVIDERS = ("aws", "azure", "gcp")
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "data" / "samples"
MAKE_SAMPLES = Path("/work/shared/tools/focus-samples/make-samples.py")
PART_ROWS = 500_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows over all providers")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-merge"))
    parser.add_argument("--toolkit", help="focus-toolkit command to generate a base set")
    parser.add_argument("--base-rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated input")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each (alternating); best time shown"
    )
    parser.add_argument("--child", choices=("merge", "copy"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)

    inputs = args.work / "input"
    started = time.perf_counter()
    bases = _bases(args)
    per_provider = args.rows // len(PROVIDERS)
    for provider in PROVIDERS:
        _replicate(bases[provider], inputs / provider, per_provider)
    size = sum(p.stat().st_size for p in inputs.rglob("*.parquet"))
    print(
        f"input: {per_provider * len(PROVIDERS):,} rows in {len(PROVIDERS)} providers, "
        f"{size / 2**20:,.0f} MiB Parquet, built in {time.perf_counter() - started:.1f} s "
        f"(base: {'toolkit ' + str(args.base_rows) + ' rows' if args.toolkit else 'samples'})"
    )

    results: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):
        for mode in ("copy", "merge"):
            out = args.work / f"out-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            command = [sys.executable, __file__, "--child", mode, "--work", str(args.work)]
            completed = subprocess.run(command, check=True, capture_output=True, text=True)
            run = json.loads(completed.stdout.strip().splitlines()[-1])
            best = results.setdefault(mode, run)
            best["seconds"] = min(best["seconds"], run["seconds"])
            best["rss"] = max(best["rss"], run["rss"])

    rows = per_provider * len(PROVIDERS)
    for mode in ("copy", "merge"):
        r = results[mode]
        print(
            f"{mode:>5}: {r['rows']:,} rows in {r['seconds']:.1f} s = "
            f"{r['rows'] / r['seconds']:,.0f} rows/s, peak RSS {r['rss'] / 2**20:,.0f} MiB"
        )
    ratio = results["merge"]["seconds"] / results["copy"]["seconds"]
    print(f"merge / plain copy time: {ratio:.2f}x (aim: within 3x); rows expected {rows:,}")
    _check(args.work / "out-merge", inputs)
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


def _bases(args: argparse.Namespace) -> dict[str, pa.Table]:
    if not args.toolkit:
        return {
            p: pq.read_table(SAMPLES / f"{p}-focus-1.3-cost-and-usage-1k.parquet")
            for p in PROVIDERS
        }
    base_dir = args.work / "base"
    tag = f"{args.base_rows // 1000}k" if args.base_rows % 1000 == 0 else str(args.base_rows)
    missing = [
        p
        for p in PROVIDERS
        if not (base_dir / f"{p}-focus-1.3-cost-and-usage-{tag}.parquet").exists()
    ]
    if missing:
        toolkit = Path(args.toolkit)
        env = {**os.environ, "PATH": f"{toolkit.parent}:{os.environ.get('PATH', '')}"}
        subprocess.run(
            [
                str(toolkit.parent / "python"),
                str(MAKE_SAMPLES),
                "--out",
                str(base_dir),
                "--rows",
                str(args.base_rows),
                "--providers",
                *missing,
                "--toolkit",
                str(toolkit),
            ],
            check=True,
            env=env,
        )
    return {
        p: pq.read_table(base_dir / f"{p}-focus-1.3-cost-and-usage-{tag}.parquet")
        for p in PROVIDERS
    }


def _replicate(base: pa.Table, folder: Path, rows: int) -> None:
    """Write ``rows`` rows as Parquet parts of an export, copying ``base`` over and over."""
    if (
        folder.exists()
        and sum(pq.ParquetFile(p).metadata.num_rows for p in folder.glob("*.parquet")) == rows
    ):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written, part = 0, 0
    while written < rows:
        size = min(PART_ROWS, rows - written)
        with pq.ParquetWriter(folder / f"part-{part:05d}.parquet", base.schema) as writer:
            left = size
            while left:
                chunk = base.slice(0, min(left, base.num_rows))
                writer.write_table(chunk, row_group_size=128 * 1024)
                left -= chunk.num_rows
        written += size
        part += 1


def _child(args: argparse.Namespace) -> int:
    inputs = args.work / "input"
    out = args.work / f"out-{args.child}"
    started = time.perf_counter()
    if args.child == "merge":
        from focus_ionos_plugin.cli import main as cli

        command = ["-q", "merge", "--out", str(out)]
        command += [f"--input={p}={inputs / p}" for p in PROVIDERS]
        code = cli(command)
        if code != 0:
            raise SystemExit(f"merge exited {code}")
    else:
        for provider in PROVIDERS:
            dataset = ds.dataset(inputs / provider, format="parquet")
            ds.write_dataset(
                dataset,
                out / f"provider={provider}" / "billing_period=2026-05",
                format="parquet",
                existing_data_behavior="overwrite_or_ignore",
            )
    seconds = time.perf_counter() - started
    rows = ds.dataset(out, format="parquet", partitioning="hive").count_rows()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "rss": rss}))
    return 0


def _check(out: Path, inputs: Path) -> None:
    """Rows and BilledCost per provider and currency equal the input's, exactly."""
    import duckdb

    merged = duckdb.sql(
        f"SELECT provider, BillingCurrency, count(*), sum(BilledCost) FROM read_parquet("
        f"'{out}/*/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    source = []
    for provider in PROVIDERS:
        source += duckdb.sql(
            f"SELECT '{provider}', BillingCurrency, count(*), sum(BilledCost) FROM "
            f"read_parquet('{inputs / provider}/*.parquet') GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    print(
        "check: rows and BilledCost per provider and currency "
        + ("equal the input exactly" if merged == source else f"DIFFER: {merged} vs {source}")
    )


if __name__ == "__main__":
    sys.exit(main())
