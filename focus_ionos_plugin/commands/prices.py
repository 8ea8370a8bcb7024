"""``focus-ionos prices``: the IONOS price list in FOCUS terms, searchable."""

from __future__ import annotations

import argparse
import calendar
import json
import re
from datetime import UTC, date, datetime
from typing import Any

from ..errors import UsageError
from . import App
from .periods import add_account_options, ionos_context

__all__ = ["add_parser", "prices_list"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_parser(subparsers: Any) -> None:
    """Add the ``prices`` sub-command."""
    parser = subparsers.add_parser(
        "prices",
        help="show the IONOS price list (SkuId, service, unit price, unit)",
        description=(
            "Show the contract's IONOS price list valid on a day, in FOCUS terms: SkuId\n"
            "(meter id), ServiceName, ServiceCategory, unit price (ListUnitPrice),\n"
            "PricingUnit, currency and whether the product is deprecated. --search keeps\n"
            "products whose id, description, service or category contain every word given."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos prices --demo --search storage\n"
            "  focus-ionos prices --demo --date 2026-06-01 --json\n"
            "  IONOS_TOKEN=... focus-ionos prices --search 'core amd'"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--search", metavar="TEXT", help="words every listed product contains")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="day the prices are valid on (default: today, UTC)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_account_options(parser)
    parser.add_argument(
        "--meter-catalog",
        metavar="CSV",
        help="your meter catalog extension (default: FOCUS_IONOS_METER_CATALOG)",
    )
    parser.set_defaults(func=prices_list, timeout=None)


def prices_list(args: argparse.Namespace, app: App) -> int:
    """Print the price list valid on ``--date``, filtered by ``--search``."""
    from ..ionos.meters import catalog_for
    from ..ionos.prices import fetch_price_entries, search_prices

    day = _day(args.date)
    with ionos_context(args, app) as context:
        catalog = catalog_for({"meter_catalog": args.meter_catalog}, context.settings)
        contract, entries = fetch_price_entries(context.settings, context.options, day, catalog)
    found = search_prices(entries, args.search)
    if args.json:
        document = {
            "contract": contract,
            "date": day,
            "search": args.search,
            "products": [entry.to_dict() for entry in found],
        }
        app.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if not found:
        what = f" matching {args.search!r}" if args.search else ""
        app.echo(f"no products{what} in the price list of contract {contract} on {day}")
        return 0
    rows = [
        (
            entry.sku_id,
            entry.service_name,
            entry.service_category,
            "–" if entry.list_unit_price is None else str(entry.list_unit_price),
            entry.pricing_unit or "–",
            entry.currency or "–",
            "deprecated" if entry.deprecated else "",
            entry.description or "",
        )
        for entry in found
    ]
    header = (
        "SkuId",
        "ServiceName",
        "ServiceCategory",
        "UnitPrice",
        "PricingUnit",
        "Currency",
        "Status",
        "Description",
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {3}
    for row in [header, *rows]:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        app.echo("  ".join(cells).rstrip())
    app.echo(f"{len(found)} of {len(entries)} products, contract {contract}, prices of {day}")
    return 0


def _day(text: str | None) -> str:
    if text is None:
        return datetime.now(UTC).date().isoformat()
    if not _DATE.match(text):
        msg = f"--date {text!r} is not a day written YYYY-MM-DD (for example 2026-06-01)"
        raise UsageError(msg)
    year, month, day = (int(part) for part in text.split("-"))
    try:
        date(year, month, day)
    except ValueError:
        if year < 1:
            why = f"year {year}"
        elif not 1 <= month <= 12:
            why = f"month {month}"
        else:
            days = calendar.monthrange(year, month)[1]
            why = f"{calendar.month_name[month]} {year} has {days} days"
        msg = f"--date {text} is not a valid date ({why}); for example 2026-06-01"
        raise UsageError(msg) from None
    return text
