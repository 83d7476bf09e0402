"""The ledger commitment over covered epochs: leaves and proofs computed independently (eth_abi,
sorted pairs), and every malformed input refused with its reason. The contract side is
tests/rewards/test_fraud_proof.py, which proves batches through these proofs on both EVMs."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from communis.engine.commitment import CommitmentError, epoch_leaf, ledger_commitment

pytestmark = pytest.mark.offchain


def _root(n: int) -> bytes:
    return keccak(text=f"ledger {n}")


def _reference_leaf(epoch: int, root: bytes) -> bytes:
    return keccak(keccak(encode(["uint256", "bytes32"], [epoch, root])))


def _climb(leaf: bytes, proof: list[bytes]) -> bytes:
    for sibling in proof:
        leaf = keccak(b"".join(sorted((leaf, sibling))))
    return leaf


def test_epoch_leaf_is_the_double_hashed_abi_encoding() -> None:
    assert epoch_leaf(7, _root(7)) == _reference_leaf(7, _root(7))


def test_single_epoch_commitment_is_its_leaf() -> None:
    commitment = ledger_commitment([(3, _root(3))])
    assert commitment.root == _reference_leaf(3, _root(3))
    assert commitment.proof_for(3) == []
    assert commitment.ledger_root(3) == _root(3)


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_every_covered_epoch_proves_against_the_root(count: int) -> None:
    entries = [(10 + i, _root(i)) for i in range(count)]
    commitment = ledger_commitment(entries)
    for epoch, root in entries:
        assert _climb(_reference_leaf(epoch, root), commitment.proof_for(epoch)) == commitment.root
    assert (commitment.first_epoch, commitment.last_epoch) == (10, 10 + count - 1)


def test_draft_epochs_have_a_zero_root() -> None:
    commitment = ledger_commitment([(0, b"\0" * 32), (1, _root(1))])
    assert _climb(epoch_leaf(1, _root(1)), commitment.proof_for(1)) == commitment.root


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "at least one epoch"),
        ([(1, _root(1)), (3, _root(3))], "consecutive"),
        ([(2, _root(2)), (1, _root(1))], "consecutive"),
        ([(1, _root(1)), (1, _root(1))], "consecutive"),
        ([(-1, _root(1))], "epoch must be"),
        ([(True, _root(1))], "epoch must be"),
        ([(1, b"\1" * 31)], "32 bytes"),
        ([(1, "0x" + "11" * 32)], "32 bytes"),
    ],
)
def test_bad_entries_are_refused(entries: list, message: str) -> None:
    with pytest.raises(CommitmentError, match=message):
        ledger_commitment(entries)


def test_uncovered_epoch_is_named() -> None:
    commitment = ledger_commitment([(4, _root(4)), (5, _root(5))])
    with pytest.raises(CommitmentError, match=r"epoch 6 is not covered .*4\.\.5"):
        commitment.proof_for(6)
