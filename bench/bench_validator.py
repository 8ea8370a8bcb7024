"""Benchmark the FOCUS 1.3 validator on a large AWS-like Cost and Usage file.

Reference: the official focus-validator 2.2.1 took 150-175 s wall and about 4.4 GB peak memory
on a 1,000,000-row Parquet file of this kind on the developers' machine class (2 vCPUs,
``shared/tools/focus-official-validate/README.md``). Target: at least 20x faster (<= 7.5 s)
and peak RSS under 1 GiB, also at 10,000,000 rows.

Input:

* ``--file PATH``: an existing FOCUS file or folder;
* otherwise a ``--rows``-row AWS-like file is generated under ``--work`` with
  focus-data-toolkit through ``shared/tools/focus-samples/make-samples.py`` (build the
  toolkit's virtualenv first, as in ``shared/samples/README.md``, and pass ``--toolkit``);
* ``--repeat N`` writes the input N times into one Parquet file (streaming, row group by row
  group), e.g. 10 x 1,000,000 rows for the 10-million-row run.

The validation runs in a fresh child process, so its peak RSS is its own. Printed: rows,
wall time, CPU time, rows/s, peak RSS, speed-up against 150 s, and the error rules found.

Usage::

    .venv/bin/python bench/bench_validator.py --toolkit /tmp/fdt/bin/focus-toolkit
    .venv/bin/python bench/bench_validator.py --file /tmp/bench1m/aws-...-1000k.parquet
    .venv/bin/python bench/bench_validator.py --file /tmp/bench1m/aws-...-1000k.parquet --repeat 10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_SAMPLES = REPO.parent / "shared" / "tools" / "focus-samples" / "make-samples.py"
OFFICIAL_SECONDS = 150.0
GIB = 1 << 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, help="validate this file or folder")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate")
    parser.add_argument("--toolkit", help="focus-toolkit command (to generate the input)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-validator"))
    parser.add_argument("--repeat", type=int, default=1, help="write the input N times")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)

    source = args.file or _generate(args.rows, args.toolkit, args.work)
    if args.repeat > 1:
        source = _repeat(source, args.repeat, args.work)
    return _measure(source)


def _generate(rows: int, toolkit: str | None, work: Path) -> Path:
    """Make an AWS-like Cost and Usage Parquet file with focus-data-toolkit."""
    target = work / f"aws-focus-1.3-cost-and-usage-{rows // 1000}k.parquet"
    if target.exists():
        return target
    if not toolkit:
        sys.exit("no --file given: pass --toolkit PATH/focus-toolkit to generate the input")
    work.mkdir(parents=True, exist_ok=True)
    python = Path(toolkit).parent / "python"
    command = [str(python), str(MAKE_SAMPLES), "--out", str(work), "--rows", str(rows)]
    command += ["--providers", "aws", "--toolkit", toolkit]
    print("generating:", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    return target


def _repeat(source: Path, times: int, work: Path) -> Path:
    """Write ``source`` ``times`` times into one Parquet file, one row group at a time."""
    import pyarrow.parquet as pq

    target = work / f"{source.stem}-x{times}.parquet"
    if target.exists():
        return target
    work.mkdir(parents=True, exist_ok=True)
    reader = pq.ParquetFile(source)
    with pq.ParquetWriter(target, reader.schema_arrow, compression="snappy") as writer:
        for _ in range(times):
            for group in range(reader.num_row_groups):
                writer.write_table(reader.read_row_group(group))
    return target


def _measure(source: Path) -> int:
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(source)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        print(child.stdout, child.stderr, sep="\n")
        return child.returncode
    result = json.loads(child.stdout)
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    rows = result["rows"]
    print(f"file:        {source} ({source.stat().st_size / 1e6:.0f} MB)")
    print(f"rows:        {rows:,}")
    print(f"validation:  {result['seconds']:.2f} s wall in the validator, {wall:.2f} s process")
    print(f"cpu:         {usage.ru_utime + usage.ru_stime:.2f} s (user + system, all threads)")
    print(f"throughput:  {rows / result['seconds']:,.0f} rows/s")
    print(f"peak RSS:    {peak / 2**20:,.0f} MiB ({'under' if peak < GIB else 'OVER'} 1 GiB)")
    per_million = wall * 1_000_000 / rows
    print(f"speed-up:    {OFFICIAL_SECONDS / per_million:.1f}x against 150 s per million rows")
    print(f"findings:    {json.dumps(result['errors'])}")
    return 0


def _child(source: Path) -> int:
    from focus_ionos_plugin.findings import Severity
    from focus_ionos_plugin.focus.conformance import validate_path

    report = validate_path(source)
    errors = {f.rule_id: f.rows for f in report.findings if f.severity is Severity.ERROR}
    result = {"rows": report.rows, "seconds": report.seconds, "errors": errors}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
