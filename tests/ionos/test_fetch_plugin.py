"""The IONOS plugin's hooks through the plugin host, against the fake API over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from focus_ionos_plugin.context import Context, Settings
from focus_ionos_plugin.hookspecs import ProviderInfo
from focus_ionos_plugin.host import PluginHost
from focus_ionos_plugin.ionos import plugin
from focus_ionos_plugin.ionos.demo.server import FakeBillingApi
from focus_ionos_plugin.periods import BillingPeriod
from focus_ionos_plugin.raw import RawBatch


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, description: str, total: int) -> None:
        self.events.append(("start", (description, total)))

    def advance(self, steps: int = 1) -> None:
        self.events.append(("advance", steps))

    def stop(self) -> None:
        self.events.append(("stop", None))


@pytest.fixture
def api() -> Iterator[FakeBillingApi]:
    with FakeBillingApi() as server:
        yield server


@pytest.fixture
def ionos_host() -> PluginHost:
    return PluginHost(environ={}).load(entry_points=False, plugins=[("ionos", plugin)])


def context_for(api: FakeBillingApi, **options: object) -> Context:
    return Context(
        settings=Settings({"IONOS_TOKEN": "tok-PLUGIN-9d"}),
        options={"base_url": api.base_url, **options},
        progress=RecordingProgress(),
    )


def test_hook_focus_providers(ionos_host):
    info = ionos_host.provider("ionos")
    assert (info.name, info.display_name, info.focus_version) == ("ionos", "IONOS Cloud", "1.3")
    assert isinstance(info, ProviderInfo)


def test_hook_list_periods(ionos_host, api):
    periods = ionos_host.list_periods("ionos", context_for(api))
    assert [(p.month, p.closed, p.invoice_ids) for p in periods] == [
        ("2026-09", True, ("GY26090001",)),
        ("2026-10", True, ("GY26100001",)),
        ("2026-11", True, ("GY26110001",)),
        ("2026-12", False, ()),
    ]


def test_hook_fetch_raw_fetches_the_announced_periods_together(ionos_host, api):
    context = context_for(api, periods=["2026-10", "2026-11"])
    october = ionos_host.fetch_raw("ionos", BillingPeriod("2026-10"), context)
    requests_after_first = len(api.requests)
    november = ionos_host.fetch_raw("ionos", BillingPeriod("2026-11"), context)

    assert isinstance(october, RawBatch)
    assert isinstance(november, RawBatch)
    assert (october.period, november.period) == ("2026-10", "2026-11")
    assert len(api.requests) == requests_after_first  # served from the prefetch
    # 2 shared calls, October 7 + 31 days, November 7 + 30 days.
    assert requests_after_first == 2 + 38 + 37
    assert context.options[plugin._PREFETCHED] == {}  # handed out once, then dropped
    progress = context.progress
    assert progress.events[0] == ("start", ("fetching IONOS 2026-10..2026-11", 75))
    assert progress.events.count(("advance", 1)) == 75
    assert progress.events[-1] == ("stop", None)


def test_hook_fetch_raw_for_a_period_outside_the_announced_ones(ionos_host, api):
    context = context_for(api, periods=["2026-10"])
    batch = ionos_host.fetch_raw("ionos", BillingPeriod("2026-12", closed=False), context)
    assert batch.period == "2026-12"
    assert {r.query for r in api.requests if r.path.endswith("/usage")} == {"period=2026-12"}


def test_hooks_ignore_other_providers():
    context = Context(settings=Settings({}))
    assert plugin.list_periods(provider="aws", context=context) is None
    assert (
        plugin.fetch_raw(provider="aws", period=BillingPeriod("2026-10"), context=context) is None
    )
