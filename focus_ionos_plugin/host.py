"""The plugin host: loads provider plugins and runs the conversion pipeline.

Plugins come from the entry-point group ``focus_converter`` (ours too: the host has no
special path for built-in plugins). :class:`PluginHost` wraps pluggy's hook relay in one
typed method per hook and always calls hooks by keyword.

Environment variables:

``FOCUS_IONOS_BLOCK_PLUGINS``
    Comma-separated entry-point names not to load (e.g. ``ionos,files``).
``FOCUS_IONOS_TRACE_HOOKS``
    When set to ``1``, log every hook call and its duration at DEBUG level (arguments are
    summarised; settings and credentials never appear).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .errors import PluginError, UsageError
from .findings import Finding

if TYPE_CHECKING:
    import pyarrow as pa

    from .context import Context
    from .periods import BillingPeriod

__all__ = ["BLOCK_ENV", "TRACE_ENV", "LoadedPlugin", "PeriodResult", "PluginHost"]

BLOCK_ENV = "FOCUS_IONOS_BLOCK_PLUGINS"
TRACE_ENV = "FOCUS_IONOS_TRACE_HOOKS"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedPlugin:
    """A registered plugin, as ``focus-ionos plugins`` shows it."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    providers: tuple[str, ...]


@dataclass
class PeriodResult:
    """What the pipeline produced for one provider and period."""

    provider: str
    period: BillingPeriod
    table: pa.Table
    findings: list[Finding] = field(default_factory=list)
    raw: Any = None


