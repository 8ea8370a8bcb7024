"""FinOps analyses: pure functions from the FOCUS summary to report records.

Each function takes the table made by :func:`focus_ionos_plugin.report.summary.summarize`
(grouped FOCUS rows with exact decimal sums) and returns records of
:mod:`focus_ionos_plugin.report.model`. Grouping and summing happen in Arrow
(``pyarrow.compute``); only the handful of grouped values is read into Python, where
Decimal arithmetic runs with 76 significant digits so that no sum is ever rounded.

Amounts are BilledCost unless a record says otherwise, and are kept apart per
BillingCurrency: nothing here adds two currencies together.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any, ParamSpec, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from ..periods import BillingPeriod
from .model import (
    Anomaly,
    BreakdownRow,
    CategoryTrend,
    CostDriver,
    CurrencyTotals,
    InvoiceSummary,
    Kpis,
    Matrix,
    MeterIncrease,
    MonthChange,
    MonthOverMonth,
    PartialMonth,
    PeriodStatus,
    StatusShare,
    TrafficRow,
)
from .summary import COST_STATUS_COLUMN, PERIOD_END

__all__ = [
    "ANOMALY_FACTOR",
    "ANOMALY_WINDOW",
    "BREAKDOWN_DIMENSIONS",
    "CHARGE_CATEGORIES",
    "INVOICE_SHARE_LIMIT",
    "MOM_THRESHOLD",
    "anomalies",
    "breakdown",
    "category_region_matrix",
    "cost_drivers",
    "invoice_reconciliation",
    "kpis",
    "month_coverage",
    "month_over_month",
    "network_traffic",
    "period_status",
    "previous_months",
    "share_pct",
]

#: A month is highlighted when it costs more than this many percent over the month before.
MOM_THRESHOLD = Decimal(20)
#: A category is an anomaly when its latest month exceeds this factor times its average...
ANOMALY_FACTOR = Decimal("1.5")
#: ...over this many trailing months.
ANOMALY_WINDOW = 3
#: An invoice is flagged when Tax or Adjustment exceed this percentage of its total.
INVOICE_SHARE_LIMIT = Decimal(5)

#: Breakdown dimensions: name -> (key column, label column or None).
BREAKDOWN_DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "provider": ("provider", None),
    "region": ("RegionId", "RegionName"),
    "service_category": ("ServiceCategory", None),
    "charge_category": ("ChargeCategory", None),
}
_EMPTY_LABELS = {
    "provider": "(no provider)",
    "RegionId": "(no region)",
    "ServiceCategory": "(no category)",
    "ChargeCategory": "(no charge category)",
    "SubAccountId": "(no sub-account)",
}
#: FOCUS 1.3 ChargeCategory values, in the order invoices list them.
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
STATUS_INVOICED = "Invoiced"
STATUS_ESTIMATED = "Estimated"
STATUS_UNPRICED = "Unpriced"
STATUS_NOT_STATED = "Not stated"

_ZERO = Decimal(0)
_CENT = Decimal("0.01")

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _exact(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with enough Decimal precision that sums of 38-digit values stay exact."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext() as context:
            context.prec = 76
            return func(*args, **kwargs)

    return wrapper


# -- small helpers --------------------------------------------------------------------------


def share_pct(part: Decimal, total: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``total``, two places half-even; None when total is 0."""
    if total == 0:
        return None
    with localcontext() as context:
        context.prec = 76
        return (part * 100 / total).quantize(_CENT, ROUND_HALF_EVEN)


def previous_months(month: str, count: int) -> tuple[str, ...]:
    """The ``count`` calendar months before ``month``, nearest first ("2026-03" -> 02, 01...)."""
    year, number = map(int, month.split("-"))
    months = []
    for _ in range(count):
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
        months.append(f"{year:04d}-{number:02d}")
    return tuple(months)


