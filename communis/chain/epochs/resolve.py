"""Governance's verdict on a dispute: the resolution proposal, and moving it one step forward."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from communis.chain.epochs.contract import EpochOpError, Sent, as_hex, chain_now, record_sent
from communis.chain.epochs.state import Dispute, find_dispute, undecided_disputes
from communis.chain.governance.governor import Governance
from communis.chain.governance.proposals import STATES as GOVERNOR_STATES
from communis.chain.governance.proposals import Action, Proposal, for_proposer, short_id
from communis.chain.next_steps import NextStep, after_challenge, after_resolution, after_verdict
from communis.engine.units import format_when

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


def resolution(
    rewards: ContractInstance, dispute: Dispute, upheld: bool, proposer: str
) -> Proposal:
    """The resolution proposal of ``dispute`` as ``proposer`` submits it: one call to
    ``resolveDispute``; the description ends in ``#proposer=<address>``, so only ``proposer``
    can create it and nobody can block it by creating (and cancelling) the same proposal first.
    The governor bars the dispute's proposer and challenger from voting on it."""
    calldata = bytes(rewards.resolveDispute.encode_input(dispute.to_abi(), upheld))
    text = resolution_text(dispute, upheld)
    action = Action(str(rewards.address), 0, calldata, text)
    return Proposal((action,), for_proposer(text, proposer))


def resolution_text(dispute: Dispute, upheld: bool) -> str:
    """The human part of a resolution proposal's description."""
    verdict = "uphold" if upheld else "reject"
    return (
        f"ContributionRewards: {verdict} the challenge of epoch {dispute.epoch} "
        f"(root {dispute.root}, challenger {dispute.challenger})"
    )


def _proposal_state(governor: ContractInstance, proposal_id: int) -> str | None:
    try:
        return GOVERNOR_STATES[int(governor.state(proposal_id))]
    except Exception:  # GovernorNonexistentProposal
        return None


def find_resolution(
    governor: ContractInstance,
    rewards: ContractInstance,
    dispute: Dispute,
    upheld: bool,
    *,
    from_block: int = 0,
) -> Proposal | None:
    """The newest resolution proposal of ``dispute`` that was not cancelled, whoever proposed it
    (from the ProposalCreated events)."""
    import ape

    logs = governor.ProposalCreated.range(from_block, ape.chain.blocks.height + 1)
    for log in reversed(list(logs)):
        wanted = resolution(rewards, dispute, upheld, str(log.proposer))
        same = Proposal.from_event(log) == wanted
        if same and _proposal_state(governor, int(log.proposalId)) != "Canceled":
            return wanted
    return None


def _earliest_execution(governor: ContractInstance) -> int:
    """When a resolution proposed now could execute at the earliest: the vote's start and
    length and the timelock's delay (a late quorum can only add to it)."""
    import ape

    timelock = ape.project.CommunisTimelock.at(governor.timelock())
    return (
        chain_now()
        + int(governor.votingDelay())
        + int(governor.votingPeriod())
        + int(timelock.getMinDelay())
    )


