"""JSON text with exact decimals: Decimal values become JSON numbers, never floats.

The fake API must send numbers exactly as the demo computed them (``0.055``, ``333.333333``),
and the shipped data files must be byte-for-byte reproducible, so encoding is compact and
deterministic.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

__all__ = ["decimal_text", "dumps"]

_MARK = "\x00"
# json.dumps escapes the marker as \u0000 inside the string it made from a Decimal.
_MARKED = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)"')


def decimal_text(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: 2880, 0.055, 333.333333."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return _MARK + decimal_text(value)
    msg = f"cannot encode {type(value).__name__} as JSON"
    raise TypeError(msg)


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON of ``payload``; Decimal values are written as exact numbers."""
    text = json.dumps(payload, default=_default, separators=(",", ":"))
    return _MARKED.sub(r"\1", text).encode("utf-8")
