"""Scoring: weights, proportional shares, the cap with water-filling, largest remainder."""

from __future__ import annotations

import pytest

from communis.engine.scoring import allocate, score_epoch, score_points
from tests.helpers.ledger import account, policy

pytestmark = pytest.mark.offchain

A, B, C, D = (account(i) for i in range(4))


def test_scores_are_role_weighted() -> None:
    points = {A: [1, 0, 0, 0], B: [0, 1, 0, 0], C: [0, 0, 1, 0], D: [0, 0, 0, 2]}
    assert score_points(points, (5, 3, 4, 1)) == {A: 5, B: 3, C: 4, D: 2}


def test_proportional_split_sums_to_budget() -> None:
    result = allocate({A: 1, B: 1, C: 1}, 100, 10_000)
    assert result.amounts == {A: 34, B: 33, C: 33}  # remainder 1 goes to the lowest address
    assert result.total == 100 and not result.capped


def test_largest_remainder_wins_the_spare_units() -> None:
    # exact shares: 100 * 2/7 = 28.57, 100 * 5/7 = 71.43
    result = allocate({A: 2, B: 5}, 100, 10_000)
    assert result.amounts == {A: 29, B: 71}


def test_cap_redistributes_the_excess() -> None:
    # B would get 80 of 100 but the cap is 50: A and C share the other 50 in ratio 1:4.
    result = allocate({A: 1, B: 16, C: 3}, 100, 5_000)
    assert result.capped == {B}
    assert result.amounts[B] == 50
    assert result.total == 100
    assert (result.amounts[A], result.amounts[C]) == (13, 37)  # 12.5 / 37.5: tie -> lower address


def test_capping_cascades() -> None:
    # After capping the biggest, the second biggest exceeds the cap too.
    result = allocate({A: 50, B: 40, C: 5, D: 5}, 1_000, 3_000)
    assert result.capped == {A, B}
    assert result.amounts == {A: 300, B: 300, C: 200, D: 200}


def test_everyone_capped_leaves_the_rest_unemitted() -> None:
    result = allocate({A: 1, B: 1}, 1_000, 1_000)
    assert result.amounts == {A: 100, B: 100}
    assert result.unemitted == 800


def test_zero_scores_get_nothing_and_no_scores_emit_nothing() -> None:
    assert allocate({A: 0, B: 3}, 10, 10_000).amounts == {B: 10}
    empty = allocate({A: 0}, 10, 10_000)
    assert empty.amounts == {} and empty.unemitted == 10


def test_tie_break_is_by_address_not_by_input_order() -> None:
    forward = allocate({A: 1, B: 1, C: 1}, 2, 10_000)
    backward = allocate({C: 1, B: 1, A: 1}, 2, 10_000)
    assert forward.amounts == backward.amounts == {A: 1, B: 1, C: 0}


def test_score_epoch_uses_both_budgets() -> None:
    p = policy(token_budget=1_000, influence_budget=10, account_cap_bps=10_000)
    result = score_epoch({A: [1, 0, 0, 0], B: [0, 0, 0, 5]}, p)
    assert result.scores == {A: 5, B: 5}
    assert result.tokens.amounts == {A: 500, B: 500}
    assert result.influence.amounts == {A: 5, B: 5}


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        allocate({A: 1}, -1, 100)
    with pytest.raises(ValueError):
        allocate({A: 1}, 1, 0)
    with pytest.raises(ValueError):
        allocate({A: -1}, 1, 100)
