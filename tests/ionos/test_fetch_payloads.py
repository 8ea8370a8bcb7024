"""Payload schemas: tolerant of missing keys, strict on shapes; fast checker agrees."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from focus_ionos_plugin.errors import PayloadError
from focus_ionos_plugin.ionos import payloads
from focus_ionos_plugin.ionos.payloads import schema_for_entry, validate_batch, validate_payload
from focus_ionos_plugin.raw import RawBatch, loads_exact

EXAMPLES = Path(__file__).parent.parent / "data" / "ionos-examples"
SCHEMA_OF_EXAMPLE = {
    "profile": "profile",
    "products": "products",
    "invoices-list": "invoices",
    "invoice-detail": "invoice",
    "usage": "usage",
    "utilization": "utilization",
    "utilization-daily": "utilization",
    "traffic": "traffic",
    "traffic-by-ip": "traffic",
    "evn": "evn",
}


def load(name: str) -> Any:
    return loads_exact((EXAMPLES / f"{name}.json").read_bytes())


@pytest.mark.parametrize(("example", "schema"), sorted(SCHEMA_OF_EXAMPLE.items()))
def test_every_example_payload_is_valid(example, schema):
    validate_payload(schema, load(example), endpoint="GET x", period="2026-06")


def test_missing_keys_and_unknown_new_keys_are_accepted():
    validate_payload("usage", {}, endpoint="GET x", period="2026-06")
    validate_payload("usage", {"datacenters": [{"meters": [{}]}]}, endpoint="x", period=None)
    data = load("invoice-detail")
    data["datacenters"][0]["newField"] = {"anything": [1, 2]}
    validate_payload("invoice", data, endpoint="GET x", period="2026-06")


def test_traffic_accepts_the_ip_key_some_clients_read():
    data = load("traffic-by-ip")
    data["trafficObj"]["ip"] = data["trafficObj"].pop("nic")
    validate_payload("traffic", data, endpoint="GET x", period="2026-06")


#: (schema, example, mutation, JSON path named in the error)
WRONG_SHAPES = [
    ("usage", "usage", lambda d: d.update(datacenters={"a": 1}), "$.datacenters"),
    (
        "usage",
        "usage",
        lambda d: d["datacenters"][1]["meters"][0]["quantity"].update(quantity="12 GB"),
        "$.datacenters[1].meters[0].quantity.quantity",
    ),
    (
        "invoice",
        "invoice-detail",
        lambda d: d["datacenters"][0]["meters"][2].update(amount=[17]),
        "$.datacenters[0].meters[2].amount",
    ),
    (
        "invoices",
        "invoices-list",
        lambda d: d["invoices"][0].update(date="June 2026"),
        "$.invoices[0].date",
    ),
    (
        "invoices",
        "invoices-list",
        lambda d: d["invoices"][1].update(id="../../etc"),
        "$.invoices[1].id",
    ),
    ("profile", "profile", lambda d: d["companies"][0].update(contractId="31-0"), None),
    (
        "evn",
        "evn",
        lambda d: d["datacenters"][1]["data"][0].update(intervalMin="20880"),
        "$.datacenters[1].data[0].intervalMin",
    ),
    (
        "traffic",
        "traffic",
        lambda d: d["trafficObj"]["vdc"][0]["dates"][2].update(Out=True),
        "$.trafficObj.vdc[0].dates[2].Out",
    ),
    (
        "utilization",
        "utilization-daily",
        lambda d: d["datacenters"][0]["meters"][0].update(exists="yes"),
        "$.datacenters[0].meters[0].exists",
    ),
    ("products", "products", lambda d: d["products"][0].update(term=1.5), "$.products[0].term"),
]


@pytest.mark.parametrize(("schema", "example", "mutate", "path"), WRONG_SHAPES)
def test_wrong_shapes_are_rejected_naming_the_json_path(schema, example, mutate, path):
    data = load(example)
    mutate(data)
    with pytest.raises(PayloadError) as caught:
        validate_payload(schema, data, endpoint="GET /31000000/x", period="2026-06")
    message = str(caught.value)
    assert message.startswith("IONOS Billing API GET /31000000/x for period 2026-06 answered")
    if path:
        assert f"at {path}:" in message


@pytest.mark.parametrize(("schema", "example", "mutate", "path"), WRONG_SHAPES)
def test_fast_checker_agrees_with_jsonschema(schema, example, mutate, path):
    valid = load(example)
    broken = copy.deepcopy(valid)
    mutate(broken)
    validator = payloads._validator(schema)
    checker = payloads._checker(schema)
    assert checker(valid) is validator.is_valid(valid) is True
    assert checker(broken) is validator.is_valid(broken) is False


def test_every_schema_keyword_is_known_to_the_fast_checker():
    for name in payloads.SCHEMA_NAMES:
        assert callable(payloads._checker(name))
    with pytest.raises(ValueError, match="'minimum'"):
        payloads._Compiler().compile({"type": "number", "minimum": 0}, "test")


def test_entry_names_map_to_schemas():
    names = ["invoice-GY1", "utilization-daily-2026-06-01", "traffic-ip", "evn", "profile"]
    assert [schema_for_entry(n) for n in names] == [
        "invoice",
        "utilization",
        "traffic",
        "evn",
        "profile",
    ]
    with pytest.raises(PayloadError, match="'costs' is not part of an IONOS raw batch"):
        schema_for_entry("costs")


def test_validate_batch_checks_saved_payloads():
    batch = RawBatch("ionos", "2026-06")
    batch.add("usage", endpoint="GET u", request_path="/31000000/usage", body=b'{"x": 1}')
    validate_batch(batch)
    batch.add("evn", endpoint="GET e", request_path="/31000000/evn/2026-06", body=b"[]")
    with pytest.raises(PayloadError, match=r"/31000000/evn/2026-06 for period 2026-06"):
        validate_batch(batch)
    bad = json.dumps({"datacenters": "none"}).encode()
    batch.entries.pop("evn")
    batch.add("utilization", endpoint="GET t", request_path="/31000000/utilization", body=bad)
    with pytest.raises(PayloadError, match=r"at \$\.datacenters:"):
        validate_batch(batch)
