"""InfluenceGovernor + CommunisTimelock: power comes from influence only (both EVMs)."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from communis.engine.growth import to_influence
from tests.helpers.constants import (
    ABSTAIN,
    AGAINST,
    FOR,
    HALF_LIFE,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    TIMELOCK_DELAY,
    UNIT,
    VOTE_EXTENSION,
    VOTING_DELAY,
    VOTING_PERIOD,
    WEEK,
    ZERO,
)
from tests.helpers.governance import (
    end_voting,
    execute_after_delay,
    pass_and_queue,
    propose,
    start_voting,
)
from tests.helpers.time import advance

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)

IGOVERNOR_FUNCTIONS = (
    "name()",
    "version()",
    "COUNTING_MODE()",
    "hashProposal(address[],uint256[],bytes[],bytes32)",
    "getProposalId(address[],uint256[],bytes[],bytes32)",
    "state(uint256)",
    "proposalThreshold()",
    "proposalSnapshot(uint256)",
    "proposalDeadline(uint256)",
    "proposalProposer(uint256)",
    "proposalEta(uint256)",
    "proposalNeedsQueuing(uint256)",
    "votingDelay()",
    "votingPeriod()",
    "quorum(uint256)",
    "getVotes(address,uint256)",
    "getVotesWithParams(address,uint256,bytes)",
    "hasVoted(uint256,address)",
    "propose(address[],uint256[],bytes[],string)",
    "queue(address[],uint256[],bytes[],bytes32)",
    "execute(address[],uint256[],bytes[],bytes32)",
    "cancel(address[],uint256[],bytes[],bytes32)",
    "castVote(uint256,uint8)",
    "castVoteWithReason(uint256,uint8,string)",
    "castVoteWithReasonAndParams(uint256,uint8,string,bytes)",
    "castVoteBySig(uint256,uint8,address,bytes)",
    "castVoteWithReasonAndParamsBySig(uint256,uint8,address,string,bytes,bytes)",
)


def interface_id(signatures) -> bytes:
    value = 0
    for signature in signatures:
        value ^= int.from_bytes(keccak(text=signature)[:4], "big")
    return value.to_bytes(4, "big")


def votes(governor, proposal):
    against, for_, abstain = governor.proposalVotes(proposal.id)
    return for_, against, abstain


def noop_action(system, value=7 * UNIT):
    return [(system.registry, "setApplicationThreshold", (value,))]


# --- wiring and ABI --------------------------------------------------------------------------


def test_wiring_and_interfaces(system, deployer):
    governor, timelock, influence = system.governor, system.timelock, system.influence
    assert governor.name() == "InfluenceGovernor"
    assert governor.CLOCK_MODE() == "mode=timestamp"
    assert governor.clock() == influence.clock()
    assert governor.COUNTING_MODE() == "support=bravo&quorum=for,abstain"
    assert governor.token() == influence.address
    assert governor.timelock() == timelock.address
    assert governor.votingDelay() == VOTING_DELAY
    assert governor.votingPeriod() == VOTING_PERIOD
    assert governor.proposalThreshold() == PROPOSAL_THRESHOLD
    assert governor.quorumNumerator() == QUORUM_PERCENT
    assert governor.lateQuorumVoteExtension() == VOTE_EXTENSION
    assert governor.proposalGuardian() == system.guardian.address
    assert governor.supportsInterface(interface_id(IGOVERNOR_FUNCTIONS))
    assert governor.supportsInterface(bytes.fromhex("01ffc9a7"))  # ERC-165
    assert not governor.supportsInterface(bytes.fromhex("ffffffff"))

    assert timelock.getMinDelay() == TIMELOCK_DELAY
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE()):
        assert timelock.hasRole(role, governor)
        assert not timelock.hasRole(role, deployer)
    assert timelock.hasRole(timelock.EXECUTOR_ROLE(), ZERO)
    admin = timelock.DEFAULT_ADMIN_ROLE()
    assert not timelock.hasRole(admin, deployer)
    assert timelock.hasRole(admin, timelock)
    assert influence.hasRole(admin, timelock) and not influence.hasRole(admin, deployer)
    assert system.token.hasRole(admin, timelock)
    assert system.registry.owner() == timelock.address


# --- tokens buy no say -----------------------------------------------------------------------


def test_whale_with_all_tokens_cannot_propose_or_sway(system, members, whale, treasury, chain):
    alice, bob, carol = members
    token, governor = system.token, system.governor
    token.transfer(whale, token.balanceOf(treasury), sender=treasury)
    assert token.balanceOf(whale) == token.totalSupply()

    with ape.reverts(governor.GovernorInsufficientProposerVotes):
        governor.propose([system.registry.address], [0], [b""], "whale", sender=whale)

    proposal = propose(governor, alice, noop_action(system), "whale cannot sway")
    start_voting(chain, governor, proposal)
    governor.castVote(proposal.id, FOR, sender=bob)
    receipt = governor.castVote(proposal.id, AGAINST, sender=whale)
    assert receipt.events[0].weight == 0
    governor.castVote(proposal.id, AGAINST, sender=carol)
    assert votes(governor, proposal) == (30 * UNIT, 20 * UNIT, 0)
    governor.castVote(proposal.id, ABSTAIN, sender=alice)  # the second For/Abstain voter
    end_voting(chain, governor, proposal)
    assert governor.state(proposal.id) == SUCCEEDED


def test_tokens_bought_after_snapshot_change_nothing(system, members, treasury, chain):
    alice, bob, carol = members
    governor, token = system.governor, system.token
    proposal = propose(governor, alice, noop_action(system), "buying tokens")
    start_voting(chain, governor, proposal)
    token.transfer(carol, token.balanceOf(treasury), sender=treasury)
    governor.castVote(proposal.id, AGAINST, sender=carol)
    governor.castVote(proposal.id, FOR, sender=bob)
    assert votes(governor, proposal) == (30 * UNIT, 20 * UNIT, 0)
    assert governor.getVotes(carol, governor.proposalSnapshot(proposal.id)) == 20 * UNIT


def test_influence_moves_only_by_delegation(system, members, chain):
    alice, bob, carol = members
    governor, influence = system.governor, system.influence
    influence.invoke_transaction("delegate", bob, sender=carol)
    advance(chain, 1)
    proposal = propose(governor, alice, noop_action(system), "delegation")
    start_voting(chain, governor, proposal)
    # Carol's influence voted through Bob; Carol has no votes of her own at the snapshot.
    assert governor.castVote(proposal.id, FOR, sender=bob).events[0].weight == 50 * UNIT
    assert governor.castVote(proposal.id, AGAINST, sender=carol).events[0].weight == 0
    # Re-delegating after the snapshot changes nothing for this proposal.
    influence.invoke_transaction("delegate", alice, sender=carol)
    governor.castVote(proposal.id, AGAINST, sender=alice)
    assert votes(governor, proposal) == (50 * UNIT, 40 * UNIT, 0)


def test_awards_after_snapshot_do_not_count(system, members, awarder, chain):
    alice, _, carol = members
    governor = system.governor
    proposal = propose(governor, alice, noop_action(system), "late awards")
    start_voting(chain, governor, proposal)
    system.influence.awardStored(carol, 1000 * UNIT, sender=awarder)
    receipt = governor.castVoteWithReason(proposal.id, AGAINST, "more now", sender=carol)
    assert receipt.events[0].weight == 20 * UNIT
    assert receipt.events[0].reason == "more now"
    governor.castVote(proposal.id, FOR, sender=alice)
    governor.castVote(proposal.id, ABSTAIN, sender=members[1])
    end_voting(chain, governor, proposal)
    assert governor.state(proposal.id) == SUCCEEDED


# --- decay: absolute numbers change, ratios at a snapshot do not ------------------------------


def test_decay_halves_numbers_but_keeps_outcome(system, members, chain):
    alice, bob, carol = members
    governor = system.governor

    def run(description):
        proposal = propose(governor, alice, noop_action(system), description)
        start_voting(chain, governor, proposal)
        governor.castVote(proposal.id, AGAINST, sender=alice)
        governor.castVote(proposal.id, FOR, sender=bob)
        governor.castVote(proposal.id, ABSTAIN, sender=carol)
        snapshot = governor.proposalSnapshot(proposal.id)
        return votes(governor, proposal), governor.quorum(snapshot)

    first, quorum_first = run("now")
    assert first == (30 * UNIT, 40 * UNIT, 20 * UNIT)
    assert quorum_first == 90 * UNIT * QUORUM_PERCENT // 100

    chain.pending_timestamp = system.influence.genesis() + HALF_LIFE * WEEK
    chain.mine()
    second, quorum_second = run("a half-life later")
    assert second == (15 * UNIT, 20 * UNIT, 10 * UNIT)
    assert quorum_second == quorum_first // 2
    assert second[0] * first[1] == first[0] * second[1]


def test_proposal_threshold_decays_with_influence(system, alice, awarder, chain):
    governor, influence = system.governor, system.influence
    influence.awardStored(alice, PROPOSAL_THRESHOLD, sender=awarder)
    advance(chain, 1)
    propose(governor, alice, noop_action(system), "exactly at the threshold")
    # A quarter of a half-life later her influence is below the (unchanged) threshold.
    chain.pending_timestamp = influence.genesis() + (HALF_LIFE // 4 + 1) * WEEK
    chain.mine()
    epoch = influence.currentEpoch()
    assert influence.getVotes(alice) == to_influence(PROPOSAL_THRESHOLD, epoch, HALF_LIFE)
    with ape.reverts(governor.GovernorInsufficientProposerVotes):
        propose(governor, alice, noop_action(system, 8 * UNIT), "decayed below")
    # Fresh influence earned now counts at face value again.
    influence.awardStored(alice, influence.toStored(2 * UNIT, epoch), sender=awarder)
    advance(chain, 1)
    assert influence.getVotes(alice) >= PROPOSAL_THRESHOLD
    propose(governor, alice, noop_action(system, 8 * UNIT), "back above")


# --- quorum and late quorum ----------------------------------------------------------------


def test_quorum(system, members, chain):
    alice, bob, carol = members
    governor = system.governor
    quorum = 90 * UNIT * QUORUM_PERCENT // 100  # 18
    assert 20 * UNIT >= quorum > 0

    low = propose(governor, alice, noop_action(system), "too few voters")
    start_voting(chain, governor, low)
    assert governor.quorum(governor.proposalSnapshot(low.id)) == quorum
    # Against votes do not count towards quorum.
    governor.castVote(low.id, AGAINST, sender=bob)
    end_voting(chain, governor, low)
    assert governor.state(low.id) == DEFEATED

    enough = propose(governor, alice, noop_action(system, 9 * UNIT), "abstain counts")
    start_voting(chain, governor, enough)
    governor.castVote(enough.id, ABSTAIN, sender=carol)
    end_voting(chain, governor, enough)
    # Quorum reached with abstain, but no for votes: defeated on the vote, not on quorum.
    assert governor.state(enough.id) == DEFEATED
    assert governor.proposalVotes(enough.id)[2] >= quorum


def test_late_quorum_extends_the_vote(system, members, chain):
    alice, bob, carol = members
    governor = system.governor
    proposal = propose(governor, alice, noop_action(system), "late quorum")
    deadline = governor.proposalDeadline(proposal.id)
    assert deadline == governor.proposalSnapshot(proposal.id) + VOTING_PERIOD
    start_voting(chain, governor, proposal)
    # Alice's abstention holds the quorum's influence but is one voter: no quorum yet.
    governor.castVote(proposal.id, ABSTAIN, sender=alice)
    assert governor.proposalDeadline(proposal.id) == deadline
    chain.pending_timestamp = deadline - 60
    receipt = governor.castVote(proposal.id, FOR, sender=carol)
    extended = receipt.events.filter(governor.ProposalExtended)
    assert len(extended) == 1
    new_deadline = governor.proposalDeadline(proposal.id)
    assert new_deadline == extended[0].extendedDeadline == deadline - 60 + VOTE_EXTENSION
    chain.pending_timestamp = deadline + 1
    chain.mine()
    assert governor.state(proposal.id) == ACTIVE
    governor.castVote(proposal.id, AGAINST, sender=bob)
    chain.pending_timestamp = new_deadline + 1
    chain.mine()
    assert governor.state(proposal.id) == DEFEATED


# --- timelock, guardian, lifecycle -----------------------------------------------------------


def test_timelock_delay(system, members, chain, whale):
    alice, bob, _ = members
    governor = system.governor
    proposal = propose(governor, alice, noop_action(system), "delay")
    pass_and_queue(chain, governor, proposal, [alice, bob])
    assert governor.state(proposal.id) == QUEUED
    eta = governor.proposalEta(proposal.id)
    assert eta >= chain.blocks.head.timestamp + TIMELOCK_DELAY - 1
    with ape.reverts(system.timelock.TimelockUnexpectedOperationState):
        governor.execute(*proposal.args, sender=whale)
    execute_after_delay(chain, governor, proposal, whale)
    assert governor.state(proposal.id) == EXECUTED
    # Nobody can bypass the governor: the timelock refuses direct scheduling.
    with ape.reverts(system.timelock.AccessControlUnauthorizedAccount):
        system.timelock.schedule(
            ZERO, 0, b"", b"\x00" * 32, b"\x00" * 32, TIMELOCK_DELAY, sender=alice
        )


def test_guardian_cancels_while_queued(system, members, chain, awarder, whale):
    alice, bob, _ = members
    governor, timelock, influence = system.governor, system.timelock, system.influence
    # A malicious proposal: hand the awarder role (minting influence) to Alice.
    grab = [(influence, "grantRole", (influence.AWARDER_ROLE(), alice.address))]
    proposal = propose(governor, alice, grab, "totally harmless")
    pass_and_queue(chain, governor, proposal, [alice, bob])
    operation = timelock.hashOperationBatch(
        proposal.targets,
        proposal.values,
        proposal.calldatas,
        b"\x00" * 32,
        _salt(governor, proposal),
    )
    assert timelock.isOperationPending(operation)

    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*proposal.args, sender=alice)
    receipt = governor.cancel(*proposal.args, sender=system.guardian)
    assert receipt.events.filter(governor.ProposalCanceled)[0].proposalId == proposal.id
    assert receipt.events.filter(timelock.Cancelled)[0].id == operation
    assert governor.state(proposal.id) == CANCELED
    assert not timelock.isOperation(operation)
    chain.pending_timestamp = chain.blocks.head.timestamp + TIMELOCK_DELAY + 1
    with ape.reverts():
        governor.execute(*proposal.args, sender=whale)
    assert not influence.hasRole(influence.AWARDER_ROLE(), alice)


def _salt(governor, proposal) -> bytes:
    """GovernorTimelockControl's salt: bytes20(governor) ^ descriptionHash."""
    description = bytes(proposal.args[3])
    address = bytes.fromhex(governor.address[2:]) + bytes(12)
    return bytes(a ^ b for a, b in zip(address, description, strict=True))


