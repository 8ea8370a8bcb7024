"""Vectorised checks: our JSON Schema fragments compiled into Arrow compute functions.

A :class:`Compiler` turns the subschema of one rule into a function from a :class:`BatchView`
(one record batch plus memoised derived arrays) to a per-row verdict: a boolean array (True =
the row passes) or a single bool for every row. Only the keywords our schemas use are
supported; an unknown keyword is an error at compile time, so the schemas cannot silently
drift away from the checks. ``conformance_tests/reference.py`` runs the same schemas through
:mod:`jsonschema`, and a test asserts identical verdicts.

Repetitive text columns are checked once per distinct value (Parquet dictionary pages, CSV
dictionary columns). JSON-valued cells are grouped by *shape* (see :func:`_json_shape`) and
decoded once per shape, not once per row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from .schema import DECIMAL_TYPE, Dataset, load_json_schema

__all__ = [
    "OPAQUE",
    "BatchView",
    "Compiler",
    "JsonNumber",
    "Pred",
    "Verdict",
    "decode_json_text",
    "element_values",
    "prefetch_shapes",
    "shape_pool",
]

_JSON_CACHE_LIMIT = 10_000
_STRICT_DATETIME = "%Y-%m-%dT%H:%M:%SZ"
_STRICT_DATETIME_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
_DECIMAL_RE = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_NUMERIC_RE = r"^-?[0-9]+([.][0-9]+)?([eE]-?[0-9]+)?$"
_LOOSE_DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_TEXT_RE = r"[^ \t\n\r\f\v]"
# Patterns whose verdict on the canonical text of a typed value is known without rendering it.
_TYPED_NUMBER_PATTERNS = frozenset({_DECIMAL_RE, _NUMERIC_RE, _TEXT_RE})
_TYPED_TIME_PATTERNS = frozenset({_LOOSE_DATETIME_RE, _TEXT_RE})
_WORK = DECIMAL_TYPE
_ANNOTATIONS = frozenset(
    {"description", "$comment", "title", "x-focus-rule", "x-focus-keyword", "x-focus-subject",
     "x-focus-columns", "x-focus-criteria"}
)  # fmt: skip


# --------------------------------------------------------------------------- JSON text


class JsonNumber(Decimal):
    """A JSON number kept exact, with the text it was written as (``.text``)."""

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


class _JsonError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        msg = "duplicate key"
        raise _JsonError(msg)
    return result


def _no_constant(name: str) -> Any:
    msg = f"{name} is not JSON"
    raise _JsonError(msg)


def decode_json_text(text: str) -> tuple[bool, Any]:
    """Decode strict JSON text: unique keys, no NaN/Infinity, numbers as :class:`JsonNumber`.

    Returns ``(True, value)`` or ``(False, None)`` when ``text`` is not such JSON.
    """
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=JsonNumber,
            parse_int=JsonNumber,
            parse_constant=_no_constant,
        )
    except (ValueError, RecursionError):
        return False, None
    return True, value


@cache
def _json_validator(dataset: Dataset) -> Any:
    """A jsonschema validator for the JSON-valued cells (nested object schemas)."""
    import jsonschema

    def number_text(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, JsonNumber) and not re.search(pattern, instance.text):
            yield jsonschema.ValidationError(f"{instance.text} is not in FOCUS numeric format")

    base = jsonschema.Draft202012Validator
    extended = jsonschema.validators.extend(base, {"x-focus-number-text": number_text})
    return extended(load_json_schema(dataset))


# --------------------------------------------------------------------------- batch view


class _Opaque:
    """Stand-in for a cell whose Arrow type has no JSON counterpart (fails every JSON type)."""

    def __repr__(self) -> str:
        return "<opaque>"


OPAQUE = _Opaque()


def _kind(data_type: pa.DataType, focus_type: str | None) -> str:
    """How a column's cells look in the row model: string, number, boolean or other."""
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "string"
    if pa.types.is_null(data_type):
        return "null"
    numeric = (
        pa.types.is_integer(data_type)
        or pa.types.is_floating(data_type)
        or pa.types.is_decimal(data_type)
    )
    if numeric:
        return "string" if focus_type == "Decimal" else "number"
    if pa.types.is_timestamp(data_type) or pa.types.is_date(data_type):
        return "string" if focus_type == "DateTime" else "other"
    if pa.types.is_boolean(data_type):
        return "boolean"
    return "other"


