"""Raw batches for conversion tests, assembled from payload files without any client.

``example_batch`` uses the reference example payloads copied into ``tests/data``
(contract 031000000, June 2026); ``demo_batch`` takes the demo account's payloads in
process, with the same entry names the fetcher records.
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path
from typing import Any

from focus_ionos_plugin.ionos.demo.account import DemoAccount, build_account
from focus_ionos_plugin.raw import RawBatch

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "ionos-examples"

#: Example file -> entry name in a raw batch of 2026-06.
EXAMPLE_ENTRIES = {
    "profile.json": "profile",
    "products.json": "products",
    "invoices-list.json": "invoices",
    "invoice-detail.json": "invoice-GY09000123",
    "usage.json": "usage",
    "utilization.json": "utilization",
    "utilization-daily.json": "utilization-daily-2026-06-15",
    "traffic.json": "traffic",
    "traffic-by-ip.json": "traffic-ip",
    "evn.json": "evn",
}


def example_batch(
    *,
    closed: bool = True,
    invoice_access: bool = True,
    skip: tuple[str, ...] = (),
    replace: dict[str, Any] | None = None,
    daily: bool = False,
) -> RawBatch:
    """The reference examples as a raw batch of 2026-06.

    ``skip`` leaves entries out; ``replace`` swaps an entry's payload for a JSON value.
    The daily example covers one day (2026-06-15) only, so it is left out unless ``daily``
    (the monthly utilization then gives the grain).
    """
    batch = RawBatch("ionos", "2026-06")
    replace = replace or {}
    for file, name in EXAMPLE_ENTRIES.items():
        if name in skip or (name.startswith("utilization-daily") and not daily):
            continue
        if not invoice_access and name.startswith("invoice"):
            continue
        body = (EXAMPLES / file).read_bytes()
        if name in replace:
            body = json.dumps(replace[name]).encode()
        batch.add(name, endpoint=f"GET {name}", request_path=f"/{name}", body=body)
    batch.meta = {
        "contract": "031000000",
        "closed": closed,
        "invoice_ids": ["GY09000123"] if invoice_access and closed else [],
        "invoice_access": invoice_access,
    }
    return batch


def example_payload(file: str) -> Any:
    """One example payload parsed (plain json, floats avoided by the caller)."""
    return json.loads((EXAMPLES / file).read_text(encoding="utf-8"))


_ACCOUNT: DemoAccount | None = None


def demo_account() -> DemoAccount:
    """The shipped demo account (built once per test session)."""
    global _ACCOUNT  # noqa: PLW0603 - one cached account for the whole session
    if _ACCOUNT is None:
        _ACCOUNT = build_account()
    return _ACCOUNT


def demo_batch(period: str, account: DemoAccount | None = None) -> RawBatch:
    """One month of a demo account, laid out as the fetcher records it."""
    account = account or demo_account()
    meta = account.meta
    c = str(meta.contract_number)
    year, month = map(int, period.split("-"))
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    if period == meta.open_period:
        last = min(last, meta.today)
    price_day = meta.price_list_date(first).isoformat()
    closed = period in meta.closed_periods
    invoice_id = meta.invoice_ids.get(period)
    requests = {
        "profile": "/profile",
        "products": f"/{c}/products?date={price_day}",
        "invoices": f"/{c}/invoices",
        "usage": f"/{c}/usage?period={period}",
        "utilization": f"/{c}/utilization/{period}",
        "traffic": f"/{c}/traffic/{period}?output=obj",
        "traffic-ip": f"/{c}/traffic/{period}?ip=true&output=obj",
        "evn": f"/{c}/evn/{period}",
    }
    if invoice_id:
        requests[f"invoice-{invoice_id}"] = f"/{c}/invoices/{invoice_id}"
    day = first
    while day <= last:
        requests[f"utilization-daily-{day.isoformat()}"] = f"/{c}/utilization/daily/{day}"
        day = date.fromordinal(day.toordinal() + 1)
    batch = RawBatch("ionos", period)
    for name, key in requests.items():
        body = account.body(key)
        if body is not None:
            batch.add(name, endpoint=f"GET {key.partition('?')[0]}", request_path=key, body=body)
    batch.meta = {
        "contract": meta.contract_id,
        "closed": closed,
        "invoice_ids": [invoice_id] if invoice_id else [],
        "invoice_access": True,
        "currency": meta.currency,
    }
    return batch
