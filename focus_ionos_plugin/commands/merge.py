"""``focus-ionos merge``: one FOCUS 1.3 dataset from IONOS and other providers' exports."""

from __future__ import annotations

import argparse
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..findings import Severity, has_errors, sort_findings
from ..periods import BillingPeriod, month_range, parse_month
from . import App
from .export import finding_counts

if TYPE_CHECKING:
    from ..focus.merge import MergeSummary

__all__ = ["add_parser", "merge_run", "parse_inputs"]

IONOS = "ionos"
#: Errors and warnings listed in the text summary; --json lists them all.
_SHOWN_FINDINGS = 10
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


def add_parser(subparsers: Any) -> None:
    """Add the ``merge`` sub-command."""
    parser = subparsers.add_parser(
        "merge",
        help="combine IONOS and other providers' FOCUS exports into one dataset",
        description=(
            "Write one FOCUS 1.3 dataset: Hive-partitioned Parquet\n"
            "OUT/provider=NAME/billing_period=YYYY-MM/, the FOCUS metadata file\n"
            "OUT/_focus_metadata.json and, with --csv, one CSV of everything.\n\n"
            "Inputs may be FOCUS 1.0 to 1.3 (CSV or Parquet, files or folders); older versions\n"
            "are upgraded. Each provider and period replaces its partition atomically; other\n"
            "partitions stay. Totals are reported per provider and billing currency, never\n"
            "summed across currencies. Query engines read the partitions with schema union\n"
            "by name (custom x_ columns differ per provider)."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos merge --out combined/ --ionos-demo \\\n"
            "      --input aws=exports/aws/ --input azure=exports/azure.csv\n"
            "  focus-ionos merge --out combined/ --period 2026-05 --input gcp=gcp.parquet --csv"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, metavar="OUT", help="dataset folder")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--period", metavar="YYYY-MM", help="only this month")
    which.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (with --from)")
    ionos = parser.add_mutually_exclusive_group()
    ionos.add_argument(
        "--ionos", action="store_true", help="include IONOS Cloud (credentials from IONOS_*)"
    )
    ionos.add_argument(
        "--ionos-demo", action="store_true", help="include the built-in IONOS demo account"
    )
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a FOCUS export (file or folder); NAME becomes its provider partition (repeat)",
    )
    parser.add_argument("--csv", action="store_true", help="also write one combined CSV")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=merge_run)


def parse_inputs(values: list[str]) -> dict[str, list[Path]]:
    """``["aws=a/", "aws=b.csv"]`` -> ``{"aws": [Path("a"), Path("b.csv")]}``."""
    inputs: dict[str, list[Path]] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not path:
            msg = f"--input {value!r} is not NAME=PATH (for example --input aws=exports/aws/)"
            raise UsageError(msg)
        if not _NAME.match(name):
            msg = (
                f"--input name {name!r} cannot name a provider partition; use lowercase "
                f"letters, digits, '.', '_' or '-' (for example aws)"
            )
            raise UsageError(msg)
        inputs.setdefault(name, []).append(Path(path))
    return inputs


def merge_run(args: argparse.Namespace, app: App) -> int:
    """Merge every provider for the chosen periods and print a summary."""
    from ..files.plugin import INPUTS_OPTION, open_inputs
    from ..focus.merge import MergeSummary, finish_dataset, merge_files, merge_provider

    wanted = _months(args)
    inputs = parse_inputs(args.input)
    use_ionos = args.ionos or args.ionos_demo
    if use_ionos and IONOS in inputs:
        msg = "--input ionos=... clashes with --ionos; give the file input another name"
        raise UsageError(msg)
    if not inputs and not use_ionos:
        msg = "nothing to merge: give --ionos, --ionos-demo or at least one --input NAME=PATH"
        raise UsageError(msg)

    out: Path = args.out
    _check_apart(out, inputs)
    # Open (and check) every input before anything is written.
    opened = open_inputs({INPUTS_OPTION: inputs}) if inputs else {}
    summary = MergeSummary()
    host = app.host
    if use_ionos:
        from .periods import ionos_context

        ionos_args = argparse.Namespace(demo=args.ionos_demo, contract=None, timeout=None)
        with ionos_context(ionos_args, app, periods=wanted or None) as context:
            periods = _select(host.list_periods(IONOS, context), wanted)
            context.options["periods"] = [period.month for period in periods]
            merge_provider(
                host,
                out,
                IONOS,
                periods,
                context=context,
                summary=summary,
            )
    for name, source in opened.items():
        context = app.context(out_dir=out, **{INPUTS_OPTION: {name: source}})
        periods = _select(host.list_periods("files", context), wanted)
        merge_files(host, out, name, periods, context=context, summary=summary)
        summary.findings.extend(source.notes)
    summary.metadata_path, summary.csv_path = finish_dataset(out, csv=args.csv)
    _report(args, app, summary)
    return 1 if has_errors(summary.findings) else 0


