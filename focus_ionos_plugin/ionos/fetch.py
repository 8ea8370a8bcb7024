"""Fetch IONOS billing periods into :class:`~focus_ionos_plugin.raw.RawBatch` objects.

All calls of all requested periods run concurrently; the client bounds how many are in
flight. The profile and the invoice list are read once per run and copied into every batch,
so each saved period is complete on its own. (A closed month fetched again therefore gives
identical files until the next invoice is issued; then its copy of the list grows.)

Raw batch layout (provider ``ionos``, one batch per month ``P``; entry name: request)

=================================  =======================================================
``profile``                        ``GET /profile``
``products``                       ``GET /{c}/products?date=P-01``
``invoices``                       ``GET /{c}/invoices`` (absent without invoice access)
``invoice-<ID>``                   ``GET /{c}/invoices/{ID}``, one per invoice dated ``P``
``usage``                          ``GET /{c}/usage?period=P``
``utilization``                    ``GET /{c}/utilization/P``
``utilization-daily-YYYY-MM-DD``   ``GET /{c}/utilization/daily/DATE``, every day of ``P``;
                                   for the running month up to the API's today
``traffic``                        ``GET /{c}/traffic/P?output=obj``
``traffic-ip``                     ``GET /{c}/traffic/P?ip=true&output=obj``
``evn``                            ``GET /{c}/evn/P``
=================================  =======================================================

``{c}`` is the contract as an integer (``31000777``); everywhere else the contract is the
zero-padded string of the billing profile (``"031000777"``). A period endpoint that answers
404 has no data for the month: **no entry is recorded** for it, so "absent" always means
"the API had nothing" and every recorded entry is a 200 answer with a JSON body.

``RawBatch.meta``:

``contract``        the contract id string, zeros kept
``closed``          True when the month is over by the API's clock (HTTP ``Date`` header
                    of ``/profile``, else the local clock); False for the running month
``invoice_ids``     ids of the invoices dated ``P`` in the invoice list (empty when the
                    list itself was refused)
``invoice_access``  False when an invoice endpoint (the list, or a listed invoice) answered
                    403: costs can then only be estimated from usage and prices, never
                    shown as invoiced
``currency``        ISO 4217 code from the invoice or the price list, when one is present
"""

from __future__ import annotations

import asyncio
import calendar
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

from ..context import NullProgress, Progress
from ..errors import ProviderError, UsageError
from ..periods import BillingPeriod, month_range, parse_month
from ..raw import RawBatch
from .client import AccessDeniedError, ApiResponse, BillingClient

__all__ = [
    "DEFAULT_WINDOW",
    "PROVIDER",
    "Account",
    "discover_account",
    "fetch_periods",
    "list_billing_periods",
    "run_sync",
]

log = logging.getLogger(__name__)

PROVIDER = "ionos"
#: Months ``list_periods`` covers: this many, ending with the API's current month.
DEFAULT_WINDOW = 12

_T = TypeVar("_T")


@dataclass
class Account:
    """What one run learns before fetching periods: contract, invoices, the API's date."""

    contract: str
    profile: ApiResponse
    invoices: ApiResponse | None
    invoice_access: bool
    today: date
    #: Invoice ids per month ``YYYY-MM``, in the order the API lists them.
    invoice_ids: dict[str, list[str]] = field(default_factory=dict)
    #: Currency of each invoice in the list (when the caller may see amounts).
    invoice_units: dict[str, str] = field(default_factory=dict)

    @property
    def current_month(self) -> str:
        """The running month by the API's clock."""
        return f"{self.today.year:04d}-{self.today.month:02d}"


async def discover_account(client: BillingClient) -> Account:
    """Read the profile and the invoice list; choose the contract; learn the API's date."""
    profile = await client.profile()
    contract = _choose_contract(profile.data, client.settings.contract)
    today = (profile.date or datetime.now(UTC)).astimezone(UTC).date()
    try:
        invoices: ApiResponse | None = await client.invoices(contract)
    except AccessDeniedError:
        invoices = None
    account = Account(contract, profile, invoices, invoices is not None, today)
    if invoices is not None and invoices.status == 200:
        for item in (invoices.data or {}).get("invoices") or ():
            if item.get("id") and item.get("date"):
                account.invoice_ids.setdefault(item["date"], []).append(item["id"])
                if item.get("unit"):
                    account.invoice_units[item["id"]] = item["unit"]
    return account


