"""``focus-ionos report``: the cost report of a FOCUS dataset, as HTML or JSON."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from . import App
from .periods import add_period_options, chosen_months

__all__ = ["add_parser", "report_build"]

logger = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report",
        help="write the HTML cost report (or its analyses as JSON) of a FOCUS dataset",
        description=(
            "Analyze a FOCUS 1.3 dataset (a folder written by 'focus-ionos export', one\n"
            "provider or merged, or a Parquet file): totals per currency, breakdowns by\n"
            "provider, region, service and charge category, the top cost drivers, month over\n"
            "month, anomalies, invoice reconciliation, network traffic per VDC and the\n"
            "validator's verdict. HTML is one self-contained file (no scripts, nothing\n"
            "fetched); JSON carries the same figures with exact decimal strings.\n"
            "\n"
            "--from without --to runs to the dataset's latest month. Months the dataset has\n"
            "no rows for exit 2, naming the months it has."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos report focus-out --out report.html\n"
            "  focus-ionos report focus-out --from 2026-09 --to 2026-11 --out q4.html\n"
            "  focus-ionos report focus-out --from 2026-10 --out since-october.html\n"
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
    add_period_options(parser, required=False, latest="the dataset's latest month")
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
    from ..report.load import dataset_months
    from ..report.render import render_html, render_json

    if args.out is not None:
        _check_out_file(args.out)
    months = chosen_months(args, lambda: max(dataset_months(args.dataset), default=None))
    if months:
        _check_months(args.dataset, months)
    report = build_report(
        args.dataset,
        months,
        validate=args.validate,
        meter_catalog=args.meter_catalog or app.settings.get(CATALOG_ENV),
        generated_at=datetime.now(UTC).replace(microsecond=0),
    )
    if not report.kpis.totals:
        if months:
            # The partitions named the months, but no row's BillingPeriodStart is in them.
            raise _no_rows(args.dataset, months)
        logger.warning("%s has no rows; the report is empty", args.dataset)
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


def _check_out_file(out: Path) -> None:
    """Fail early (exit 2) when ``--out`` is a folder or a folder above it is a file."""
    if out.is_dir():
        msg = f"--out {out} is a folder; give a file name such as {out / 'report.html'}"
        raise UsageError(msg)
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                msg = f"--out {out}: its parent {parent} is a file, not a folder; give another path"
                raise UsageError(msg)
            return


def _check_months(dataset: Path, months: list[str]) -> None:
    """Exit 2 when the dataset has no rows in any of ``months``, naming those it has."""
    from ..report.load import dataset_months

    if not set(months) & set(dataset_months(dataset)):
        raise _no_rows(dataset, months)


def _no_rows(dataset: Path, months: list[str]) -> UsageError:
    from ..report.load import dataset_months

    have = dataset_months(dataset)
    asked = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    return UsageError(f"{dataset} has no rows in {asked}; its months: {', '.join(have) or 'none'}")


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a report)."""
    from ..focus.writer import atomic_file

    folder = path.parent if str(path.parent) else Path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as handle:
            handle.write(text.encode("utf-8"))
    except OSError as exc:
        msg = f"cannot write the report to {path}: {exc.strerror or exc}; check the --out path"
        raise InputError(msg) from exc
