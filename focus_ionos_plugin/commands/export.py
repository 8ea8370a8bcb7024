"""``focus-ionos export``: the main job. Fetch, convert, validate and write FOCUS datasets.

For each period: the provider's raw data is fetched, converted to FOCUS 1.3 rows, checked by
every plugin (core conformance plus the provider's reconciliation), and written as the Hive
partition ``OUT/provider=<p>/billing_period=YYYY-MM/`` (Parquet, CSV on request). Each
partition is replaced atomically: a run that fails leaves the partitions it did not reach
as they were, and re-exporting a period replaces it (no duplicate rows). The FOCUS metadata
file ``OUT/_focus_metadata.json`` is rewritten at the end, then a one-screen summary.

Exit code: 1 when any finding is an error. The data is written all the same (it is the
evidence the findings point at); 0 otherwise.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..findings import Finding, Severity, has_errors
from ..periods import BillingPeriod
from . import App
from .periods import add_ionos_options, add_period_options, chosen_months, ionos_context

if TYPE_CHECKING:
    import pyarrow as pa

    from ..host import PeriodResult

__all__ = [
    "FORMATS",
    "ExportSummary",
    "add_format_option",
    "add_parser",
    "check_out_folder",
    "export_run",
    "finding_counts",
    "print_summary",
    "report_without_data",
    "write_dataset_metadata",
    "write_result",
]

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "csv", "both")
_STATUS = "x_CostStatus"
_SHOWN_FINDINGS = 8


def add_parser(subparsers: Any) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export",
        help="fetch, convert, validate and write FOCUS 1.3 datasets (the main job)",
        description=(
            "Fetch the provider's data for each period, convert it to FOCUS 1.3, validate\n"
            "it (FOCUS conformance and, for IONOS, reconciliation with the invoices) and\n"
            "write a Hive-partitioned dataset OUT/provider=P/billing_period=YYYY-MM/ with the\n"
            "FOCUS metadata file OUT/_focus_metadata.json.\n"
            "\n"
            "Without --period or --from every period the provider lists is exported (IONOS:\n"
            "the invoiced months of the last 12 plus the running month; with --demo all demo\n"
            "months). --from without --to runs to the latest period the provider lists (the\n"
            "running month). A period without any data is not written; asking only for such\n"
            "periods exits 2. Exit code 1 when a finding is an error (the data is still\n"
            "written). With -q the summary is one line per partition plus totals and errors."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos export --demo --out ./focus-out\n"
            "  focus-ionos export --demo --period 2026-11 --out ./focus-out --format both\n"
            "  focus-ionos export --demo --from 2026-10 --out ./focus-out\n"
            "  IONOS_TOKEN=... focus-ionos export --from 2026-01 --to 2026-06 --out ./focus-out"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_period_options(
        parser, required=False, latest="the latest period the provider lists, the open month"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="dataset folder")
    add_format_option(parser)
    parser.add_argument(
        "--raw-dir",
        type=Path,
        metavar="DIR",
        help="also save the raw payloads here (as 'focus-ionos fetch' does)",
    )
    parser.add_argument(
        "--meter-catalog",
        metavar="CSV",
        help="your meter catalog extension (default: FOCUS_IONOS_METER_CATALOG)",
    )
    add_ionos_options(parser)
    parser.set_defaults(func=export_run)


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format parquet|csv|both`` (default parquet)."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="parquet",
        help="file format of each partition (default: parquet)",
    )


@dataclass
class ExportSummary:
    """What a run wrote and found, for the summary screen."""

    out: Path
    formats: str
    #: (provider, period, rows, {(currency, cost status): BilledCost})
    periods: list[tuple[str, str, int, dict[tuple[str, str], Decimal]]] = field(
        default_factory=list
    )
    #: (period, finding)
    findings: list[tuple[str, Finding]] = field(default_factory=list)
    metadata: Path | None = None
    #: Requested periods the provider had no data for (not written).
    without_data: list[str] = field(default_factory=list)

    @property
    def all_findings(self) -> list[Finding]:
        """Every finding of the run."""
        return [item for _, item in self.findings]


def export_run(args: argparse.Namespace, app: App) -> int:
    """Fetch, convert, validate and write every requested period; print the summary."""
    check_out_folder(args.out)
    info = app.host.provider(args.provider)
    options = {"meter_catalog": args.meter_catalog} if args.meter_catalog else {}
    summary = ExportSummary(args.out, args.format)
    with ionos_context(args, app, **options) as context:
        listed: list[BillingPeriod] | None = None

        def provider_periods() -> list[BillingPeriod]:
            nonlocal listed
            if listed is None:
                listed = sorted(app.host.list_periods(args.provider, context))
            return listed

        def latest() -> str | None:
            return provider_periods()[-1].month if provider_periods() else None

        months = chosen_months(args, latest)
        if months is None:
            periods = provider_periods()
            if not periods:
                msg = f"provider {args.provider} lists no billing period to export"
                raise UsageError(msg)
        else:
            periods = [BillingPeriod(month) for month in months]
        context.options["periods"] = [p.month for p in periods]
        on_raw = _raw_saver(args.raw_dir, args.provider) if args.raw_dir else None
        for result in app.host.run(args.provider, periods, context, on_raw=on_raw):
            if result.table.num_rows:
                write_result(result, summary)
            else:
                summary.without_data.append(result.period.month)
        if summary.without_data:
            with_data = [p.month for p in provider_periods() if p.month not in summary.without_data]
            report_without_data(
                summary,
                f"no {info.display_name} data for {_months_text(summary.without_data)}; "
                f"periods with data: {', '.join(with_data) or 'none'} "
                "(see 'focus-ionos periods')",
            )
    summary.metadata = write_dataset_metadata(args.out)
    print_summary(app, summary)
    return 1 if has_errors(summary.all_findings) else 0


def check_out_folder(out: Path) -> None:
    """Fail early (exit 2) when ``--out`` or a folder above it is a file, not a folder."""
    if out.exists() and not out.is_dir():
        msg = f"--out {out} is a file; give a folder (it is created when missing)"
        raise UsageError(msg)
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                msg = f"--out {out}: {parent} is a file; give a folder"
                raise UsageError(msg)
            return


def report_without_data(summary: ExportSummary, message: str) -> None:
    """Say which periods had no data; when none had any, fail (exit 2), nothing written."""
    if not summary.periods:
        raise UsageError(message)
    logger.warning("%s; those periods were not written", message)


def _months_text(months: list[str]) -> str:
    return ", ".join(months) if len(months) <= 4 else f"{months[0]}..{months[-1]}"


def write_result(result: PeriodResult, summary: ExportSummary) -> None:
    """Write one period's table as its partition and note it in the summary."""
    from ..focus.writer import write_partition

    table = _without_private_metadata(result.table)
    csv = summary.formats in ("csv", "both")
    parquet = summary.formats in ("parquet", "both")
    write_partition(summary.out, result.provider, result.period, table, csv=csv, parquet=parquet)
    summary.periods.append((result.provider, result.period.month, table.num_rows, _totals(table)))
    summary.findings.extend((result.period.month, item) for item in result.findings)


