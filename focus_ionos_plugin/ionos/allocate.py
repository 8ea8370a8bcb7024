"""Split amounts over rows in proportion to quantity, exactly, to the cent.

An IONOS invoice line is per virtual data center and meter; FOCUS rows are per resource and
day. :func:`allocate` splits each line amount over its rows so that the parts add up to the
line amount exactly. The rule (largest remainder, also called Hamilton's method):

1. Work in minor units: ``a`` = the line amount times ``10**scale`` (``scale`` = 2 for
   cents, more when an amount has more decimals), an integer.
2. Weight of row ``i``: its quantity rounded half-to-even to 6 decimals (IONOS reports
   quantities with at most 6), ``w_i``; ``W`` = the sum of the line's weights. When every
   weight is zero, the rows share equally (weight 1 each).
3. Row ``i`` first gets ``floor(a * w_i / W)`` minor units.
4. The minor units still missing, ``a - sum(floor(...))`` (fewer than the number of rows),
   go one each to the rows with the largest remainders ``a * w_i / W - floor(...)``; equal
   remainders are served in row order.

A negative amount is split as its absolute value, then negated. A negative quantity (a
correction record) weighs 0 in :func:`allocate`: its row gets no share of the amount. The
vectorised version does the arithmetic on Arrow int64 arrays (exact: it checks that no
product can overflow);
:func:`split_exact` is the same rule in plain Python, used when a product could overflow
and to test the vectorised one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from ..focus.schema import DECIMAL_TYPE

__all__ = ["WEIGHT_DECIMALS", "allocate", "minor_unit_scale", "split_exact"]

#: Decimals of the quantity used as weight.
WEIGHT_DECIMALS = 6
_WEIGHT_STEP = Decimal(1).scaleb(-WEIGHT_DECIMALS)
_RESULT_TYPE = DECIMAL_TYPE
#: The vectorised path works in int64; larger products take the row-by-row path.
_INT64_LIMIT = 2**63


def minor_unit_scale(amounts: Sequence[Decimal]) -> int:
    """Decimals of the smallest unit the amounts are expressed in (at least 2, cents)."""
    scale = 2
    for amount in amounts:
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            scale = max(scale, -exponent)
    return scale


def split_exact(amount: Decimal, weights: Sequence[Decimal], scale: int = 2) -> list[Decimal]:
    """Split ``amount`` over ``weights`` by the largest-remainder rule (see module doc)."""
    if not weights:
        return []
    sign = -1 if amount < 0 else 1
    units = int((abs(amount) * (Decimal(10) ** scale)).to_integral_value())
    if Decimal(units).scaleb(-scale) != abs(amount):
        msg = f"amount {amount} has more than {scale} decimals"
        raise ValueError(msg)
    ints = [int(w.quantize(_WEIGHT_STEP, ROUND_HALF_EVEN).scaleb(WEIGHT_DECIMALS)) for w in weights]
    if any(w < 0 for w in ints):
        msg = "allocation weights must not be negative"
        raise ValueError(msg)
    total = sum(ints)
    if total == 0:
        ints = [1] * len(ints)
        total = len(ints)
    floors = [units * w // total for w in ints]
    remainders = [units * w - f * total for w, f in zip(ints, floors, strict=True)]
    missing = units - sum(floors)
    order = sorted(range(len(ints)), key=lambda i: (-remainders[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return [Decimal(sign * f).scaleb(-scale) for f in floors]


def allocate(
    groups: pa.Array, weights: pa.Array, amounts: Sequence[Decimal], scale: int | None = None
) -> pa.Array:
    """Split ``amounts[g]`` over the rows whose ``groups`` value is ``g``.

    :param groups: int group index per row (0 <= g < len(amounts)), no nulls.
    :param weights: decimal quantity per row (nulls and negatives count as 0).
    :param amounts: one amount per group.
    :param scale: decimals of the minor unit; default :func:`minor_unit_scale`.
    :return: the row amounts as ``decimal128(38, 18)``; per group they sum to the amount.
    """
    if len(groups) == 0:
        return pa.array([], _RESULT_TYPE)
    scale = minor_unit_scale(amounts) if scale is None else scale
    step = Decimal(1).scaleb(-scale)
    if any(a != a.quantize(step) for a in amounts):
        msg = f"allocate: an amount has more than {scale} decimals"
        raise ValueError(msg)
    groups = groups.cast(pa.int64())
    units = [int(abs(a).scaleb(scale)) for a in amounts]
    zero = pa.scalar(Decimal(0), _RESULT_TYPE)
    weights = pc.max_element_wise(pc.fill_null(weights.cast(_RESULT_TYPE), zero), zero)
    weight_ints = _weight_units(weights)
    if weight_ints is None:
        return _allocate_python(groups, weights, amounts, scale)
    sums = _group_int_sums(groups, weight_ints, len(amounts))
    zero_groups = [g for g, total in enumerate(sums) if total == 0]
    if zero_groups:
        is_zero = pc.is_in(groups, pa.array(zero_groups, pa.int64()))
        weight_ints = pc.if_else(is_zero, pa.scalar(1, pa.int64()), weight_ints)
        sums = _group_int_sums(groups, weight_ints, len(amounts))
    biggest = max(units, default=0) * (pc.max(weight_ints).as_py() or 0)
    if biggest >= _INT64_LIMIT or sum(sums) >= _INT64_LIMIT:
        return _allocate_python(groups, weights, amounts, scale)

    # Exact integer arithmetic: floor(a * w / W) and the remainder a * w mod W.
    row_units = pc.take(pa.array(units, pa.int64()), groups)
    row_sums = pc.take(pa.array(sums, pa.int64()), groups)
    numerator = pc.multiply(row_units, weight_ints)
    floors = pc.divide(numerator, row_sums)
    remainder = pc.subtract(numerator, pc.multiply(floors, row_sums))

    # Missing units per group go to the largest remainders; the stable sort keeps row
    # order among equal remainders.
    floor_sums = _group_int_sums(groups, floors, len(amounts))
    missing = pa.array([u - f for u, f in zip(units, floor_sums, strict=True)], pa.int64())
    order = pc.sort_indices(
        pa.table({"g": groups, "r": remainder}), sort_keys=[("g", "ascending"), ("r", "descending")]
    )
    sorted_groups = pc.take(groups, order)
    position = _positions(len(groups))
    first = _group_first(sorted_groups, len(amounts))
    rank = pc.subtract(position, pc.take(first, sorted_groups))
    bonus_sorted = pc.less(rank, pc.take(missing, sorted_groups)).cast(pa.int64())
    bonus = pc.take(bonus_sorted, pc.sort_indices(order))

    signs = pa.array([-1 if a < 0 else 1 for a in amounts], pa.int64())
    signed = pc.multiply(pc.add(floors, bonus), pc.take(signs, groups))
    return _scaled(signed, scale)


def _allocate_python(
    groups: pa.Array, weights: pa.Array, amounts: Sequence[Decimal], scale: int
) -> pa.Array:
    """The reference rule row by row: slow, for amounts or weights out of int64 range."""
    members: list[list[int]] = [[] for _ in amounts]
    for row, group in enumerate(groups.to_pylist()):
        members[group].append(row)
    values = [v or Decimal(0) for v in weights.to_pylist()]
    result: list[Decimal | None] = [None] * len(values)
    for group, rows in enumerate(members):
        parts = split_exact(amounts[group], [values[r] for r in rows], scale)
        for row, part in zip(rows, parts, strict=True):
            result[row] = part
    return pa.array(result, _RESULT_TYPE)


def _weight_units(weights: pa.Array) -> pa.Array | None:
    """Weights as int64 in units of 10**-WEIGHT_DECIMALS, or None when out of range.

    The decimal is rounded half-to-even to WEIGHT_DECIMALS places; its unscaled 128-bit
    integer is then read straight from the Arrow buffer (low word), which is exact as long
    as the high word is zero, i.e. the weight is non-negative and below 2**63 units.
    """
    rounded = pc.round(weights, WEIGHT_DECIMALS, round_mode="half_to_even")
    try:
        narrow = rounded.cast(pa.decimal128(38, WEIGHT_DECIMALS))
    except pa.ArrowInvalid:
        return None
    narrow = narrow if narrow.offset == 0 else pa.concat_arrays([narrow])
    count = len(narrow)
    words = pa.Array.from_buffers(pa.int64(), 2 * count, [None, narrow.buffers()[1]])
    even = pc.multiply(_positions(count), 2)
    low = pc.take(words, even)
    high = pc.take(words, pc.add(even, 1))
    if pc.any(pc.not_equal(high, 0)).as_py() or pc.any(pc.less(low, 0)).as_py():
        return None
    return low


def _scaled(units: pa.Array, scale: int) -> pa.Array:
    """Integer minor units -> decimal128(38, 18) amounts (units / 10**scale), exactly."""
    step = pa.scalar(Decimal(1).scaleb(-scale), pa.decimal128(scale + 1, scale))
    return pc.multiply(units.cast(pa.decimal128(19, 0)), step).cast(_RESULT_TYPE)


def _positions(count: int) -> pa.Array:
    """0, 1, ..., count - 1 as int64, without a Python loop."""
    return pc.indices_nonzero(pc.is_null(pa.nulls(count))).cast(pa.int64())


def _group_int_sums(groups: pa.Array, values: pa.Array, count: int) -> list[int]:
    """Sum of ``values`` per group index, as a list of ``count`` Python ints."""
    table = pa.table({"g": groups, "v": values}).group_by("g").aggregate([("v", "sum")])
    sums = [0] * count
    for group, value in zip(table["g"].to_pylist(), table["v_sum"].to_pylist(), strict=True):
        sums[group] = value or 0
    return sums


def _group_first(sorted_groups: pa.Array, count: int) -> pa.Array:
    """Position of the first row of each group in a group-sorted array."""
    table = pa.table({"g": sorted_groups, "p": _positions(len(sorted_groups))})
    firsts = table.group_by("g").aggregate([("p", "min")])
    result = [0] * count
    for group, pos in zip(firsts["g"].to_pylist(), firsts["p_min"].to_pylist(), strict=True):
        result[group] = pos
    return pa.array(result, pa.int64())
