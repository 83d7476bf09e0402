"""Moving a local chain's clock: the library behind ``ape run chain advance``.

Epochs end, challenge windows close, votes open and close and the timelock releases only as time
passes. On a local chain (chain id 1337 or 31337) :func:`advance` moves the clock forward, by a
duration or to one of the moments that matter::

    epoch-end    the end of the epoch running now (its root can then be proposed)
    window-end   the close of the pending root's challenge window (it can then be finalized)
    dispute-end  the deadline of the undecided dispute that ends first (it can then be settled)
    vote-start   the start of a proposal's voting (after its snapshot)
    vote-end     the end of its voting (it can then be queued)
    timelock     the end of its timelock delay (it can then be executed)

and mines one block there. It refuses on any other chain: time on a live chain is not ours to
move. The proposal is the one given (short id, id or description), else the newest that is
waiting for that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from communis.chain.accounts import LOCAL_CHAIN_IDS, is_local
from communis.engine.units import format_duration
from communis.errors import CommunisError

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from communis.chain.governance import Governance
    from communis.chain.system import System

TARGETS = ("epoch-end", "window-end", "dispute-end", "vote-start", "vote-end", "timelock")


class ClockError(CommunisError, RuntimeError):
    """The clock cannot be moved as asked; the message says why."""


@dataclass(frozen=True)
class Advanced:
    """Where the clock was and where it is now (the new head block's time)."""

    before: int
    after: int
    block: int
    reason: str

    @property
    def seconds(self) -> int:
        return self.after - self.before


def now() -> int:
    """The time of the chain's newest block."""
    import ape

    return int(ape.chain.blocks.head.timestamp)


def check_local(chain_id: int) -> None:
    if not is_local(chain_id):
        local = " or ".join(str(c) for c in sorted(LOCAL_CHAIN_IDS))
        raise ClockError(
            f"refusing to move time on chain {chain_id}: only local chains (chain id {local}) "
            "can travel in time; a live chain's clock is everyone's"
        )


def move_to(timestamp: int, reason: str) -> Advanced:
    """Mine one block at ``timestamp`` (local chains only; never backwards)."""
    import ape

    check_local(int(ape.chain.chain_id))
    before = now()
    if timestamp <= before:
        raise ClockError(f"{reason} is already past (the chain's time is {before})")
    provider = ape.chain.provider
    if provider.name == "test":
        # The in-process EVM has no RPC for this: ape's own time travel.
        ape.chain.pending_timestamp = timestamp
        ape.chain.mine()
    else:
        try:
            provider.make_request("evm_setNextBlockTimestamp", [timestamp])
            provider.make_request("evm_mine", [])
        except Exception as err:
            raise ClockError(f"the node cannot move its clock ({err}): is it anvil?") from None
    head = ape.chain.blocks.head
    return Advanced(before=before, after=int(head.timestamp), block=int(head.number), reason=reason)


def advance_by(seconds: int) -> Advanced:
    if seconds <= 0:
        raise ClockError("advance by a positive duration, e.g. 2d, 12h, 90s")
    return move_to(now() + seconds, f"{format_duration(seconds)} later")


def epoch_end(system: System) -> tuple[int, str]:
    """When the epoch running now ends."""
    influence = system.influence
    current = int(influence.epochAt(now()))
    end = int(influence.genesis()) + (current + 1) * int(influence.epochDuration())
    return end, f"the end of epoch {current}"


def window_end(rewards: ContractInstance) -> tuple[int, str]:
    """When the pending root's challenge window closes (the pending slot's record)."""
    from communis.chain.epochs import pending_proposal, undecided_disputes

    pending = pending_proposal(rewards)
    if pending is None:
        disputed = [d.epoch for d in undecided_disputes(rewards)]
        why = (
            f": the root of epoch {disputed[-1]} was challenged; `--to dispute-end` reaches its "
            "dispute's deadline"
            if disputed
            else ""
        )
        raise ClockError(
            f"no root is waiting in its challenge window (`ape run epoch status`){why}"
        )
    return pending.challenge_deadline, f"the close of epoch {pending.epoch}'s challenge window"


def dispute_end(rewards: ContractInstance) -> tuple[int, str]:
    """The deadline of the undecided dispute that ends first and has not ended yet (from the
    ``RootChallenged`` records the contract still holds)."""
    from communis.chain.epochs import undecided_disputes

    waiting = [d for d in undecided_disputes(rewards) if d.deadline > now()]
    if not waiting:
        raise ClockError(
            "no dispute is waiting for its deadline (`ape run epoch status` lists the "
            "undecided ones; one past its deadline can be settled now)"
        )
    first = waiting[0]
    return first.deadline, f"the deadline of epoch {first.epoch}'s dispute"


_WAITING = {"vote-start": "Pending", "vote-end": "Active", "timelock": "Queued"}


def proposal_moment(gov: Governance, target: str, ref: str | None) -> tuple[int, str]:
    """When the proposal ``ref`` (else the newest one waiting for it) reaches ``target``."""
    from communis.chain.governance import short_id

    if ref is not None:
        proposal_id = gov.resolve(ref)
    else:
        waiting = [
            p.proposal_id
            for p in gov.listed()
            if gov.status(p.proposal_id).state == _WAITING[target]
        ]
        if not waiting:
            raise ClockError(
                f"no proposal is {_WAITING[target]} (waiting for {target}); name one with "
                "--proposal"
            )
        proposal_id = waiting[-1]
    governor = gov.governor
    label = short_id(proposal_id)
    if target == "vote-start":
        return int(governor.proposalSnapshot(proposal_id)) + 1, f"the vote on {label}"
    if target == "vote-end":
        return int(governor.proposalDeadline(proposal_id)) + 1, f"the end of the vote on {label}"
    eta = int(governor.proposalEta(proposal_id))
    if eta == 0:
        raise ClockError(f"proposal {label} is not queued in the timelock")
    return eta, f"the end of {label}'s timelock delay"


def advance_to(system: System, gov: Governance | None, target: str, ref: str | None) -> Advanced:
    """Move the clock to ``target`` (one of :data:`TARGETS`)."""
    import ape

    check_local(int(ape.chain.chain_id))
    if target == "epoch-end":
        moment, reason = epoch_end(system)
    elif target == "window-end":
        moment, reason = window_end(system.rewards)
    elif target == "dispute-end":
        moment, reason = dispute_end(system.rewards)
    elif target in _WAITING:
        if gov is None:
            raise ClockError("no governor deployed: nothing to vote on")
        moment, reason = proposal_moment(gov, target, ref)
    else:
        raise ClockError(f"unknown moment {target!r}: one of {', '.join(TARGETS)}")
    return move_to(moment, reason)
