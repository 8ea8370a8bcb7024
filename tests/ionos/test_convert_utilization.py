"""Utilization payloads into Arrow: fast reader, its fallback, pretty and compact JSON."""

from __future__ import annotations

import json
from decimal import Decimal

from focus_ionos_plugin.ionos.convert_utilization import DETAIL_SCHEMA, utilization_table


def test_pretty_and_compact_payloads_read_the_same(support):
    pretty = (support.EXAMPLES / "utilization.json").read_bytes()
    compact = json.dumps(json.loads(pretty), separators=(",", ":")).encode()
    table = utilization_table([pretty])
    assert table.equals(utilization_table([compact]))
    assert table.num_rows == 15
    assert table.schema.names == [*DETAIL_SCHEMA.names, "contract_id"]
    first = table.slice(0, 1).to_pylist()[0]
    assert first["quantity"] == Decimal(2880)
    assert (first["vdc_name"], first["meter_id"], first["contract_id"]) == (
        "prod-fra",
        "C05000",
        "031000000",
    )


def test_odd_types_fall_back_to_exact_python_parsing(support):
    payload = support.example_payload("utilization.json")
    payload["metadata"]["contractId"] = 31000000  # a number, as the OpenAPI spec says
    payload["datacenters"][0]["meters"][0]["quantity"]["quantity"] = "2880.0000001"
    payload["datacenters"][0]["meters"][1]["name"] = 42
    table = utilization_table([json.dumps(payload).encode()])
    assert table.num_rows == 15
    rows = table.slice(0, 2).to_pylist()
    assert rows[0]["quantity"] == Decimal("2880.0000001")
    assert rows[1]["name"] == "42"
    assert rows[0]["contract_id"] == "31000000"


def test_several_files_are_read_in_parallel_and_concatenated(support):
    body = (support.EXAMPLES / "utilization-daily.json").read_bytes()
    table = utilization_table([body, body, body], workers=3)
    assert table.num_rows == 3 * 7
    assert utilization_table([]).num_rows == 0
