"""``focus-ionos validate``: check a FOCUS 1.3 file or folder and report per rule.

Exit codes: 0 conformant, 1 conformance errors, 2 unreadable input or bad usage.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding, Severity
from . import App

__all__ = ["add_parser", "render_json", "render_junit", "render_text", "validate_file"]

_CRITERIA_HELP = (
    "features the data generator supports, comma separated (names as in the FOCUS "
    "requirements model, e.g. ACCOUNT_NAMING_SUPPORTED), or ALL; rules that depend on an "
    "undeclared feature are reported as not checked"
)


def add_parser(subparsers: Any) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser(
        "validate",
        help="check a FOCUS 1.3 CSV/Parquet file or folder for conformance",
        description=(
            "Check FOCUS 1.3 data against every rule of the specification that the data\n"
            "itself can show, streaming batch by batch. Exit code 0 when conformant, 1 when\n"
            "errors were found, 2 when the input cannot be read."
        ),
        epilog=(
            "examples:\n"
            "  focus-ionos validate out/provider=ionos/\n"
            "  focus-ionos validate costs.csv --format junit > focus-junit.xml\n"
            "  focus-ionos validate commitments.parquet --dataset contract-commitment"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", metavar="PATH", help="a .csv or .parquet file, or a folder")
    parser.add_argument(
        "--dataset",
        choices=["cost-and-usage", "contract-commitment"],
        help="FOCUS dataset (default: guessed from the columns)",
    )
    parser.add_argument(
        "--format", choices=["text", "json", "junit"], default="text", help="report format"
    )
    parser.add_argument("--applicability-criteria", metavar="LIST", help=_CRITERIA_HELP)
    parser.add_argument(
        "--show-skipped", action="store_true", help="list the rules that were not checked"
    )
    parser.set_defaults(func=validate_file)


def validate_file(args: argparse.Namespace, app: App) -> int:
    """Validate ``args.path`` and print the report; the exit code derives from the findings."""
    from ..focus.conformance import validate_path

    criteria = _criteria(args.applicability_criteria)
    report = validate_path(args.path, dataset=args.dataset, criteria=criteria)
    if args.format == "json":
        app.echo(render_json(report))
    elif args.format == "junit":
        app.echo(render_junit(report))
    else:
        app.echo(render_text(report, show_skipped=args.show_skipped))
    return report.exit_code


def _criteria(value: str | None) -> tuple[str, ...]:
    """The declared criteria, upper-cased; an unknown name is a usage error (exit 2)."""
    from ..focus.conformance import criteria_names

    if not value:
        return ()
    names = tuple(part.strip().upper() for part in value.split(",") if part.strip())
    if not names:
        msg = "--applicability-criteria is empty; give names such as REGION_SUPPORTED, or ALL"
        raise UsageError(msg)
    known = ("ALL", *criteria_names())
    unknown = [name for name in names if name not in known]
    if unknown:
        noun = "criterion" if len(unknown) == 1 else "criteria"
        msg = (
            f"--applicability-criteria: unknown applicability {noun} {', '.join(unknown)};"
            f" valid names (comma separated): {', '.join(known)}"
        )
        raise UsageError(msg)
    return names


def render_text(report: Any, *, show_skipped: bool = False) -> str:
    """A human report: verdict, counts, then one block per failing rule, worst first."""
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    skipped = report.count(Severity.SKIPPED)
    verdict = "conformant" if report.ok else "NOT conformant"
    files = len(report.files)
    lines = [
        f"FOCUS 1.3 {report.dataset}: {report.path}",
        f"  {report.rows} rows in {files} file{'s' if files != 1 else ''}, {report.seconds:.2f} s",
        f"  RESULT: {verdict}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}; {len(report.passed)} rules passed, "
        f"{skipped} not checked",
    ]
    if report.skipped:
        count = len(report.skipped)
        lines.append(
            f"  skipped {count} CSV file{'s' if count != 1 else ''} beside Parquet files "
            f"(same rows; Parquet is read): {_names(report, report.skipped)}"
        )
    shown = [f for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    if shown:
        lines.append("")
    for finding in shown:
        lines.extend(_text_block(report, finding))
    if skipped and show_skipped:
        lines.append("")
        lines.append("Not checked:")
        for finding in report.findings:
            if finding.severity is Severity.SKIPPED:
                lines.append(f"  {finding.rule_id}  {finding.message}")
    elif skipped:
        lines.append("")
        lines.append(
            f"{skipped} rules were not checked (they need information outside the data, an "
            "absent column or a declared feature); --show-skipped lists them."
        )
    return "\n".join(lines)


def _names(report: Any, paths: tuple[str, ...], limit: int = 5) -> str:
    """Paths relative to the validated folder, the first ``limit`` of them."""
    shown = ", ".join(_relative(report, p) for p in paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def _relative(report: Any, path: str) -> str:
    try:
        return str(Path(path).relative_to(report.path))
    except ValueError:
        return path


def _samples(report: Any, finding: Finding) -> str:
    """``rows 1, 2`` for one file; ``a.parquet rows 1, 2; b.parquet row 0`` for several."""
    if len(report.files) <= 1:
        return "rows " + ", ".join(str(r) for r in finding.sample_rows)
    by_file: dict[str, list[int]] = {}
    for name, row in report.samples(finding):
        by_file.setdefault(name, []).append(row)
    return "; ".join(
        f"{_relative(report, name)} row{'s' if len(rows) > 1 else ''} "
        + ", ".join(str(r) for r in rows)
        for name, rows in by_file.items()
    )


def _text_block(report: Any, finding: Finding) -> list[str]:
    where = f"  {finding.column}" if finding.column else ""
    count = f"  {finding.rows} rows" if finding.rows else ""
    samples = f"  e.g. {_samples(report, finding)}" if finding.sample_rows else ""
    head = f"  {finding.severity!s:<8}{finding.rule_id}{where}{count}{samples}"
    return [head, f"          {finding.message}"]


def render_json(report: Any) -> str:
    """The report as JSON (every finding, counts, rules passed)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def render_junit(report: Any) -> str:
    """The report as JUnit XML: one test case per rule; errors fail, skipped rules skip.

    Warnings do not fail the build; they appear as the test case's output. The files read
    (and the CSV twins skipped) are the suite's properties.
    """
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    suite = ET.Element(
        "testsuite",
        name=f"FOCUS 1.3 {report.dataset}: {report.path}",
        tests=str(len(by_rule) + len(report.passed)),
        failures=str(report.count(Severity.ERROR)),
        skipped=str(report.count(Severity.SKIPPED)),
        time=f"{report.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name in report.files:
        ET.SubElement(properties, "property", name="file", value=name)
    for name in report.skipped:
        ET.SubElement(properties, "property", name="skipped_file", value=name)
    for rule_id in sorted(report.passed):
        ET.SubElement(suite, "testcase", classname=f"focus.{report.dataset}", name=rule_id)
    for rule_id, findings in by_rule.items():
        case = ET.SubElement(suite, "testcase", classname=f"focus.{report.dataset}", name=rule_id)
        for finding in findings:
            samples = f"; e.g. {_samples(report, finding)}" if finding.sample_rows else ""
            text = f"{finding.message} ({finding.rows} rows{samples})"
            if finding.severity is Severity.ERROR:
                failure = ET.SubElement(case, "failure", message=finding.message, type="error")
                failure.text = text
            elif finding.severity is Severity.SKIPPED:
                ET.SubElement(case, "skipped", message=finding.message)
            else:
                out = ET.SubElement(case, "system-out")
                out.text = f"{finding.severity}: {text}"
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode")
