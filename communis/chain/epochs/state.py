"""Reading the state of the epoch game: the policy, the pending proposal, the undecided disputes,
the status, and what to do next."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from eth_abi.abi import encode as abi_encode
from eth_utils import to_checksum_address

from communis.chain.epochs.attesters import attester_set
from communis.chain.epochs.contract import (
    DISPUTE_ABI,
    EpochOpError,
    Status,
    as_hex,
    attesters_of,
    bytes32,
    chain_now,
    from_struct,
    influence_of,
    json_amounts,
    json_record,
)
from communis.chain.governance.governor import Governance
from communis.chain.next_steps import NextStep, after_challenge, after_propose
from communis.engine.keccak import keccak
from communis.engine.policy import Policy, policy_hash
from communis.engine.units import UNIT

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from communis.economics.params import Parameters


def onchain_policy(rewards: ContractInstance) -> Policy:
    """The policy in force, as the engine's :class:`Policy` (its hash is checked)."""
    policy = Policy.from_abi(rewards.policy())
    if policy_hash(policy) != bytes32(rewards.policyHash()):
        raise EpochOpError("the engine's policy hash differs from the contract's policyHash()")
    return policy


def epoch_end(influence: ContractInstance, epoch: int) -> int:
    """When ``epoch`` ends (and can be proposed): ``genesis + (epoch + 1) * epochDuration``."""
    return int(influence.genesis()) + (epoch + 1) * int(influence.epochDuration())


@dataclass(frozen=True)
class Pending:
    """The proposal in the pending slot: a root covering epochs ``first_epoch..epoch``."""

    epoch: int
    first_epoch: int
    status: Status
    root: str
    ledger_root: str
    proposer: str
    challenge_deadline: int
    cumulative_tokens: int
    cumulative_influence: int
    proposer_bond: int


@dataclass(frozen=True)
class Dispute:
    """``IContributionRewards.Dispute``: a challenged root's bonds, what decides them and the
    deadline. The contract stores only its hash; the record comes from ``RootChallenged``."""

    epoch: int
    first_epoch: int
    root: str
    ledger_root: str
    proposer: str
    proposer_bond: int
    challenger: str
    challenger_bond: int
    reward_bps: int
    fee_bps: int
    deadline: int

    @classmethod
    def from_record(cls, record: Sequence[Any]) -> Dispute:
        """The record as an event decodes it (the struct's fields in order)."""
        (epoch, first, root, ledger_root, proposer, bond, challenger, cbond, reward, fee, end) = (
            record
        )
        return cls(
            int(epoch),
            int(first),
            as_hex(bytes(root)),
            as_hex(bytes(ledger_root)),
            to_checksum_address(str(proposer)),
            int(bond),
            to_checksum_address(str(challenger)),
            int(cbond),
            int(reward),
            int(fee),
            int(end),
        )

    def to_abi(self) -> tuple[Any, ...]:
        """The struct as ``resolveDispute``, ``settleDispute`` and the fraud proof take it."""
        return (
            self.epoch,
            self.first_epoch,
            bytes32(self.root),
            bytes32(self.ledger_root),
            self.proposer,
            self.proposer_bond,
            self.challenger,
            self.challenger_bond,
            self.reward_bps,
            self.fee_bps,
            self.deadline,
        )

    @property
    def hash(self) -> str:
        """``keccak256(abi.encode(dispute))``: what the contract keeps while it is undecided."""
        return as_hex(keccak(abi_encode([DISPUTE_ABI], [self.to_abi()])))

    @property
    def key(self) -> str:
        """``disputeKey(epoch, root, ledgerRoot)``."""
        return root_key(self.epoch, self.root, self.ledger_root)


def root_key(epoch: int, root: str, ledger_root: str) -> str:
    """The key of disputes, bans and challenges: ``keccak256(abi.encode(epoch, root,
    ledgerRoot))``."""
    encoded = abi_encode(
        ["uint256", "bytes32", "bytes32"], [epoch, bytes32(root), bytes32(ledger_root)]
    )
    return as_hex(keccak(encoded))


@dataclass(frozen=True)
class RewardsStatus:
    """Everything `ape run epoch status` prints."""

    address: str
    now: int
    current_epoch: int
    next_epoch: int
    next_epoch_ends: int
    current_root: str
    finalized_tokens: int
    finalized_influence: int
    claimed_tokens: int
    claimed_influence: int
    policy: Policy
    policy_hash: str
    challenger_reward_bps: int
    treasury: str
    attesters_hash: str
    pending: Pending | None
    disputes: tuple[Dispute, ...] = ()
    half_life: int = 0
    """Influence's half-life in epochs (to show stored influence in influence)."""

    def to_json(self) -> dict[str, Any]:
        """Every field in the contracts' units; amounts as decimal strings (they exceed 2**53),
        the policy in its JSON form."""
        data: dict[str, Any] = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("policy", "pending", "disputes")
        }
        data["policy"] = self.policy.to_json()
        data["pending"] = None if self.pending is None else json_record(self.pending)
        data["disputes"] = [json_record(d) for d in self.disputes]
        return json_amounts(data)


def pending_proposal(rewards: ContractInstance) -> Pending | None:
    """The proposal occupying the pending slot (status PROPOSED), or None."""
    p = rewards.pendingProposal()
    status = Status(int(p.status))
    if status != Status.PROPOSED:
        return None
    return from_struct(Pending, p, status=status)