class BatchView:
    """One record batch plus memoised derived arrays (text form, nulls, decimals, instants)."""

    def __init__(self, batch: pa.RecordBatch, focus_types: Mapping[str, str]) -> None:
        self.batch = batch
        self.rows = batch.num_rows
        self.names = frozenset(batch.schema.names)
        self.focus_types = focus_types
        self.memo: dict[Any, Any] = {}

    def has(self, column: str) -> bool:
        return column in self.names

    def column(self, column: str) -> pa.Array:
        """The column's cells (dictionary-encoded columns decoded, once)."""
        array = self.batch.column(column)
        if not pa.types.is_dictionary(array.type):
            return array
        key = ("decoded", column)
        if key not in self.memo:
            self.memo[key] = array.dictionary_decode()
        return self.memo[key]

    def distinct(self, column: str) -> tuple[BatchView, pa.Array] | None:
        """For a dictionary column with repeats: a view of its distinct values (plus a null)
        and the row-to-value indices; ``None`` when checking each row directly is as cheap.
        """
        key = ("distinct", column)
        if key not in self.memo:
            array = self.batch.column(column)
            found = None
            if pa.types.is_dictionary(array.type) and 4 * len(array.dictionary) <= 3 * len(array):
                values = pa.concat_arrays([array.dictionary, pa.nulls(1, array.dictionary.type)])
                indices = pc.fill_null(array.indices, len(array.dictionary))
                sub = pa.RecordBatch.from_arrays([values], names=[column])
                found = (BatchView(sub, self.focus_types), indices)
            self.memo[key] = found
        result: tuple[BatchView, pa.Array] | None = self.memo[key]
        return result

    def kind(self, column: str) -> str:
        return _kind(self.batch.schema.field(column).type, self.focus_types.get(column))

    def nulls(self, column: str) -> Verdict:
        """True where the cell is null (a plain bool when no cell or every cell is null)."""
        key = ("nulls", column)
        if key not in self.memo:
            array = self.batch.column(column)
            if array.null_count == 0:
                self.memo[key] = False
            elif array.null_count == len(array):
                self.memo[key] = True
            else:
                self.memo[key] = pc.is_null(array)
        return self.memo[key]

    def valid(self, column: str) -> Verdict:
        """True where the cell is not null."""
        return _invert(self.nulls(column))

    def text(self, column: str) -> pa.Array:
        """The cells of a string-kind column as text (canonical text for typed values)."""
        key = ("text", column)
        if key not in self.memo:
            self.memo[key] = _as_text(self.column(column))
        return self.memo[key]

    def decimal(self, column: str) -> pa.Array:
        """Decimal values (decimal128(38, 18)); null where the cell is not a decimal number."""
        key = ("decimal", column)
        if key not in self.memo:
            self.memo[key] = _as_decimal(self.column(column), self.text(column))
        return self.memo[key]

    def instant(self, column: str) -> pa.Array:
        """UTC instants of cells in strict FOCUS date/time form; null otherwise."""
        key = ("instant", column)
        if key in self.memo:
            return self.memo[key]
        array = self.column(column)
        if pa.types.is_timestamp(array.type):
            whole = self.whole_seconds(column)
            seconds = pc.cast(array, pa.timestamp("s", tz="UTC"), safe=False)
            self.memo[key] = pc.if_else(whole, seconds, pa.scalar(None, seconds.type))
        else:
            text = self.text(column)
            strict = pc.fill_null(pc.match_substring_regex(text, _STRICT_DATETIME_RE), False)
            parsed = pc.strptime(text, format=_STRICT_DATETIME, unit="s", error_is_null=True)
            same = pc.equal(pc.strftime(parsed, format=_STRICT_DATETIME), text)
            ok = pc.and_(strict, pc.fill_null(same, False))
            self.memo[key] = pc.if_else(ok, parsed, pa.scalar(None, parsed.type))
        return self.memo[key]

    def whole_seconds(self, column: str) -> pa.Array:
        """For a timestamp column: True where the instant has no fraction of a second."""
        key = ("whole", column)
        if key not in self.memo:
            array = self.column(column)
            if array.type.tz is None:
                array = pc.assume_timezone(array, "UTC")
            whole = pc.cast(array, pa.timestamp("s", tz="UTC"), safe=False)
            self.memo[key] = pc.fill_null(pc.equal(pc.cast(whole, array.type), array), True)
        return self.memo[key]

    def regex(self, column: str, pattern: str) -> Verdict:
        """Where the text matches ``pattern`` (JSON Schema ``pattern`` semantics; null: null).

        Typed Decimal and DateTime columns are not rendered for the FOCUS formats: their
        canonical text always is a plain number / an ISO instant, so the verdict is known.
        """
        key = ("regex", column, pattern)
        if key in self.memo:
            return self.memo[key]
        data_type = self.batch.schema.field(column).type
        verdict: Verdict | None = None
        typed_number = pa.types.is_integer(data_type) or (
            pa.types.is_decimal(data_type) and data_type.scale >= 0
        )
        if (typed_number and pattern in _TYPED_NUMBER_PATTERNS) or (
            pa.types.is_timestamp(data_type) and pattern in _TYPED_TIME_PATTERNS
        ):
            verdict = True
        elif pa.types.is_timestamp(data_type) and pattern == _STRICT_DATETIME_RE:
            verdict = self.whole_seconds(column)
        if verdict is None:
            verdict = pc.match_substring_regex(self.text(column), _re2(pattern))
        self.memo[key] = verdict
        return verdict

    def json_shapes(self, column: str) -> tuple[pa.Array, list[str]]:
        """Group the JSON texts of ``column`` by shape; see :func:`_json_shape`.

        Returns per row the index of its shape (null for a null cell) and, per shape, one
        original text that has it (the representative every verdict is computed on).
        """
        key = ("shapes", column)
        pending = self.memo.get(("shapes-pending", column))
        if key not in self.memo:
            self.memo[key] = pending.result() if pending else self._shapes(column)
        shapes: tuple[pa.Array, list[str]] = self.memo[key]
        return shapes

    def _shapes(self, column: str) -> tuple[pa.Array, list[str]]:
        text = self.text(column)
        encoded = pc.dictionary_encode(_json_shape(text))
        count = len(encoded.dictionary)
        if count <= 16:
            positions = [pc.index(encoded.indices, i).as_py() for i in range(count)]
        else:
            rows = pa.array(range(self.rows), pa.int64())
            first = (
                pa.table({"shape": encoded.indices, "row": rows})
                .filter(pc.is_valid(encoded.indices))
                .group_by("shape")
                .aggregate([("row", "min")])
                .sort_by("shape")
            )
            positions = first["row_min"].to_pylist()
        representatives = pc.take(text, pa.array(positions, pa.int64())).to_pylist()
        return encoded.indices, representatives

    def json_verdicts(self, column: str, key: Any, verdict: Callable[[str], bool]) -> pa.Array:
        """Apply ``verdict`` once per JSON shape of ``column``; null cells give null."""
        memo_key = ("json", column, key)
        if memo_key not in self.memo:
            indices, representatives = self.json_shapes(column)
            results = pa.array([verdict(text) for text in representatives], pa.bool_())
            self.memo[memo_key] = pc.take(results, indices)
        return self.memo[memo_key]


