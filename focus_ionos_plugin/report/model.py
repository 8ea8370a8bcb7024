"""The results of the FinOps analyses, as plain frozen data.

Every analysis in :mod:`focus_ionos_plugin.report.analysis` returns these records; the HTML
template and ``report --format json`` read the same objects, so the two outputs never
disagree. Money is :class:`~decimal.Decimal` in the currency named by the record (or by the
mapping key it sits under): amounts in different currencies are never added together.

Rounding: sums are exact (the dataset's 18 fractional digits). Derived figures that need a
division (shares, averages, ratios, percent changes) are rounded half-even, percentages and
ratios to two places and averages to the cent, and the decisions built on them (flags,
anomalies) are taken on the exact values before rounding.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = [
    "Anomaly",
    "BreakdownRow",
    "CategoryTrend",
    "Compliance",
    "CostDriver",
    "CurrencyTotals",
    "InvoiceSummary",
    "Kpis",
    "Matrix",
    "MeterIncrease",
    "MonthChange",
    "MonthOverMonth",
    "PartialMonth",
    "PeriodStatus",
    "Report",
    "StatusShare",
    "TrafficRow",
    "plain_decimal",
    "to_jsonable",
]


def plain_decimal(value: Decimal) -> str:
    """``value`` as a plain decimal string without exponent or trailing zeros ("12.5")."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def to_jsonable(value: Any) -> Any:
    """Turn report records into JSON-ready values; Decimals become plain strings."""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass(frozen=True)
class StatusShare:
    """BilledCost of one cost status (``x_CostStatus``: Invoiced, Estimated, Unpriced)."""

    status: str
    billed_cost: Decimal
    rows: int
    share: Decimal | None  # percent of the currency's BilledCost


@dataclass(frozen=True)
class CurrencyTotals:
    """Totals of one billing currency."""

    currency: str
    billed_cost: Decimal
    effective_cost: Decimal
    rows: int
    cost_status: tuple[StatusShare, ...] = ()


@dataclass(frozen=True)
class Kpis:
    """The headline figures: totals per currency and what the data covers."""

    totals: tuple[CurrencyTotals, ...]
    rows: int
    providers: int
    sub_accounts: int
    resources: int
    months: tuple[str, ...]
    has_cost_status: bool


@dataclass(frozen=True)
class BreakdownRow:
    """One value of a breakdown dimension (a provider, a region, ...) in one currency."""

    key: str | None
    label: str
    billed_cost: Decimal
    effective_cost: Decimal
    share: Decimal | None  # percent of the currency's BilledCost; None when that is zero


@dataclass(frozen=True)
class Matrix:
    """BilledCost of service category (rows) by region (columns), one currency."""

    currency: str
    categories: tuple[str, ...]
    regions: tuple[str, ...]  # labels; "(no region)" for rows without a RegionId
    cells: tuple[tuple[Decimal | None, ...], ...]  # None where no row exists
    category_totals: tuple[Decimal, ...]
    region_totals: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True)
class CostDriver:
    """A resource, or a sub-account's cost without resource ids, ranked by BilledCost."""

    kind: str  # "resource", "sub_account" or "unattributed"
    key: str | None
    label: str
    provider: str | None
    sub_account: str | None
    service: str | None
    billed_cost: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class PartialMonth:
    """A month whose data ends before the month does (the open month): how much it covers."""

    month: str
    covered_days: Decimal
    days: int
    covered_seconds: int
    seconds: int


@dataclass(frozen=True)
class MonthChange:
    """One category's BilledCost in one month and the change from the month before."""

    month: str
    billed_cost: Decimal
    change_pct: Decimal | None  # None for the first month or when the month before was <= 0
    flagged: bool  # increase of more than the threshold (20 %)
    run_rate: Decimal | None = None  # a partial month's cost scaled to the whole month


@dataclass(frozen=True)
class CategoryTrend:
    """A service category's months, oldest first."""

    category: str
    months: tuple[MonthChange, ...]


@dataclass(frozen=True)
class MonthOverMonth:
    """Month-over-month BilledCost per service category in one currency."""

    currency: str
    months: tuple[str, ...]
    threshold_pct: Decimal
    categories: tuple[CategoryTrend, ...]
    partial: tuple[PartialMonth, ...] = ()


@dataclass(frozen=True)
class MeterIncrease:
    """A meter's contribution to an anomaly: latest month against its trailing average."""

    sku_id: str | None
    description: str | None
    latest: Decimal
    run_rate: Decimal | None  # set when the latest month is partial: what was compared
    trailing_average: Decimal
    increase: Decimal


@dataclass(frozen=True)
class Anomaly:
    """A category whose latest month exceeds the factor times its trailing average."""

    currency: str
    category: str
    month: str
    latest: Decimal
    run_rate: Decimal | None  # set when the latest month is partial: what was compared
    trailing_months: tuple[str, ...]
    trailing_average: Decimal
    ratio: Decimal | None  # None when the trailing average is zero (new spending)
    meters: tuple[MeterIncrease, ...]
    increase: Decimal  # compared value minus trailing average


@dataclass(frozen=True)
class InvoiceSummary:
    """One invoice: totals per ChargeCategory and the reconciliation flags."""

    invoice_id: str
    currency: str
    provider: str | None
    months: tuple[str, ...]
    by_category: dict[str, Decimal]
    total: Decimal
    tax_share: Decimal | None
    adjustment_share: Decimal | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class PeriodStatus:
    """A billing month in one currency: invoiced against estimated figures."""

    month: str
    currency: str
    invoiced: Decimal
    estimated: Decimal
    unpriced_rows: int
    not_stated: Decimal  # rows without x_CostStatus (other providers' exports)
    state: str  # "closed" (invoiced only), "open" (estimated or unpriced rows), "not stated"
    list_cost_invoiced: Decimal | None  # ListCost of the invoiced rows: the catalog estimate
    estimate_difference: Decimal | None  # invoiced minus that catalog estimate


@dataclass(frozen=True)
class TrafficRow:
    """Network traffic of one VDC (sub-account) in one currency."""

    sub_account_id: str | None
    sub_account_name: str | None
    currency: str
    inbound: Decimal
    outbound: Decimal
    unit: str
    inbound_cost: Decimal
    outbound_cost: Decimal


@dataclass(frozen=True)
class Compliance:
    """What the validator says about the dataset, and the caveats a reader must know."""

    focus_version: str
    checked: bool
    conformant: bool | None
    counts: dict[str, int]  # findings per severity
    findings: tuple[dict[str, Any], ...]  # the worst few, as Finding.to_dict()
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Every analysis of one dataset (and period range)."""

    source: str
    months: tuple[str, ...]
    kpis: Kpis
    breakdowns: dict[str, dict[str, tuple[BreakdownRow, ...]]]  # dimension -> currency -> rows
    matrix: tuple[Matrix, ...]
    cost_drivers: dict[str, tuple[CostDriver, ...]]
    month_over_month: tuple[MonthOverMonth, ...]
    anomalies: tuple[Anomaly, ...]
    anomaly_note: str
    invoices: tuple[InvoiceSummary, ...]
    periods: tuple[PeriodStatus, ...]
    traffic: tuple[TrafficRow, ...]
    compliance: Compliance | None = None
    generated_at: datetime | None = field(default=None, compare=False)