async def list_billing_periods(
    client: BillingClient, *, window: int = DEFAULT_WINDOW
) -> list[BillingPeriod]:
    """The periods the contract can deliver within ``window`` months ending this month.

    With invoice access: every invoiced month in the window (closed, with its invoice ids),
    last month even before its invoice exists (closed, no ids), and the running month
    (open). Without invoice access: every month of the window, none with invoice ids.
    """
    account = await discover_account(client)
    current = account.current_month
    months = _window(current, window)
    if not account.invoice_access:
        _warn_no_invoice_access(account, months)
        return [BillingPeriod(m, closed=m < current) for m in months]
    periods = {
        month: BillingPeriod(month, closed=True, invoice_ids=tuple(ids))
        for month, ids in account.invoice_ids.items()
        if months[0] <= month < current
    }
    if len(months) > 1:
        periods.setdefault(months[-2], BillingPeriod(months[-2], closed=True))
    periods[current] = BillingPeriod(
        current, closed=False, invoice_ids=tuple(account.invoice_ids.get(current, ()))
    )
    return sorted(periods.values())


async def fetch_periods(
    client: BillingClient,
    months: Sequence[str],
    *,
    progress: Progress | None = None,
    account: Account | None = None,
) -> list[RawBatch]:
    """Fetch every month of ``months`` concurrently; one batch per month, in that order.

    The first failure cancels the remaining calls and is raised; nothing is returned
    half-done.
    """
    months = [parse_month(m) for m in months]
    if not months:
        return []
    account = account or await discover_account(client)
    for month in months:
        if month > account.current_month:
            msg = (
                f"period {month} has not started yet: the IONOS Billing API's date is "
                f"{account.today.isoformat()}, so the latest period is {account.current_month}"
            )
            raise UsageError(msg)
    plans = [_plan(client, account, month) for month in months]
    progress = progress or NullProgress()
    progress.start(
        f"fetching IONOS {months[0]}" + (f"..{months[-1]}" if len(months) > 1 else ""),
        sum(len(plan) for plan in plans),
    )
    try:
        pending = zip(months, plans, strict=True)
        batches = await _all([_fetch_period(account, m, plan, progress) for m, plan in pending])
    finally:
        progress.stop()
    estimated = [batch.period for batch in batches if not batch.meta["invoice_access"]]
    if estimated:
        _warn_no_invoice_access(account, estimated)
    return batches


