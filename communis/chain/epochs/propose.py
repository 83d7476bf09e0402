"""Proposing a root with its bond, and finalizing it once its window has passed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from communis.chain.epochs.commitment import commitment_of, covered_bundles
from communis.chain.epochs.contract import (
    ZERO32,
    EpochOpError,
    Sent,
    as_hex,
    bytes32,
    chain_now,
    ensure_allowance,
    influence_of,
    record_sent,
)
from communis.chain.epochs.fraud_proof import check_batches
from communis.chain.epochs.state import epoch_end, onchain_policy, pending_of, pending_proposal
from communis.engine.attest.files import ATTESTATIONS_FILE
from communis.engine.bundle import load_totals
from communis.engine.units import format_when
from communis.publish import check_ledger_uri

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


def _check_key_free(rewards: ContractInstance, epoch: int, root: str, ledger_root: str) -> None:
    if rewards.isRootBanned(epoch, root, ledger_root):
        raise EpochOpError(
            f"root {root} with ledger commitment {ledger_root} is banned for epoch {epoch} (a "
            "dispute about it was upheld, or an unattested batch proven): rebuild the bundle"
        )
    if as_hex(rewards.disputeHash(epoch, root, ledger_root)) != as_hex(ZERO32):
        raise EpochOpError(
            f"root {root} is under an undecided dispute for epoch {epoch}: it can be proposed "
            "again once the dispute ends without a ban (`ape run epoch settle` after its "
            f"deadline), or its rewards carried by a root for epoch {epoch + 1} once that ends"
        )


def propose(
    rewards: ContractInstance,
    bundle: Path,
    sender: AccountAPI,
    *,
    uri: str | None = None,
    check_attesters: bool = True,
) -> list[Sent]:
    """Propose ``bundle``'s root (approving the proposer bond first if needed). The root covers
    every ended epoch from ``nextEpoch`` to the bundle's epoch (a catch-up root when more than
    one; their bundles are the sibling folders) and bonds ``proposerBond`` for each of them;
    ``ledgerRoot`` is the commitment over the covered epochs' attested ledgers. Refuses draft
    bundles, batches the AttesterRegistry rejects (unless ``check_attesters=False``: a cheat's
    own script, see :func:`build`) and, off local chains, a ``uri`` only the proposer can
    resolve (``communis.publish.check_ledger_uri``)."""
    import ape

    totals = load_totals(bundle)
    epoch = totals.epoch
    first = int(rewards.nextEpoch())
    if epoch < first:
        raise EpochOpError(
            f"epoch {epoch} is finalized already: the next root covers epochs from {first} on"
        )
    policy = onchain_policy(rewards)
    if not policy.open_proposing and not rewards.hasRole(rewards.PROPOSER_ROLE(), sender):
        raise EpochOpError(
            f"{sender.address} lacks PROPOSER_ROLE, and the policy closes proposing to it "
            "(governance grants the role, or opens proposing)"
        )
    now = chain_now()
    pending = pending_proposal(rewards)
    if pending is not None:
        if now < pending.challenge_deadline:
            raise EpochOpError(
                f"the root {pending.root} of epoch {pending.epoch} is pending until "
                f"{format_when(pending.challenge_deadline, now=now)}: challenge it if it is "
                f"wrong, or finalize it after its window (ape run epoch finalize {pending.epoch})"
            )
        raise EpochOpError(
            f"the root of epoch {pending.epoch} passed its window: finalize it first "
            f"(ape run epoch finalize {pending.epoch})"
        )
    ends = epoch_end(influence_of(rewards), epoch)
    if now < ends:
        raise EpochOpError(
            f"epoch {epoch} ends at {format_when(ends, now=now)}: propose after that"
        )
    in_force = as_hex(rewards.policyHash())
    if totals.policy_hash != in_force:
        raise EpochOpError(
            f"the bundle was computed under policy {totals.policy_hash} but {in_force} is in "
            "force: rebuild it (ape run epoch build)"
        )
    covered = covered_bundles(bundle, first)
    drafts = [e for e, folder in covered if not load_totals(folder).attested]
    if drafts:
        raise EpochOpError(
            f"the bundle(s) of epoch(s) {drafts} are drafts: their rows are not attested, and "
            "an unattested row is provable fraud; have the attesters sign the ledger "
            "(communis attest / ape run attest) and rebuild"
        )
    ledger_uri = check_ledger_uri(uri or str(Path(bundle).resolve()), int(ape.chain.chain_id))
    if check_attesters:
        files = [(e, folder / ATTESTATIONS_FILE) for e, folder in covered]
        check_batches(rewards, files, what=f"propose {bundle}")
    commitment = commitment_of(bundle, first)
    ledger_root = as_hex(commitment.root)
    _check_key_free(rewards, epoch, totals.root, ledger_root)
    bond = policy.proposer_bond * (epoch - first + 1)  # one bond per covered epoch
    done = [s for s in [ensure_allowance(rewards, sender, bond, "proposer")] if s]
    tokens, stored = totals.cumulative_totals.tokens, totals.cumulative_totals.influence_stored
    receipt = rewards.proposeRoot(
        epoch,
        bytes32(totals.root),
        tokens,
        stored,
        commitment.root,
        ledger_uri,
        bytes32(in_force),
        sender=sender,
    )
    deadline = int(rewards.pendingProposal().challengeDeadline)
    done.append(
        record_sent(
            "proposeRoot",
            receipt,
            epoch=epoch,
            first_epoch=first,
            root=totals.root,
            ledger_root=ledger_root,
            cumulative_tokens=tokens,
            cumulative_influence_stored=stored,
            bond=bond,
            challenge_deadline=deadline,
        )
    )
    return done


def finalize(rewards: ContractInstance, epoch: int, sender: AccountAPI) -> Sent:
    """Finalize the unchallenged root of ``epoch`` (and every epoch it covers) once its window
    has passed."""
    pending = pending_of(rewards, epoch, "finalize")
    now = chain_now()
    if now < pending.challenge_deadline:
        raise EpochOpError(
            f"the challenge window of epoch {epoch} is open until "
            f"{format_when(pending.challenge_deadline, now=now)}: finalize after that"
        )
    receipt = rewards.finalize(epoch, sender=sender)
    return record_sent(
        "finalize",
        receipt,
        epoch=epoch,
        first_epoch=pending.first_epoch,
        root=pending.root,
        bond_returned=pending.proposer_bond,
    )
