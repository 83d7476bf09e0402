"""The fraud proof: a batch in a root's ledger commitment that no attester signed, judged by the
AttesterRegistry and proven on chain with no vote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communis.chain.epochs.commitment import commitment_of, covered_bundles
from communis.chain.epochs.contract import (
    BatchStatus,
    EpochOpError,
    Sent,
    as_hex,
    attesters_of,
    bytes32,
    record_sent,
)
from communis.chain.epochs.state import pending_proposal, undecided_disputes
from communis.engine.attest.files import (
    ATTESTATIONS_FILE,
    Attestations,
    SignedBatch,
    read_attestations,
)
from communis.engine.bundle import load_totals

if TYPE_CHECKING:
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance


@dataclass(frozen=True)
class UnattestedBatch:
    """A batch of a proposal's ledger commitment that its signer could not attest, and the
    ``BatchProof`` that proves it on chain."""

    epoch: int
    attester: str
    status: BatchStatus
    file_line: int
    proof: tuple[Any, ...]


def _attestations(folder: Path) -> Attestations | None:
    path = folder / ATTESTATIONS_FILE
    return read_attestations(path) if path.is_file() else None


@dataclass(frozen=True)
class JudgedBatch:
    """A batch of an attestations file as the attester registry judges it now."""

    epoch: int
    path: Path
    """The attestations file."""
    index: int
    signed: SignedBatch
    status: BatchStatus
    contract: bool
    """The attester is an account with code (ERC-1271): a bad signature is not provable."""

    @property
    def provable(self) -> bool:
        """Whether anyone can prove it on chain (``proveUnattestedBatch``) and slash the bond of
        a root that commits to it: NotAttester, or a bad signature of an EOA."""
        bad_eoa = self.status == BatchStatus.BAD_SIGNATURE and not self.contract
        return self.status == BatchStatus.NOT_ATTESTER or bad_eoa

    @property
    def where(self) -> str:
        return f"{self.path}:{self.signed.file_line}"


def judge_batches(rewards: ContractInstance, path: Path, epoch: int) -> list[JudgedBatch]:
    """Every batch of the attestations file ``path`` (an epoch's), judged by the deployment's
    AttesterRegistry (``batchStatus``: membership in ``epoch``, budget, signature in its
    domain)."""
    import ape

    registry = attesters_of(rewards)
    judged = []
    for index, signed in enumerate(read_attestations(path).batches):
        status = BatchStatus(int(registry.batchStatus(astuple(signed.batch), signed.signature)))
        contract = bool(ape.chain.provider.get_code(signed.batch.attester))
        judged.append(JudgedBatch(epoch, Path(path), index, signed, status, contract))
    return judged


def _judgement(batch: JudgedBatch) -> str:
    b = batch.signed.batch
    reasons = {
        BatchStatus.NOT_ATTESTER: f"{b.attester} is not an attester in epoch {b.epoch}",
        BatchStatus.OVER_BUDGET: f"{b.attester}'s batch exceeds its points budget for epoch "
        f"{b.epoch}",
        BatchStatus.BAD_SIGNATURE: f"the signature is not {b.attester}'s in this deployment's "
        "domain (chain id and AttesterRegistry)",
    }
    return f"{batch.where}: {reasons.get(batch.status, batch.status.name)} [{batch.status.name}]"


def check_batches(
    rewards: ContractInstance, files: Sequence[tuple[int, Path]], *, what: str, remedy: str = ""
) -> None:
    """Refuse (``what``: the action refused) unless the registry judges every batch of the
    attestations ``files`` (``(epoch, path)``; missing files are skipped) valid: a root
    committing to a provable batch loses its proposer bond to anyone holding the bundle, and one
    over budget or with a contract attester's bad signature to a challenge."""
    bad = [
        judged
        for epoch, path in files
        if Path(path).is_file()
        for judged in judge_batches(rewards, path, epoch)
        if judged.status != BatchStatus.VALID
    ]
    if bad:
        raise EpochOpError(
            f"refused to {what}: the AttesterRegistry rejects {len(bad)} batch(es): "
            f"{'; '.join(_judgement(j) for j in bad)}. A root built on them would be rejected "
            "and its proposer bond slashed: have an appointed attester sign those rows "
            f"(`ape run attest`) and build again{remedy}"
        )


def find_unattested_batch(
    rewards: ContractInstance, bundle: Path, first: int, ledger_root: str
) -> UnattestedBatch | None:
    """The first batch in the attestations of the epochs ``first..bundle's epoch`` that the
    attester registry judges NotAttester, or BadSignature of an account without code (an EOA),
    with its two-level proof against the commitment ``ledger_root``; None if there is none."""
    commitment = commitment_of(bundle, first)
    if as_hex(commitment.root) != as_hex(ledger_root):
        raise EpochOpError(
            f"the ledger commitment of {bundle} and its sibling bundles is "
            f"{as_hex(commitment.root)}, not the proposal's {as_hex(ledger_root)}: prove with the "
            "bundles the proposer published"
        )
    for epoch, folder in covered_bundles(bundle, first):
        attestations = _attestations(folder)
        if attestations is None:
            continue
        tree = attestations.ledger_tree()
        if tree.root != commitment.ledger_root(epoch):
            raise EpochOpError(
                f"{folder / ATTESTATIONS_FILE}: its batches hash to {as_hex(tree.root)}, not the "
                f"ledger root {as_hex(commitment.ledger_root(epoch))} its totals.json records"
            )
        for judged in judge_batches(rewards, folder / ATTESTATIONS_FILE, epoch):
            if judged.provable:
                b, signed = judged.signed.batch, judged.signed
                proof = (
                    astuple(b),
                    signed.signature,
                    tree.root,
                    tree.proof(judged.index),
                    commitment.proof_for(epoch),
                )
                return UnattestedBatch(epoch, b.attester, judged.status, signed.file_line, proof)
    return None


def prove(
    rewards: ContractInstance, bundle: Path, sender: AccountAPI, *, from_block: int = 0
) -> Sent:
    """Prove on chain that the root proposed (or disputed) for ``bundle``'s epoch commits to a
    batch nobody accountable signed: the root is rejected and banned, the proposer bond slashed
    (the sender gets the challenger reward of a pending root), no vote needed."""
    epoch = load_totals(bundle).epoch
    pending = pending_proposal(rewards)
    other_root: EpochOpError | None = None
    if pending is not None and pending.epoch == epoch:
        try:
            found = find_unattested_batch(rewards, bundle, pending.first_epoch, pending.ledger_root)
        except EpochOpError as err:  # the bundle of another root: a disputed one, perhaps
            other_root, found = err, None
        if found is not None:
            receipt = rewards.proveUnattestedBatch(
                epoch, bytes32(pending.root), found.proof, sender=sender
            )
            return _proven(receipt, rewards, found, pending.root)
    for dispute in undecided_disputes(rewards, epoch=epoch, from_block=from_block):
        if as_hex(commitment_of(bundle, dispute.first_epoch).root) != dispute.ledger_root:
            continue
        found = find_unattested_batch(rewards, bundle, dispute.first_epoch, dispute.ledger_root)
        if found is not None:
            receipt = rewards.proveUnattestedBatchInDispute(
                dispute.to_abi(), found.proof, sender=sender
            )
            return _proven(receipt, rewards, found, dispute.root)
    if other_root is not None:
        raise other_root
    if pending is None or pending.epoch != epoch:
        raise EpochOpError(
            f"epoch {epoch} has no pending root, nor an undecided dispute over a root built from "
            f"{bundle}: nothing to prove against"
        )
    raise EpochOpError(
        f"every batch of {bundle}'s attestations was signed by an attester of its epoch (or by a "
        "contract attester, whose signatures only a challenge can dispute): nothing to prove; "
        "if the root is still wrong, challenge it"
    )


def _proven(
    receipt: ReceiptAPI, rewards: ContractInstance, found: UnattestedBatch, root: str
) -> Sent:
    [event] = receipt.decode_logs(rewards.UnattestedBatchProven)
    return record_sent(
        "proveUnattestedBatch",
        receipt,
        epoch=found.epoch,
        root=root,
        attester=found.attester,
        status=found.status.name,
        attestations_line=found.file_line,
        reward=int(event.toProver),
    )