# JSON shapes. Two JSON texts have the same shape when they differ only in the non-blank
# string values and the numbers (without a "+" exponent) of object members. Every JSON rule in
# our schemas depends on such values only through their type (a test checks the schemas for
# it), except the unit-format check of the _JSON_UNIT_KEYS values, which are kept. Keys,
# structure, literals, blank strings and array elements are kept verbatim, so a verdict
# computed on one text of a shape holds for all of them. Texts with escapes or unusual keys
# keep a shape of their own (themselves). Regexes without capture groups keep RE2 on its
# fast path.
_JSON_UNIT_KEYS = ("ContractCommitmentAppliedUnit", "UsageUnit")
_JSON_STRING_VALUE = r':\s*"[^"\\\x00-\x1f]*[^ \t\n\r\f\v"\\\x00-\x1f][^"\\\x00-\x1f]*"'
_JSON_NUMBER_VALUE = r":\s*-?(?:0|[1-9][0-9]*)(?:[.][0-9]+)?(?:[eE]-?[0-9]+)?"
_JSON_ODD = r'\\|[{,]\s*"[^"]*:[^"]*"\s*:|Unit"\s+:'


def _json_shape(text: pa.Array) -> pa.Array:
    odd = pc.fill_null(pc.match_substring_regex(text, _JSON_ODD), False)
    shape = text
    for key in _JSON_UNIT_KEYS:
        shape = pc.replace_substring(shape, f'"{key}":', f'"{key}"\x06')
    shape = pc.replace_substring_regex(shape, _JSON_STRING_VALUE, ":\x01")
    shape = pc.replace_substring_regex(shape, _JSON_NUMBER_VALUE, ":\x04")
    return pc.if_else(odd, pc.binary_join_element_wise("\x05", text, ""), shape)


