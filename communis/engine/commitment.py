"""The ledger commitment of a proposal: which attested ledgers a root was computed from.

A root may cover several ended epochs at once (a catch-up root, ``nextEpoch..epoch``). Its
``ledgerRoot`` argument commits to every covered epoch's attested ledger root (the root of that
epoch's batch tree, ``Attestations.ledger_tree``) through a StandardMerkleTree over one leaf
per covered epoch::

    keccak256(keccak256(abi.encode(uint256 epoch, bytes32 epochLedgerRoot)))

(sorted pairs, double-hashed leaves: OpenZeppelin's ``MerkleProof`` verifies its proofs). A
single-epoch proposal has one leaf: the commitment is that leaf and its proof is empty.
``ContributionRewards.proveUnattestedBatch`` checks a batch in two steps: the batch leaf
against the epoch ledger root, then the epoch leaf against this commitment.

An epoch built from a draft (unattested) ledger has the ledger root zero; its leaf is still in
the tree, and no batch can ever be proven against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from communis.engine.keccak import keccak
from communis.engine.merkle import proof_of, tree_of_hashes
from communis.errors import CommunisError

ZERO_ROOT = b"\x00" * 32


class CommitmentError(CommunisError, ValueError):
    """The covered epochs or their ledger roots cannot form a ledger commitment."""


def epoch_leaf(epoch: int, ledger_root: bytes) -> bytes:
    """The commitment leaf of ``epoch``'s attested ledger root."""
    return keccak(keccak(epoch.to_bytes(32, "big") + ledger_root))


@dataclass(frozen=True, slots=True)
class LedgerCommitment:
    """The commitment over ``entries`` (``(epoch, epoch ledger root)``, consecutive epochs)."""

    entries: tuple[tuple[int, bytes], ...]
    nodes: tuple[bytes, ...]
    positions: tuple[int, ...]

    @property
    def root(self) -> bytes:
        """What ``proposeRoot`` takes as ``ledgerRoot``."""
        return self.nodes[0]

    @property
    def first_epoch(self) -> int:
        return self.entries[0][0]

    @property
    def last_epoch(self) -> int:
        return self.entries[-1][0]

    def ledger_root(self, epoch: int) -> bytes:
        """The attested ledger root committed for ``epoch``."""
        return self.entries[self._index(epoch)][1]

    def proof_for(self, epoch: int) -> list[bytes]:
        """The proof of ``epoch``'s leaf in the commitment (``BatchProof.ledgerProof``)."""
        return proof_of(self.nodes, self.positions[self._index(epoch)])

    def _index(self, epoch: int) -> int:
        index = epoch - self.first_epoch
        if not 0 <= index < len(self.entries):
            raise CommitmentError(
                f"epoch {epoch} is not covered by the commitment "
                f"(epochs {self.first_epoch}..{self.last_epoch})"
            )
        return index


def ledger_commitment(entries: Iterable[tuple[int, bytes]]) -> LedgerCommitment:
    """The commitment over ``(epoch, epoch ledger root)`` pairs: one per covered epoch,
    consecutive and in order, each root 32 bytes (zero for a draft ledger)."""
    checked: list[tuple[int, bytes]] = []
    for epoch, root in entries:
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch < 1 << 48:
            raise CommitmentError(f"epoch must be an integer in [0, 2^48), got {epoch!r}")
        if not isinstance(root, bytes) or len(root) != 32:
            raise CommitmentError(f"epoch {epoch}: a ledger root is 32 bytes, got {root!r}")
        if checked and epoch != checked[-1][0] + 1:
            raise CommitmentError(
                f"covered epochs must be consecutive: epoch {epoch} follows {checked[-1][0]}"
            )
        checked.append((epoch, root))
    if not checked:
        raise CommitmentError("a ledger commitment covers at least one epoch")
    nodes, positions = tree_of_hashes([epoch_leaf(e, r) for e, r in checked])
    return LedgerCommitment(tuple(checked), tuple(nodes), tuple(positions))
