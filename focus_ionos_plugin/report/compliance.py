"""The report's FOCUS compliance note: validator verdict, counts and plain caveats.

The verdict comes from the conformance module (:mod:`focus_ionos_plugin.focus.conformance`);
this module only counts its findings and words the caveats a reader of the figures must
know: which costs are estimates, which meters had no price, which rows say nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from ..findings import Finding, Severity, has_errors, sort_findings
from .model import Compliance, Kpis, PeriodStatus
from .render import format_money

__all__ = ["compliance_note"]

#: Errors and warnings listed in the report (worst first); the counts cover every finding.
_LISTED = 8


def compliance_note(
    focus_version: str,
    findings: Iterable[Finding] | None,
    kpis: Kpis,
    periods: Sequence[PeriodStatus] = (),
) -> Compliance:
    """The compliance section. ``findings`` None means the data was not validated."""
    caveats = list(_caveats(kpis, periods))
    if findings is None:
        return Compliance(
            focus_version=focus_version,
            checked=False,
            conformant=None,
            counts={},
            findings=(),
            caveats=tuple(caveats),
        )
    ordered = sort_findings(findings)
    counts = Counter(str(f.severity) for f in ordered)
    return Compliance(
        focus_version=focus_version,
        checked=True,
        conformant=not has_errors(ordered),
        counts={str(s): counts.get(str(s), 0) for s in Severity},
        findings=tuple(
            f.to_dict() for f in ordered if f.severity in (Severity.ERROR, Severity.WARNING)
        )[:_LISTED],
        caveats=tuple(caveats),
    )


def _caveats(kpis: Kpis, periods: Sequence[PeriodStatus]) -> Iterable[str]:
    if not kpis.totals:
        return
    if not kpis.has_cost_status:
        yield (
            "The data does not say which costs are final (no x_CostStatus column): figures "
            "of a month that is still open may change until it is invoiced."
        )
        return
    for totals in kpis.totals:
        for status in totals.cost_status:
            amount = format_money(status.billed_cost, totals.currency)
            if status.status == "Estimated":
                yield (
                    f"{status.rows:,} rows ({amount}, {status.share or 0:.2f} % of the "
                    f"{totals.currency} total) are estimates of months not yet invoiced, "
                    "priced with the product catalog; the invoice replaces them."
                )
            elif status.status == "Unpriced":
                yield (
                    f"{status.rows:,} rows have no price in the product catalog: their "
                    "quantities are kept and their cost counts as 0 until invoiced."
                )
            elif status.status == "Not stated":
                yield (
                    f"{status.rows:,} rows ({amount}) come from exports that do not say "
                    "whether they are final (other providers' files)."
                )
    open_months = sorted({p.month for p in periods if p.state == "open"})
    if open_months:
        yield f"Open months (not fully invoiced): {', '.join(open_months)}."
