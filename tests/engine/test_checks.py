"""Warnings for valid but surprising inputs: a cap that binds every account or leaves much of
the budget unpaid, policy amounts written in whole tokens, a ledger for an epoch the chain does
not take next, and a mistyped address (never "corrected")."""

from __future__ import annotations

import dataclasses

import pytest

from communis.engine.address import checksum_problem, to_checksum
from communis.engine.checks import epoch_order_warning, policy_warnings
from communis.engine.ledger import LedgerError, read_ledger
from communis.engine.policy import DEFAULT_POLICY
from communis.engine.scoring import score_epoch
from communis.engine.units import UNIT
from tests.helpers.ledger import account, jsonl, row, write

pytestmark = pytest.mark.offchain


def _points(count: int) -> dict[str, list[int]]:
    return {account(i): [(i + 1) * UNIT, 0, 0, 0] for i in range(count)}


def test_the_cap_binding_every_account_of_a_small_community_is_flagged() -> None:
    scores = score_epoch(_points(6), DEFAULT_POLICY)  # 5% cap, six members
    warnings = scores.warnings(DEFAULT_POLICY.account_cap_bps)
    assert len(warnings) == 2
    assert "binds every one of the 6 accounts" in warnings[0]
    assert "70% of the token budget (70,000 of 100,000 tokens)" in warnings[1]
    assert "needs a cap of 1667 bps or more" in warnings[1]


def test_a_large_unpaid_part_is_flagged() -> None:
    # Twelve members under a 5% cap can receive 60% at most (the scoring leaves budget unpaid
    # only when every account is capped; the warning says how much).
    points = {account(i): [(i % 3 + 1) * UNIT, 0, 0, 0] for i in range(12)}
    warnings = score_epoch(points, DEFAULT_POLICY).warnings()
    assert any("40% of the token budget" in w for w in warnings)
    assert not any("needs a cap" in w for w in warnings)  # no cap given, no advice


def test_no_warning_when_the_budget_is_paid() -> None:
    assert score_epoch(_points(40), DEFAULT_POLICY).warnings() == []


def test_whole_tokens_in_a_policy_file_are_flagged() -> None:
    policy = dataclasses.replace(DEFAULT_POLICY, token_budget=100_000, proposer_bond=1_000)
    warnings = policy_warnings(policy, "examples/policy.json")
    assert len(warnings) == 2
    assert warnings[0].startswith("examples/policy.json: tokenBudget is 100000 base units")
    assert '"100000000000000000000000"' in warnings[0]
    assert "proposerBond" in warnings[1]
    assert policy_warnings(DEFAULT_POLICY) == []


def test_epoch_order() -> None:
    assert epoch_order_warning(1, 1, 2) is None
    catch_up = str(epoch_order_warning(5, 1, 6))
    assert "a root for it covers epochs 1 to 4 too (a catch-up root)" in catch_up
    assert "their bundles must be built into the same folder first" in catch_up
    assert "or propose epoch 1 first" in str(epoch_order_warning(2, 1, 6))
    assert "already settled" in str(epoch_order_warning(0, 1, 2))
    assert "still running" in str(epoch_order_warning(1, 1, 1))


GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TYPO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C9"  # last digit changed


def test_a_mistyped_address_is_not_corrected() -> None:
    assert checksum_problem(GOOD) is None
    assert checksum_problem(GOOD.lower()) is None  # no checksum to fail
    problem = checksum_problem(TYPO)
    assert problem is not None and "may be mistyped" in problem
    assert to_checksum(TYPO) not in problem  # the "corrected" typo would pay another account


def test_the_ledger_names_a_mistyped_address_without_correcting_it(tmp_path) -> None:
    path = write(tmp_path / "e.jsonl", jsonl([row(0, TYPO, "creator", "1", "r1")]))
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    message = str(caught.value)
    assert "may be mistyped" in message and to_checksum(TYPO) not in message
    path = write(tmp_path / "l.jsonl", jsonl([row(0, GOOD.lower(), "creator", "1", "r1")]))
    with pytest.raises(LedgerError, match=f"write it as {GOOD}"):
        read_ledger(path)