def _group(
    summary: pa.Table,
    keys: Sequence[str],
    sums: Sequence[str] = ("BilledCost",),
    labels: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Group the summary in Arrow and return the (few) groups as dictionaries."""
    aggregations: list[tuple[str, str]] = [(name, "sum") for name in sums]
    aggregations += [(name, "min") for name in labels]
    aggregations.append(("rows", "sum"))
    grouped = summary.group_by(list(keys), use_threads=False).aggregate(aggregations)
    rows: list[dict[str, Any]] = grouped.to_pylist()
    for row in rows:
        for name in sums:
            row[name] = row.pop(f"{name}_sum")
        for name in labels:
            row[name] = row.pop(f"{name}_min")
        row["rows"] = row.pop("rows_sum")
    return rows


def _amount(value: Decimal | None) -> Decimal:
    return _ZERO if value is None else value


def _currency(value: str | None) -> str:
    return value if value else "(no currency)"


def _currency_totals(summary: pa.Table) -> dict[str, Decimal]:
    return {
        _currency(row["BillingCurrency"]): _amount(row["BilledCost"])
        for row in _group(summary, ["BillingCurrency"])
    }


def _by_cost(
    rows: list[Any], amount: Callable[[Any], Decimal], label: Callable[[Any], str]
) -> list[Any]:
    """Largest amount first; ties by label, so the order never depends on grouping."""
    return sorted(rows, key=lambda row: (-amount(row), label(row)))


def _distinct(summary: pa.Table, column: str) -> int:
    return int(pc.count_distinct(summary[column], mode="only_valid").as_py())


# -- KPIs and breakdowns --------------------------------------------------------------------


@_exact
def kpis(summary: pa.Table) -> Kpis:
    """Totals per currency (BilledCost, EffectiveCost, cost status shares) and coverage."""
    has_status = pc.any(pc.is_valid(summary[COST_STATUS_COLUMN])).as_py() or False
    statuses: dict[str, list[StatusShare]] = defaultdict(list)
    totals = []
    groups = _group(summary, ["BillingCurrency"], sums=("BilledCost", "EffectiveCost"))
    billed = {_currency(row["BillingCurrency"]): _amount(row["BilledCost"]) for row in groups}
    if has_status:
        for row in _group(summary, ["BillingCurrency", COST_STATUS_COLUMN]):
            currency = _currency(row["BillingCurrency"])
            amount = _amount(row["BilledCost"])
            statuses[currency].append(
                StatusShare(
                    status=row[COST_STATUS_COLUMN] or STATUS_NOT_STATED,
                    billed_cost=amount,
                    rows=row["rows"],
                    share=share_pct(amount, billed[currency]),
                )
            )
    for row in sorted(groups, key=lambda r: _currency(r["BillingCurrency"])):
        currency = _currency(row["BillingCurrency"])
        totals.append(
            CurrencyTotals(
                currency=currency,
                billed_cost=billed[currency],
                effective_cost=_amount(row["EffectiveCost"]),
                rows=row["rows"],
                cost_status=tuple(
                    _by_cost(statuses[currency], lambda s: s.billed_cost, lambda s: s.status)
                ),
            )
        )
    months = sorted(m for m in pc.unique(summary["month"]).to_pylist() if m is not None)
    return Kpis(
        totals=tuple(totals),
        rows=int(pc.sum(summary["rows"]).as_py() or 0),
        providers=_distinct(summary, "provider"),
        sub_accounts=_distinct(summary, "SubAccountId"),
        resources=_distinct(summary, "ResourceId"),
        months=tuple(months),
        has_cost_status=bool(has_status),
    )


@_exact
def breakdown(summary: pa.Table, dimension: str) -> dict[str, tuple[BreakdownRow, ...]]:
    """BilledCost (and EffectiveCost) per value of ``dimension``, per currency, with shares.

    ``dimension`` is a key of :data:`BREAKDOWN_DIMENSIONS`. Rows are ordered by BilledCost,
    largest first; shares are percentages of the currency's BilledCost.
    """
    key, label = BREAKDOWN_DIMENSIONS[dimension]
    groups = _group(
        summary,
        ["BillingCurrency", key],
        sums=("BilledCost", "EffectiveCost"),
        labels=(label,) if label else (),
    )
    totals = _currency_totals(summary)
    result: dict[str, list[BreakdownRow]] = defaultdict(list)
    for row in groups:
        currency = _currency(row["BillingCurrency"])
        value = row[key]
        text = (row[label] if label else None) or value or _EMPTY_LABELS[key]
        amount = _amount(row["BilledCost"])
        result[currency].append(
            BreakdownRow(
                key=value,
                label=text,
                billed_cost=amount,
                effective_cost=_amount(row["EffectiveCost"]),
                share=share_pct(amount, totals[currency]),
            )
        )
    return {
        currency: tuple(_by_cost(rows, lambda r: r.billed_cost, lambda r: r.label))
        for currency, rows in sorted(result.items())
    }


@_exact
def category_region_matrix(summary: pa.Table) -> tuple[Matrix, ...]:
    """BilledCost per service category (rows) and region (columns), one matrix per currency.

    Categories and regions are ordered by their totals, largest first.
    """
    groups = _group(
        summary, ["BillingCurrency", "ServiceCategory", "RegionId"], labels=("RegionName",)
    )
    by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in groups:
        by_currency[_currency(row["BillingCurrency"])].append(row)
    matrices = []
    for currency, rows in sorted(by_currency.items()):
        cells: dict[tuple[str, str], Decimal] = {}
        category_sum: dict[str, Decimal] = defaultdict(Decimal)
        region_sum: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            category = row["ServiceCategory"] or _EMPTY_LABELS["ServiceCategory"]
            region = row["RegionName"] or row["RegionId"] or _EMPTY_LABELS["RegionId"]
            amount = _amount(row["BilledCost"])
            cells[category, region] = cells.get((category, region), _ZERO) + amount
            category_sum[category] += amount
            region_sum[region] += amount
        categories = [c for c, _ in _by_cost(list(category_sum.items()), _second, _first)]
        regions = [r for r, _ in _by_cost(list(region_sum.items()), _second, _first)]
        matrices.append(
            Matrix(
                currency=currency,
                categories=tuple(categories),
                regions=tuple(regions),
                cells=tuple(tuple(cells.get((c, r)) for r in regions) for c in categories),
                category_totals=tuple(category_sum[c] for c in categories),
                region_totals=tuple(region_sum[r] for r in regions),
                total=sum(category_sum.values(), _ZERO),
            )
        )
    return tuple(matrices)


def _first(item: tuple[str, Decimal]) -> str:
    return item[0]


def _second(item: tuple[str, Decimal]) -> Decimal:
    return item[1]


# -- cost drivers ---------------------------------------------------------------------------


@_exact
def cost_drivers(summary: pa.Table, limit: int = 5) -> dict[str, tuple[CostDriver, ...]]:
    """The ``limit`` largest cost drivers per currency.

    A driver is a resource (ResourceId); cost on rows without a resource id is attributed
    to its sub-account instead (``kind="sub_account"``), and to nobody when that is missing
    too (``"unattributed"``). Tax rows are left out: a tax follows the costs it is levied
    on and drives nothing itself.
    """
    not_tax = pc.fill_null(pc.not_equal(summary["ChargeCategory"], "Tax"), True)
    rows = _group(
        summary.filter(not_tax),
        ["BillingCurrency", "ResourceId", "SubAccountId"],
        labels=("ResourceName", "SubAccountName", "ServiceName", "provider"),
    )
    totals = _currency_totals(summary)
    merged: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for row in rows:
        currency = _currency(row["BillingCurrency"])
        if row["ResourceId"] is not None:
            kind, key = "resource", row["ResourceId"]
        elif row["SubAccountId"] is not None:
            kind, key = "sub_account", row["SubAccountId"]
        else:
            kind, key = "unattributed", None
        entry = merged.setdefault(
            (currency, kind, key),
            {"amount": _ZERO, "labels": dict(row), "sub_accounts": set()},
        )
        entry["amount"] += _amount(row["BilledCost"])
        entry["sub_accounts"].add(row["SubAccountName"] or row["SubAccountId"])
    result: dict[str, list[CostDriver]] = defaultdict(list)
    for (currency, kind, key), entry in merged.items():
        labels = entry["labels"]
        sub_accounts = sorted(s for s in entry["sub_accounts"] if s)
        if kind == "resource":
            label = str(labels["ResourceName"] or key)
        elif kind == "sub_account":
            label = f"{labels['SubAccountName'] or key} (no resource id)"
        else:
            label = "(no resource or sub-account)"
        result[currency].append(
            CostDriver(
                kind=kind,
                key=key,
                label=label,
                provider=labels["provider"],
                sub_account=", ".join(sub_accounts) or None,
                service=labels["ServiceName"] if kind == "resource" else None,
                billed_cost=entry["amount"],
                share=share_pct(entry["amount"], totals[currency]),
            )
        )
    return {
        currency: tuple(
            _by_cost(drivers, lambda d: d.billed_cost, lambda d: f"{d.label}\0{d.key}")[:limit]
        )
        for currency, drivers in sorted(result.items())
    }


# -- months: trend and anomalies ------------------------------------------------------------


def _monthly(
    summary: pa.Table, keys: Sequence[str]
) -> dict[str, dict[tuple[Any, ...], dict[str, Decimal]]]:
    """currency -> (key values) -> month -> BilledCost."""
    result: dict[str, dict[tuple[Any, ...], dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in _group(summary, ["BillingCurrency", "month", *keys]):
        if row["month"] is None:
            continue
        key = tuple(row[name] for name in keys)
        result[_currency(row["BillingCurrency"])][key][row["month"]] = _amount(row["BilledCost"])
    return result


def month_coverage(summary: pa.Table) -> dict[str, dict[str, PartialMonth]]:
    """currency -> month -> PartialMonth, for the months whose data ends before they do.

    A month's data reaches as far as its latest ChargePeriodEnd. An open IONOS month holds
    the days up to yesterday; comparing it as it stands with whole months would show a
    drop that is none. Months without ChargePeriodEnd count as complete.
    """
    grouped = summary.group_by(["BillingCurrency", "month"], use_threads=False).aggregate(
        [(PERIOD_END, "max")]
    )
    result: dict[str, dict[str, PartialMonth]] = defaultdict(dict)
    for row in grouped.to_pylist():
        end, month = row[f"{PERIOD_END}_max"], row["month"]
        if end is None or month is None:
            continue
        period = BillingPeriod(month)
        if end >= period.end or end <= period.start:
            continue
        covered = int((end - period.start).total_seconds())
        length = int((period.end - period.start).total_seconds())
        result[_currency(row["BillingCurrency"])][month] = PartialMonth(
            month=month,
            covered_days=(Decimal(covered) / 86400).quantize(_CENT, ROUND_HALF_EVEN),
            days=length // 86400,
            covered_seconds=covered,
            seconds=length,
        )
    return result


def _level(amount: Decimal, partial: PartialMonth | None) -> Fraction:
    """A month's amount, scaled to the whole month when its data covers only part of it."""
    if partial is None:
        return Fraction(amount)
    return Fraction(amount) * partial.seconds / partial.covered_seconds


def _decimal(value: Fraction, places: Decimal = _CENT) -> Decimal:
    """A Fraction rounded half-even to ``places``."""
    with localcontext() as context:
        context.prec = 76
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            places, ROUND_HALF_EVEN
        )


