"""``focus-ionos plugins``: which plugins are installed, what they provide."""

from __future__ import annotations

import argparse
import json
from typing import Any

from . import App


def add_parser(subparsers: Any) -> None:
    """Add the ``plugins`` sub-command."""
    parser = subparsers.add_parser(
        "plugins",
        help="list installed plugins, their providers and hooks",
        description="List the plugins loaded from the focus_converter entry-point group.",
        epilog="example:\n  focus-ionos plugins --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=plugins_list)


def plugins_list(args: argparse.Namespace, app: App) -> int:
    """Print every plugin with its version, providers and hooks."""
    host = app.host
    providers = host.providers
    rows: list[dict[str, Any]] = []
    for plugin in host.plugins():
        rows.append(
            {
                "name": plugin.name,
                "distribution": plugin.distribution,
                "version": plugin.version,
                "hooks": list(plugin.hooks),
                "providers": [
                    {
                        "name": name,
                        "display_name": providers[name].display_name,
                        "focus_version": providers[name].focus_version,
                    }
                    for name in plugin.providers
                ],
            }
        )
    if args.json:
        app.echo(json.dumps({"plugins": rows}, indent=2))
        return 0
    if not rows:
        app.echo("no plugins installed")
        return 0
    for row in rows:
        version = f" {row['version']}" if row["version"] else ""
        app.echo(f"{row['name']}{version} ({row['distribution'] or 'not installed'})")
        for provider in row["providers"]:
            app.echo(
                f"  provider {provider['name']}: {provider['display_name']}, "
                f"FOCUS {provider['focus_version']}"
            )
        app.echo(f"  hooks: {', '.join(row['hooks'])}")
    return 0
