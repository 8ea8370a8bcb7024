"""``focus-ionos fetch``: save a provider's raw payloads per period for offline conversion."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import PluginError, UsageError
from ..periods import BillingPeriod, month_range, parse_month
from ..raw import RawBatch
from . import App
from .periods import add_ionos_options, ionos_context

__all__ = ["add_parser", "fetch_raw"]


def add_parser(subparsers: Any) -> None:
    """Add the ``fetch`` sub-command."""
    parser = subparsers.add_parser(
        "fetch",
        help="save raw API payloads of one or more periods",
        description=(
            "Fetch the provider's raw payloads for each period and save them under\n"
            "RAW_DIR/PROVIDER/YYYY-MM/: one JSON file per API call plus manifest.json\n"
            "(endpoints, fetch times, SHA-256). Each period folder is replaced atomically\n"
            "and left untouched when its payloads did not change. All periods are fetched\n"
            "concurrently first; when a call fails for good, nothing is written."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos fetch --demo --from 2026-09 --to 2026-12 --raw-dir raw/\n"
            "  IONOS_TOKEN=... focus-ionos fetch --period 2026-11 --raw-dir raw/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", metavar="YYYY-MM", help="one month")
    which.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (with --from)")
    parser.add_argument(
        "--raw-dir", type=Path, required=True, metavar="DIR", help="folder for the payloads"
    )
    add_ionos_options(parser)
    parser.set_defaults(func=fetch_raw)


def fetch_raw(args: argparse.Namespace, app: App) -> int:
    """Fetch and save every requested period; print one line per period."""
    months = _months(args)
    app.host.provider(args.provider)
    with ionos_context(args, app, periods=months) as context:
        for month in months:
            raw = app.host.fetch_raw(args.provider, BillingPeriod(month), context)
            if not isinstance(raw, RawBatch):
                msg = (
                    f"provider {args.provider!r} does not deliver raw batches that can be "
                    "saved; use 'focus-ionos export' to convert its data directly"
                )
                raise PluginError(msg)
            folder = args.raw_dir / args.provider / month
            written = raw.save(folder)
            note = "" if raw.meta.get("invoice_access", True) else " (no invoice access)"
            state = "saved to" if written else "unchanged in"
            app.echo(f"{args.provider} {month}: {len(raw.entries)} payloads {state} {folder}{note}")
    return 0


def _months(args: argparse.Namespace) -> list[str]:
    if args.period:
        if args.last:
            msg = "--to goes with --from, not with --period"
            raise UsageError(msg)
        return [parse_month(args.period)]
    if not args.last:
        msg = f"--from {args.first} needs --to (the last month to fetch)"
        raise UsageError(msg)
    return month_range(args.first, args.last)