def _re2(pattern: str) -> str:
    """Make RE2 read a JSON Schema pattern as Python's ``re.search`` does (``$`` before \\n)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + "\\n?$"
    return pattern


def _as_text(array: pa.Array) -> pa.Array:
    data_type = array.type
    if pa.types.is_string(data_type):
        return array
    if pa.types.is_timestamp(data_type):
        if data_type.tz is None:
            array = pc.assume_timezone(array, "UTC")
        whole = pc.cast(array, pa.timestamp("s", tz="UTC"), safe=False)
        exact = pc.equal(pc.cast(whole, array.type), array)
        short = pc.strftime(whole, format=_STRICT_DATETIME)
        long = pc.strftime(array, format=_STRICT_DATETIME)
        return pc.if_else(pc.fill_null(exact, True), short, long)
    return pc.cast(array, pa.string())


def _as_decimal(array: pa.Array, text: pa.Array) -> pa.Array:
    data_type = array.type
    if pa.types.is_decimal(data_type) and data_type.scale <= 18:
        try:
            return array.cast(_WORK)
        except pa.ArrowInvalid:
            pass
    if pa.types.is_integer(data_type):
        try:
            return array.cast(_WORK)
        except pa.ArrowInvalid:
            pass
    valid = pc.fill_null(pc.match_substring_regex(text, _DECIMAL_RE), False)
    masked = pc.if_else(valid, text, pa.scalar(None, pa.string()))
    try:
        wide = masked.cast(pa.decimal256(76, 38))
        return pc.round(wide, 18).cast(_WORK)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([_python_decimal(v) for v in masked.to_pylist()], _WORK)


def _python_decimal(text: str | None) -> Decimal | None:
    """Slow path for out-of-range values: a value that does not fit becomes null."""
    if text is None:
        return None
    try:
        value = Decimal(text).quantize(Decimal("1E-18"))
    except InvalidOperation:
        return None
    return value if value.adjusted() < 20 else None


# --------------------------------------------------------------------------- compiler

#: A verdict per row: a boolean array (True = the row passes), or one bool for every row.
Verdict: TypeAlias = "bool | pa.Array"
Pred: TypeAlias = "Callable[[BatchView], Verdict]"


def _and(left: Verdict, right: Verdict) -> Verdict:
    if isinstance(left, bool):
        return right if left else False
    if isinstance(right, bool):
        return left if right else False
    return pc.and_(left, right)


def _or(left: Verdict, right: Verdict) -> Verdict:
    if isinstance(left, bool):
        return True if left else right
    if isinstance(right, bool):
        return True if right else left
    return pc.or_(left, right)


def _invert(verdict: Verdict) -> Verdict:
    return (not verdict) if isinstance(verdict, bool) else pc.invert(verdict)


def _all(preds: Sequence[Pred]) -> Pred:
    if len(preds) == 1:
        return preds[0]

    def run(b: BatchView) -> Verdict:
        result: Verdict = True
        for pred in preds:
            result = _and(result, pred(b))
            if result is False:
                break
        return result

    return run


def _any(preds: Sequence[Pred]) -> Pred:
    def run(b: BatchView) -> Verdict:
        result: Verdict = False
        for pred in preds:
            result = _or(result, pred(b))
            if result is True:
                break
        return result

    return run


def _not(pred: Pred) -> Pred:
    return lambda b: _invert(pred(b))


class Compiler:
    """Turns our JSON Schema fragments into batch predicates (True = the row passes)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.root = load_json_schema(dataset)

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if ref is None:
            return schema
        target: Any = self.root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return {**target, **extra}

    # ---- row level

    def row(self, schema: Mapping[str, Any]) -> Pred:
        schema = self.resolve(schema)
        preds: list[Pred] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS or key in ("then", "else"):
                continue
            if key == "allOf":
                preds.append(_all([self.row(s) for s in value]))
            elif key == "anyOf":
                preds.append(_any([self.row(s) for s in value]))
            elif key == "not":
                preds.append(_not(self.row(value)))
            elif key == "if":
                preds.append(self._if(value, schema.get("then"), schema.get("else")))
            elif key == "required":
                preds.append(self._required(value))
            elif key == "properties":
                preds.extend(self._properties(value))
            elif key == "x-focus-product":
                preds.append(_product(value))
            elif key == "x-focus-before":
                preds.append(_before(value["start"], value["end"]))
            elif key == "x-focus-month-start":
                preds.append(_all([_month_start(c) for c in value]))
            elif key == "x-focus-json-key-equals":
                preds.append(_json_key_equals(value))
            else:
                msg = f"schema keyword {key!r} is not supported at row level"
                raise ValueError(msg)
        return _all(preds) if preds else (lambda b: True)

    def _if(self, cond: Any, then: Any, other: Any) -> Pred:
        test = self.row(cond)
        yes = self.row(then) if then is not None else None
        no = self.row(other) if other is not None else None

        def run(b: BatchView) -> Verdict:
            hit = test(b)
            result: Verdict = True
            if yes is not None and hit is not False:
                result = _or(_invert(hit), yes(b))
            if no is not None and hit is not True:
                result = _and(result, _or(hit, no(b)))
            return result

        return run

    @staticmethod
    def _required(columns: Sequence[str]) -> Pred:
        return lambda b: all(b.has(c) for c in columns)

    def _properties(self, props: Mapping[str, Any]) -> list[Pred]:
        return [_when_present(column, self.value(sub, column)) for column, sub in props.items()]

    # ---- value level (one column; the column is present)

    def value(self, schema: Mapping[str, Any], column: str) -> Pred:
        return _per_distinct(column, self._value(schema, column))

    def _value(self, schema: Mapping[str, Any], column: str) -> Pred:
        schema = self.resolve(schema)
        preds: list[Pred] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS or key == "contentSchema":
                continue
            if key == "type":
                preds.append(_type(value if isinstance(value, list) else [value], column))
            elif key == "const":
                preds.append(_enum([value], column))
            elif key == "enum":
                preds.append(_enum(value, column))
            elif key == "not":
                preds.append(_not(self._value(value, column)))
            elif key == "allOf":
                preds.append(_all([self._value(s, column) for s in value]))
            elif key == "anyOf":
                preds.append(_any([self._value(s, column) for s in value]))
            elif key == "pattern":
                preds.append(_pattern(value, column))
            elif key == "x-focus-calendar":
                preds.append(_calendar(column))
            elif key == "x-focus-decimal-minimum":
                preds.append(_minimum(Decimal(value), column))
            elif key == "contentMediaType":
                preds.append(self._json(column, schema.get("contentSchema"), must_decode=True))
            elif key == "x-focus-json":
                preds.append(self._json(column, value, must_decode=False))
            else:
                msg = f"schema keyword {key!r} is not supported for column {column}"
                raise ValueError(msg)
        return _all(preds) if preds else (lambda b: True)

    def _json(self, column: str, sub: Any, *, must_decode: bool) -> Pred:
        validator = _json_validator(self.dataset).evolve(schema=sub) if sub is not None else None
        key = (json.dumps(sub, sort_keys=True), must_decode)
        cache_: dict[str, bool] = {}

        def verdict(text: str) -> bool:
            if text in cache_:
                return cache_[text]
            ok, value = decode_json_text(text)
            result = (validator is None or validator.is_valid(value)) if ok else not must_decode
            if len(cache_) < _JSON_CACHE_LIMIT:
                cache_[text] = result
            return result

        def run(b: BatchView) -> pa.Array:
            if b.kind(column) != "string":
                return True
            return pc.fill_null(b.json_verdicts(column, key, verdict), True)

        return run


