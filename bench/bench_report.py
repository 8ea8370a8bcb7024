"""Benchmark ``focus-ionos report`` on a large IONOS-shaped dataset.

Builds the demo export (``focus-ionos export --demo``: 4 months, 2,790 rows) and replicates
it in Arrow until ``--rows`` rows, giving every copy its own resource ids (``web-01-17``), so
the report sees as many distinct resources as a large contract would. The dataset is written
as Hive partitions under ``--work`` (default ``/tmp/bench-report``). Then, in a fresh child
process so that peak RSS is its own, it times the phases of the report:

1. summary: reading the needed columns and grouping them (``report.load`` + ``summarize``);
2. analyses: every analysis on the summary (``report.build.analyze``);
3. HTML: rendering the template;
4. validation: the FOCUS conformance check of the same files (``--validate``).

Usage::

    .venv/bin/python bench/bench_report.py                  # 2,000,000 rows
    .venv/bin/python bench/bench_report.py --rows 10000000 --validate
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

REPO = Path(__file__).resolve().parent.parent
COPIES_PER_BATCH = 40


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows in the dataset")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-report"))
    parser.add_argument("--validate", action="store_true", help="also time the validator")
    parser.add_argument("--keep", action="store_true", help="keep the generated dataset")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    dataset = args.work / "dataset"
    if args.child:
        return _child(dataset, args.validate)

    rows = _generate(args.work, dataset, args.rows)
    command = [sys.executable, __file__, "--child", "--work", str(args.work)]
    if args.validate:
        command.append("--validate")
    result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    files, groups = result["files"], result["groups"]
    print(f"dataset: {rows:,} rows, {files} Parquet files, {groups:,} summary groups")
    for phase in ("summary", "analyses", "html", "validation"):
        if phase in result:
            seconds = result[phase]
            rate = f"{rows / seconds:,.0f} rows/s" if phase in ("summary", "validation") else ""
            print(f"  {phase:<11} {seconds:8.2f} s  {rate}")
    print(f"  peak RSS    {result['peak_rss_mib']:8.0f} MiB   HTML {result['html_kib']:,.0f} KiB")
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


def _generate(work: Path, dataset: Path, rows: int) -> int:
    """The demo export replicated to about ``rows`` rows, one resource id set per copy."""
    from focus_ionos_plugin import cli
    from focus_ionos_plugin.focus.writer import write_metadata, write_partition

    shutil.rmtree(work, ignore_errors=True)
    demo = work / "demo"
    if cli.main(["-q", "export", "--demo", "--out", str(demo)]) != 0:
        msg = "the demo export failed"
        raise SystemExit(msg)
    base = ds.dataset(demo, format="parquet", partitioning="hive")
    written = 0
    for fragment in base.get_fragments():
        month = str(fragment.partition_expression).split('"')[-2]
        table = fragment.to_table(schema=fragment.physical_schema)
        copies = max(1, round(rows / base.count_rows()))

        def batches(table: pa.Table = table, copies: int = copies):  # type: ignore[no-untyped-def]
            for first in range(0, copies, COPIES_PER_BATCH):
                parts = []
                for copy in range(first, min(first + COPIES_PER_BATCH, copies)):
                    suffix = pa.scalar(f"-{copy}")
                    ids = pc.binary_join_element_wise(table["ResourceId"], suffix, "")
                    names = pc.binary_join_element_wise(table["ResourceName"], suffix, "")
                    part = table.set_column(
                        table.schema.get_field_index("ResourceId"), "ResourceId", ids
                    )
                    parts.append(
                        part.set_column(
                            part.schema.get_field_index("ResourceName"), "ResourceName", names
                        )
                    )
                yield from pa.concat_tables(parts).to_batches()

        info = write_partition(dataset, "ionos", month, batches(), schema=table.schema)
        written += info.rows
    write_metadata(dataset, providers=["ionos"])
    return written


def _child(dataset: Path, validate: bool) -> int:
    from focus_ionos_plugin.report.build import analyze, validate_files
    from focus_ionos_plugin.report.load import find_dataset, read_batches
    from focus_ionos_plugin.report.render import render_html
    from focus_ionos_plugin.report.summary import summarize

    result: dict[str, float | int] = {}
    started = time.perf_counter()
    files = find_dataset(dataset)
    summary = summarize(read_batches(files))
    result["summary"] = time.perf_counter() - started
    started = time.perf_counter()
    report = analyze(summary, source=str(dataset))
    result["analyses"] = time.perf_counter() - started
    started = time.perf_counter()
    html = render_html(report)
    result["html"] = time.perf_counter() - started
    if validate:
        started = time.perf_counter()
        validate_files(files)
        result["validation"] = time.perf_counter() - started
    result["files"] = len(files.files)
    result["groups"] = summary.num_rows
    result["html_kib"] = len(html.encode()) / 1024
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