class PluginHost:
    """Loads plugins and exposes the hooks as typed methods.

    ``entry_points=False`` skips installed plugins (tests register throwaway plugins
    through :meth:`register`). Call :meth:`load` once before using the hooks.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self._dists: dict[str, tuple[str | None, str | None]] = {}
        self._providers: dict[str, hookspecs.ProviderInfo] = {}
        self._provider_owner: dict[str, str] = {}
        self._loaded = False
        if self._environ.get(TRACE_ENV) == "1":
            self._pm.add_hookcall_monitoring(_trace_before, _trace_after)

    # -- loading ------------------------------------------------------------------------

    def load(
        self, *, entry_points: bool = True, plugins: Iterable[tuple[str, object]] = ()
    ) -> PluginHost:
        """Register installed plugins and ``plugins`` (name, object), then check them."""
        if self._loaded:
            return self
        if entry_points:
            self._load_entry_points()
        for name, plugin in plugins:
            self.register(plugin, name=name)
        self.check()
        self._loaded = True
        return self

    def _load_entry_points(self) -> None:
        blocked = self._blocked()
        entry_points = metadata.entry_points(group=hookspecs.PROJECT_NAME)
        unknown = blocked - {entry_point.name for entry_point in entry_points}
        if unknown:
            log.warning(
                "%s names %s, but no installed plugin is called so (installed: %s)",
                BLOCK_ENV,
                ", ".join(sorted(unknown)),
                ", ".join(sorted(entry_point.name for entry_point in entry_points)),
            )
        for entry_point in entry_points:
            if entry_point.name in blocked:
                log.warning("plugin %s is not loaded: blocked by %s", entry_point.name, BLOCK_ENV)
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:
                msg = (
                    f"plugin {entry_point.name!r} ({entry_point.value}) failed to import: "
                    f"{exc}. Reinstall it, or block it with {BLOCK_ENV}={entry_point.name}"
                )
                raise PluginError(msg) from exc
            dist = entry_point.dist
            self.register(
                plugin,
                name=entry_point.name,
                distribution=dist.name if dist else None,
                version=dist.version if dist else None,
            )
            log.debug("loaded plugin %s from %s", entry_point.name, entry_point.value)

    def _blocked(self) -> set[str]:
        raw = self._environ.get(BLOCK_ENV, "")
        return {name.strip() for name in raw.split(",") if name.strip()}

    def register(
        self,
        plugin: object,
        *,
        name: str,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        """Register one plugin object; reject bad hook signatures and taken provider names."""
        if self._pm.has_plugin(name):
            msg = f"two plugins are named {name!r}; rename one entry point"
            raise PluginError(msg)
        try:
            self._pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            msg = f"plugin {name!r} breaks the provider contract: {exc}"
            raise PluginError(msg) from exc
        self._dists[name] = (distribution, version)
        self._collect_providers(name, plugin)

    def unregister(self, name: str) -> None:
        """Remove a plugin and the providers it registered."""
        self._pm.unregister(name=name)
        self._dists.pop(name, None)
        for provider in [p for p, owner in self._provider_owner.items() if owner == name]:
            del self._providers[provider]
            del self._provider_owner[provider]

    def _collect_providers(self, plugin_name: str, plugin: object) -> None:
        impl = getattr(plugin, "focus_providers", None)
        if impl is None or not hasattr(impl, hookspecs.PROJECT_NAME + "_impl"):
            return

        def register(info: hookspecs.ProviderInfo) -> None:
            if not isinstance(info, hookspecs.ProviderInfo):
                msg = f"plugin {plugin_name!r} registered {info!r}, not a ProviderInfo"
                raise PluginError(msg)
            owner = self._provider_owner.get(info.name)
            if owner is not None:
                msg = (
                    f"provider {info.name!r} is registered by two plugins: {owner!r} and "
                    f"{plugin_name!r}. Uninstall one, or block it with {BLOCK_ENV}"
                )
                raise PluginError(msg)
            self._providers[info.name] = info
            self._provider_owner[info.name] = plugin_name

        try:
            impl(register=register)
        except PluginError:
            self._pm.unregister(name=plugin_name)
            raise

    def check(self) -> None:
        """Fail when a plugin implements a hook that does not exist (a misspelt name)."""
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            plugin_name = self._pm.get_name(exc.plugin) if exc.plugin else "?"
            msg = f"plugin {plugin_name!r} is rejected: {exc}"
            raise PluginError(msg) from exc

    # -- introspection ------------------------------------------------------------------

    @property
    def providers(self) -> dict[str, hookspecs.ProviderInfo]:
        """Registered providers by name."""
        return dict(self._providers)

    def provider(self, name: str) -> hookspecs.ProviderInfo:
        """The provider called ``name``; a usage error naming the known ones otherwise."""
        try:
            return self._providers[name]
        except KeyError:
            known = ", ".join(sorted(self._providers)) or "none"
            msg = f"unknown provider {name!r}; installed providers: {known}"
            if self._blocked():
                msg += f" ({BLOCK_ENV} blocks {', '.join(sorted(self._blocked()))})"
            raise UsageError(msg) from None

    def plugins(self) -> list[LoadedPlugin]:
        """Every registered plugin with its distribution, version, hooks and providers."""
        result = []
        for name, plugin in sorted(self._pm.list_name_plugin(), key=lambda item: item[0]):
            callers = self._pm.get_hookcallers(plugin) or []
            distribution, version = self._dists.get(name, (None, None))
            providers = tuple(sorted(p for p, o in self._provider_owner.items() if o == name))
            hooks = tuple(sorted(caller.name for caller in callers))
            result.append(LoadedPlugin(name, distribution, version, hooks, providers))
        return result

    # -- the typed facade: one method per hook --------------------------------------------

    def list_periods(self, provider: str, context: Context) -> list[BillingPeriod]:
        """Periods ``provider`` can deliver, oldest first."""
        self.provider(provider)
        periods = self._pm.hook.list_periods(provider=provider, context=context)
        if periods is None:
            msg = f"no plugin lists periods for provider {provider!r}"
            raise PluginError(msg)
        return sorted(periods)

    def fetch_raw(self, provider: str, period: BillingPeriod, context: Context) -> Any:
        """The provider's raw data for ``period``."""
        self.provider(provider)
        raw = self._pm.hook.fetch_raw(provider=provider, period=period, context=context)
        if raw is None:
            msg = f"no plugin fetches raw data for provider {provider!r}"
            raise PluginError(msg)
        return raw

    def to_focus(self, provider: str, raw: Any, context: Context) -> pa.Table:
        """FOCUS rows for one period's raw data, as one table."""
        import pyarrow as pa

        self.provider(provider)
        result = self._pm.hook.to_focus(provider=provider, raw=raw, context=context)
        if result is None:
            msg = f"no plugin converts raw data of provider {provider!r} to FOCUS"
            raise PluginError(msg)
        if isinstance(result, pa.Table):
            return result
        batches = list(result)
        if not batches:
            msg = f"provider {provider!r} returned record batches but not one (no schema)"
            raise PluginError(msg)
        return pa.Table.from_batches(batches)

    def validate(self, table: pa.Table, provider: str | None, context: Context) -> list[Finding]:
        """Findings of every plugin on ``table``."""
        results = self._pm.hook.validate(table=table, provider=provider, context=context)
        return [finding for findings in results for finding in findings]

    # -- the pipeline ---------------------------------------------------------------------

    def run(
        self,
        provider: str,
        periods: Sequence[BillingPeriod],
        context: Context,
        *,
        on_raw: Callable[[BillingPeriod, Any], None] | None = None,
    ) -> Iterator[PeriodResult]:
        """Fetch, convert and validate each period of ``provider``; yield the results.

        Writing is the caller's job (it knows the output format), so a failure in a later
        period never leaves a half-written dataset behind.
        """
        self.provider(provider)
        for period in periods:
            started = time.perf_counter()
            raw = self.fetch_raw(provider, period, context)
            if on_raw is not None:
                on_raw(period, raw)
            table = self.to_focus(provider, raw, context)
            findings = self.validate(table, provider, context)
            log.info(
                "%s %s: %d rows, %d findings in %.2f s",
                provider,
                period,
                table.num_rows,
                len(findings),
                time.perf_counter() - started,
            )
            yield PeriodResult(provider, period, table, findings, raw)


def _trace_before(hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    shown = {k: _summarise(v) for k, v in kwargs.items() if k != "context"}
    log.debug("hook %s(%s) -> %d impls", hook_name, shown, len(hook_impls))


def _trace_after(
    outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]
) -> None:
    failed = outcome.exception is not None
    log.debug("hook %s %s", hook_name, "raised" if failed else "returned")


def _summarise(value: Any) -> str:
    num_rows = getattr(value, "num_rows", None)
    if num_rows is not None:
        return f"<table {num_rows} rows>"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