def _per_distinct(column: str, inner: Pred) -> Pred:
    """Run a one-column check on the distinct values of a repetitive column, then spread."""

    def run(b: BatchView) -> Verdict:
        distinct = b.distinct(column)
        if distinct is None:
            return inner(b)
        values, indices = distinct
        verdict = inner(values)
        if isinstance(verdict, bool):
            return verdict
        if verdict.false_count == 0 and verdict.null_count == 0:
            return True
        if verdict.true_count == 0 and verdict.null_count == 0:
            return False
        return pc.take(verdict, indices)

    return run


def _when_present(column: str, inner: Pred) -> Pred:
    """JSON Schema ``properties``: an absent column (key) passes."""
    return lambda b: inner(b) if b.has(column) else True


def _type(types: Sequence[str], column: str) -> Pred:
    def run(b: BatchView) -> Verdict:
        kind = b.kind(column)
        nulls = b.nulls(column)
        result: Verdict = False
        for name in types:
            if name == "null":
                result = _or(result, nulls)
            elif name == kind:
                result = _or(result, b.valid(column))
        return result

    return run


def _enum(values: Sequence[Any], column: str) -> Pred:
    strings = [v for v in values if isinstance(v, str)]
    allow_null = any(v is None for v in values)
    value_set = pa.array(strings, pa.string())

    def run(b: BatchView) -> Verdict:
        result: Verdict = b.nulls(column) if allow_null else False
        if strings and b.kind(column) == "string":
            member = pc.is_in(b.text(column), value_set=value_set)
            result = _or(result, pc.fill_null(member, False))
        return result

    return run