def print_summary(app: App, summary: ExportSummary) -> None:
    """One screen: rows and totals per period, totals per currency and status, findings.

    With ``-q`` (``app.quiet``) it is terse, for scripts: one line per partition, the
    totals, the counts of errors and warnings and the error lines only.
    """
    quiet = app.quiet
    if not quiet:
        app.echo(f"FOCUS 1.3 dataset in {summary.out} ({summary.formats})")
        app.echo(f"  {'provider':<10}{'period':<9}{'rows':>10}  BilledCost by currency and status")
    grand: dict[tuple[str, str], Decimal] = {}
    for provider, period, rows, totals in summary.periods:
        shown = ", ".join(
            f"{_money(amount)} {currency} {status}"
            for (currency, status), amount in sorted(totals.items())
        )
        app.echo(f"  {provider:<10}{period:<9}{rows:>10}  {shown or '-'}")
        for key, amount in totals.items():
            grand[key] = grand.get(key, Decimal(0)) + amount
    total_rows = sum(rows for _, _, rows, _ in summary.periods)
    app.echo(f"  total: {total_rows} rows in {len(summary.periods)} partition(s)")
    for (currency, status), amount in sorted(grand.items()):
        app.echo(f"    {currency} {status:<11}{_money(amount):>16}")
    if summary.without_data:
        app.echo(f"  no data, not written: {', '.join(summary.without_data)}")
    _print_findings(app, summary.findings, len(summary.periods), quiet=quiet)
    if summary.metadata is not None and not quiet:
        app.echo(f"metadata: {summary.metadata}")


