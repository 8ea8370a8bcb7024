"""``focus-ionos fetch``: save a provider's raw payloads per period for offline conversion."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import PluginError
from ..periods import BillingPeriod
from ..raw import RawBatch
from . import App
from .periods import add_ionos_options, add_period_options, chosen_months, ionos_context

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
            "concurrently first; when a call fails for good, nothing is written. --from\n"
            "without --to runs to the latest period the provider lists (the running month)."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos fetch --demo --from 2026-09 --to 2026-12 --raw-dir raw/\n"
            "  focus-ionos fetch --demo --from 2026-10 --raw-dir raw/\n"
            "  IONOS_TOKEN=... focus-ionos fetch --period 2026-11 --raw-dir raw/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_period_options(
        parser, required=True, latest="the latest period the provider lists, the open month"
    )
    parser.add_argument(
        "--raw-dir", type=Path, required=True, metavar="DIR", help="folder for the payloads"
    )
    add_ionos_options(parser)
    parser.set_defaults(func=fetch_raw)


def fetch_raw(args: argparse.Namespace, app: App) -> int:
    """Fetch and save every requested period; print one line per period."""
    app.host.provider(args.provider)
    with ionos_context(args, app) as context:

        def latest() -> str | None:
            listed = app.host.list_periods(args.provider, context)
            return max((p.month for p in listed), default=None)

        months = chosen_months(args, latest)
        assert months is not None  # the parser requires --period or --from
        context.options["periods"] = months
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
