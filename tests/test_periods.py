"""Billing periods and month ranges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from focus_ionos_plugin.errors import UsageError
from focus_ionos_plugin.periods import BillingPeriod, month_range


def test_period_bounds_are_utc_and_end_exclusive():
    period = BillingPeriod("2026-12")
    assert period.start == datetime(2026, 12, 1, tzinfo=UTC)
    assert period.end == datetime(2027, 1, 1, tzinfo=UTC)


def test_month_range_crosses_the_year():
    assert month_range("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]


@pytest.mark.parametrize("text", ["2026-13", "26-01", "2026/01", "", "2026-1"])
def test_malformed_month_is_a_usage_error(text):
    with pytest.raises(UsageError, match="YYYY-MM"):
        BillingPeriod(text)


def test_reversed_range_is_a_usage_error():
    with pytest.raises(UsageError, match="--from 2026-05 is after --to 2026-04"):
        month_range("2026-05", "2026-04")