def finding_counts(findings: list[tuple[str, Finding]]) -> dict[Severity, int]:
    """Findings per severity across partitions.

    Errors and warnings are about rows, so each partition's count. A rule not checked is
    one rule however many partitions skipped it, and an info line repeated word for word
    in several partitions is one fact about the dataset.
    """
    counts = dict.fromkeys(Severity, 0)
    seen: set[tuple[object, ...]] = set()
    for period, item in findings:
        if item.severity is Severity.SKIPPED:
            key: tuple[object, ...] = (item.severity, item.rule_id)
        elif item.severity is Severity.INFO:
            key = (item.severity, item.rule_id, item.column, item.message)
        else:
            key = (period, item.severity, item.rule_id, item.column, item.message, item.rows)
            counts[item.severity] += 1
            continue
        if key not in seen:
            seen.add(key)
            counts[item.severity] += 1
    return counts


def _print_findings(
    app: App, findings: list[tuple[str, Finding]], partitions: int, *, quiet: bool = False
) -> None:
    """Counts per severity, then one line per rule (periods and rows added up)."""
    counts = finding_counts(findings)
    grouped: dict[tuple[str, str, str | None], list[tuple[str, Finding]]] = {}
    for period, item in findings:
        shown = Severity.ERROR if quiet else Severity.INFO
        if item.severity is not Severity.SKIPPED and _rank(item.severity) <= _rank(shown):
            key = (str(item.severity), item.rule_id, item.column)
            grouped.setdefault(key, []).append((period, item))
    if quiet:
        app.echo(
            f"findings: {counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s)"
        )
    else:
        app.echo(
            f"findings: {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info, "
            f"{counts[Severity.SKIPPED]} rule(s) not checked"
        )
    keys = sorted(grouped, key=lambda k: (_rank(Severity(k[0])), k[1], k[2] or ""))
    for severity, rule_id, column in keys[:_SHOWN_FINDINGS]:
        items = grouped[(severity, rule_id, column)]
        months = sorted({period for period, _ in items})
        periods = (
            f"all {partitions} periods"
            if partitions > 2 and len(months) == partitions
            else ", ".join(months)
        )
        rows = sum(item.rows for _, item in items)
        where = f" [{column}]" if column else ""
        first = items[0][1].message
        message = first if len(first) <= 140 else first[:137] + "..."
        extra = f" ({rows} rows)" if rows and len(items) > 1 else ""
        app.echo(f"  {severity} {rule_id}{where} {periods}{extra}: {message}")
    if len(keys) > _SHOWN_FINDINGS:
        app.echo(f"  ... and {len(keys) - _SHOWN_FINDINGS} more rule(s)")


def _rank(severity: Severity) -> int:
    return list(Severity).index(severity)


def _raw_saver(folder: Path, provider: str) -> Any:
    from ..raw import RawBatch

    def save(period: BillingPeriod, raw: Any) -> None:
        if isinstance(raw, RawBatch):
            raw.save(folder / provider / period.month)

    return save


def _without_private_metadata(table: pa.Table) -> pa.Table:
    """Drop converter-internal schema metadata (reconciliation facts) before writing."""
    metadata = {
        key: value
        for key, value in (table.schema.metadata or {}).items()
        if not key.startswith(b"focus_ionos.")
    }
    return table.replace_schema_metadata(metadata or None)


def _totals(table: pa.Table) -> dict[tuple[str, str], Decimal]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return {}
    status = (
        table[_STATUS]
        if _STATUS in table.column_names
        else pa.repeat(pa.scalar("-", pa.string()), table.num_rows)
    )
    view = pa.table(
        {
            "currency": pc.fill_null(table["BillingCurrency"], "?"),
            "status": pc.fill_null(status, "-"),
            "cost": table["BilledCost"],
        }
    )
    grouped = view.group_by(["currency", "status"]).aggregate([("cost", "sum")])
    return {
        (currency, status): amount or Decimal(0)
        for currency, status, amount in zip(
            grouped["currency"].to_pylist(),
            grouped["status"].to_pylist(),
            grouped["cost_sum"].to_pylist(),
            strict=True,
        )
    }


def write_dataset_metadata(out: Path) -> Path:
    """(Re)write the FOCUS metadata file naming every provider partition under ``out``."""
    from ..focus.writer import write_metadata
    from ..ionos.convert_focus import focus_schema

    providers = sorted(p.name.partition("=")[2] for p in out.glob("provider=*") if p.is_dir())
    return write_metadata(out, schema=focus_schema(), providers=providers)


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,.2f}"
