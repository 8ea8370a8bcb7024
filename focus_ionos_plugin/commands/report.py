"""``focus-ionos report``: the cost report of a FOCUS dataset, as HTML or JSON."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..periods import month_range, parse_month
from . import App

__all__ = ["add_parser", "report_build"]

logger = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report",
        help="write the HTML cost report (or its analyses as JSON) of a FOCUS dataset",
        description=(
            "Analyze a FOCUS 1.3 dataset (a folder written by 'focus-ionos export', one "
            "provider or merged, or a Parquet file): totals per currency, breakdowns by "
            "provider, region, service and charge category, the top cost drivers, month "
            "over month, anomalies, invoice reconciliation, network traffic per VDC and the "
            "validator's verdict. HTML is one self-contained file (no scripts, nothing "
            "fetched); JSON carries the same figures with exact decimal strings."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos report focus-out --out report.html\n"
            "  focus-ionos report focus-out --from 2026-09 --to 2026-11 --out q4.html\n"
            "  focus-ionos report focus-out --period 2026-11 --format json > nov.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "dataset", type=Path, metavar="DATASET", help="FOCUS dataset folder or file"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="file to write (default: report.html; JSON goes to standard output)",
    )
    parser.add_argument(
        "--format", choices=("html", "json"), default="html", help="output format (default html)"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--period", metavar="YYYY-MM", help="only this month")
    which.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (with --from)")
    parser.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="skip the FOCUS validator (the report then says 'not validated')",
    )
    parser.add_argument(
        "--meter-catalog",
        metavar="CSV",
        help="IONOS meter catalog extension, to recognise your traffic meters",
    )
    parser.set_defaults(func=report_build)


def report_build(args: argparse.Namespace, app: App) -> int:
    """Analyze the dataset and write the report; print where it went."""
    from ..ionos.meters import CATALOG_ENV
    from ..report.build import build_report
    from ..report.render import render_html, render_json

    months = _months(args)
    report = build_report(
        args.dataset,
        months,
        validate=args.validate,
        meter_catalog=args.meter_catalog or app.settings.get(CATALOG_ENV),
        generated_at=datetime.now(UTC).replace(microsecond=0),
    )
    if not report.kpis.totals:
        logger.warning(
            "%s has no rows%s; the report is empty",
            args.dataset,
            f" in {months[0]}..{months[-1]}" if months else "",
        )
    if args.format == "json":
        text = render_json(report)
        if args.out is None:
            app.stdout.write(text)
            return 0
        _write(args.out, text)
        app.echo(f"wrote the report's analyses to {args.out}")
        return 0
    out = args.out or Path("report.html")
    _write(out, render_html(report))
    totals = ", ".join(f"{t.billed_cost:,.2f} {t.currency}" for t in report.kpis.totals)
    months_text = f"{report.months[0]}..{report.months[-1]}" if report.months else "no months"
    app.echo(f"wrote {out}: {months_text}, billed {totals or 'nothing'}")
    return 0


def _months(args: argparse.Namespace) -> list[str] | None:
    if args.period:
        if args.last:
            msg = "--to goes with --from, not with --period"
            raise UsageError(msg)
        return [parse_month(args.period)]
    if args.first or args.last:
        if not (args.first and args.last):
            msg = "--from and --to go together: give the first and the last month"
            raise UsageError(msg)
        return month_range(args.first, args.last)
    return None


def _umask() -> int:
    """The process umask (reading it means setting it; put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a report)."""
    folder = path.parent if str(path.parent) else Path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            # mkstemp makes the file private (0600); a report is an ordinary file.
            Path(staging).chmod(0o666 & ~_umask())
            Path(staging).replace(path)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
    except OSError as exc:
        msg = f"cannot write the report to {path}: {exc.strerror or exc}; check the --out path"
        raise InputError(msg) from exc
