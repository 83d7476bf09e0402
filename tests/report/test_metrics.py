"""communis.report.metrics against hand-computed values, and its properties under hypothesis."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communis.report.metrics import (
    gini,
    gini_fraction,
    lorenz_curve,
    nakamoto_coefficient,
    nakamoto_share,
    top_k_share,
    top_k_share_fraction,
)

pytestmark = pytest.mark.offchain

PROPERTY = settings(max_examples=60, derandomize=True, deadline=None)
amounts = st.lists(st.integers(min_value=0, max_value=10**24), max_size=40)


# Hand-computed values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], Fraction(0)),
        ([0, 0, 0], Fraction(0)),
        ([7], Fraction(0)),
        ([5, 5, 5, 5], Fraction(0)),
        # sum (2i - n - 1) x_i = -3*1 - 1*2 + 1*3 + 3*4 = 10; n * S = 4 * 10
        ([1, 2, 3, 4], Fraction(10, 40)),
        ([4, 1, 3, 2], Fraction(1, 4)),
        ([1, 3], Fraction(1, 4)),
        # One holder of n: (n - 1) / n.
        ([0, 0, 0, 10], Fraction(3, 4)),
        ([0] * 99 + [1], Fraction(99, 100)),
        # Exact with amounts far beyond 2**53: (-(10**30) + 10**30 + 1) / (2 * (2 * 10**30 + 1))
        ([10**30, 10**30 + 1], Fraction(1, 4 * 10**30 + 2)),
    ],
)
def test_gini_hand_computed(values, expected):
    assert gini_fraction(values) == expected
    assert gini(values) == float(expected)


def test_gini_one_holder_tends_to_one():
    assert gini([0] * 9999 + [10**18]) == pytest.approx(0.9999)


def test_gini_rejects_negative_and_non_integer_amounts():
    with pytest.raises(ValueError, match="non-negative"):
        gini([1, -1])
    with pytest.raises(TypeError):
        gini([1.5])
    with pytest.raises(TypeError):
        gini([True, 2])


def test_lorenz_hand_computed():
    assert lorenz_curve([4, 1, 3, 2]) == [
        (0.0, 0.0),
        (0.25, 0.1),
        (0.5, 0.3),
        (0.75, 0.6),
        (1.0, 1.0),
    ]


def test_lorenz_degenerate_inputs_are_the_line_of_equality():
    assert lorenz_curve([]) == [(0.0, 0.0), (1.0, 1.0)]
    assert lorenz_curve([0, 0]) == [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(-1, 0), (0, 0), (1, 1), (5, 1), (6, 2), (8, 2), (9, 3), (10, 3), (11, None)],
)
def test_nakamoto_hand_computed(threshold, expected):
    assert nakamoto_coefficient([2, 5, 3], threshold) == expected


def test_nakamoto_share():
    assert nakamoto_share([4, 3, 2, 1]) == 2  # 4 + 3 >= 5
    assert nakamoto_share([1] * 10) == 5  # exactly half reaches half
    assert nakamoto_share([1] * 11) == 6  # 5.5 needs six
    assert nakamoto_share([1] * 11, Fraction(1, 1)) == 11
    assert nakamoto_share([10, 0, 0]) == 1
    assert nakamoto_share([]) == 0
    assert nakamoto_share([0, 0]) == 0
    with pytest.raises(ValueError):
        nakamoto_share([1], Fraction(3, 2))


def test_top_k_share():
    assert top_k_share_fraction([1, 2, 3, 4], 2) == Fraction(7, 10)
    assert top_k_share([1, 2, 3, 4], 0) == 0.0
    assert top_k_share([1, 2, 3, 4], 99) == 1.0
    assert top_k_share([], 3) == 0.0
    assert top_k_share([0, 0], 1) == 0.0
    with pytest.raises(ValueError):
        top_k_share([1], -1)


# Properties ----------------------------------------------------------------------------------


@PROPERTY
@given(amounts)
def test_gini_is_in_unit_interval(values):
    g = gini_fraction(values)
    assert 0 <= g <= 1
    if values:
        assert g <= Fraction(len(values) - 1, len(values))


@PROPERTY
@given(st.data(), amounts)
def test_gini_ignores_order(data, values):
    shuffled = data.draw(st.permutations(values))
    assert gini_fraction(shuffled) == gini_fraction(values)


@PROPERTY
@given(amounts, st.integers(min_value=1, max_value=10**18))
def test_gini_ignores_scale(values, factor):
    assert gini_fraction([v * factor for v in values]) == gini_fraction(values)


@PROPERTY
@given(amounts)
def test_lorenz_curve_is_monotone_convex_and_below_the_diagonal(values):
    pts = lorenz_curve(values)
    assert pts[0] == (0.0, 0.0)
    assert pts[-1] == pytest.approx((1.0, 1.0))
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        assert x1 > x0
        assert y1 >= y0
        assert y1 <= x1 + 1e-12


@PROPERTY
@given(
    amounts, st.integers(min_value=0, max_value=10**25), st.integers(min_value=0, max_value=10**25)
)
def test_nakamoto_is_monotone_in_the_threshold(values, a, b):
    low, high = sorted((a, b))
    k_low, k_high = nakamoto_coefficient(values, low), nakamoto_coefficient(values, high)
    if k_high is not None:
        assert k_low is not None
        assert k_low <= k_high
    if k_low is None:
        assert k_high is None


@PROPERTY
@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=7), st.integers(0, 4000))
def test_nakamoto_is_the_smallest_coalition(values, threshold):
    """Against brute force over every subset of a small distribution."""
    best = None
    for k in range(len(values) + 1):
        if any(sum(c) >= threshold for c in itertools.combinations(values, k)):
            best = k
            break
    assert nakamoto_coefficient(values, threshold) == best