def test_full_lifecycle_changes_parameters_through_the_timelock(system, members, chain, whale):
    alice, bob, carol = members
    governor, registry = system.governor, system.registry
    actions = [
        (governor, "setProposalThreshold", (20 * UNIT,)),
        (registry, "setApplicationThreshold", (12 * UNIT,)),
        (registry, "grantGuardian", (carol.address,)),
    ]
    proposal = propose(governor, alice, actions, "raise thresholds, appoint Carol")
    assert governor.state(proposal.id) == PENDING
    start_voting(chain, governor, proposal)
    assert governor.state(proposal.id) == ACTIVE
    governor.castVoteWithReason(proposal.id, FOR, "yes", sender=alice)
    governor.castVote(proposal.id, FOR, sender=bob)
    governor.castVote(proposal.id, AGAINST, sender=carol)
    end_voting(chain, governor, proposal)
    assert governor.state(proposal.id) == SUCCEEDED
    receipt = governor.queue(*proposal.args, sender=whale)
    assert receipt.events.filter(governor.ProposalQueued)[0].proposalId == proposal.id
    assert governor.state(proposal.id) == QUEUED
    receipt = execute_after_delay(chain, governor, proposal, whale)
    assert receipt.events.filter(governor.ProposalExecuted)[0].proposalId == proposal.id
    assert receipt.events.filter(governor.ProposalThresholdSet)[0].newProposalThreshold == 20 * UNIT
    assert receipt.events.filter(registry.GuardianGranted)[0].account == carol.address
    assert governor.state(proposal.id) == EXECUTED
    assert governor.proposalThreshold() == 20 * UNIT
    assert registry.applicationThreshold() == 12 * UNIT
    assert registry.isGuardian(carol)
    # Setters refuse anyone but the timelock.
    with ape.reverts(governor.GovernorOnlyExecutor):
        governor.setProposalThreshold(0, sender=alice)
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.setApplicationThreshold(0, sender=alice)


