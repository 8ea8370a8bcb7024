"""Billing periods: calendar months written ``YYYY-MM``, always in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .errors import UsageError

__all__ = ["BillingPeriod", "month_range", "parse_month"]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> str:
    """Check that ``text`` is a month ``YYYY-MM`` and return it; raise UsageError if not."""
    if not _MONTH.match(text or ""):
        msg = f"period {text!r} is not a month written YYYY-MM (for example 2026-06)"
        raise UsageError(msg)
    return text


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, e.g. 2026-11..2027-01 (3 months)."""
    year, month = map(int, parse_month(first).split("-"))
    end_year, end_month = map(int, parse_month(last).split("-"))
    if (year, month) > (end_year, end_month):
        msg = f"--from {first} is after --to {last}; give the earlier month first"
        raise UsageError(msg)
    months = []
    while (year, month) <= (end_year, end_month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True, order=True)
class BillingPeriod:
    """A month a provider can deliver data for.

    ``closed`` is True when the month is invoiced (final figures); an open month is still
    running and its costs are estimates. ``invoice_ids`` lists the month's invoices when
    the provider knows them.
    """

    month: str
    closed: bool = True
    invoice_ids: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        parse_month(self.month)

    @property
    def start(self) -> datetime:
        """First instant of the month, UTC (inclusive)."""
        year, month = map(int, self.month.split("-"))
        return datetime(year, month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """First instant of the next month, UTC (exclusive), as FOCUS wants period ends."""
        year, month = map(int, self.month.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return datetime(year, month, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return self.month
