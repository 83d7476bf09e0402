"""A wired Communis governance system: Influence, CommunisTimelock, InfluenceGovernor and
GuardianRegistry, every admin role handed to the timelock exactly as a deployment does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak

ZERO = "0x0000000000000000000000000000000000000000"
HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
UNIT = 10**18

HALF_LIFE = 26  # epochs of one week
TIMELOCK_DELAY = 2 * DAY
VOTING_DELAY = DAY
VOTING_PERIOD = WEEK
PROPOSAL_THRESHOLD = 10 * UNIT
QUORUM_PERCENT = 20
VOTE_EXTENSION = 2 * DAY
APPLICATION_THRESHOLD = 5 * UNIT

FOR, AGAINST, ABSTAIN = 1, 0, 2


@dataclass
class System:
    influence: Any
    timelock: Any
    governor: Any
    registry: Any
    token: Any
    awarder: Any
    guardian: Any


def deploy_system(project, deployer, awarder, guardian, token, genesis: int) -> System:
    """Deploy and wire; returns the contracts. Order: Influence, timelock, governor, registry,
    then roles: governor proposes/cancels on the timelock, the timelock administers everything,
    the deployer renounces every admin role."""
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
    registry = deployer.deploy(project.GuardianRegistry, influence, timelock, APPLICATION_THRESHOLD)

    timelock.grantRole(timelock.PROPOSER_ROLE(), governor, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), governor, sender=deployer)
    admin = influence.DEFAULT_ADMIN_ROLE()
    influence.grantRole(influence.AWARDER_ROLE(), awarder, sender=deployer)
    influence.grantRole(admin, timelock, sender=deployer)
    influence.renounceRole(admin, deployer, sender=deployer)
    token.grantRole(admin, timelock, sender=deployer)
    token.renounceRole(admin, deployer, sender=deployer)
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), deployer, sender=deployer)
    return System(influence, timelock, governor, registry, token, awarder, guardian)


@pytest.fixture(scope="session")
def awarder(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def whale(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[8]


@pytest.fixture
def system(project, chain, deployer, awarder, guardian, token) -> System:
    return deploy_system(project, deployer, awarder, guardian, token, chain.pending_timestamp)


@pytest.fixture
def members(system, alice, bob, carol, awarder, chain):
    """Alice 40, Bob 30, Carol 20 influence (epoch 0, so stored units == influence)."""
    for member, amount in ((alice, 40), (bob, 30), (carol, 20)):
        system.influence.awardStored(member, amount * UNIT, sender=awarder)
    advance(chain, 1)
    return alice, bob, carol


# --- helpers ---------------------------------------------------------------------------------


def advance(chain, seconds: int) -> None:
    """Mine a block `seconds` after the latest one."""
    chain.pending_timestamp = chain.blocks.head.timestamp + seconds
    chain.mine()


def description_hash(description: str) -> bytes:
    return keccak(text=description)


@dataclass
class Proposal:
    id: int
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str

    @property
    def args(self) -> tuple:
        return (self.targets, self.values, self.calldatas, description_hash(self.description))


def propose(governor, proposer, actions, description: str) -> Proposal:
    """``actions``: list of (contract, method name, args). Returns the proposal."""
    targets = [contract.address for contract, _, _ in actions]
    calldatas = [
        getattr(contract, method).encode_input(*args) for contract, method, args in actions
    ]
    values = [0] * len(actions)
    receipt = governor.propose(targets, values, calldatas, description, sender=proposer)
    created = receipt.events.filter(governor.ProposalCreated)[0]
    return Proposal(created.proposalId, targets, values, calldatas, description)


def start_voting(chain, governor, proposal: Proposal) -> None:
    """Move past the snapshot so votes can be cast."""
    snapshot = governor.proposalSnapshot(proposal.id)
    chain.pending_timestamp = snapshot + 1
    chain.mine()


def end_voting(chain, governor, proposal: Proposal) -> None:
    chain.pending_timestamp = governor.proposalDeadline(proposal.id) + 1
    chain.mine()


def pass_and_queue(chain, governor, proposal: Proposal, voters) -> None:
    start_voting(chain, governor, proposal)
    for voter in voters:
        governor.castVote(proposal.id, FOR, sender=voter)
    end_voting(chain, governor, proposal)
    governor.queue(*proposal.args, sender=voters[0])


def execute_after_delay(chain, governor, proposal: Proposal, sender) -> Any:
    chain.pending_timestamp = governor.proposalEta(proposal.id) + 1
    return governor.execute(*proposal.args, sender=sender)
