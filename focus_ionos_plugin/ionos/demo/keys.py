"""Request keys and account facts shared by the generated account, the data files and the server.

A request key is the canonical form of a Billing API request the demo can answer, e.g.
``/31000777/usage?period=2026-09`` (contract as the unpadded number, fixed query order).
The server turns each incoming request into such a key; an account answers keys with bodies.
Requests without a period ("current month") have alias keys that point at the open month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

__all__ = [
    "AccountMeta",
    "BillingData",
    "aliases",
    "request_keys",
]


@dataclass(frozen=True)
class AccountMeta:
    """Facts about a demo account the server needs to route requests."""

    contract_number: int
    contract_id: str
    customer_id: str
    currency: str
    today: date
    open_period: str
    closed_periods: tuple[str, ...]
    #: Start dates of the price lists, oldest first.
    price_list_dates: tuple[date, ...]
    #: Closed month -> invoice id.
    invoice_ids: dict[str, str] = field(default_factory=dict)

    @property
    def periods(self) -> tuple[str, ...]:
        """Every month with data, oldest first; the open month last."""
        return (*self.closed_periods, self.open_period)

    @property
    def first_day(self) -> date:
        """The first day with daily utilization."""
        return date.fromisoformat(f"{self.periods[0]}-01")

    @property
    def last_day(self) -> date:
        """The last day with daily utilization: the day before the demo's today."""
        return self.today - timedelta(days=1)

    def price_list_date(self, day: date) -> date:
        """Start of the price list valid on ``day`` (the oldest list for earlier days)."""
        chosen = self.price_list_dates[0]
        for start in self.price_list_dates:
            if start <= day:
                chosen = start
        return chosen

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON values (for the data folder's index)."""
        return {
            "contractNumber": self.contract_number,
            "contractId": self.contract_id,
            "customerId": self.customer_id,
            "currency": self.currency,
            "today": self.today.isoformat(),
            "openPeriod": self.open_period,
            "closedPeriods": list(self.closed_periods),
            "priceListDates": [day.isoformat() for day in self.price_list_dates],
            "invoiceIds": dict(self.invoice_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccountMeta:
        """Read the facts written by :meth:`to_json`."""
        return cls(
            contract_number=int(data["contractNumber"]),
            contract_id=str(data["contractId"]),
            customer_id=str(data["customerId"]),
            currency=str(data["currency"]),
            today=date.fromisoformat(data["today"]),
            open_period=str(data["openPeriod"]),
            closed_periods=tuple(data["closedPeriods"]),
            price_list_dates=tuple(date.fromisoformat(day) for day in data["priceListDates"]),
            invoice_ids=dict(data["invoiceIds"]),
        )


class BillingData(Protocol):
    """What the fake server serves: account facts and a body per request key."""

    @property
    def meta(self) -> AccountMeta:
        """Facts used for routing."""
        ...

    def body(self, key: str) -> bytes | None:
        """The response body for a request key, or None when the account has no such data."""
        ...


def request_keys(meta: AccountMeta) -> list[str]:
    """Every canonical request key of an account, in a stable order (aliases excluded)."""
    c = meta.contract_number
    keys = ["/profile"]
    keys += [f"/{c}/products?date={day.isoformat()}" for day in meta.price_list_dates]
    keys.append(f"/{c}/invoices")
    keys += [f"/{c}/invoices/{meta.invoice_ids[p]}" for p in meta.closed_periods]
    for period in meta.periods:
        keys += [
            f"/invoices/{period}",
            f"/{c}/usage?period={period}",
            f"/{c}/utilization/{period}",
            f"/{c}/traffic/{period}?output=obj",
            f"/{c}/traffic/{period}?ip=true&output=obj",
            f"/{c}/evn/{period}",
        ]
    day = meta.first_day
    while day <= meta.last_day:
        keys.append(f"/{c}/utilization/daily/{day.isoformat()}")
        day += timedelta(days=1)
    return keys


def aliases(meta: AccountMeta) -> dict[str, str]:
    """Keys of requests without a period or date -> the key of the data they return."""
    c = meta.contract_number
    p = meta.open_period
    return {
        f"/{c}/products": f"/{c}/products?date={meta.price_list_date(meta.today).isoformat()}",
        f"/{c}/usage": f"/{c}/usage?period={p}",
        f"/{c}/utilization": f"/{c}/utilization/{p}",
        f"/{c}/traffic?output=obj": f"/{c}/traffic/{p}?output=obj",
        f"/{c}/traffic?ip=true&output=obj": f"/{c}/traffic/{p}?ip=true&output=obj",
        f"/{c}/evn": f"/{c}/evn/{p}",
    }