@_exact
def month_over_month(
    summary: pa.Table, threshold_pct: Decimal = MOM_THRESHOLD
) -> tuple[MonthOverMonth, ...]:
    """BilledCost per service category and month, with the change from the month before.

    A month is flagged when it costs more than ``threshold_pct`` percent over the calendar
    month before it (which must be in the data and cost more than zero). A month whose data
    covers only part of it (the open month) is compared by its run-rate, its cost scaled to
    the whole month. Categories are ordered by their total, largest first.
    """
    coverage = month_coverage(summary)
    limit = 1 + Fraction(threshold_pct) / 100
    result = []
    for currency, categories in sorted(_monthly(summary, ["ServiceCategory"]).items()):
        months = sorted({m for by_month in categories.values() for m in by_month})
        partial = coverage.get(currency, {})
        trends = []
        for (category,), by_month in categories.items():
            changes = []
            for month in months:
                amount = by_month.get(month, _ZERO)
                current = _level(amount, partial.get(month))
                before = previous_months(month, 1)[0]
                previous = _level(by_month.get(before, _ZERO), partial.get(before))
                change = None
                flagged = False
                if before in months and previous > 0:
                    change = _decimal((current - previous) * 100 / previous)
                    flagged = current > previous * limit
                run_rate = _decimal(current) if month in partial else None
                changes.append(MonthChange(month, amount, change, flagged, run_rate))
            trends.append(
                CategoryTrend(category or _EMPTY_LABELS["ServiceCategory"], tuple(changes))
            )
        trends = _by_cost(
            trends, lambda t: sum((m.billed_cost for m in t.months), _ZERO), lambda t: t.category
        )
        result.append(
            MonthOverMonth(
                currency,
                tuple(months),
                threshold_pct,
                tuple(trends),
                tuple(partial[m] for m in months if m in partial),
            )
        )
    return tuple(result)