def undecided_disputes(
    rewards: ContractInstance, *, epoch: int | None = None, from_block: int = 0
) -> list[Dispute]:
    """The disputes not yet decided, settled or proven (of ``epoch`` only, if given): the
    ``RootChallenged`` records whose hash the contract still holds."""
    import ape

    topics = {"epoch": epoch} if epoch is not None else None
    logs = rewards.RootChallenged.range(
        from_block, ape.chain.blocks.height + 1, search_topics=topics
    )
    found: dict[str, Dispute] = {}
    for log in logs:
        dispute = Dispute.from_record(log.dispute)
        held = rewards.disputeHash(dispute.epoch, dispute.root, dispute.ledger_root)
        if as_hex(held) == dispute.hash:
            found[dispute.key] = dispute
    return sorted(found.values(), key=lambda d: (d.deadline, d.epoch))


def find_dispute(
    rewards: ContractInstance, epoch: int, *, root: str | None = None, from_block: int = 0
) -> Dispute:
    """The one undecided dispute of ``epoch`` (of ``root``, when several are undecided)."""
    candidates = undecided_disputes(rewards, epoch=epoch, from_block=from_block)
    if root is not None:
        candidates = [d for d in candidates if d.root == as_hex(root)]
    if not candidates:
        which = f" of root {root}" if root else ""
        raise EpochOpError(
            f"epoch {epoch} has no undecided dispute{which} (none was opened, or it was already "
            "resolved, settled or proven; see `ape run epoch status`)"
        )
    if len(candidates) > 1:
        roots = ", ".join(d.root for d in candidates)
        raise EpochOpError(
            f"epoch {epoch} has {len(candidates)} undecided disputes ({roots}): pass --root"
        )
    return candidates[0]


def status(rewards: ContractInstance, *, from_block: int = 0) -> RewardsStatus:
    influence = influence_of(rewards)
    now = chain_now()
    next_epoch = int(rewards.nextEpoch())
    finalized = rewards.finalizedTotals()
    claimed = rewards.totalClaimed()
    return RewardsStatus(
        address=str(rewards.address),
        now=now,
        current_epoch=int(influence.epochAt(now)),
        next_epoch=next_epoch,
        next_epoch_ends=epoch_end(influence, next_epoch),
        current_root=as_hex(rewards.currentRoot()),
        finalized_tokens=int(finalized[0]),
        finalized_influence=int(finalized[1]),
        claimed_tokens=int(claimed[0]),
        claimed_influence=int(claimed[1]),
        policy=onchain_policy(rewards),
        policy_hash=as_hex(rewards.policyHash()),
        challenger_reward_bps=int(rewards.challengerRewardBps()),
        treasury=str(rewards.treasury()),
        attesters_hash=as_hex(attesters_of(rewards).logHash()),
        pending=pending_proposal(rewards),
        disputes=tuple(undecided_disputes(rewards, from_block=from_block)),
        half_life=int(influence.halfLife()),
    )


def onchain_parameters(rewards: ContractInstance, gov: Governance) -> Parameters:
    """The economic parameters in force on chain, for the attack models
    (:class:`communis.economics.params.Parameters`): the policy, the challenger reward, the
    governor and timelock settings, Influence's epoch and half-life, and the points budgets of
    the attesters appointed for the epoch running now."""
    from communis.chain.governance.settings import governance_params
    from communis.economics.params import Parameters

    influence = influence_of(rewards)
    epoch = int(influence.epochAt(chain_now()))
    attesters = attester_set(rewards)
    appointed = sorted({change.attester for change in attesters.changes})
    points = [attesters.budget_at(a, epoch) for a in appointed]
    return Parameters.from_policy(
        onchain_policy(rewards),
        challenger_reward_bps=int(rewards.challengerRewardBps()),
        governance=governance_params(gov),
        epoch_duration=int(influence.epochDuration()),
        half_life_epochs=int(influence.halfLife()),
        attester_budgets=tuple(-(-budget // UNIT) for budget in points if budget > 0),
    )


def pending_of(rewards: ContractInstance, epoch: int, what: str) -> Pending:
    pending = pending_proposal(rewards)
    if pending is None or pending.epoch != epoch:
        if pending is not None:
            raise EpochOpError(
                f"the pending root is epoch {pending.epoch}'s (covering {pending.first_epoch}.."
                f"{pending.epoch}), not epoch {epoch}'s: {what} {pending.epoch}"
            )
        raise EpochOpError(f"epoch {epoch} has no pending root to {what}")
    return pending


def status_next_steps(s: RewardsStatus, bundle_of: Callable[[int], str]) -> list[NextStep]:
    """What the epoch game waits for, from its status: finalizing or challenging the pending
    root, deciding or settling a dispute, proposing the next ended epoch. ``bundle_of``: the
    bundle folder of an epoch, as the command would name it."""
    steps: list[NextStep] = []
    if s.pending is not None:
        q = s.pending
        if s.now < q.challenge_deadline:
            steps += after_propose(q.epoch, q.challenge_deadline)
        else:
            steps.append(NextStep(f"ape run epoch finalize {q.epoch}", why="its window has passed"))
    for d in s.disputes:
        if s.now < d.deadline:
            steps += after_challenge(d.epoch, d.deadline, bundle_of(d.epoch))[:1]
        steps.append(
            NextStep(
                f"ape run epoch settle {d.epoch}",
                after=d.deadline,
                advance="dispute-end",
                why="ends the dispute without a verdict; each party pays the dispute fee",
            )
        )
    if s.pending is None:
        last = max(s.current_epoch - 1, s.next_epoch)
        covered = (
            f"epochs {s.next_epoch} to {last} (one catch-up root)"
            if last > s.next_epoch
            else f"epoch {s.next_epoch}"
        )
        steps.append(
            NextStep(
                f"ape run epoch propose {bundle_of(last)}",
                after=s.next_epoch_ends,
                advance="epoch-end",
                why=f"the next root covers {covered}; `ape run epoch build LEDGER` makes the "
                "bundle",
            )
        )
    return steps