def _check_apart(out: Path, inputs: dict[str, list[Path]]) -> None:
    """Refuse an OUT inside an input folder or an input inside OUT.

    Either way the dataset would be read back as input on the next run (or this one) and
    every row counted again, run after run.
    """
    root = out.resolve()
    for name, paths in inputs.items():
        for path in paths:
            where = path.resolve()
            if root == where or root.is_relative_to(where) or where.is_relative_to(root):
                msg = (
                    f"--out {out} and --input {name}={path} overlap: one lies inside the "
                    f"other, so the merged rows would be read again as input. Choose an "
                    f"OUT folder outside every input"
                )
                raise UsageError(msg)


def _months(args: argparse.Namespace) -> list[str] | None:
    if args.period:
        if args.last:
            msg = "--to goes with --from, not with --period"
            raise UsageError(msg)
        return [parse_month(args.period)]
    if args.first:
        if not args.last:
            msg = f"--from {args.first} needs --to (the last month to merge)"
            raise UsageError(msg)
        return month_range(args.first, args.last)
    if args.last:
        msg = "--to needs --from (the first month to merge)"
        raise UsageError(msg)
    return None


def _select(periods: list[BillingPeriod], wanted: list[str] | None) -> list[BillingPeriod]:
    """The listed periods within ``wanted`` (all when no period option was given).

    A wanted month a provider does not list is skipped, never written empty: an empty
    partition would wipe rows an earlier run wrote for that month.
    """
    if wanted is None:
        return list(periods)
    return [period for period in periods if period.month in wanted]


def _report(args: argparse.Namespace, app: App, summary: MergeSummary) -> None:
    findings = sort_findings(summary.findings)
    counted = finding_counts([(f.provider or "", f) for f in findings])
    counts = {str(severity): count for severity, count in counted.items()}
    # File inputs are streamed straight into the dataset; only providers that run through
    # the host pipeline (IONOS) are validated on the way.
    unchecked = sorted(
        {p.provider for p in summary.partitions}
        - ({"ionos"} if args.ionos or args.ionos_demo else set())
    )
    if args.json:
        document = {
            "out": str(args.out),
            "partitions": [
                {
                    "provider": p.provider,
                    "billing_period": p.period,
                    "rows": p.rows,
                    "replaced": p.replaced,
                }
                for p in summary.partitions
            ],
            "totals": [
                {
                    "provider": provider,
                    "currency": currency,
                    **{column: _money(amount) for column, amount in sums.items()},
                }
                for (provider, currency), sums in summary.totals().items()
            ],
            "findings": [f.to_dict() for f in findings],
            "not_validated": unchecked,
            "metadata": str(summary.metadata_path),
            "csv": str(summary.csv_path) if summary.csv_path else None,
        }
        app.echo(json.dumps(document, indent=2))
        return
    app.echo(f"merged into {args.out}")
    for part in summary.partitions:
        state = "replaced" if part.replaced else "new"
        app.echo(f"  {part.provider:<12} {part.period}  {part.rows:>10,} rows  ({state})")
    app.echo("totals per provider and billing currency (never summed across currencies):")
    for (provider, currency), sums in summary.totals().items():
        billed = _money(sums.get("BilledCost", Decimal(0)))
        effective = _money(sums.get("EffectiveCost", Decimal(0)))
        app.echo(
            f"  {provider:<12} {currency or '(none)':<4} BilledCost {billed}  "
            f"EffectiveCost {effective}"
        )
    app.echo(
        "findings: " + ", ".join(f"{count} {name}" for name, count in counts.items() if count)
        if findings
        else "findings: none"
    )
    serious = [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    for finding in serious[:_SHOWN_FINDINGS]:
        app.echo(f"  {finding.severity} {finding.rule_id}: {finding.message}")
    if len(serious) > _SHOWN_FINDINGS:
        app.echo(f"  ... and {len(serious) - _SHOWN_FINDINGS} more (see --json)")
    if unchecked:
        app.echo(
            f"not validated while merging: {', '.join(unchecked)} "
            f"(check the whole dataset with 'focus-ionos validate {args.out}')"
        )
    app.echo(f"metadata: {summary.metadata_path}")
    if summary.csv_path:
        app.echo(f"csv: {summary.csv_path}")


def _money(amount: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros."""
    text = format(amount.normalize(), "f")
    return "0" if text in ("-0", "") else text