@_exact
def anomalies(
    summary: pa.Table,
    factor: Decimal = ANOMALY_FACTOR,
    window: int = ANOMALY_WINDOW,
    meters: int = 5,
) -> tuple[tuple[Anomaly, ...], str]:
    """Categories whose latest month exceeds ``factor`` times their trailing average.

    The latest month is the newest month of the currency's data; the trailing months are
    the ``window`` calendar months before it that the data covers (a month the data does
    not cover is unknown, not zero; a covered month without a category's rows is zero for
    it). A month whose data covers only part of it counts with its run-rate (scaled to the
    whole month). Spending in a category with a zero trailing average is an anomaly too
    (new spending, ratio None). Each anomaly names up to ``meters`` meters (SkuId, or the
    ChargeDescription of rows without one) whose increase over their own trailing average
    is largest. Returns the anomalies and a sentence saying what was compared.
    """
    by_category = _monthly(summary, ["ServiceCategory"])
    by_meter = _monthly(summary, ["ServiceCategory", "SkuId", "meter_text"])
    coverage = month_coverage(summary)
    descriptions = {
        (_currency(row["BillingCurrency"]), row["SkuId"], row["meter_text"]): row[
            "ChargeDescription"
        ]
        for row in _group(
            summary, ["BillingCurrency", "SkuId", "meter_text"], labels=("ChargeDescription",)
        )
    }
    found: list[Anomaly] = []
    notes = []
    for currency, categories in sorted(by_category.items()):
        months = sorted({m for by_month in categories.values() for m in by_month})
        latest = months[-1]
        trailing = tuple(sorted(m for m in previous_months(latest, window) if m in months))
        partial = coverage.get(currency, {})
        if not trailing:
            notes.append(f"{currency}: only {latest} in the data, no trailing months to compare")
            continue
        scaled = partial.get(latest)
        shown = (
            f"{latest} ({scaled.covered_days.normalize():f} of {scaled.days} days, scaled to "
            "the whole month)"
            if scaled
            else latest
        )
        notes.append(f"{currency}: {shown} against the average of {', '.join(trailing)}")

        def level(by_month: dict[str, Decimal], month: str) -> Fraction:
            return _level(by_month.get(month, _ZERO), partial.get(month))  # noqa: B023

        for (category,), by_month in categories.items():
            current = level(by_month, latest)
            average = sum((level(by_month, m) for m in trailing), Fraction(0)) / len(trailing)
            if current <= 0 or current <= Fraction(factor) * average:
                continue
            increases = []
            for (meter_category, sku, text), meter_months in by_meter[currency].items():
                if meter_category != category:
                    continue
                meter_current = level(meter_months, latest)
                meter_average = sum((level(meter_months, m) for m in trailing), Fraction(0)) / len(
                    trailing
                )
                if meter_current > meter_average:
                    increases.append(
                        (
                            meter_average - meter_current,
                            sku or "",
                            MeterIncrease(
                                sku_id=sku,
                                description=descriptions.get((currency, sku, text)) or text,
                                latest=meter_months.get(latest, _ZERO),
                                run_rate=_decimal(meter_current) if scaled else None,
                                trailing_average=_decimal(meter_average),
                                increase=_decimal(meter_current - meter_average),
                            ),
                        )
                    )
            increases.sort(key=lambda item: (item[0], item[1]))
            found.append(
                Anomaly(
                    currency=currency,
                    category=category or _EMPTY_LABELS["ServiceCategory"],
                    month=latest,
                    latest=by_month.get(latest, _ZERO),
                    run_rate=_decimal(current) if scaled else None,
                    trailing_months=trailing,
                    trailing_average=_decimal(average),
                    ratio=_decimal(current / average) if average > 0 else None,
                    meters=tuple(item[2] for item in increases[:meters]),
                    increase=_decimal(current - average),
                )
            )
    found.sort(key=lambda a: (a.currency, -a.increase, a.category))
    note = "; ".join(notes) if notes else "no data"
    return tuple(found), note