def _fill(verdict: Verdict, value: bool) -> Verdict:
    return verdict if isinstance(verdict, bool) else pc.fill_null(verdict, value)


def _pattern(pattern: str, column: str) -> Pred:
    def run(b: BatchView) -> Verdict:
        if b.kind(column) != "string":
            return True
        return _fill(b.regex(column, pattern), True)

    return run


def _calendar(column: str) -> Pred:
    def run(b: BatchView) -> pa.Array:
        if b.kind(column) != "string":
            return True
        if pa.types.is_timestamp(b.batch.schema.field(column).type):
            return True  # a typed instant is a real calendar instant
        strict = _fill(b.regex(column, _STRICT_DATETIME_RE), False)
        real = pc.is_valid(b.instant(column))
        return _or(_invert(strict), real)

    return run


def _minimum(minimum: Decimal, column: str) -> Pred:
    bound = pa.scalar(minimum, _WORK)

    def run(b: BatchView) -> pa.Array:
        if b.kind(column) != "string":
            return True
        return pc.fill_null(pc.greater_equal(b.decimal(column), bound), True)

    return run


def _product(spec: Mapping[str, Any]) -> Pred:
    """``result = left x right`` within the tolerances, where all three are decimal numbers.

    A float64 screen settles rows far from the tolerance bound; only the few rows near it
    are decided with exact decimals (so the verdict is the exact one).
    """
    left, right = spec["factors"]
    result_column = spec["result"]
    relative = Decimal(spec["relativeTolerance"])
    absolute = Decimal(spec["absoluteTolerance"])
    columns = (left, right, result_column)

    def run(b: BatchView) -> Verdict:
        if not all(b.has(c) and b.kind(c) == "string" for c in columns):
            return True
        key = ("product", columns, relative, absolute)
        if key not in b.memo:
            b.memo[key] = _product_verdict(b, columns, relative, absolute)
        return b.memo[key]

    return run


