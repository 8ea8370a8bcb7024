"""``focus-ionos periods``: which billing periods a provider can deliver."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..context import Context
from ..errors import UsageError
from ..periods import month_range, parse_month
from . import App

__all__ = [
    "add_account_options",
    "add_ionos_options",
    "add_parser",
    "add_period_options",
    "chosen_months",
    "ionos_context",
    "periods_list",
]


def add_parser(subparsers: Any) -> None:
    """Add the ``periods`` sub-command."""
    parser = subparsers.add_parser(
        "periods",
        help="list the billing periods a provider can deliver",
        description=(
            "List the months a provider has data for. For IONOS: the invoiced months of\n"
            "the last 12 (with invoice ids), last month, and the running month; without\n"
            "invoice access every month of the last 12."
        ),
        epilog=(
            "examples:\n  focus-ionos periods --demo\n  IONOS_TOKEN=... focus-ionos periods --json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_ionos_options(parser, concurrency=False)
    parser.set_defaults(func=periods_list)


def add_account_options(parser: argparse.ArgumentParser) -> None:
    """``--demo`` and ``--contract``: which IONOS account a command reads."""
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo account on a local fake API (no credentials, no network)",
    )
    parser.add_argument(
        "--contract",
        metavar="NUMBER",
        help="IONOS contract number (default: IONOS_CONTRACT_NUMBER, else the only one visible)",
    )


def add_ionos_options(parser: argparse.ArgumentParser, *, concurrency: bool = True) -> None:
    """Options shared by the commands that call a provider (IONOS ones are ignored else)."""
    parser.add_argument(
        "--provider", default="ionos", help="provider name as in 'focus-ionos plugins'"
    )
    add_account_options(parser)
    if concurrency:
        parser.add_argument(
            "--max-in-flight",
            type=int,
            metavar="N",
            help="API requests in flight at once (default: FOCUS_IONOS_MAX_IN_FLIGHT, else 8)",
        )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="seconds one API request may take (default: FOCUS_IONOS_TIMEOUT, else 60)",
    )


def add_period_options(parser: argparse.ArgumentParser, *, required: bool, latest: str) -> None:
    """``--period`` or ``--from`` [``--to``]; ``latest`` says what ``--to`` defaults to."""
    which = parser.add_mutually_exclusive_group(required=required)
    which.add_argument("--period", metavar="YYYY-MM", help="one month")
    which.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month")
    parser.add_argument(
        "--to",
        dest="last",
        metavar="YYYY-MM",
        help=f"last month, with --from (default: {latest})",
    )


def chosen_months(args: argparse.Namespace, latest: Callable[[], str | None]) -> list[str] | None:
    """The months ``--period``/``--from``/``--to`` ask for; None when none was given.

    ``--from`` alone runs to ``latest()`` (called only then): the newest period the
    provider lists, or the newest saved one offline.
    """
    if args.period:
        if args.last:
            msg = "--to goes with --from, not with --period"
            raise UsageError(msg)
        return [parse_month(args.period)]
    if args.first:
        first = parse_month(args.first)
        if args.last:
            return month_range(first, args.last)
        last = latest()
        if last is None:
            msg = f"--from {first}: there is no period to end at; give --to YYYY-MM"
            raise UsageError(msg)
        if first > last:
            msg = (
                f"--from {first} is after {last}, the latest period there is; give an "
                "earlier month (see 'focus-ionos periods')"
            )
            raise UsageError(msg)
        return month_range(first, last)
    if args.last:
        last = parse_month(args.last)
        msg = (
            f"--to {last} needs --from (the first month); for that month alone give --period {last}"
        )
        raise UsageError(msg)
    return None


@contextmanager
def ionos_context(args: argparse.Namespace, app: App, **options: Any) -> Iterator[Context]:
    """A hook context carrying the provider options; with ``--demo`` the fake API runs."""
    chosen = {
        "contract": args.contract,
        "max_in_flight": getattr(args, "max_in_flight", None),
        "timeout": args.timeout,
        **options,
    }
    chosen = {key: value for key, value in chosen.items() if value is not None}
    if not args.demo:
        yield app.context(**chosen)
        return
    from ..ionos.settings import demo_settings

    with demo_settings(app.settings) as (settings, demo_options):
        context = app.context(**chosen, **demo_options)
        context.settings = settings
        yield context


def periods_list(args: argparse.Namespace, app: App) -> int:
    """Print the provider's billing periods, oldest first."""
    with ionos_context(args, app) as context:
        periods = app.host.list_periods(args.provider, context)
    if args.json:
        rows = [
            {"month": p.month, "closed": p.closed, "invoice_ids": list(p.invoice_ids)}
            for p in periods
        ]
        app.echo(json.dumps({"provider": args.provider, "periods": rows}, indent=2))
        return 0
    if not periods:
        app.echo(f"no billing periods for provider {args.provider}")
        return 0
    for period in periods:
        state = "closed" if period.closed else "open"
        invoices = f"  invoices: {', '.join(period.invoice_ids)}" if period.invoice_ids else ""
        app.echo(f"{period.month}  {state:<6}{invoices}".rstrip())
    return 0
