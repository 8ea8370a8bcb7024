"""Bring the column types of a real-world FOCUS export to our FOCUS 1.3 Arrow types.

Exports disagree on types: CSV has only text; Parquet writers use decimals of any
precision, strings or even floats for amounts, any timestamp unit with or without a time
zone, and MAP or JSON text for tags. Every FOCUS-named column is converted to the type of
:mod:`focus_ionos_plugin.focus.schema` without losing a digit:

- Decimal columns: text and integers are parsed exactly; decimals are rescaled to
  ``decimal128(38, 18)`` only when no digit is lost (otherwise the input is refused);
  floats go through their shortest round-trip text (``0.1`` stays ``0.1``, not
  ``0.1000000000000000055``), and a finding says the input held binary floats.
- DateTime columns: ISO 8601 text with ``Z``, an offset, or no zone (read as UTC), with a
  space or ``T``; timestamps of any unit; all become whole seconds in UTC.
- String and JSON columns: text as is; MAP and STRUCT values become JSON text; numbers
  become their text (an all-digit account id read as an integer keeps its digits).

Columns that are not FOCUS columns are passed through untouched.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..findings import Finding, Severity
from ..focus.schema import DECIMAL_TYPE, TIMESTAMP_TYPE, column_specs

__all__ = ["Normalizer"]

log = logging.getLogger(__name__)

_ZONE_SUFFIX = r"(Z|[+-]\d\d:?\d\d)$"
_FAILURES = (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError, ValueError)


class Normalizer:
    """Converts the FOCUS columns of each batch of one file to our Arrow types."""

    def __init__(self, source: str, provider: str | None = None) -> None:
        self.source = source
        self.provider = provider
        self._types = {name: spec.arrow_type for name, spec in column_specs().items()}
        self._floats: Counter[str] = Counter()
        self._rows = 0  # data rows of the file converted so far, to name a bad row

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with every FOCUS column in its FOCUS 1.3 Arrow type."""
        arrays = []
        fields = []
        for field_, column in zip(batch.schema, batch.columns, strict=True):
            target = self._types.get(field_.name)
            typed = column
            if target is not None and column.type != target:
                typed = self._convert(field_.name, column, target)
            arrays.append(typed)
            fields.append(pa.field(field_.name, typed.type))
        self._rows += batch.num_rows
        return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))

    def findings(self) -> list[Finding]:
        """Type conversions a reader of the data should know about."""
        return [
            Finding(
                "files-float-amounts",
                Severity.WARNING,
                f"{self.source}: {name} holds binary floating point numbers; read through "
                f"their shortest decimal text, but the exporter may already have lost digits",
                column=name,
                rows=rows,
                provider=self.provider,
            )
            for name, rows in sorted(self._floats.items())
        ]

    def _convert(self, name: str, array: pa.Array, target: pa.DataType) -> pa.Array:
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        try:
            return self._typed(name, array, target)
        except _FAILURES as exc:
            bad = self._first_bad(name, array, target)
            # Arrow's hint to call assume_timezone is advice for Arrow users, not exporters.
            reason = str(exc).splitlines()[0].split(" If these timestamps")[0]
            msg = (
                f"{self.source}: column {name} ({array.type}) cannot be read as "
                f"{target} without losing information: {bad}{reason}. Fix the value in "
                f"the export"
            )
            raise InputError(msg) from exc

    def _typed(self, name: str, array: pa.Array, target: pa.DataType) -> pa.Array:
        if target == DECIMAL_TYPE:
            return self._decimal(name, array)
        if target == TIMESTAMP_TYPE:
            return _timestamp(array)
        return _text(array)

    def _first_bad(self, name: str, array: pa.Array, target: pa.DataType) -> str:
        """``value 'x' (data row n): `` for the first value that fails.

        One value at a time, so slow; it only runs once, on the way to refusing the file.
        """
        floats = self._floats.copy()
        try:
            for index in range(len(array)):
                try:
                    self._typed(name, array.slice(index, 1), target)
                except _FAILURES:
                    row = self._rows + index + 1
                    return f"value {array[index].as_py()!r} (data row {row}): "
        finally:
            self._floats = floats
        return ""

    def _decimal(self, name: str, array: pa.Array) -> pa.Array:
        kind = array.type
        if pa.types.is_floating(kind):
            self._floats[name] += len(array) - array.null_count
            array = array.cast(pa.string())
            kind = array.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            text = pc.utf8_trim_whitespace(array.cast(pa.string()))
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
            return text.cast(DECIMAL_TYPE)
        return array.cast(DECIMAL_TYPE)


def _timestamp(array: pa.Array) -> pa.Array:
    kind = array.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            array = pc.assume_timezone(array, "UTC")
        return array.cast(TIMESTAMP_TYPE)
    if pa.types.is_date(kind):
        return pc.assume_timezone(array.cast(pa.timestamp("s")), "UTC").cast(TIMESTAMP_TYPE)
    text = pc.utf8_trim_whitespace(array.cast(pa.string()))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    # 2026-05-01 00:00:00 -> 2026-05-01T00:00:00; whole-second fractions (.000) dropped
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d) ", r"\1T")
    text = pc.replace_substring_regex(text, r"(T\d\d:\d\d:\d\d)\.0+", r"\1")
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)$", r"\1T00:00:00")
    zoned = pc.match_substring_regex(text, _ZONE_SUFFIX)
    text = pc.if_else(zoned, text, pc.binary_join_element_wise(text, "Z", ""))
    return text.cast(TIMESTAMP_TYPE)


def _text(array: pa.Array) -> pa.Array:
    kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_map(kind) or pa.types.is_struct(kind) or pa.types.is_list(kind):
        return pa.array([_json(value) for value in array.to_pylist()], pa.string())
    if pa.types.is_floating(kind):
        msg = f"a float cannot stand for text ({kind})"
        raise TypeError(msg)
    return array.cast(pa.string())


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        value = dict(value)  # a MAP arrives as key/value pairs
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
