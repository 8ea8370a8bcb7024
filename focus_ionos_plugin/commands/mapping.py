"""``focus-ionos mapping``: how IONOS data becomes FOCUS 1.3 columns, and the meter catalog."""

from __future__ import annotations

import argparse
import json
from typing import Any

from . import App

__all__ = ["add_parser", "mapping_show"]


def add_parser(subparsers: Any) -> None:
    """Add the ``mapping`` sub-command."""
    parser = subparsers.add_parser(
        "mapping",
        help="show how IONOS data maps to FOCUS columns, and the meter catalog in use",
        description=(
            "Print which IONOS data makes which rows, how every FOCUS 1.3 column is filled,\n"
            "the meter catalog in use (built-in entries plus your extension file) and the\n"
            "region names. The converter reads the same data, so this is always current."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos mapping\n"
            "  focus-ionos mapping --json\n"
            "  focus-ionos mapping --meter-catalog my-meters.csv --markdown > mapping.md"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--meter-catalog",
        metavar="CSV",
        help="your meter catalog extension (default: FOCUS_IONOS_METER_CATALOG)",
    )
    parser.set_defaults(func=mapping_show)


def mapping_show(args: argparse.Namespace, app: App) -> int:
    """Print the mapping as text, JSON or Markdown."""
    from ..ionos.convert_mapping import mapping_document, mapping_markdown
    from ..ionos.meters import catalog_for

    options = {"meter_catalog": args.meter_catalog} if args.meter_catalog else {}
    catalog = catalog_for(options, app.settings)
    if args.json:
        app.echo(json.dumps(mapping_document(catalog), indent=2, ensure_ascii=False))
        return 0
    if args.markdown:
        app.stdout.write(mapping_markdown(catalog))
        return 0
    doc = mapping_document(catalog)
    app.echo("Which IONOS data makes which rows:")
    for item in doc["data_sources"]:
        app.echo(f"  {item['case']}: {item['rule']}")
    app.echo(f"  Split rounding: {doc['rounding_rule']}")
    for note in doc["notes"]:
        app.echo(f"  {note['topic']}: {note['note']}")
    app.echo("")
    app.echo("FOCUS column <- IONOS source:")
    width = max(len(c["column"]) for c in doc["columns"])
    for column in doc["columns"]:
        app.echo(f"  {column['column']:<{width}}  {column['source']}")
    app.echo("")
    sources = ", ".join(doc["meter_catalog"]["sources"])
    app.echo(f"Meter catalog ({sources}):")
    for entry in doc["meter_catalog"]["entries"]:
        units = entry["pricing_unit"] or "(from the IONOS unit)"
        app.echo(
            f"  {entry['kind']:<13} {entry['match']:<18} {entry['service_name']} / "
            f"{entry['service_category']} / {entry['service_subcategory']}; "
            f"{entry['resource_type'] or '-'}; {units}"
        )
    app.echo("")
    app.echo("Regions: " + ", ".join(f"{r['location']} = {r['name']}" for r in doc["regions"]))
    return 0
