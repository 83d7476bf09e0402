"""Policy: JSON round trip, validation, and policy_hash against an independent abi encoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import keccak

from communis.engine.policy import DEFAULT_POLICY, Policy, PolicyError, policy_hash
from tests.helpers.ledger import policy

pytestmark = pytest.mark.offchain

SOLIDITY_TUPLE = "(uint256,uint256,uint32[4],uint16,uint64,uint256,uint256,uint64,uint16,bool)"
# keccak256(abi.encode(DEFAULT_POLICY)): pinned, so that a change of the default (or of the
# encoding) is a visible, deliberate edit.
DEFAULT_POLICY_HASH = "6360126409f97132497384dff2641c668b84adc9acf30a8c5866fd3dbf36d05f"


def _reference_hash(p: Policy) -> bytes:
    values = (
        p.token_budget,
        p.influence_budget,
        list(p.role_weights),
        p.account_cap_bps,
        p.challenge_window,
        p.proposer_bond,
        p.challenger_bond,
        p.dispute_period,
        p.dispute_fee_bps,
        p.open_proposing,
    )
    return keccak(encode([SOLIDITY_TUPLE], [values]))


@pytest.mark.parametrize(
    "p",
    [
        policy(),
        policy(role_weights=(0, 0, 0, 0), account_cap_bps=1, challenge_window=0),
        policy(
            token_budget=2**256 - 1,
            influence_budget=2**256 - 1,
            role_weights=(2**32 - 1, 1, 2, 3),
            account_cap_bps=10_000,
            challenge_window=2**64 - 1,
            proposer_bond=2**256 - 1,
            challenger_bond=0,
            dispute_period=2**64 - 1,
            dispute_fee_bps=10_000,
            open_proposing=False,
        ),
    ],
)
def test_policy_hash_matches_eth_abi(p: Policy) -> None:
    assert len(p.encode()) == 13 * 32
    assert policy_hash(p) == _reference_hash(p)


def test_default_policy_hash_is_pinned() -> None:
    assert policy_hash(DEFAULT_POLICY).hex() == DEFAULT_POLICY_HASH
    assert Policy.from_abi(DEFAULT_POLICY.to_abi()) == DEFAULT_POLICY


def test_every_field_changes_the_hash() -> None:
    base = policy()
    variants = [
        policy(token_budget=base.token_budget + 1),
        policy(influence_budget=base.influence_budget + 1),
        policy(role_weights=(5, 3, 4, 2)),
        policy(account_cap_bps=2_501),
        policy(challenge_window=3_601),
        policy(proposer_bond=1),
        policy(challenger_bond=1),
        policy(dispute_period=14 * 86_400 + 1),
        policy(dispute_fee_bps=2_001),
        policy(open_proposing=False),
    ]
    hashes = {policy_hash(v) for v in variants} | {policy_hash(base)}
    assert len(hashes) == len(variants) + 1


def test_json_round_trip(tmp_path: Path) -> None:
    p = policy()
    path = tmp_path / "policy.json"
    p.save(path)
    assert Policy.load(path) == p
    assert path.read_text() == p.dumps()
    assert '"tokenBudget": "1000000000000000000000000"' in p.dumps()


def test_json_accepts_numbers_and_strings() -> None:
    data = policy().to_json()
    data["tokenBudget"] = int(data["tokenBudget"])
    data["accountCapBps"] = "2500"
    assert Policy.from_json(data) == policy()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"accountCapBps": 0}, "accountCapBps"),
        ({"accountCapBps": 10_001}, "accountCapBps"),
        ({"roleWeights": [1, 2, 3]}, "roleWeights"),
        ({"roleWeights": [1, 2, 3, 2**32]}, "uint32"),
        ({"challengeWindow": 2**64}, "uint64"),
        ({"disputePeriod": 2**64}, "uint64"),
        ({"disputeFeeBps": 0}, "disputeFeeBps"),
        ({"disputeFeeBps": 10_001}, "disputeFeeBps"),
        ({"openProposing": 1}, "openProposing"),
        ({"openProposing": "true"}, "openProposing"),
        ({"tokenBudget": "-1"}, "tokenBudget"),
        ({"tokenBudget": 1.5}, "tokenBudget"),
        ({"tokenBudget": True}, "tokenBudget"),
        ({"extra": 1}, "unknown"),
    ],
)
def test_invalid_policies_are_rejected(changes: dict, message: str) -> None:
    data = {**policy().to_json(), **changes}
    with pytest.raises(PolicyError, match=message):
        Policy.from_json(data)


def test_missing_field_is_named() -> None:
    data = policy().to_json()
    del data["proposerBond"]
    with pytest.raises(PolicyError, match="proposerBond"):
        Policy.from_json(data)


def test_account_cap() -> None:
    assert policy(account_cap_bps=2_500).account_cap(1_000) == 250
    assert policy(account_cap_bps=3).account_cap(1_000) == 0
