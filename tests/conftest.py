"""Shared fixtures: a plugin host without installed plugins, and a throwaway provider."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

import pyarrow as pa
import pytest

from focus_ionos_plugin.context import Context, Settings
from focus_ionos_plugin.findings import Finding, Severity
from focus_ionos_plugin.hookspecs import ProviderInfo, hookimpl
from focus_ionos_plugin.host import PluginHost
from focus_ionos_plugin.periods import BillingPeriod


class AcmeProvider:
    """A third-party provider as a plugin author would write it, used by host tests."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, object]]] = []

    @hookimpl
    def focus_providers(self, register):  # type: ignore[no-untyped-def]
        register(ProviderInfo(name="acme", display_name="ACME Cloud", focus_version="1.3"))

    @hookimpl
    def list_periods(self, provider, context):  # type: ignore[no-untyped-def]
        if provider != "acme":
            return None
        self.calls.append(("list_periods", {"provider": provider}))
        return [BillingPeriod("2026-06"), BillingPeriod("2026-05")]

    @hookimpl
    def fetch_raw(self, provider, period):  # type: ignore[no-untyped-def]
        if provider != "acme":
            return None
        self.calls.append(("fetch_raw", {"period": period.month}))
        return {"period": period.month, "costs": ["12.30", "0.07"]}

    @hookimpl
    def to_focus(self, provider, raw):  # type: ignore[no-untyped-def]
        if provider != "acme":
            return None
        self.calls.append(("to_focus", {"period": raw["period"]}))
        costs = [Decimal(value) for value in raw["costs"]]
        return pa.table(
            {
                "BilledCost": pa.array(costs, pa.decimal128(38, 18)),
                "BillingCurrency": ["EUR"] * len(costs),
                "x_Period": [raw["period"]] * len(costs),
            }
        )

    @hookimpl
    def validate(self, table, provider):  # type: ignore[no-untyped-def]
        if provider != "acme":
            return []
        self.calls.append(("validate", {"rows": table.num_rows}))
        return [Finding("acme-rows", Severity.INFO, f"{table.num_rows} rows", provider="acme")]


@pytest.fixture(autouse=True)
def restore_package_logger() -> Iterator[None]:
    """``cli.main`` configures the package logger; put it back for the next test."""
    logger = logging.getLogger("focus_ionos_plugin")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture
def acme() -> AcmeProvider:
    """A fresh throwaway provider plugin."""
    return AcmeProvider()


@pytest.fixture
def host(acme: AcmeProvider) -> Iterator[PluginHost]:
    """A host with only the throwaway provider (installed plugins skipped)."""
    plugin_host = PluginHost(environ={}).load(entry_points=False, plugins=[("acme", acme)])
    yield plugin_host
    plugin_host.unregister("acme")


@pytest.fixture
def context(tmp_path) -> Context:  # type: ignore[no-untyped-def]
    """A hook context with an empty environment and a temporary output folder."""
    return Context(settings=Settings({}), out_dir=tmp_path)