# -- invoices and cost status ---------------------------------------------------------------


@_exact
def invoice_reconciliation(
    summary: pa.Table, limit_pct: Decimal = INVOICE_SHARE_LIMIT
) -> tuple[InvoiceSummary, ...]:
    """Per invoice and currency: BilledCost per ChargeCategory, the total and the flags.

    An invoice is flagged when its Tax, or the absolute value of its Adjustments, exceed
    ``limit_pct`` percent of the absolute invoice total. Rows without an InvoiceId (open
    month estimates) belong to no invoice and are not listed.
    """
    has_invoice = pc.is_valid(summary["InvoiceId"])
    rows = _group(
        summary.filter(has_invoice),
        ["InvoiceId", "BillingCurrency", "ChargeCategory", "provider", "month"],
    )
    invoices: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        entry = invoices.setdefault(
            (row["InvoiceId"], _currency(row["BillingCurrency"])),
            {"categories": defaultdict(Decimal), "providers": set(), "months": set()},
        )
        category = row["ChargeCategory"] or _EMPTY_LABELS["ChargeCategory"]
        entry["categories"][category] += _amount(row["BilledCost"])
        if row["provider"]:
            entry["providers"].add(row["provider"])
        if row["month"]:
            entry["months"].add(row["month"])
    result = []
    for (invoice_id, currency), entry in sorted(invoices.items()):
        categories: dict[str, Decimal] = entry["categories"]
        ordered = {name: categories[name] for name in CHARGE_CATEGORIES if name in categories}
        ordered |= {
            name: amount for name, amount in sorted(categories.items()) if name not in ordered
        }
        total = sum(ordered.values(), _ZERO)
        tax = ordered.get("Tax", _ZERO)
        adjustment = ordered.get("Adjustment", _ZERO)
        flags = []
        if tax * 100 > limit_pct * abs(total):
            flags.append(f"Tax above {limit_pct}% of the total")
        if abs(adjustment) * 100 > limit_pct * abs(total):
            flags.append(f"Adjustment above {limit_pct}% of the total")
        result.append(
            InvoiceSummary(
                invoice_id=invoice_id,
                currency=currency,
                provider=", ".join(sorted(entry["providers"])) or None,
                months=tuple(sorted(entry["months"])),
                by_category=ordered,
                total=total,
                tax_share=share_pct(tax, abs(total)) if "Tax" in ordered else None,
                adjustment_share=share_pct(abs(adjustment), abs(total))
                if "Adjustment" in ordered
                else None,
                flags=tuple(flags),
            )
        )
    return tuple(result)


