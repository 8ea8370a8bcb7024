"""Check IONOS Billing API payloads against our JSON Schemas (``schemas/ionos/*.json``).

The API documents no required keys, so the schemas accept missing keys and unknown new
ones, but reject a wrong shape (a list where an object belongs, text where a number
belongs). A failure is a :class:`~focus_ionos_plugin.errors.PayloadError` naming the
endpoint, the period and the JSON path of the first offending value, so a changed API is
caught at fetch time instead of turning into wrong numbers later.

Checking runs in two steps: a checker compiled from the schema (the keywords our schemas
use: ``type``, ``properties``, ``items``, ``anyOf``, ``pattern``, ``$ref``) decides
whether a payload is valid, about 20 times faster than a general validator, which matters
for payloads of several megabytes; only when it says no does :mod:`jsonschema` run to find
and word the first error. A keyword the compiler does not know fails loudly, so a schema
cannot silently be checked less strictly than it says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import PayloadError

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

    from ..raw import RawBatch

__all__ = [
    "SCHEMA_NAMES",
    "parse_payload",
    "schema_for_entry",
    "validate_batch",
    "validate_payload",
]

#: Schema file (without ``.json``) per kind of payload.
SCHEMA_NAMES = (
    "evn",
    "invoice",
    "invoices",
    "products",
    "profile",
    "traffic",
    "usage",
    "utilization",
)

_COMMON = "common"
_URN = "urn:focus-ionos:schemas:ionos:"
_MAX_SHOWN = 80
#: Numbers must be smaller than 10**_MAX_DIGITS (the integer digits of decimal128(38, 18)).
_MAX_DIGITS = 20


def parse_payload(body: bytes | str) -> Any:
    """Parse an API body exactly (numbers as Decimal or int), refusing what JSON cannot hold.

    Python's parser accepts ``NaN`` and ``Infinity`` (not JSON) and numbers of any size; a
    FOCUS decimal column (``decimal128(38, 18)``) holds less than 10**20, so such values
    would only fail later, far from the request. They raise ValueError here, naming the
    literal. So does nesting too deep to parse.
    """
    try:
        return json.loads(
            body, parse_float=_exact_float, parse_int=_exact_int, parse_constant=_no_constant
        )
    except RecursionError as exc:
        msg = "the JSON is nested too deeply to be a Billing API answer"
        raise ValueError(msg) from exc


def _exact_float(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or (value and value.adjusted() >= _MAX_DIGITS):
        raise ValueError(_out_of_range(text))
    return value


def _exact_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(_out_of_range(text))
    return int(text)


def _no_constant(text: str) -> Any:
    msg = f"{text} is not a JSON number"
    raise ValueError(msg)


def _out_of_range(text: str) -> str:
    return f"the number {_short(text)} is out of range (10**{_MAX_DIGITS} or more)"


def validate_payload(schema: str, data: Any, *, endpoint: str, period: str | None) -> None:
    """Raise PayloadError when ``data`` does not have the shape of ``schema``.

    :param schema: one of :data:`SCHEMA_NAMES`.
    :param data: the parsed payload (numbers as Decimal).
    :param endpoint: the request, for the message, e.g. ``GET /31000000/usage``.
    :param period: the billing period the payload belongs to, or None for /profile etc.
    """
    if _checker(schema)(data):
        return
    validator = _validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.path), list(e.path)))
    if not errors:
        return  # the fast checker is at least as strict; jsonschema has the last word
    first = errors[0]
    where = f" for period {period}" if period else ""
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    msg = (
        f"IONOS Billing API {endpoint}{where} answered with an unexpected payload: "
        f"at {first.json_path}: {_short(first.message)}{more}. The API may have changed; "
        "report this with the request path, or keep the raw file for inspection"
    )
    raise PayloadError(msg)


def schema_for_entry(name: str) -> str:
    """The schema that checks the raw-batch entry ``name`` (see :mod:`.fetch` layout)."""
    if name.startswith("invoice-"):
        return "invoice"
    if name.startswith("utilization"):
        return "utilization"
    if name.startswith("traffic"):
        return "traffic"
    if name in SCHEMA_NAMES:
        return name
    msg = f"raw entry {name!r} is not part of an IONOS raw batch"
    raise PayloadError(msg)


def validate_batch(batch: RawBatch) -> None:
    """Check every payload of a saved or fetched IONOS raw batch."""
    for name, entry in sorted(batch.entries.items()):
        if entry.status != 200 or not entry.body:
            continue
        try:
            data = parse_payload(entry.body)
        except ValueError as exc:
            msg = (
                f"IONOS raw entry {name} ({entry.request_path}) of {batch.period} is not "
                f"usable JSON: {_short(str(exc))}. Fetch the period again"
            )
            raise PayloadError(msg) from exc
        validate_payload(
            schema_for_entry(name), data, endpoint=entry.request_path, period=batch.period
        )


@cache
def _validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    if name not in SCHEMA_NAMES:
        msg = f"no IONOS payload schema named {name!r}; known: {', '.join(SCHEMA_NAMES)}"
        raise ValueError(msg)
    registry: Registry[Any] = Registry().with_resources(
        (_URN + schema, Resource.from_contents(_load(schema)))
        for schema in (*SCHEMA_NAMES, _COMMON)
    )
    return Draft202012Validator(_load(name), registry=registry)


# -- the fast checker ------------------------------------------------------------------

_Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})


#: Python classes of the JSON types (bool is handled apart: it is an int subclass).
_CLASSES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float, Decimal),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


@cache
def _checker(name: str) -> _Check:
    if name not in SCHEMA_NAMES:
        msg = f"no IONOS payload schema named {name!r}; known: {', '.join(SCHEMA_NAMES)}"
        raise ValueError(msg)
    return _Compiler().compile(_load(name), name)


class _Compiler:
    """Turns one of our schemas into nested closures (see the module docstring)."""

    def __init__(self) -> None:
        self._refs: dict[str, _Check] = {}

    def compile(self, schema: dict[str, Any], document: str) -> _Check:
        checks: list[_Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            if keyword == "type":
                checks.append(_one_of_types([value] if isinstance(value, str) else value))
            elif keyword == "properties":
                props = {key: self.compile(sub, document) for key, sub in value.items()}
                checks.append(_properties(props))
            elif keyword == "items":
                checks.append(_items(self.compile(value, document)))
            elif keyword == "anyOf":
                checks.append(_any_of([self.compile(sub, document) for sub in value]))
            elif keyword == "pattern":
                checks.append(_pattern(re.compile(value)))
            elif keyword == "$ref":
                checks.append(self._reference(value, document))
            else:
                msg = f"schema keyword {keyword!r} ({document}) is not known to the fast checker"
                raise ValueError(msg)
        return checks[0] if len(checks) == 1 else _all_of(checks)

    def _reference(self, ref: str, document: str) -> _Check:
        target, _, pointer = ref.partition("#")
        name = target.removeprefix(_URN) if target else document
        key = f"{name}#{pointer}"
        if key not in self._refs:
            node: Any = _load(name)
            for part in filter(None, pointer.split("/")):
                node = node[part]
            self._refs[key] = lambda v: True  # stands in while a recursive schema compiles
            self._refs[key] = self.compile(node, name)
        refs = self._refs

        def check(value: Any) -> bool:
            return refs[key](value)  # looked up late, so a recursive reference works

        return check


def _one_of_types(names: list[str]) -> _Check:
    classes = tuple(cls for name in names for cls in _CLASSES[name])
    allow_bool = "boolean" in names
    integral_float = "integer" in names  # JSON Schema: 2.0 is an integer

    def check(value: Any) -> bool:
        if value is True or value is False:
            return allow_bool
        if isinstance(value, classes):
            return True
        return integral_float and isinstance(value, float) and value.is_integer()

    return check


def _properties(props: dict[str, _Check]) -> _Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            sub = props.get(key)
            if sub is not None and not sub(item):
                return False
        return True

    return check


def _items(item: _Check) -> _Check:
    def check(value: Any) -> bool:
        return not isinstance(value, list) or all(map(item, value))

    return check


def _any_of(options: list[_Check]) -> _Check:
    def check(value: Any) -> bool:
        return any(option(value) for option in options)

    return check


def _pattern(regex: re.Pattern[str]) -> _Check:
    def check(value: Any) -> bool:
        return not isinstance(value, str) or regex.search(value) is not None

    return check


def _all_of(checks: list[_Check]) -> _Check:
    def check(value: Any) -> bool:
        return all(sub(value) for sub in checks)

    return check


@cache
def _load(name: str) -> dict[str, Any]:
    folder = resources.files("focus_ionos_plugin.schemas") / "ionos"
    loaded: dict[str, Any] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def _short(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."
