"""Findings: conformance and reconciliation results as data.

A finding is not an exception. Validators return them, reports render them, and the exit
code derives from them (any ``error`` finding means exit 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Severity", "has_errors", "sort_findings"]


class Severity(StrEnum):
    """How bad a finding is. Only ``error`` makes a dataset non-conformant."""

    ERROR = "error"
    WARNING = "warning"
    SKIPPED = "skipped"  # the rule could not be checked; the message says why
    INFO = "info"


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.SKIPPED: 2, Severity.INFO: 3}


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on a dataset.

    ``rule_id`` is the FOCUS rule id (e.g. ``CAU-ChargeFrequency-C-003-M``) or, for our own
    checks, a stable slug such as ``ionos-invoice-total-mismatch``. ``rows`` counts the
    failing rows; ``sample_rows`` holds up to five zero-based row numbers.
    """

    rule_id: str
    severity: Severity
    message: str
    column: str | None = None
    rows: int = 0
    sample_rows: tuple[int, ...] = field(default_factory=tuple)
    provider: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["sample_rows"] = list(self.sample_rows)
        return data


def has_errors(findings: Iterable[Finding]) -> bool:
    """Return True when any finding has severity ``error``."""
    return any(finding.severity is Severity.ERROR for finding in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first: errors, then warnings, then skipped rules; most rows first."""
    return sorted(
        findings, key=lambda f: (_SEVERITY_ORDER[f.severity], -f.rows, f.rule_id, f.column or "")
    )