def run_sync(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coroutine`` to the end from synchronous code (the hooks are synchronous).

    Inside a running event loop (a notebook) it runs on a fresh loop in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# -- one period -------------------------------------------------------------------------

_Call = tuple[str, Callable[[], Awaitable[ApiResponse]]]


def _plan(client: BillingClient, account: Account, month: str) -> list[_Call]:
    """The calls for one month: (entry name, call) pairs."""
    c = account.contract
    calls: list[_Call] = [("products", partial(client.products, c, f"{month}-01"))]
    if account.invoice_access:
        calls += [
            (f"invoice-{invoice_id}", partial(client.invoice, c, invoice_id, period=month))
            for invoice_id in account.invoice_ids.get(month, ())
        ]
    calls += [
        ("usage", partial(client.usage, c, month)),
        ("utilization", partial(client.utilization, c, month)),
    ]
    calls += [
        (f"utilization-daily-{day}", partial(client.utilization_daily, c, day))
        for day in _days(month, account.today)
    ]
    calls += [
        ("traffic", partial(client.traffic, c, month)),
        ("traffic-ip", partial(client.traffic, c, month, by_ip=True)),
        ("evn", partial(client.evn, c, month)),
    ]
    return calls


async def _fetch_period(
    account: Account, month: str, plan: list[_Call], progress: Progress
) -> RawBatch:
    async def one(name: str, call: Callable[[], Awaitable[ApiResponse]]) -> ApiResponse | None:
        try:
            return await call()
        except AccessDeniedError:
            if name.startswith("invoice-"):
                return None  # no invoice access: the period is estimated, not invoiced
            raise
        finally:
            progress.advance()

    responses = await _all([one(name, call) for name, call in plan])
    batch = RawBatch(PROVIDER, month)
    _add(batch, "profile", account.profile)
    if account.invoices is not None:
        _add(batch, "invoices", account.invoices)
    invoice_access = account.invoice_access
    for (name, _), response in zip(plan, responses, strict=True):
        if response is None:
            invoice_access = False
        else:
            _add(batch, name, response)
    batch.meta = {
        "contract": account.contract,
        "closed": month < account.current_month,
        "invoice_ids": list(account.invoice_ids.get(month, ())) if account.invoice_access else [],
        "invoice_access": invoice_access,
    }
    currency = _currency(batch, account, month)
    if currency:
        batch.meta["currency"] = currency
    return batch


def _add(batch: RawBatch, name: str, response: ApiResponse) -> None:
    if response.status == 404:
        return  # no data for this month: absent by design (see the module docstring)
    batch.add(
        name,
        endpoint=response.endpoint,
        request_path=response.request_path,
        body=response.body,
        status=response.status,
    )


def _currency(batch: RawBatch, account: Account, month: str) -> str | None:
    for name in sorted(batch.entries):
        if name.startswith("invoice-"):
            unit = ((batch.json(name) or {}).get("total") or {}).get("unit")
            if unit:
                return str(unit)
    for invoice_id in account.invoice_ids.get(month, ()):
        if invoice_id in account.invoice_units:
            return account.invoice_units[invoice_id]
    for product in (batch.json("products") or {}).get("products") or ():
        unit = (product.get("unitCost") or {}).get("unit")
        if unit:
            return str(unit)
    return None


# -- helpers ----------------------------------------------------------------------------


def _choose_contract(profile: Any, wanted: str | None) -> str:
    """The contract to read: the one asked for (as the profile spells it), or the only one."""
    visible: list[str] = []
    #: Contracts the profile sent as JSON integers: their leading zeros are lost.
    numbers: set[str] = set()
    for company in (profile or {}).get("companies") or ():
        value = company.get("contractId")
        text = str(value).strip() if value is not None else ""
        if text.isdigit() and int(text) and text not in visible:
            visible.append(text)
            if isinstance(value, int):
                numbers.add(text)
    if wanted:
        for text in visible:
            if int(text) == int(wanted):
                # The user's spelling wins over a number that cannot carry leading zeros.
                return wanted if text in numbers else text
        if not visible:
            return wanted
        msg = (
            f"contract {wanted} is not among the contracts these IONOS credentials can see "
            f"({', '.join(visible)}); check --contract / IONOS_CONTRACT_NUMBER"
        )
        raise UsageError(msg)
    if len(visible) == 1:
        return visible[0]
    if not visible:
        msg = (
            "the IONOS billing profile (GET /profile) lists no contract for these "
            "credentials; give one with --contract or IONOS_CONTRACT_NUMBER"
        )
        raise ProviderError(msg)
    msg = (
        f"these IONOS credentials can see {len(visible)} contracts ({', '.join(visible)}); "
        "choose one with --contract or IONOS_CONTRACT_NUMBER (contracts are never mixed)"
    )
    raise UsageError(msg)


def _days(month: str, today: date) -> list[str]:
    """Every day of ``month``; for the running month, up to and including ``today``."""
    year, number = map(int, month.split("-"))
    last = calendar.monthrange(year, number)[1]
    if (year, number) == (today.year, today.month):
        last = today.day
    return [f"{month}-{day:02d}" for day in range(1, last + 1)]


def _window(current: str, size: int) -> list[str]:
    year, month = map(int, current.split("-"))
    month -= size - 1
    while month < 1:
        year, month = year - 1, month + 12
    return month_range(f"{year:04d}-{month:02d}", current)


def _warn_no_invoice_access(account: Account, months: Sequence[str]) -> None:
    span = months[0] if len(months) == 1 else f"{min(months)}..{max(months)}"
    log.warning(
        "no access to the invoices of IONOS contract %s (HTTP 403): costs for %s will be "
        "estimates from usage and prices, never invoiced amounts. Ask the contract owner "
        "for invoice access to get billed costs",
        account.contract,
        span,
    )


async def _all(awaitables: Iterable[Awaitable[_T]]) -> list[_T]:
    """Await everything concurrently; on the first failure cancel the rest and raise it."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_as_coroutine(a)) for a in awaitables]
    except BaseExceptionGroup as failures:
        raise _first_leaf(failures) from None
    return [task.result() for task in tasks]


async def _as_coroutine(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
