"""Daily quantities of the demo model: the one place where consumption is computed.

Every payload (utilization, usage, invoices, EVN, traffic) is a sum or a view of the daily
quantities computed here, so the endpoints agree to the last decimal. Daily quantities are
exact with at most 6 decimals; a model that would break that raises at once.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .catalog import HOURLY, METERS, MONTHLY_30D, TRAFFIC_GIB
from .model import AccountModel, Resource

__all__ = [
    "BYTES_PER_GIB",
    "DailyUse",
    "daily_uses",
    "data_window",
    "days",
    "month_bounds",
    "traffic_bytes",
]

BYTES_PER_GIB = 2**30
_TRAFFIC_STEP = 2**24  # 1/64 GiB: byte counts in these steps give exact GiB with 6 decimals
_SIX_PLACES = Decimal("0.000001")
_HOURS_PER_30_DAYS = 720
_GROWTH_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_INBOUND_METERS = frozenset({"CTI1000"})


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """Start and exclusive end of a month ``YYYY-MM`` in UTC."""
    year, month = map(int, period.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if month == 12 else start.replace(month=month + 1)
    return start, end


def data_window(model: AccountModel, period: str) -> tuple[datetime, datetime]:
    """The part of a month that has data: the whole month, or up to the demo's today."""
    start, end = month_bounds(period)
    today = datetime(model.today.year, model.today.month, model.today.day, tzinfo=UTC)
    return start, min(end, today)


def days(start: datetime, end: datetime) -> Iterator[datetime]:
    """Midnights from ``start`` (a midnight) up to, not including, ``end``."""
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class DailyUse:
    """What one resource consumed of one meter within one day (``end`` exclusive)."""

    resource: Resource
    meter_id: str
    start: datetime
    end: datetime
    quantity: Decimal
    #: Bytes behind a traffic quantity (0 for other meters).
    traffic_bytes: int = 0


def _clip(resource: Resource, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    lo = max(resource.start, start)
    hi = end if resource.end is None else min(resource.end, end)
    return lo, hi


def traffic_bytes(seed: int, resource: Resource, day: datetime, inbound: bool, hours: int) -> int:
    """Bytes a NIC or bucket moved on ``day`` in one direction: a multiple of 1/64 GiB."""
    rng = random.Random(f"{seed}:{resource.resource_id}:{day:%Y-%m-%d}:{inbound}")
    level = resource.traffic_level
    steps = (
        rng.randint(level // 8, level // 3) if inbound else rng.randint(level // 2, level * 3 // 2)
    )
    return steps * hours // 24 * _TRAFFIC_STEP


def _exact(value: Decimal, what: str) -> Decimal:
    if value != value.quantize(_SIX_PLACES):
        msg = f"demo quantity {value} for {what} needs more than 6 decimals; fix the model"
        raise ValueError(msg)
    return value


def daily_uses(model: AccountModel, resource: Resource, day: datetime) -> list[DailyUse]:
    """The resource's consumption per meter on ``day`` (empty when it did not exist)."""
    lo, hi = _clip(resource, day, day + timedelta(days=1))
    if hi <= lo:
        return []
    hours = int((hi - lo).total_seconds()) // 3600
    uses = []
    for meter_id, value in resource.meters:
        kind = METERS[meter_id].kind
        moved = 0
        if kind == HOURLY:
            quantity = Decimal(value * hours)
        elif kind == MONTHLY_30D:
            grown = value + resource.growth_gb_per_day * max(0, (day - _GROWTH_EPOCH).days)
            quantity = _exact(
                Decimal(grown * hours) / _HOURS_PER_30_DAYS,
                f"{resource.name} {meter_id} on {day:%Y-%m-%d}",
            )
        elif kind == TRAFFIC_GIB:
            moved = traffic_bytes(model.seed, resource, day, meter_id in _INBOUND_METERS, hours)
            quantity = Decimal(moved) / BYTES_PER_GIB
        else:  # pragma: no cover - the catalog only has the three kinds
            msg = f"unknown meter kind {kind!r} for {meter_id}"
            raise ValueError(msg)
        uses.append(DailyUse(resource, meter_id, lo, hi, quantity, moved))
    return uses