@_exact
def period_status(summary: pa.Table) -> tuple[PeriodStatus, ...]:
    """Per month and currency: invoiced against estimated BilledCost (``x_CostStatus``).

    A month is open while it has estimated or unpriced rows, closed when it has invoiced
    rows only, and "not stated" when none of its rows has a cost status. For the
    invoiced rows the ListCost (quantity times catalog price) is the estimate the catalog
    would have given; its difference to the invoice shows how far estimates can be off.
    Empty when the data has no cost status at all.
    """
    if not pc.any(pc.is_valid(summary[COST_STATUS_COLUMN])).as_py():
        return ()
    rows = _group(
        summary, ["month", "BillingCurrency", COST_STATUS_COLUMN], sums=("BilledCost", "ListCost")
    )
    periods: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        if row["month"] is None:
            continue
        status = row[COST_STATUS_COLUMN] or STATUS_NOT_STATED
        periods[row["month"], _currency(row["BillingCurrency"])][status] = row
    result = []
    for (month, currency), statuses in sorted(periods.items()):
        invoiced = statuses.get(STATUS_INVOICED)
        estimated = statuses.get(STATUS_ESTIMATED)
        unpriced = statuses.get(STATUS_UNPRICED)
        list_cost = invoiced["ListCost"] if invoiced else None
        invoiced_amount = _amount(invoiced["BilledCost"]) if invoiced else _ZERO
        result.append(
            PeriodStatus(
                month=month,
                currency=currency,
                invoiced=invoiced_amount,
                estimated=_amount(estimated["BilledCost"]) if estimated else _ZERO,
                unpriced_rows=unpriced["rows"] if unpriced else 0,
                not_stated=_amount(statuses[STATUS_NOT_STATED]["BilledCost"])
                if STATUS_NOT_STATED in statuses
                else _ZERO,
                state="open" if estimated or unpriced else "closed" if invoiced else "not stated",
                list_cost_invoiced=list_cost,
                estimate_difference=invoiced_amount - list_cost if list_cost is not None else None,
            )
        )
    return tuple(result)