def test_slash_through_governance_keeps_past_votes(system, members, chain, whale):
    alice, bob, carol = members
    governor, influence = system.governor, system.influence
    proposal = propose(
        governor, alice, [(influence, "slash", (carol.address, 2**256 - 1))], "slash Carol"
    )
    snapshot = governor.proposalSnapshot(proposal.id)
    pass_and_queue(chain, governor, proposal, [alice, bob])
    receipt = execute_after_delay(chain, governor, proposal, whale)
    assert receipt.events.filter(influence.Slashed)[0].storedUnits == 20 * UNIT
    assert influence.getVotes(carol) == 0
    assert influence.getPastVotes(carol, snapshot) == 20 * UNIT


@pytest.mark.parametrize("support", [FOR, AGAINST, ABSTAIN])
def test_vote_types_and_double_vote(system, members, chain, support):
    alice, bob, _ = members
    governor = system.governor
    proposal = propose(governor, alice, noop_action(system), f"support {support}")
    start_voting(chain, governor, proposal)
    governor.castVote(proposal.id, support, sender=bob)
    assert governor.hasVoted(proposal.id, bob)
    with ape.reverts(governor.GovernorAlreadyCastVote):
        governor.castVote(proposal.id, support, sender=bob)
    tally = {AGAINST: 0, FOR: 1, ABSTAIN: 2}[support]
    assert governor.proposalVotes(proposal.id)[tally] == 30 * UNIT
