"""Challenging a pending root into a dispute, and settling a dispute nobody decided."""

from __future__ import annotations

from typing import TYPE_CHECKING

from communis.chain.epochs.contract import (
    EpochOpError,
    Sent,
    bytes32,
    chain_now,
    ensure_allowance,
    record_sent,
)
from communis.chain.epochs.state import Dispute, find_dispute, onchain_policy, pending_of
from communis.engine.units import format_when

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


def challenge(
    rewards: ContractInstance, epoch: int, sender: AccountAPI, *, evidence: str = ""
) -> list[Sent]:
    """Challenge the pending root of ``epoch`` (approving the challenger bond first if needed):
    the root is discarded at once and a dispute holds both bonds until governance decides or
    its deadline passes."""
    pending = pending_of(rewards, epoch, "challenge")
    if chain_now() >= pending.challenge_deadline:
        raise EpochOpError(
            f"the challenge window of epoch {epoch} closed at "
            f"{format_when(pending.challenge_deadline)}: the root can only be finalized now"
        )
    if not rewards.isGuardian(sender):
        raise EpochOpError(
            f"{sender.address} is not a guardian (governance adds them to the GuardianRegistry)"
        )
    if rewards.challengedBy(epoch, pending.root, pending.ledger_root, sender):
        raise EpochOpError(
            f"{sender.address} already challenged root {pending.root} of epoch {epoch}: a "
            "guardian challenges a root once (another guardian may)"
        )
    bond = onchain_policy(rewards).challenger_bond
    done = [s for s in [ensure_allowance(rewards, sender, bond, "challenger")] if s]
    receipt = rewards.challenge(epoch, bytes32(pending.root), evidence, sender=sender)
    dispute = Dispute.from_record(receipt.decode_logs(rewards.RootChallenged)[0].dispute)
    done.append(
        record_sent(
            "challenge",
            receipt,
            epoch=epoch,
            root=pending.root,
            bond=bond,
            evidence=evidence,
            dispute_deadline=dispute.deadline,
        )
    )
    return done


def settle(
    rewards: ContractInstance,
    epoch: int,
    sender: AccountAPI,
    *,
    root: str | None = None,
    from_block: int = 0,
) -> Sent:
    """End ``epoch``'s undecided dispute after its deadline (anyone): each party pays the
    dispute fee of its bond to the treasury and gets the rest back."""
    dispute = find_dispute(rewards, epoch, root=root, from_block=from_block)
    now = chain_now()
    if now < dispute.deadline:
        raise EpochOpError(
            f"the dispute of epoch {epoch} is open for a verdict until "
            f"{format_when(dispute.deadline, now=now)}: settle it after that"
        )
    receipt = rewards.settleDispute(dispute.to_abi(), sender=sender)
    [ended] = receipt.decode_logs(rewards.DisputeEnded)
    return record_sent(
        "settleDispute",
        receipt,
        epoch=epoch,
        root=dispute.root,
        to_proposer=int(ended.toProposer),
        to_challenger=int(ended.toChallenger),
        to_treasury=int(ended.toTreasury),
    )
