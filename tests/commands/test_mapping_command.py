"""``focus-ionos mapping`` and the generated docs/ionos-mapping.md."""

from __future__ import annotations

import io
import json
from pathlib import Path

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.ionos.convert_mapping import COLUMN_SOURCES, mapping_markdown
from focus_ionos_plugin.ionos.meters import COLUMNS, builtin_catalog

DOC = Path(__file__).resolve().parents[2] / "docs" / "ionos-mapping.md"


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    app = App(stdout=out, stderr=err, settings=Settings(env or {}))
    code = cli.main(list(argv), app=app)
    return code, out.getvalue(), err.getvalue()


def test_every_focus_column_is_described():
    assert list(COLUMN_SOURCES) == cost_and_usage_schema().names


def test_json_lists_columns_catalog_and_regions():
    code, out, _ = run("mapping", "--json")
    assert code == 0
    doc = json.loads(out)
    columns = {c["column"]: c for c in doc["columns"]}
    assert columns["BillingAccountId"]["source"].startswith("contract number")
    assert columns["Tags"]["always_null"] is True
    assert "x_CostStatus" in columns
    meters = {e["match"]: e for e in doc["meter_catalog"]["entries"]}
    assert meters["C05000"]["pricing_unit"] == "Core-Hours"
    assert {"location": "de/fra", "name": "Frankfurt (Germany)"} in doc["regions"]


def test_text_output_names_the_catalog_file():
    code, out, _ = run("mapping")
    assert code == 0
    assert "focus_ionos_plugin/ionos/data/meters.csv" in out
    assert "BillingAccountId" in out and "Traffic: Counted once" in out


def test_extension_file_shows_up_in_the_mapping(tmp_path):
    extra = tmp_path / "mine.csv"
    extra.write_text(
        ",".join(COLUMNS) + "\nmeter,VPN1000,VPN Gateway,Networking,Network Connectivity,"
        "VPN Gateway,Hours,Hours,VPN tunnel\n",
        encoding="utf-8",
    )
    code, out, _ = run("mapping", "--json", env={"FOCUS_IONOS_METER_CATALOG": str(extra)})
    assert code == 0
    doc = json.loads(out)
    assert doc["meter_catalog"]["sources"][-1] == str(extra)
    assert any(e["match"] == "VPN1000" for e in doc["meter_catalog"]["entries"])


def test_docs_file_is_the_generated_markdown():
    expected = mapping_markdown(builtin_catalog())
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/ionos-mapping.md is out of date: run "
        "'focus-ionos mapping --markdown > docs/ionos-mapping.md'"
    )
    code, out, _ = run("mapping", "--markdown")
    assert (code, out) == (0, expected)