def resolve(
    rewards: ContractInstance,
    epoch: int,
    upheld: bool,
    sender: AccountAPI,
    *,
    governor: ContractInstance | None = None,
    vote: int | None = None,
    root: str | None = None,
    from_block: int = 0,
) -> list[Sent | str]:
    """Move the resolution of ``epoch``'s undecided dispute one step forward (``root``: which
    one, when several are undecided).

    Without ``governor`` the sender must hold GOVERNOR_ROLE (before the handover to the
    timelock) and the dispute is resolved directly. With ``governor``, each call advances the
    governance proposal: propose it, vote (``vote``: 0 against, 1 for, 2 abstain) while active,
    queue it once it succeeded, execute it once the timelock delay passed. The proposal is the
    newest live one for this resolution, whoever created it (``from_block``: where to search its
    event), else a new one by the sender. A verdict must execute before the dispute's deadline;
    after it, :func:`settle` ends the dispute. Returns what was sent and, as strings, what is
    left to wait for.
    """
    dispute = find_dispute(rewards, epoch, root=root, from_block=from_block)
    if chain_now() >= dispute.deadline:
        raise EpochOpError(
            f"the deadline of epoch {epoch}'s dispute ({format_when(dispute.deadline)}) has "
            f"passed: no verdict can arrive any more; settle it (ape run epoch settle {epoch})"
        )
    if governor is None:
        if not rewards.hasRole(rewards.GOVERNOR_ROLE(), sender):
            raise EpochOpError(
                f"{sender.address} lacks GOVERNOR_ROLE: resolve through the governor (--governor)"
            )
        receipt = rewards.resolveDispute(dispute.to_abi(), upheld, sender=sender)
        return [
            record_sent("resolveDispute", receipt, epoch=epoch, root=dispute.root, upheld=upheld)
        ]

    gov = Governance(governor)
    r = find_resolution(governor, rewards, dispute, upheld, from_block=from_block)
    r = r or resolution(rewards, dispute, upheld, sender.address)
    proposal_id = gov.proposal_id(r)
    state = _proposal_state(governor, proposal_id)
    done: list[Sent | str] = []
    if state is None:
        earliest = _earliest_execution(governor)
        if earliest >= dispute.deadline:
            raise EpochOpError(
                f"a resolution proposed now executes at the earliest at {format_when(earliest)}, "
                f"not before the dispute's deadline {format_when(dispute.deadline)}: it would "
                f"fail; settle the dispute after its deadline instead (ape run epoch settle "
                f"{epoch})"
            )
        receipt = gov.submit(r, sender=sender)
        starts = int(governor.proposalSnapshot(proposal_id))
        done.append(
            record_sent(
                "governor.propose", receipt, proposal_id=proposal_id, epoch=epoch, snapshot=starts
            )
        )
    elif state == "Pending":
        starts = int(governor.proposalSnapshot(proposal_id))
        done.append(
            f"resolution proposal {short_id(proposal_id)} is pending: voting starts after "
            f"{format_when(starts)}"
        )
    elif state == "Active":
        if vote is None:
            ends = int(governor.proposalDeadline(proposal_id))
            done.append(
                f"resolution proposal {short_id(proposal_id)} is open for votes until "
                f"{format_when(ends)}: pass --vote for, against or abstain"
            )
        elif governor.isDisputeParty(proposal_id, sender):
            raise EpochOpError(
                f"{sender.address} is a party of epoch {epoch}'s dispute (its proposer or "
                "challenger): it cannot vote on the proposal that resolves it"
            )
        else:
            receipt = gov.cast(proposal_id, vote, sender=sender)
            ends = int(governor.proposalDeadline(proposal_id))
            done.append(
                record_sent(
                    "governor.castVote",
                    receipt,
                    proposal_id=proposal_id,
                    support=vote,
                    voting_deadline=ends,
                )
            )
    elif state == "Succeeded":
        receipt = gov.queue(proposal_id, sender=sender, proposal=r)
        eta = int(governor.proposalEta(proposal_id))
        done.append(record_sent("governor.queue", receipt, proposal_id=proposal_id, eta=eta))
    elif state == "Queued":
        eta = int(governor.proposalEta(proposal_id))
        if chain_now() < eta:
            done.append(
                f"resolution proposal {short_id(proposal_id)} is queued; executable from "
                f"{format_when(eta)} (the dispute's deadline is {format_when(dispute.deadline)})"
            )
        else:
            receipt = gov.execute(proposal_id, sender=sender, proposal=r)
            done.append(
                record_sent(
                    "governor.execute", receipt, proposal_id=proposal_id, epoch=epoch, upheld=upheld
                )
            )
    else:
        done.append(
            f"resolution proposal {short_id(proposal_id)} is {state}: nothing more to do (the "
            f"dispute ends without a verdict at {format_when(dispute.deadline)})"
        )
    return done


def resolution_next_steps(
    rewards: ContractInstance,
    epoch: int,
    upheld: bool,
    *,
    governor: ContractInstance | None = None,
    root: str | None = None,
    from_block: int = 0,
    bundle: Path | str = "BUNDLE",
) -> list[NextStep]:
    """What to do after :func:`resolve` moved ``epoch``'s dispute one step, read from the chain:
    the next governance step of its resolution (and when), or, once decided, proposing again;
    settling once no verdict can arrive."""
    disputes = undecided_disputes(rewards, epoch=epoch, from_block=from_block)
    if root is not None:
        disputes = [d for d in disputes if d.root == as_hex(root)]
    if len(disputes) != 1:
        return after_verdict(epoch, upheld, bundle) if not disputes else []
    [dispute] = disputes
    settle = NextStep(
        f"ape run epoch settle {epoch}",
        after=dispute.deadline,
        advance="dispute-end",
        why="no verdict arrived before the deadline: anyone ends the dispute; each party pays "
        "the dispute fee",
    )
    r = None if governor is None else find_resolution(governor, rewards, dispute, upheld)
    if governor is None or r is None:
        return after_challenge(epoch, dispute.deadline, bundle)
    proposal_id = Governance(governor).proposal_id(r)
    state = _proposal_state(governor, proposal_id)
    if state == "Pending":
        return after_resolution(
            "propose", epoch, upheld, int(governor.proposalSnapshot(proposal_id))
        )
    if state == "Active":
        return after_resolution("vote", epoch, upheld, int(governor.proposalDeadline(proposal_id)))
    if state == "Succeeded":
        return [
            NextStep(
                f"ape run epoch resolve {epoch} {'--uphold' if upheld else '--reject'}",
                why="queues the resolution in the timelock",
            )
        ]
    if state == "Queued":
        return after_resolution("queue", epoch, upheld, int(governor.proposalEta(proposal_id)))
    return [settle]
