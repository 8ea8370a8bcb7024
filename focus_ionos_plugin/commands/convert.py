"""``focus-ionos convert``: convert saved raw payloads to FOCUS offline (no API calls).

Reads the folders ``focus-ionos fetch`` wrote (``RAW_DIR/<provider>/YYYY-MM/``, every file
checked against its SHA-256 in the manifest), converts, validates and writes exactly like
``export`` does. Useful for audits (the dataset can always be rebuilt from untouched
payloads) and for re-converting after a meter catalog change.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..findings import has_errors
from ..periods import BillingPeriod
from ..raw import MANIFEST_NAME, RawBatch
from . import App
from .export import (
    ExportSummary,
    add_format_option,
    check_out_folder,
    print_summary,
    report_without_data,
    write_dataset_metadata,
    write_result,
)
from .periods import add_period_options, chosen_months

__all__ = ["add_parser", "convert_raw"]

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def add_parser(subparsers: Any) -> None:
    """Add the ``convert`` sub-command."""
    parser = subparsers.add_parser(
        "convert",
        help="convert saved raw payloads (from 'fetch') to a FOCUS dataset, offline",
        description=(
            "Convert the raw payloads saved by 'focus-ionos fetch' under\n"
            "RAW_DIR/PROVIDER/YYYY-MM/ to FOCUS 1.3, validate them and write the partitions\n"
            "OUT/provider=P/billing_period=YYYY-MM/ plus OUT/_focus_metadata.json, as\n"
            "'export' does, without calling any API. --from without --to runs to the latest\n"
            "month saved under RAW_DIR. A period whose batch holds no data is not written;\n"
            "asking only for such periods exits 2. Exit code 1 when a finding is an error\n"
            "(the data is still written)."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos fetch --demo --from 2026-09 --to 2026-12 --raw-dir raw/\n"
            "  focus-ionos convert --raw-dir raw/ --period 2026-11 --out ./focus-out\n"
            "  focus-ionos convert --raw-dir raw/ --from 2026-09 --out out/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_period_options(parser, required=True, latest="the latest month saved under RAW_DIR")
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

    check_out_folder(args.out)
    host = app.host
    info = host.provider(args.provider)
    months = chosen_months(args, lambda: max(_saved(args.raw_dir, args.provider), default=None))
    assert months is not None  # the parser requires --period or --from
    options = {"meter_catalog": args.meter_catalog} if args.meter_catalog else {}
    context = app.context(out_dir=args.out, **options)
    batches = [(month, _load(args.raw_dir, args.provider, month)) for month in months]
    summary = ExportSummary(args.out, args.format)
    for month, raw in batches:
        period = BillingPeriod(month, closed=bool(raw.meta.get("closed", True)))
        table = host.to_focus(args.provider, raw, context)
        if not table.num_rows:
            summary.without_data.append(month)
            continue
        findings = host.validate(table, args.provider, context)
        write_result(PeriodResult(args.provider, period, table, findings, raw), summary)
    if summary.without_data:
        saved = [m for m in _saved(args.raw_dir, args.provider) if m not in summary.without_data]
        report_without_data(
            summary,
            f"no {info.display_name} data in the saved batch of "
            f"{', '.join(summary.without_data)}; saved periods with data: "
            f"{', '.join(saved) or 'none'} (under {args.raw_dir / args.provider})",
        )
    summary.metadata = write_dataset_metadata(args.out)
    print_summary(app, summary)
    return 1 if has_errors(summary.all_findings) else 0


def _saved(raw_dir: Path, provider: str) -> list[str]:
    """Months saved under RAW_DIR/<provider>/ (folders with a manifest), oldest first."""
    folder = raw_dir / provider
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if _MONTH.match(p.name) and (p / MANIFEST_NAME).is_file()
    )


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