def _product_verdict(
    b: BatchView, columns: tuple[str, str, str], relative: Decimal, absolute: Decimal
) -> pa.Array:
    a, c, r = (b.decimal(x) for x in columns)
    fa, fc, fr = (pc.cast(x, pa.float64()) for x in (a, c, r))
    diff = pc.abs(pc.subtract(pc.multiply(fa, fc), fr))
    bound = pc.max_element_wise(pc.multiply(pc.abs(fr), float(relative)), float(absolute))
    clear_pass = pc.less_equal(diff, pc.multiply(bound, 0.5))
    clear_fail = pc.greater(diff, pc.multiply(bound, 2.0))
    verdict = pc.fill_null(pc.invert(clear_fail), True)
    near = pc.and_(pc.invert(pc.fill_null(clear_pass, True)), verdict)
    if not pc.any(near).as_py():
        return verdict
    rows = pc.indices_nonzero(near)
    exact = pa.array(
        [
            _exact_product_ok(x, y, z, relative, absolute)
            for x, y, z in zip(
                pc.take(a, rows).to_pylist(),
                pc.take(c, rows).to_pylist(),
                pc.take(r, rows).to_pylist(),
                strict=True,
            )
        ],
        pa.bool_(),
    )
    positions = pc.fill_null(pc.index_in(pa.array(range(b.rows)), value_set=rows), -1)
    picked = pc.take(exact, pc.if_else(pc.equal(positions, -1), 0, positions))
    return pc.if_else(pc.equal(positions, -1), verdict, picked)


def _exact_product_ok(
    left: Decimal, right: Decimal, result: Decimal, relative: Decimal, absolute: Decimal
) -> bool:
    diff = abs(left * right - result)
    return diff <= relative * abs(result) or diff <= absolute


def _before(start: str, end: str) -> Pred:
    def run(b: BatchView) -> pa.Array:
        if not (b.has(start) and b.has(end)) or "string" not in (b.kind(start), b.kind(end)):
            return True
        if b.kind(start) != "string" or b.kind(end) != "string":
            return True
        return pc.fill_null(pc.less(b.instant(start), b.instant(end)), True)

    return run


def _month_start(column: str) -> Pred:
    def run(b: BatchView) -> pa.Array:
        if not b.has(column) or b.kind(column) != "string":
            return True
        instant = b.instant(column)
        first = pc.equal(pc.day(instant), 1)
        midnight = pc.equal(pc.floor_temporal(instant, unit="day"), instant)
        return pc.fill_null(pc.and_(first, midnight), True)

    return run


def _elements(value: Any, keys: Sequence[str]) -> list[tuple[Any, ...]]:
    """Values of ``keys`` in each element of ``value["Elements"]`` whose first key is set."""
    if not isinstance(value, dict) or not isinstance(value.get("Elements"), list):
        return []
    return [
        tuple(e.get(k) for k in keys)
        for e in value["Elements"]
        if isinstance(e, dict) and e.get(keys[0]) is not None
    ]


_ELEMENT_KEYS = ("ContractCommitmentId", "ContractId")


def element_values(b: BatchView, column: str) -> pa.Table:
    """One row per ContractApplied element with a ContractCommitmentId: batch row and ids.

    Ids that are not strings become a marker that equals no id. Shapes holding one such
    element are read with a regex straight from the text; others are decoded one by one.
    Repetitive columns are read once per distinct text, then spread over the rows.
    """
    memo_key = ("elements", column)
    if memo_key in b.memo:
        return b.memo[memo_key]
    distinct = b.distinct(column)
    if distinct is None:
        found = _element_values_of(b, column, _ELEMENT_KEYS)
    else:
        values, indices = distinct
        found = _spread(_element_values_of(values, column, _ELEMENT_KEYS), indices, b.rows)
    b.memo[memo_key] = found
    return found


def _spread(found: pa.Table, indices: pa.Array, rows: int) -> pa.Table:
    """Per-distinct-text elements to per-row elements (``indices``: row -> text)."""
    if found.num_rows == 0:
        return found
    row_numbers = pa.array(range(rows), pa.int64())
    if pc.count_distinct(found["row"]).as_py() == found.num_rows:  # one element per text
        position = pc.index_in(indices.cast(pa.int64()), value_set=found["row"])
        keep = pc.is_valid(position)
        position = pc.filter(position, keep)
        columns = {"row": pc.filter(row_numbers, keep)}
        for name in found.column_names[1:]:
            columns[name] = pc.take(found[name], position)
        return pa.table(columns)
    spread = pa.table({"entry": indices.cast(pa.int64()), "row": row_numbers}).join(
        found.rename_columns(["entry", *found.column_names[1:]]), "entry"
    )
    return spread.select(["row", *found.column_names[1:]]).sort_by("row")


