"""``focus-ionos convert``: convert saved raw payloads to FOCUS offline (no API calls).

Reads the folders ``focus-ionos fetch`` wrote (``RAW_DIR/<provider>/YYYY-MM/``, every file
checked against its SHA-256 in the manifest), converts, validates and writes exactly like
``export`` does. Useful for audits (the dataset can always be rebuilt from untouched
payloads) and for re-converting after a meter catalog change.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..findings import has_errors
from ..periods import BillingPeriod, month_range, parse_month
from ..raw import MANIFEST_NAME, RawBatch
from . import App
from .export import (
    ExportSummary,
    add_format_option,
    print_summary,
    write_dataset_metadata,
    write_result,
)

__all__ = ["add_parser", "convert_raw"]


def add_parser(subparsers: Any) -> None:
    """Add the ``convert`` sub-command."""
    parser = subparsers.add_parser(
        "convert",
        help="convert saved raw payloads (from 'fetch') to a FOCUS dataset, offline",
        description=(
            "Convert the raw payloads saved by 'focus-ionos fetch' under "
            "RAW_DIR/PROVIDER/YYYY-MM/ to FOCUS 1.3, validate them and write the partitions "
            "OUT/provider=P/billing_period=YYYY-MM/ plus OUT/_focus_metadata.json, as "
            "'export' does, without calling any API. Exit code 1 when a finding is an error "
            "(the data is still written)."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos fetch --demo --from 2026-09 --to 2026-12 --raw-dir raw/\n"
            "  focus-ionos convert --raw-dir raw/ --period 2026-11 --out ./focus-out\n"
            "  focus-ionos convert --raw-dir raw/ --from 2026-09 --to 2026-12 --out out/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", metavar="YYYY-MM", help="one month")
    which.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (with --from)")
    parser.add_argument(
        "--raw-dir", type=Path, required=True, metavar="DIR", help="folder 'fetch' wrote"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="dataset folder")
    add_format_option(parser)
    parser.add_argument(
        "--provider", default="ionos", help="provider name as in 'focus-ionos plugins'"
    )
    parser.add_argument(
        "--meter-catalog",
        metavar="CSV",
        help="your meter catalog extension (default: FOCUS_IONOS_METER_CATALOG)",
    )
    parser.set_defaults(func=convert_raw)


def convert_raw(args: argparse.Namespace, app: App) -> int:
    """Convert, validate and write every requested period; print the summary."""
    from ..host import PeriodResult

    months = _months(args)
    host = app.host
    host.provider(args.provider)
    options = {"meter_catalog": args.meter_catalog} if args.meter_catalog else {}
    context = app.context(out_dir=args.out, **options)
    batches = [(month, _load(args.raw_dir, args.provider, month)) for month in months]
    summary = ExportSummary(args.out, args.format)
    for month, raw in batches:
        period = BillingPeriod(month, closed=bool(raw.meta.get("closed", True)))
        table = host.to_focus(args.provider, raw, context)
        findings = host.validate(table, args.provider, context)
        write_result(PeriodResult(args.provider, period, table, findings, raw), summary)
    summary.metadata = write_dataset_metadata(args.out)
    print_summary(app, summary)
    return 1 if has_errors(summary.all_findings) else 0


def _load(raw_dir: Path, provider: str, month: str) -> RawBatch:
    """The saved batch of ``month``: RAW_DIR/<provider>/<month>/, or RAW_DIR itself."""
    candidates = [raw_dir / provider / month, raw_dir / month, raw_dir]
    for folder in candidates:
        if (folder / MANIFEST_NAME).is_file():
            batch = RawBatch.load(folder)
            if batch.period == month and batch.provider == provider:
                return batch
    msg = (
        f"no saved raw batch of {provider} {month} under {raw_dir} (looked for "
        f"{candidates[0]}/{MANIFEST_NAME}); save it first with "
        f"'focus-ionos fetch --period {month} --raw-dir {raw_dir}'"
    )
    raise InputError(msg)


def _months(args: argparse.Namespace) -> list[str]:
    if args.period:
        if args.last:
            msg = "--to goes with --from, not with --period"
            raise UsageError(msg)
        return [parse_month(args.period)]
    if not args.last:
        msg = f"--from {args.first} needs --to (the last month to convert)"
        raise UsageError(msg)
    return month_range(args.first, args.last)
