"""The attester set as the registry's change log (``communis-attesters-v2``): the hash chain
``AttesterRegistry.logHash()`` keeps, its replay into budgets per epoch, the snapshot file, and
the set built from what a chain client reads.

The vectors below pin the encoding ``keccak256(abi.encode(bytes32 prev, address attester,
uint48 fromEpoch, uint208 budget))`` for the contract's tests: the same changes must give the
same hashes on chain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import keccak

from communis.engine.attest import (
    AttestationError,
    AttesterChange,
    AttesterSet,
    log_hash,
    next_log_hash,
)
from tests.helpers.attest import CHAIN_ID, POINT, REGISTRY

pytestmark = pytest.mark.offchain

BOT = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"
CURATOR = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"

# appoint(BOT, 500) in epoch 0, appoint(CURATOR, 20) in epoch 0, setBudget(BOT, 600) in epoch 2,
# remove(CURATOR) in epoch 3.
CHANGES = [
    (BOT, 0, 500 * POINT),
    (CURATOR, 0, 20 * POINT),
    (BOT, 2, 600 * POINT),
    (CURATOR, 3, 0),
]


def reference_chain(changes) -> list[str]:
    """The hash chain with eth-abi's encoder and eth-utils' keccak (not the engine's code)."""
    out, current = [], b"\x00" * 32
    for attester, epoch, budget in changes:
        current = keccak(
            encode(["bytes32", "address", "uint48", "uint208"], [current, attester, epoch, budget])
        )
        out.append("0x" + current.hex())
    return out


def test_log_hash_is_abi_encode_of_the_change() -> None:
    chain = reference_chain(CHANGES)
    current = b"\x00" * 32
    for (attester, epoch, budget), want in zip(CHANGES, chain, strict=True):
        current = next_log_hash(current, AttesterChange(attester, epoch, budget))
        assert "0x" + current.hex() == want
    assert AttesterSet.of(CHAIN_ID, REGISTRY, CHANGES).log_hash == chain[-1]


def test_log_hash_vectors_pinned() -> None:
    """Fixed values for the contract's own test of ``logHash()`` (same changes, same hashes)."""
    assert log_hash([]) == b"\x00" * 32
    chain = reference_chain(CHANGES)
    assert chain == [
        "0x5785e8b20048dc47229814d000a1b02ab327bc6046e4b12d25d2e917ccd9c99a",
        "0x14ea59a6fed3e4e5723c2b3a8207de1c564826a4c80e95271923aa6612f3ed8d",
        "0x61d39622615d9914bec96ca419c7a6f83bab2c354020dec597158e4237a5e1ef",
        "0x5261cade6fd4ffdac43393d94dceede323eabe2176c7f8c961d1ca99b24050b4",
    ]


def test_replay_gives_budgets_per_epoch() -> None:
    attesters = AttesterSet.of(CHAIN_ID, REGISTRY, CHANGES)
    assert [attesters.budget_at(BOT, e) for e in range(5)] == [500 * POINT] * 2 + [600 * POINT] * 3
    assert [attesters.is_attester_at(CURATOR, e) for e in range(5)] == [True] * 3 + [False] * 2
    late = AttesterSet.of(CHAIN_ID, REGISTRY, [(BOT, 4, POINT)])
    assert late.budget_at(BOT, 3) == 0 and late.budget_at(BOT, 4) == POINT


def test_two_changes_in_one_epoch_keep_the_last() -> None:
    attesters = AttesterSet.of(CHAIN_ID, REGISTRY, [(BOT, 1, POINT), (BOT, 1, 0)])
    assert not attesters.is_attester_at(BOT, 1)


def test_a_change_back_in_time_is_refused() -> None:
    with pytest.raises(AttestationError, match=r"change 1 .*applies from epoch 2"):
        AttesterSet.of(CHAIN_ID, REGISTRY, [(BOT, 2, POINT), (BOT, 1, POINT)])


def test_snapshot_round_trip(tmp_path: Path) -> None:
    attesters = AttesterSet.of(CHAIN_ID, REGISTRY, CHANGES, contracts=[CURATOR])
    path = tmp_path / "attesters.json"
    assert attesters.save(path) == attesters.log_hash
    data = json.loads(path.read_text())
    assert data["format"] == "communis-attesters-v2" and data["logHash"] == attesters.log_hash
    assert data["changes"][0] == [BOT, 0, str(500 * POINT)]
    assert AttesterSet.load(path) == attesters


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: d["changes"][1].__setitem__(2, "21"), r"field 'logHash' is 0x.*hash to 0x"),
        (lambda d: d["changes"].pop(), r"field 'logHash'"),
        (lambda d: d["changes"][0].__setitem__(1, 2**48), r"change 0: fromEpoch .* uint48"),
        (lambda d: d["changes"][0].__setitem__(2, 5), r"change 0: budget 5 must be a decimal"),
        (lambda d: d["changes"][0].__setitem__(2, str(2**208)), r"change 0 .*uint208"),
        (lambda d: d["changes"][0].__setitem__(0, "0xnope"), r"change 0: '0xnope' is not"),
        (lambda d: d.__setitem__("format", "communis-attesters-v1"), r"not an attester set"),
    ],
)
def test_snapshot_bad_input_named(tmp_path: Path, edit, match: str) -> None:
    path = tmp_path / "attesters.json"
    AttesterSet.of(CHAIN_ID, REGISTRY, CHANGES).save(path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(AttestationError, match=match):
        AttesterSet.load(path)


def test_from_chain_checks_the_events_against_log_hash_and_budget_at() -> None:
    truth = AttesterSet.of(CHAIN_ID, REGISTRY, CHANGES)

    def budget_at(attester: str, epoch: int) -> int:
        return truth.budget_at(attester, epoch)

    found = AttesterSet.from_chain(
        CHAIN_ID, REGISTRY, CHANGES, log_hash=truth.log_hash, budget_at=budget_at
    )
    assert found == truth
    with pytest.raises(AttestationError, match="events are missing or out of order"):
        AttesterSet.from_chain(CHAIN_ID, REGISTRY, CHANGES[:-1], log_hash=truth.log_hash)
    with pytest.raises(AttestationError, match="events are missing or out of order"):
        AttesterSet.from_chain(
            CHAIN_ID, REGISTRY, [CHANGES[1], CHANGES[0], *CHANGES[2:]], log_hash=truth.log_hash
        )
    with pytest.raises(AttestationError, match=r"budgetAt\(.*\) is 0, the replayed log gives"):
        AttesterSet.from_chain(
            CHAIN_ID, REGISTRY, CHANGES, log_hash=truth.log_hash, budget_at=lambda a, e: 0
        )
