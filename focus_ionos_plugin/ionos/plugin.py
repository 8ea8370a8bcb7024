"""The IONOS Cloud provider plugin: hook implementations for provider ``ionos``.

Registered through the ``focus_converter`` entry-point group like any third-party plugin.
Settings come from ``Context.settings`` and ``Context.options`` (see :mod:`.settings`);
the raw batch layout is described in :mod:`.fetch`. Heavy modules (httpx, conversion) are
imported inside the hooks so that loading the plugin stays cheap.

``Context.options`` keys read here besides the settings ones:

``periods``
    The months the command is about to fetch. The first ``fetch_raw`` call for one of
    them fetches all of them concurrently (one client, one in-flight bound) and keeps the
    batches until they are asked for; each is handed out once and then dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..hookspecs import ProviderInfo, hookimpl

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ..context import Context, Progress
    from ..periods import BillingPeriod
    from ..raw import RawBatch
    from .client import BillingClient
    from .settings import IonosSettings

_T = TypeVar("_T")

PROVIDER = "ionos"

#: Where fetched-ahead batches wait in ``Context.options`` (private to this plugin).
_PREFETCHED = "_ionos_prefetched"


@hookimpl
def focus_providers(register: Callable[[ProviderInfo], None]) -> None:
    """Register the IONOS Cloud provider."""
    register(
        ProviderInfo(
            PROVIDER,
            "IONOS Cloud",
            "1.3",
            description="IONOS Cloud Billing API: invoices, usage, utilization, traffic, EVN",
        )
    )


@hookimpl
def list_periods(provider: str, context: Context) -> Sequence[BillingPeriod] | None:
    """Invoiced months of the last 12 plus the running month (see :mod:`.fetch`)."""
    if provider != PROVIDER:
        return None
    from .fetch import list_billing_periods, run_sync
    from .settings import resolve_settings

    settings = resolve_settings(context.settings, context.options)
    return run_sync(_with_client(settings, list_billing_periods))


@hookimpl
def fetch_raw(provider: str, period: BillingPeriod | str, context: Context) -> RawBatch | None:
    """The raw payloads of one month as a :class:`~focus_ionos_plugin.raw.RawBatch`."""
    if provider != PROVIDER:
        return None
    from .fetch import run_sync
    from .settings import resolve_settings

    month = str(period)
    waiting: dict[str, RawBatch] = context.options.setdefault(_PREFETCHED, {})
    if month not in waiting:
        wanted = [str(item) for item in context.options.get("periods") or ()]
        months = [m for m in wanted if m not in waiting] if month in wanted else [month]
        settings = resolve_settings(context.settings, context.options)
        batches = run_sync(_fetch(settings, sorted(set(months)), context.progress))
        waiting.update((batch.period, batch) for batch in batches)
    return waiting.pop(month)


@hookimpl
def to_focus(provider: str, raw: Any, context: Context) -> Any:
    """FOCUS 1.3 rows of one month's raw batch (see :mod:`.convert`)."""
    if provider != PROVIDER:
        return None
    from .convert import convert_raw

    return convert_raw(raw, context)


@hookimpl
def validate(table: Any, provider: str | None, context: Context) -> list[Any]:
    """Reconcile converted IONOS rows with the invoices and usage (see :mod:`.checks`)."""
    if provider != PROVIDER:
        return []
    from .checks import check_table

    return check_table(table)


async def _fetch(settings: IonosSettings, months: list[str], progress: Progress) -> list[RawBatch]:
    from .fetch import fetch_periods

    async def fetch(client: BillingClient) -> list[RawBatch]:
        return await fetch_periods(client, months, progress=progress)

    return await _with_client(settings, fetch)


async def _with_client(
    settings: IonosSettings, work: Callable[[BillingClient], Awaitable[_T]]
) -> _T:
    """Run ``work`` with one client (one connection pool, one in-flight bound)."""
    from .client import BillingClient

    async with BillingClient(settings) as client:
        return await work(client)
