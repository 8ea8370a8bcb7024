"""The provider contract: the hooks a focus-ionos plugin implements.

Quick start for a provider author
---------------------------------
A plugin is any importable module or object whose functions carry the ``hookimpl`` marker.
Name it in your package's ``pyproject.toml`` under the entry-point group
``focus_converter``::

    [project.entry-points.focus_converter]
    acme = "acme_focus.plugin"

and implement the hooks for the providers you serve (every argument is optional; take
only those you need, hooks are always called by keyword)::

    import pyarrow as pa
    from focus_ionos_plugin.hookspecs import ProviderInfo, hookimpl
    from focus_ionos_plugin.periods import BillingPeriod

    @hookimpl
    def focus_providers(register):
        register(ProviderInfo(name="acme", display_name="ACME Cloud", focus_version="1.3"))

    @hookimpl
    def list_periods(provider, context):
        if provider != "acme":
            return None                      # not ours: let other plugins answer
        return [BillingPeriod("2026-05")]

    @hookimpl
    def fetch_raw(provider, period, context):
        if provider != "acme":
            return None
        return {"rows": [...]}               # anything; a RawBatch if it should be saved

    @hookimpl
    def to_focus(provider, raw, context):
        if provider != "acme":
            return None
        return pa.table({...})               # FOCUS 1.3 columns

``focus-ionos plugins`` then lists the plugin, and every command that takes a provider can
run it. The provider-specific hooks are ``firstresult``: the first plugin that returns
something other than ``None`` answers, so return ``None`` for providers that are not yours.
``validate`` collects findings from every plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import pyarrow as pa

    from .context import Context
    from .findings import Finding
    from .periods import BillingPeriod

__all__ = ["PROJECT_NAME", "ProviderInfo", "hookimpl", "hookspec"]

#: pluggy project name, also the entry-point group plugins register under.
PROJECT_NAME = "focus_converter"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@dataclass(frozen=True)
class ProviderInfo:
    """A provider a plugin serves.

    ``name`` is the stable identifier used on the command line and in dataset partitions
    (lowercase, e.g. ``ionos``); ``display_name`` is for humans; ``focus_version`` is the
    FOCUS version the provider's ``to_focus`` emits.
    """

    name: str
    display_name: str
    focus_version: str = "1.3"
    description: str = ""


@hookspec
def focus_providers(register: Callable[[ProviderInfo], None]) -> None:
    """Name the providers this plugin serves.

    Fires once, when the host loads its plugins. Call ``register`` once per provider. The
    host rejects a provider name that another plugin already registered.

    :param register: callable taking a :class:`ProviderInfo`.
    :return: nothing; the host collects what was registered.

    Call mode: every plugin is called. Since 0.1.
    """


@hookspec(firstresult=True)
def list_periods(provider: str, context: Context) -> Sequence[BillingPeriod] | None:
    """List the billing periods ``provider`` can deliver, oldest first.

    Fires when a command needs to know which months exist (``periods``, or ``export``
    without a period option).

    :param provider: provider name as registered through :func:`focus_providers`.
    :param context: settings, folders, logger and progress reporter of this run.
    :return: the periods (closed and open ones), or ``None`` when the provider is not
        yours.

    Call mode: firstresult. Since 0.1.
    """


@hookspec(firstresult=True)
def fetch_raw(provider: str, period: BillingPeriod, context: Context) -> Any | None:
    """Get the provider's raw data for one billing period.

    Fires once per provider and period, before conversion. Return a
    :class:`focus_ionos_plugin.raw.RawBatch` when the data should be saved and re-converted
    offline (``fetch --raw-dir``); any other object is passed unchanged to
    :func:`to_focus`. Raise :class:`focus_ionos_plugin.errors.ProviderError` subclasses for
    failures the user must act on.

    :param provider: provider name.
    :param period: the period to fetch.
    :param context: settings, folders, logger and progress reporter of this run.
    :return: the raw data, or ``None`` when the provider is not yours.

    Call mode: firstresult. Since 0.1.
    """


@hookspec(firstresult=True)
def to_focus(
    provider: str, raw: Any, context: Context
) -> pa.Table | Iterable[pa.RecordBatch] | None:
    """Convert one period's raw data to FOCUS 1.3 rows.

    Fires once per provider and period, after :func:`fetch_raw` (or after a saved raw
    batch was loaded). Rows must use the FOCUS 1.3 column names; money as Arrow decimals;
    custom columns prefixed ``x_``. Return a table, or record batches for data too large
    to hold at once.

    :param provider: provider name.
    :param raw: what :func:`fetch_raw` returned for this provider and period.
    :param context: settings, folders, logger and progress reporter of this run.
    :return: the FOCUS rows, or ``None`` when the provider is not yours.

    Call mode: firstresult. Since 0.1.
    """


@hookspec
def validate(table: pa.Table, provider: str | None, context: Context) -> Sequence[Finding]:
    """Check a FOCUS table and report findings.

    Fires after conversion (on each provider's table for one period) and from the
    ``validate`` command. Core conformance checks run for every table; a provider plugin
    adds checks for its own provider (for example reconciliation with invoices) and
    returns an empty list for other providers.

    :param table: FOCUS rows to check.
    :param provider: the provider the rows came from, or ``None`` when unknown (a file).
    :param context: settings, folders, logger and progress reporter of this run.
    :return: findings (empty when there is nothing to say).

    Call mode: every plugin is called; results are concatenated, order irrelevant.
    Since 0.1.
    """
