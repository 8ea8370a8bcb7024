"""A generated demo account: every Billing API payload of one invented IONOS contract.

``build_account()`` with its defaults is the demo account shipped in ``demo/data/`` (see
``demo/README.md`` for its story and exact figures). Larger accounts for benchmarks come
from ``build_account(resources_per_vdc=3334)`` or ``closed_months=11``; they are computed
on demand, one payload at a time, so a big account costs memory only for what is served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from . import payloads
from .catalog import PRICE_LISTS
from .jsontext import dumps
from .keys import AccountMeta, aliases, request_keys
from .model import AccountModel, story_model, with_generated_resources
from .payloads import PeriodUsage

__all__ = ["DemoAccount", "build_account"]

_BODY_CACHE_SIZE = 64


class DemoAccount:
    """One generated contract: its facts, payloads by request key, and exact totals."""

    def __init__(self, model: AccountModel) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._usage: dict[str, PeriodUsage] = {}
        self._bodies: OrderedDict[str, bytes] = OrderedDict()

    def __repr__(self) -> str:
        return (
            f"DemoAccount(contract={self.model.contract_id!r}, "
            f"resources={len(self.model.resources)}, periods={self.model.periods!r})"
        )

    @cached_property
    def meta(self) -> AccountMeta:
        """Facts the server routes with."""
        model = self.model
        return AccountMeta(
            contract_number=model.contract_number,
            contract_id=model.contract_id,
            customer_id=model.customer_id,
            currency=model.currency,
            today=model.today,
            open_period=model.open_period,
            closed_periods=model.closed_periods,
            price_list_dates=tuple(start for start, _ in PRICE_LISTS),
            invoice_ids={p: payloads.invoice_id(p) for p in model.closed_periods},
        )

    def request_keys(self) -> list[str]:
        """Every request key this account answers (without the current-month aliases)."""
        return request_keys(self.meta)

    def period_usage(self, period: str) -> PeriodUsage:
        """Summed consumption of one month (computed once, then kept)."""
        with self._lock:
            cached = self._usage.get(period)
        if cached is None:
            cached = payloads.period_usage(self.model, period)
            with self._lock:
                self._usage[period] = cached
        return cached

    def invoice_totals(self) -> dict[str, Decimal]:
        """Closed month -> invoice total (sum of line amounts minus rebates)."""
        return {
            period: self.payload(f"/invoices/{period}")[0]["total"]["quantity"]
            for period in self.model.closed_periods
        }

    def payload(self, key: str) -> Any:
        """The JSON value answering a request key (Decimals for exact numbers).

        Raises KeyError when the account has no data for the key.
        """
        key = aliases(self.meta).get(key, key)
        path, _, query = key.partition("?")
        parts = path.strip("/").split("/")
        model = self.model
        if parts == ["profile"]:
            return payloads.profile(model)
        if parts[0] == "invoices" and len(parts) == 2:
            return payloads.invoices_by_period(self._invoices(parts[1]))
        if parts[0] != str(model.contract_number) or len(parts) < 2:
            raise KeyError(key)
        return self._contract_payload(key, parts[1:], dict(_query_items(query)))

    def _contract_payload(self, key: str, parts: list[str], query: dict[str, str]) -> Any:
        model = self.model
        meta = self.meta
        name, rest = parts[0], parts[1:]
        if name == "products" and not rest and "date" in query:
            day = _date(query["date"], key)
            if day not in meta.price_list_dates:
                raise KeyError(key)
            return payloads.products(model, day)
        if name == "invoices" and not rest:
            return payloads.invoices_list(model, self._invoices(None))
        if name == "invoices" and len(rest) == 1:
            periods = [p for p, i in meta.invoice_ids.items() if i == rest[0]]
            if not periods:
                raise KeyError(key)
            return payloads.invoice(model, self.period_usage(periods[0]))
        if name == "usage" and not rest and query.get("period") in meta.periods:
            return payloads.usage(model, self.period_usage(query["period"]))
        if name == "utilization" and len(rest) == 1 and rest[0] in meta.periods:
            return payloads.utilization(model, self.period_usage(rest[0]))
        if name == "utilization" and len(rest) == 2 and rest[0] == "daily":
            day = _date(rest[1], key)
            if not meta.first_day <= day <= meta.last_day:
                raise KeyError(key)
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return payloads.utilization_daily(model, midnight)
        if name == "traffic" and len(rest) == 1 and rest[0] in meta.periods:
            by_ip = query.get("ip") == "true"
            return payloads.traffic(model, self.period_usage(rest[0]), by_ip=by_ip)
        if name == "evn" and len(rest) == 1 and rest[0] in meta.periods:
            return payloads.evn(model, rest[0])
        raise KeyError(key)

    def _invoices(self, period: str | None) -> list[dict[str, Any]]:
        closed = self.model.closed_periods
        chosen = closed if period is None else [p for p in closed if p == period]
        return [payloads.invoice(self.model, self.period_usage(p)) for p in chosen]

    def body(self, key: str) -> bytes | None:
        """The response body for a request key, or None when there is no such data."""
        with self._lock:
            cached = self._bodies.get(key)
            if cached is not None:
                self._bodies.move_to_end(key)
                return cached
        try:
            body = dumps(self.payload(key))
        except KeyError:
            return None
        with self._lock:
            self._bodies[key] = body
            while len(self._bodies) > _BODY_CACHE_SIZE:
                self._bodies.popitem(last=False)
        return body


def _date(text: str, key: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise KeyError(key) from None


def _query_items(query: str) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, _, value in (part.partition("=") for part in query.split("&") if part)
    ]


def build_account(
    *, resources_per_vdc: int = 0, closed_months: int = 3, seed: int = 0
) -> DemoAccount:
    """Build a demo account; the defaults give the shipped demo account exactly.

    ``resources_per_vdc`` adds that many generated resources (servers and attached volumes)
    to each of the three data centers; ``closed_months`` sets how many invoiced months
    precede the open month 2026-12; ``seed`` varies generated resources and traffic volumes.
    """
    model = story_model(closed_months=closed_months)
    if seed:
        model = replace(model, seed=seed)
    return DemoAccount(with_generated_resources(model, resources_per_vdc, seed))
