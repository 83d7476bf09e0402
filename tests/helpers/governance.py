"""Governor proposals: propose a list of actions, move through voting, queue and execute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from tests.helpers.constants import DAY, FOR, HOUR, ZERO
from tests.helpers.time import travel


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
        """(targets, values, calldatas, descriptionHash): what queue/execute/cancel take."""
        return (self.targets, self.values, self.calldatas, description_hash(self.description))


def encode(actions) -> tuple[list[str], list[int], list[bytes]]:
    """``actions``: list of (contract, method name, args) -> targets, values, calldatas."""
    targets = [contract.address for contract, _, _ in actions]
    calldatas = [getattr(c, method).encode_input(*args) for c, method, args in actions]
    return targets, [0] * len(actions), calldatas


def propose(governor, proposer, actions, description: str) -> Proposal:
    """``actions``: list of (contract, method name, args). Returns the proposal."""
    targets, values, calldatas = encode(actions)
    receipt = governor.propose(targets, values, calldatas, description, sender=proposer)
    created = receipt.events.filter(governor.ProposalCreated)[0]
    return Proposal(created.proposalId, targets, values, calldatas, description)


def start_voting(chain, governor, proposal) -> None:
    """Move past the snapshot so votes can be cast."""
    chain.pending_timestamp = governor.proposalSnapshot(proposal.id) + 1
    chain.mine()


def end_voting(chain, governor, proposal) -> None:
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


def vote_through(chain, governor, proposal: Proposal, voters, *, executor) -> Any:
    """Vote FOR with ``voters``, queue and execute after the timelock delay."""
    travel(chain, governor.proposalSnapshot(proposal.id) + 1)
    for voter in voters:
        governor.castVote(proposal.id, FOR, sender=voter)
    travel(chain, governor.proposalDeadline(proposal.id) + 1)
    governor.queue(*proposal.args, sender=executor)
    travel(chain, governor.proposalEta(proposal.id) + 1)
    return governor.execute(*proposal.args, sender=executor)


def resolution_governor(project, influence, rewards, deployer, gov) -> Any:
    """A small InfluenceGovernor over ``influence`` (voting delay 1s, voting period a day, quorum
    4% of at least one voter) and its CommunisTimelock (an hour), both deployed by ``deployer``,
    the timelock holding ``rewards``' GOVERNOR_ROLE (granted by ``gov``): what a dispute's
    resolution goes through. Returns the governor."""
    timelock = deployer.deploy(project.CommunisTimelock, HOUR, [], [ZERO], deployer)
    governor = deployer.deploy(
        project.InfluenceGovernor, influence, timelock, 1, DAY, 0, 4, 1, HOUR, ZERO, 0
    )
    timelock.grantRole(timelock.PROPOSER_ROLE(), governor, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), governor, sender=deployer)
    rewards.grantRole(rewards.GOVERNOR_ROLE(), timelock, sender=gov)
    return governor
