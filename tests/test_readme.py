"""README examples keep working, and every hook is documented there."""

from __future__ import annotations

import inspect
import re
import types
from decimal import Decimal
from pathlib import Path

from focus_ionos_plugin import hookspecs
from focus_ionos_plugin.context import Context, Settings
from focus_ionos_plugin.host import PluginHost

README = Path(__file__).resolve().parent.parent / "README.md"


def _example(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {name} -->\n```python\n(.*?)```", text, re.S)
    assert match, f"README has no example marked {name!r}"
    return match.group(1)


def test_provider_plugin_example_runs_through_the_pipeline():
    module = types.ModuleType("acme_plugin")
    exec(compile(_example("provider-plugin"), "README.md", "exec"), module.__dict__)
    host = PluginHost(environ={}).load(entry_points=False, plugins=[("acme", module)])
    context = Context(settings=Settings({}))

    results = list(host.run("acme", host.list_periods("acme", context), context))

    assert [(r.period.month, r.table.num_rows) for r in results] == [("2026-05", 2), ("2026-06", 1)]
    assert sum(results[0].table["BilledCost"].to_pylist()) == Decimal("12.37")
    assert results[0].findings == []


def test_every_hook_is_documented_with_its_exact_signature():
    text = README.read_text(encoding="utf-8")
    for name, spec in inspect.getmembers(hookspecs, inspect.isfunction):
        if not hasattr(spec, "focus_converter_spec"):
            continue
        arguments = ", ".join(inspect.signature(spec).parameters)
        assert f"`{name}({arguments})`" in text, f"README lacks the hook {name}({arguments})"


def test_mapping_section_equals_what_the_converter_uses():
    from focus_ionos_plugin.ionos.convert_mapping import mapping_markdown
    from focus_ionos_plugin.ionos.meters import builtin_catalog

    generated = mapping_markdown(builtin_catalog())
    start = generated.index("## Which data makes which rows")
    end = generated.index("## Meter catalog")
    expected = generated[start:end].strip().replace("## ", "### ")
    text = README.read_text(encoding="utf-8")
    shown = text[text.index("<!-- mapping:begin -->") : text.index("<!-- mapping:end -->")]
    assert shown.removeprefix("<!-- mapping:begin -->").strip() == expected, (
        "README's mapping section is out of date: copy it from "
        "'focus-ionos mapping --markdown' (sections up to the meter catalog, headings ###)"
    )
