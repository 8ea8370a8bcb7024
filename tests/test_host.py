"""The plugin host: loading, contract checks, the typed facade and the pipeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from focus_ionos_plugin.errors import PluginError, UsageError
from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.hookspecs import ProviderInfo, hookimpl
from focus_ionos_plugin.host import BLOCK_ENV, PluginHost
from focus_ionos_plugin.periods import BillingPeriod


def test_hook_focus_providers(host):
    info = host.provider("acme")
    assert info == ProviderInfo("acme", "ACME Cloud", "1.3")
    assert list(host.providers) == ["acme"]


def test_hook_list_periods_sorted_oldest_first(host, context):
    assert [p.month for p in host.list_periods("acme", context)] == ["2026-05", "2026-06"]


def test_hook_fetch_raw(host, context):
    raw = host.fetch_raw("acme", BillingPeriod("2026-05"), context)
    assert raw == {"period": "2026-05", "costs": ["12.30", "0.07"]}


def test_hook_to_focus_keeps_exact_decimals(host, context):
    table = host.to_focus("acme", {"period": "2026-05", "costs": ["0.10", "0.20"]}, context)
    assert table.column("BilledCost").to_pylist() == [Decimal("0.1"), Decimal("0.2")]
    assert sum(table.column("BilledCost").to_pylist()) == Decimal("0.3")


def test_hook_validate_collects_findings(host, context):
    table = host.to_focus("acme", {"period": "2026-05", "costs": ["1"]}, context)
    findings = host.validate(table, "acme", context)
    assert [(f.rule_id, f.severity, f.message) for f in findings] == [
        ("acme-rows", Severity.INFO, "1 rows")
    ]


def test_pipeline_runs_every_hook_in_order(host, acme, context):
    periods = host.list_periods("acme", context)
    results = list(host.run("acme", periods, context))

    assert [r.period.month for r in results] == ["2026-05", "2026-06"]
    assert [r.table.num_rows for r in results] == [2, 2]
    assert results[1].table.column("x_Period").to_pylist() == ["2026-06", "2026-06"]
    assert sum(results[0].table.column("BilledCost").to_pylist()) == Decimal("12.37")
    assert [name for name, _ in acme.calls] == [
        "list_periods",
        "fetch_raw",
        "to_focus",
        "validate",
        "fetch_raw",
        "to_focus",
        "validate",
    ]


def test_unknown_provider_names_the_installed_ones(host, context):
    with pytest.raises(UsageError, match=r"unknown provider 'nope'; installed providers: acme"):
        host.list_periods("nope", context)


def test_misspelt_hook_is_rejected_naming_plugin_and_hook():
    class Misspelt:
        @hookimpl
        def fetch_raws(self, provider, period):  # type: ignore[no-untyped-def]
            return None

    plugin_host = PluginHost(environ={})
    with pytest.raises(PluginError, match=r"plugin 'typo'.*fetch_raws"):
        plugin_host.load(entry_points=False, plugins=[("typo", Misspelt())])


def test_hook_argument_outside_the_contract_is_rejected():
    class WrongArgument:
        @hookimpl
        def list_periods(self, provider, account):  # type: ignore[no-untyped-def]
            return None

    plugin_host = PluginHost(environ={})
    with pytest.raises(
        PluginError, match=r"(?s)plugin .wrong. breaks the provider contract.*account"
    ):
        plugin_host.load(entry_points=False, plugins=[("wrong", WrongArgument())])


def test_duplicate_provider_name_is_rejected(acme):
    class Impostor:
        @hookimpl
        def focus_providers(self, register):  # type: ignore[no-untyped-def]
            register(ProviderInfo("acme", "Not ACME"))

    plugin_host = PluginHost(environ={})
    with pytest.raises(PluginError, match=r"provider 'acme' is registered by two plugins"):
        plugin_host.load(entry_points=False, plugins=[("acme", acme), ("impostor", Impostor())])
    assert plugin_host.providers["acme"].display_name == "ACME Cloud"


def test_provider_that_returns_nothing_is_reported(context):
    class Silent:
        @hookimpl
        def focus_providers(self, register):  # type: ignore[no-untyped-def]
            register(ProviderInfo("silent", "Silent"))

    plugin_host = PluginHost(environ={}).load(entry_points=False, plugins=[("silent", Silent())])
    with pytest.raises(PluginError, match="no plugin lists periods for provider 'silent'"):
        plugin_host.list_periods("silent", context)


def test_installed_plugins_load_through_the_entry_point_group():
    plugin_host = PluginHost(environ={}).load()
    names = {plugin.name for plugin in plugin_host.plugins()}
    assert {"conformance", "files", "ionos"} <= names
    ionos = next(p for p in plugin_host.plugins() if p.name == "ionos")
    assert ionos.distribution == "focus-ionos-plugin"


def test_block_env_var_skips_named_plugins():
    plugin_host = PluginHost(environ={BLOCK_ENV: "ionos, files"}).load()
    names = {plugin.name for plugin in plugin_host.plugins()}
    assert "ionos" not in names
    assert "files" not in names
    assert "conformance" in names


def test_plugins_lists_hooks_and_providers(host):
    (plugin,) = host.plugins()
    assert plugin.name == "acme"
    assert plugin.providers == ("acme",)
    assert plugin.hooks == ("fetch_raw", "focus_providers", "list_periods", "to_focus", "validate")


def test_blocked_provider_is_named_in_the_unknown_provider_error(context):
    plugin_host = PluginHost(environ={BLOCK_ENV: "ionos"}).load()
    with pytest.raises(UsageError, match=rf"unknown provider 'ionos'.*{BLOCK_ENV} blocks ionos"):
        plugin_host.list_periods("ionos", context)


def test_misspelt_blocked_name_is_warned_about(caplog):
    with caplog.at_level("WARNING", logger="focus_ionos_plugin.host"):
        PluginHost(environ={BLOCK_ENV: "ionso"}).load()
    assert f"{BLOCK_ENV} names ionso, but no installed plugin is called so" in caplog.text