def _element_values_of(b: BatchView, column: str, keys: Sequence[str]) -> pa.Table:
    indices, representatives = b.json_shapes(column)
    simple, other = [], []
    for shape, text in enumerate(representatives):
        ok, value = decode_json_text(text)
        found = _elements(value, keys) if ok else []
        counts = [len(re.findall(f'"{k}"\\s*:', text)) for k in keys]
        literal = all(f'"{k}":"' in text for k in keys)
        one = len(found) == 1 and all(isinstance(v, str) for v in found[0])
        if one and literal and counts == [1] * len(keys):
            simple.append(shape)
        elif found:
            other.append(shape)
    rows = pa.array(range(b.rows), pa.int64())
    text = b.text(column)
    parts = []
    if simple:
        chosen = pc.fill_null(pc.is_in(indices, value_set=pa.array(simple, indices.type)), False)
        picked = pc.filter(text, chosen)
        columns = {"row": pc.filter(rows, chosen)}
        for i, k in enumerate(keys):
            # the text after '"key":"' up to the next quote (literal splits are fast)
            tail = pc.list_element(pc.split_pattern(picked, f'"{k}":"', max_splits=1), 1)
            value = pc.list_element(pc.split_pattern(tail, '"', max_splits=1), 0)
            columns[f"v{i}"] = value
        parts.append(pa.table(columns))
    if other:
        chosen = pc.fill_null(pc.is_in(indices, value_set=pa.array(other, indices.type)), False)
        found_rows: dict[str, list[Any]] = {"row": []} | {f"v{i}": [] for i in range(len(keys))}
        for row, cell in zip(
            pc.filter(rows, chosen).to_pylist(), pc.filter(text, chosen).to_pylist(), strict=True
        ):
            for values in _elements(decode_json_text(cell)[1], keys):
                found_rows["row"].append(row)
                for i, v in enumerate(values):
                    found_rows[f"v{i}"].append(v if isinstance(v, str) or v is None else "\x00")
        parts.append(pa.table(found_rows, schema=_element_schema(len(keys))))
    if not parts:
        return _element_schema(len(keys)).empty_table()
    return pa.concat_tables([p.cast(_element_schema(len(keys))) for p in parts])


def _element_schema(width: int) -> pa.Schema:
    return pa.schema([("row", pa.int64())] + [(f"v{i}", pa.string()) for i in range(width)])


def _json_key_equals(spec: Mapping[str, Any]) -> Pred:
    column, key, other = spec["column"], spec["key"], spec["equalsColumn"]
    if key != _ELEMENT_KEYS[0]:
        msg = f"x-focus-json-key-equals supports the key {_ELEMENT_KEYS[0]} only, not {key}"
        raise ValueError(msg)

    def run(b: BatchView) -> Verdict:
        if not (b.has(column) and b.has(other)) or b.kind(column) != "string":
            return True
        found = element_values(b, column)
        if found.num_rows == 0:
            return True
        target = b.text(other) if b.kind(other) == "string" else pa.nulls(b.rows, pa.string())
        same = pc.fill_null(pc.equal(found["v0"], pc.take(target, found["row"])), False)
        failing = pc.filter(found["row"], pc.invert(same))
        rows = pa.array(range(b.rows), pa.int64())
        return pc.invert(pc.is_in(rows, value_set=failing))

    return run


@cache
def shape_pool() -> ThreadPoolExecutor:
    """One helper thread for the process (the validator itself is single-threaded)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="focus-json-shapes")


def prefetch_shapes(view: BatchView, columns: Iterable[str], pool: ThreadPoolExecutor) -> None:
    """Start computing the JSON shapes of ``columns`` on ``pool`` (Arrow kernels free the GIL)."""
    for column in columns:
        if not view.has(column) or view.kind(column) != "string":
            continue
        distinct = view.distinct(column)
        target = distinct[0] if distinct is not None else view
        target.memo[("shapes-pending", column)] = pool.submit(target._shapes, column)