# -- network traffic ------------------------------------------------------------------------


@_exact
def network_traffic(
    summary: pa.Table, direction: Callable[[str], str | None]
) -> tuple[TrafficRow, ...]:
    """Inbound and outbound traffic volume and cost per sub-account (an IONOS VDC).

    ``direction(sku_id)`` says whether a meter is traffic, ``"in"`` or ``"out"``, or
    ``None`` for anything else (the IONOS meter catalog knows; see
    :func:`focus_ionos_plugin.report.build.ionos_traffic_direction`). Volumes are
    ConsumedQuantity in ConsumedUnit, one row per VDC, currency and unit, largest
    outbound volume first.
    """
    has_sku = pc.is_valid(summary["SkuId"])
    skus = pc.unique(pc.filter(summary["SkuId"], has_sku)).to_pylist()
    ways = {sku: direction(sku) for sku in skus}
    traffic: dict[str, str] = {sku: way for sku, way in ways.items() if way in ("in", "out")}
    if not traffic:
        return ()
    rows = _group(
        summary.filter(pc.is_in(summary["SkuId"], pa.array(list(traffic), pa.string()))),
        ["BillingCurrency", "SubAccountId", "SkuId", "ConsumedUnit"],
        sums=("BilledCost", "ConsumedQuantity"),
        labels=("SubAccountName",),
    )
    merged: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for row in rows:
        key = (_currency(row["BillingCurrency"]), row["SubAccountId"], row["ConsumedUnit"] or "")
        entry = merged.setdefault(
            key,
            {
                "name": row["SubAccountName"],
                "in": _ZERO,
                "out": _ZERO,
                "in_cost": _ZERO,
                "out_cost": _ZERO,
            },
        )
        way = traffic[row["SkuId"]]
        entry[way] += _amount(row["ConsumedQuantity"])
        entry[f"{way}_cost"] += _amount(row["BilledCost"])
    result = [
        TrafficRow(
            sub_account_id=sub_account,
            sub_account_name=entry["name"],
            currency=currency,
            inbound=entry["in"],
            outbound=entry["out"],
            unit=unit,
            inbound_cost=entry["in_cost"],
            outbound_cost=entry["out_cost"],
        )
        for (currency, sub_account, unit), entry in merged.items()
    ]
    return tuple(
        sorted(result, key=lambda t: (t.currency, -t.outbound, -t.inbound, t.sub_account_id or ""))
    )
