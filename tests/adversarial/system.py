"""The whole Communis system wired as a deployment hands it over: CommunityToken, Influence,
CommunisTimelock, InfluenceGovernor, GuardianRegistry and ContributionRewards, with the timelock
the only admin of everything (the deployer renounces every role). Shared by the adversarial
scenarios and the stateful invariant test.

Members get influence only the honest way: through a finalized reward epoch and a claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from tests.governance.conftest import (
    APPLICATION_THRESHOLD,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    TIMELOCK_DELAY,
    VOTE_EXTENSION,
    VOTING_DELAY,
    VOTING_PERIOD,
    ZERO,
)
from tests.rewards.conftest import (
    CHALLENGER_REWARD_BPS,
    HALF_LIFE,
    POLICY,
    TOKEN,
    WEEK,
    Epoch,
    cumulative,
)

MAX_UINT = 2**256 - 1
FOR, AGAINST, ABSTAIN = 1, 0, 2
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)


@dataclass
class Full:
    token: Any
    influence: Any
    timelock: Any
    governor: Any
    registry: Any
    rewards: Any
    genesis: int
    proposer: Any  # bonded root proposer
    guardian: Any  # registry guardian (challenges) and the governor's proposal guardian
    treasury: Any  # holds the genesis allocation (an EOA, so tests can hand out tokens)


def deploy_full(project, chain, deployer, *, proposer, guardian, treasury, token) -> Full:
    """Deploy and wire the system; ``token`` is a fresh CommunityToken administered by
    ``deployer`` whose genesis allocation went to ``treasury``."""
    genesis = chain.pending_timestamp
    influence = deployer.deploy(project.Influence, deployer, genesis, WEEK, HALF_LIFE)
    timelock = deployer.deploy(project.CommunisTimelock, TIMELOCK_DELAY, [], [ZERO], deployer)
    governor = deployer.deploy(
        project.InfluenceGovernor,
        influence,
        timelock,
        VOTING_DELAY,
        VOTING_PERIOD,
        PROPOSAL_THRESHOLD,
        QUORUM_PERCENT,
        VOTE_EXTENSION,
        guardian,
    )
    registry = deployer.deploy(project.GuardianRegistry, influence, deployer, APPLICATION_THRESHOLD)
    rewards = deployer.deploy(
        project.ContributionRewards,
        token,
        influence,
        deployer,
        timelock,
        registry,
        POLICY,
        CHALLENGER_REWARD_BPS,
    )
    admin = token.DEFAULT_ADMIN_ROLE()
    timelock.grantRole(timelock.PROPOSER_ROLE(), governor, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), governor, sender=deployer)
    token.grantRole(token.MINTER_ROLE(), rewards, sender=deployer)
    influence.grantRole(influence.AWARDER_ROLE(), rewards, sender=deployer)
    rewards.grantRole(rewards.PROPOSER_ROLE(), proposer, sender=deployer)
    registry.grantGuardian(guardian, sender=deployer)
    # Handover: the timelock administers everything, the deployer keeps nothing.
    registry.transferOwnership(timelock, sender=deployer)
    for contract in (token, influence, rewards):
        contract.grantRole(admin, timelock, sender=deployer)
    rewards.grantRole(rewards.GOVERNOR_ROLE(), timelock, sender=deployer)
    rewards.renounceRole(rewards.GOVERNOR_ROLE(), deployer, sender=deployer)
    for contract in (token, influence, rewards, timelock):
        contract.renounceRole(admin, deployer, sender=deployer)
    for account in (proposer, guardian):
        token.transfer(account, 10_000 * TOKEN, sender=treasury)
        token.approve(rewards, MAX_UINT, sender=account)
    return Full(
        token,
        influence,
        timelock,
        governor,
        registry,
        rewards,
        genesis,
        proposer,
        guardian,
        treasury,
    )


# --- time -------------------------------------------------------------------------------------


def travel(chain, timestamp: int) -> None:
    """Mine a block at ``timestamp`` (or one second after the head if that is later)."""
    chain.pending_timestamp = max(timestamp, chain.blocks.head.timestamp + 1)
    chain.mine()


def end_epoch(chain, full: Full, epoch: int) -> None:
    travel(chain, full.genesis + (epoch + 1) * WEEK)


# --- rewards ----------------------------------------------------------------------------------


def propose_root(full: Full, epoch: Epoch, *, totals: tuple[int, int] | None = None) -> Any:
    tokens, stored = totals or epoch.totals
    return full.rewards.proposeRoot(
        epoch.number,
        epoch.root,
        tokens,
        stored,
        f"ipfs://bundle/{epoch.number}",
        keccak(text=f"ledger {epoch.number}"),
        full.rewards.policyHash(),
        sender=full.proposer,
    )


def settle(chain, full: Full, epoch: Epoch) -> None:
    """Propose ``epoch`` once it ended, and finalize it after the challenge window."""
    end_epoch(chain, full, epoch.number)
    propose_root(full, epoch)
    travel(chain, full.rewards.pendingProposal().challengeDeadline)
    full.rewards.finalize(epoch.number, sender=full.proposer)


def claim(full: Full, epoch: Epoch, account, sender, *, expected_root: bytes = b"\0" * 32):
    tokens, stored = epoch.leaf(account)
    return full.rewards.claim(
        account, tokens, stored, epoch.proof(account), expected_root, sender=sender
    )


def earn(chain, full: Full, awards: dict, previous: Epoch | None = None) -> Epoch:
    """Run the next epoch with ``awards`` ({account: (tokens, influence)}) and claim it for
    every awarded account; returns the epoch (its cumulative table)."""
    number = 0 if previous is None else previous.number + 1
    epoch = cumulative(number, awards, previous)
    settle(chain, full, epoch)
    for account in awards:
        claim(full, epoch, account, account)
    travel(chain, chain.blocks.head.timestamp + 1)  # the claims are now in the past
    return epoch


# --- governance -------------------------------------------------------------------------------


@dataclass
class Proposal:
    id: int
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str

    @property
    def args(self) -> tuple:
        return (self.targets, self.values, self.calldatas, keccak(text=self.description))


def encode(actions) -> tuple[list[str], list[int], list[bytes]]:
    targets = [contract.address for contract, _, _ in actions]
    calldatas = [getattr(c, method).encode_input(*args) for c, method, args in actions]
    return targets, [0] * len(actions), calldatas


def propose(governor, proposer, actions, description: str) -> Proposal:
    targets, values, calldatas = encode(actions)
    receipt = governor.propose(targets, values, calldatas, description, sender=proposer)
    created = receipt.events.filter(governor.ProposalCreated)[0]
    return Proposal(created.proposalId, targets, values, calldatas, description)


def vote_through(chain, governor, proposal: Proposal, voters, *, executor) -> Any:
    """Vote FOR with ``voters``, queue and execute after the timelock delay."""
    travel(chain, governor.proposalSnapshot(proposal.id) + 1)
    for voter in voters:
        governor.castVote(proposal.id, FOR, sender=voter)
    travel(chain, governor.proposalDeadline(proposal.id) + 1)
    governor.queue(*proposal.args, sender=executor)
    travel(chain, governor.proposalEta(proposal.id) + 1)
    return governor.execute(*proposal.args, sender=executor)
