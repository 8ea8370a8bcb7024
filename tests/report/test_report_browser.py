"""The HTML report in headless Chromium: no console error, no request, the right total.

Uses the system's Chromium (Debian package ``chromium``), never a downloaded browser: the
path comes from FOCUS_IONOS_BROWSER, else /usr/bin/chromium. Without it the test skips,
unless FOCUS_IONOS_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.focus.writer import write_metadata, write_partition

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> str:
    """The Chromium executable; skips (or fails, when required) before any work is done."""
    path = os.environ.get("FOCUS_IONOS_BROWSER") or "/usr/bin/chromium"
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    found = shutil.which(path)
    if found:
        return found
    message = f"no Chromium at {path} (set FOCUS_IONOS_BROWSER or apt-get install chromium)"
    if os.environ.get("FOCUS_IONOS_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def report_file(tmp_path, crafted) -> tuple[Path, dict[str, Decimal]]:
    """The crafted rows written as a dataset (IONOS-like months in EUR, one provider in
    USD whose resource name is markup), and the report of it."""
    root = tmp_path / "dataset"
    months = pc.strftime(crafted["BillingPeriodStart"], format="%Y-%m")
    eur = pc.equal(crafted["BillingCurrency"], "EUR")
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        write_partition(root, "ionos", month, crafted.filter(pc.and_(eur, pc.equal(months, month))))
    write_partition(root, "example", "2026-04", crafted.filter(pc.invert(eur)))
    write_metadata(root)
    out = tmp_path / "report.html"
    assert cli.main(["-q", "report", str(root), "--out", str(out), "--no-validate"]) == 0
    totals = {
        "EUR": pc.sum(crafted.filter(eur)["BilledCost"]).as_py(),
        "USD": pc.sum(crafted.filter(pc.invert(eur))["BilledCost"]).as_py(),
    }
    return out, totals


def test_report_renders_in_headless_chromium(browser, report_file, tmp_path):
    from playwright.sync_api import sync_playwright

    out, totals = report_file
    url = out.as_uri()
    problems: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=browser,
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900},
            color_scheme="light",
        )
        try:

            def route(request_route):  # type: ignore[no-untyped-def]
                if request_route.request.url == url:
                    request_route.continue_()
                else:
                    problems.append(f"request {request_route.request.url}")
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
            response = page.goto(url, wait_until="load")
            assert response is not None and response.ok

            for currency, total in totals.items():
                shown = page.locator(f"#kpi-billed-{currency} .money")
                expected = total.quantize(Decimal("0.01"), ROUND_HALF_EVEN)
                assert shown.inner_text() == f"{expected:,.2f} {currency}"
                assert Decimal(shown.get_attribute("data-value") or "") == total
            assert page.locator("svg.chart").count() == 8  # 4 breakdowns x 2 currencies
            assert "<script>alert(1)</script>" in page.locator("#drivers").inner_text()
            assert page.evaluate("document.scripts.length") == 0

            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            page.emulate_media(color_scheme="dark")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            text = page.evaluate("getComputedStyle(document.body).color")
            assert _luminance(background) < 0.1
            assert _luminance(text) > 0.7

            page.emulate_media(media="print", color_scheme="dark")
            assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == (
                "none"
            )
            assert _luminance(page.evaluate("getComputedStyle(document.body).color")) < 0.1
        finally:
            context.close()
    assert problems == []


def _luminance(css_color: str) -> float:
    """Relative luminance (0 black .. 1 white) of an ``rgb(r, g, b)`` value."""
    red, green, blue = (int(part) / 255 for part in css_color[4:-1].split(",")[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
