"""The reference implementation: our FOCUS 1.3 JSON Schemas run through :mod:`jsonschema`.

Standard keywords are jsonschema's own. The few assertions JSON Schema cannot express are
custom keywords (documented in docs/conformance.md), implemented here row by row in plain
Python with exact decimals, independently of the vectorised validator:

* ``x-focus-calendar``: a string in strict FOCUS date/time form denotes a real instant;
* ``x-focus-decimal-minimum``: a decimal-number string is not below the bound;
* ``x-focus-product``, ``x-focus-before``, ``x-focus-month-start``,
  ``x-focus-json-key-equals``: row-level checks across columns;
* ``contentMediaType`` (asserted: the string is strict JSON), ``contentSchema`` and
  ``x-focus-json`` (the decoded value must be valid where the string decodes),
  ``x-focus-number-text`` (a JSON number's written form).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import jsonschema

from focus_ionos_plugin.focus.conformance import JsonNumber, Rule, decode_json_text
from focus_ionos_plugin.focus.schema import load_json_schema

STRICT_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
DECIMAL = re.compile(r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$")
Error = jsonschema.ValidationError


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not STRICT_DATETIME.search(value):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str) or not DECIMAL.search(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def calendar(validator: Any, enabled: Any, instance: Any, schema: Any) -> Iterator[Error]:
    if (
        isinstance(instance, str)
        and STRICT_DATETIME.search(instance)
        and _instant(instance) is None
    ):
        yield Error(f"{instance!r} is not a real date/time")


def decimal_minimum(validator: Any, bound: str, instance: Any, schema: Any) -> Iterator[Error]:
    value = _decimal(instance)
    if value is not None and value < Decimal(bound):
        yield Error(f"{instance} is below {bound}")


def content_media_type(validator: Any, media: str, instance: Any, schema: Any) -> Iterator[Error]:
    if isinstance(instance, str) and not decode_json_text(instance)[0]:
        yield Error("not strict JSON text")


def decoded(validator: Any, sub: Any, instance: Any, schema: Any) -> Iterator[Error]:
    if isinstance(instance, str):
        ok, value = decode_json_text(instance)
        if ok:
            yield from validator.descend(value, sub)


def number_text(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Error]:
    if isinstance(instance, JsonNumber) and not re.search(pattern, instance.text):
        yield Error(f"{instance.text} is not in FOCUS numeric format")


def product(validator: Any, spec: Any, row: Any, schema: Any) -> Iterator[Error]:
    left, right = (_decimal(row.get(c)) for c in spec["factors"])
    result = _decimal(row.get(spec["result"]))
    if left is None or right is None or result is None:
        return
    diff = abs(left * right - result)
    if diff > Decimal(spec["relativeTolerance"]) * abs(result) and diff > Decimal(
        spec["absoluteTolerance"]
    ):
        yield Error(f"{result} is not {left} x {right}")


def before(validator: Any, spec: Any, row: Any, schema: Any) -> Iterator[Error]:
    start, end = _instant(row.get(spec["start"])), _instant(row.get(spec["end"]))
    if start is not None and end is not None and not start < end:
        yield Error("start is not before end")


def month_start(validator: Any, columns: Any, row: Any, schema: Any) -> Iterator[Error]:
    for column in columns:
        instant = _instant(row.get(column))
        if instant is not None and (instant.day != 1 or instant.time() != datetime.min.time()):
            yield Error(f"{column} is not the start of a month")


def json_key_equals(validator: Any, spec: Any, row: Any, schema: Any) -> Iterator[Error]:
    text = row.get(spec["column"])
    if not isinstance(text, str):
        return
    ok, value = decode_json_text(text)
    if not ok or not isinstance(value, dict) or not isinstance(value.get("Elements"), list):
        return
    target = row.get(spec["equalsColumn"])
    for element in value["Elements"]:
        value = element.get(spec["key"]) if isinstance(element, dict) else None
        if value is not None and value != target:
            yield Error(f"{value!r} is not {target!r}")


KEYWORDS = {
    "x-focus-calendar": calendar,
    "x-focus-decimal-minimum": decimal_minimum,
    "contentMediaType": content_media_type,
    "contentSchema": decoded,
    "x-focus-json": decoded,
    "x-focus-number-text": number_text,
    "x-focus-product": product,
    "x-focus-before": before,
    "x-focus-month-start": month_start,
    "x-focus-json-key-equals": json_key_equals,
}


@cache
def validator(dataset: str) -> Any:
    """A jsonschema validator for the dataset's schema, with our custom keywords."""
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, KEYWORDS)
    root = load_json_schema(dataset)  # type: ignore[arg-type]
    cls.check_schema(root)
    return cls(root)


def passes(rule: Rule, row: dict[str, Any], dataset: str) -> bool:
    """The reference verdict of one column or row rule on one row."""
    checker = validator(dataset).evolve(schema=dict(rule.schema))
    if rule.kind == "column":
        assert rule.subject is not None
        return checker.is_valid(row[rule.subject])
    return checker.is_valid(row)
