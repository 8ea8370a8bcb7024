"""Exact allocation of invoice line amounts over rows (largest remainder, to the cent)."""

from __future__ import annotations

import random
from decimal import Decimal

import pyarrow as pa
import pytest

from focus_ionos_plugin.ionos.allocate import allocate, minor_unit_scale, split_exact

D = Decimal


def test_three_equal_rows_share_a_cent_by_row_order():
    assert split_exact(D("100.00"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]


def test_largest_remainder_gets_the_missing_cent():
    # 10.00 over 1:2 -> 3.333.. and 6.666..; 6.666 has the larger remainder.
    assert split_exact(D("10.00"), [D(1), D(2)]) == [D("3.33"), D("6.67")]


def test_zero_weights_share_equally_and_negative_amounts_mirror():
    assert split_exact(D("0.05"), [D(0), D(0)]) == [D("0.03"), D("0.02")]
    assert split_exact(D("-0.05"), [D(1), D(1)]) == [D("-0.03"), D("-0.02")]


def test_weights_are_rounded_to_six_decimals():
    # 0.0000004 rounds to 0: the second row only shares when weights tie at zero.
    assert split_exact(D("1.00"), [D(1), D("0.0000004")]) == [D("1.00"), D("0.00")]


def test_minor_unit_scale_follows_the_amounts():
    assert minor_unit_scale([D("1.5"), D("2")]) == 2
    assert minor_unit_scale([D("0.005")]) == 3


def test_vectorised_split_matches_the_reference_rule():
    rng = random.Random(7)
    for _ in range(25):
        count = rng.randint(1, 40)
        amounts = [D(rng.randint(-5_000, 500_000)).scaleb(-2) for _ in range(count)]
        groups = [rng.randrange(count) for _ in range(rng.randint(count, 800))]
        weights = [
            D(rng.randint(0, 10**10)).scaleb(-rng.randint(0, 9)) if rng.random() > 0.1 else D(0)
            for _ in groups
        ]
        result = allocate(
            pa.array(groups, pa.int32()), pa.array(weights, pa.decimal128(38, 18)), amounts
        ).to_pylist()
        for group, amount in enumerate(amounts):
            rows = [i for i, g in enumerate(groups) if g == group]
            expected = split_exact(amount, [weights[i] for i in rows])
            assert [result[i] for i in rows] == expected
            assert sum((result[i] for i in rows), D(0)) == (amount if rows else D(0))


def test_huge_weights_take_the_row_by_row_path_with_the_same_rule():
    weights = [D("9" * 15), D("1"), D("3" * 15)]
    amounts = [D("99999999.99")]
    result = allocate(pa.array([0, 0, 0]), pa.array(weights, pa.decimal128(38, 18)), amounts)
    assert result.to_pylist() == split_exact(amounts[0], weights)
    assert sum(result.to_pylist()) == amounts[0]


def test_amount_with_more_decimals_than_the_scale_is_refused():
    with pytest.raises(ValueError, match="more than 2 decimals"):
        allocate(pa.array([0]), pa.array([D(1)], pa.decimal128(38, 18)), [D("1.005")], scale=2)
