"""GovernorCountingDistinct in InfluenceGovernor (both EVMs): quorum also needs a minimum number
of distinct For/Abstain voters with influence; the counting ABI and events stay OpenZeppelin's."""

from __future__ import annotations

import ape

from tests.helpers.constants import (
    ABSTAIN,
    AGAINST,
    DEFEATED,
    FOR,
    MINIMUM_VOTERS,
    SUCCEEDED,
    UNIT,
)
from tests.helpers.governance import (
    end_voting,
    execute_after_delay,
    pass_and_queue,
    propose,
    start_voting,
)
from tests.helpers.time import advance


def noop_action(system, value=7 * UNIT):
    return [(system.registry, "setApplicationThreshold", (value,))]


def _vote(chain, system, votes_by_member, description):
    governor = system.governor
    proposer = next(iter(votes_by_member))
    proposal = propose(governor, proposer, noop_action(system), description)
    start_voting(chain, governor, proposal)
    receipts = [governor.castVote(proposal.id, s, sender=m) for m, s in votes_by_member.items()]
    return proposal, receipts


def test_deployed_minimum_and_stock_counting_abi(system, members, chain):
    alice, bob, carol = members
    governor = system.governor
    assert governor.minimumVoters() == MINIMUM_VOTERS
    assert governor.COUNTING_MODE() == "support=bravo&quorum=for,abstain"
    proposal, receipts = _vote(chain, system, {alice: FOR, bob: AGAINST, carol: ABSTAIN}, "abi")
    event = receipts[0].events[0]
    assert (event.voter, event.proposalId, event.support, event.weight, event.reason) == (
        alice.address,
        proposal.id,
        FOR,
        40 * UNIT,
        "",
    )
    assert governor.proposalVotes(proposal.id) == (30 * UNIT, 40 * UNIT, 20 * UNIT)
    assert governor.hasVoted(proposal.id, bob)
    assert not governor.hasVoted(proposal.id, "0x" + "11" * 20)
    assert governor.proposalQuorumVoters(proposal.id) == 2  # For and Abstain, not Against
    with ape.reverts(governor.GovernorAlreadyCastVote):
        governor.castVote(proposal.id, FOR, sender=alice)
    with ape.reverts(governor.GovernorInvalidVoteType):
        governor.castVote(proposal.id, 3, sender=system.guardian)


def test_attack_against_voter_does_not_complete_the_minimum(system, members, chain):
    """Opposing a proposal must not help it reach quorum: Alice (40 of 90, over quorum) votes
    For, Carol votes Against; one For/Abstain voter is not enough."""
    alice, _, carol = members
    proposal, _ = _vote(chain, system, {alice: FOR, carol: AGAINST}, "opposed")
    assert system.governor.proposalQuorumVoters(proposal.id) == 1
    end_voting(chain, system.governor, proposal)
    assert system.governor.state(proposal.id) == DEFEATED


def test_attack_zero_weight_accounts_do_not_count_as_voters(system, members, chain, whale):
    """Accounts without influence at the snapshot (anyone can make them) add no voter."""
    alice, _, _ = members
    proposal, receipts = _vote(chain, system, {alice: FOR, whale: FOR}, "sybil")
    assert receipts[1].events[0].weight == 0
    assert system.governor.proposalQuorumVoters(proposal.id) == 1
    end_voting(chain, system.governor, proposal)
    assert system.governor.state(proposal.id) == DEFEATED


def test_abstain_voter_completes_the_minimum(system, members, chain):
    alice, _, carol = members
    proposal, _ = _vote(chain, system, {alice: FOR, carol: ABSTAIN}, "abstain counts")
    end_voting(chain, system.governor, proposal)
    assert system.governor.state(proposal.id) == SUCCEEDED


def test_minimum_set_only_by_governance_and_from_the_next_snapshot(system, members, chain):
    """A new minimum applies to proposals whose snapshot follows it; one voted under the old
    minimum keeps its outcome (its state is recomputed on every read)."""
    alice, bob, carol = members
    governor = system.governor
    with ape.reverts(governor.GovernorOnlyExecutor):
        governor.setMinimumVoters(1, sender=alice)
    earlier = propose(governor, alice, noop_action(system, 8 * UNIT), "under the old minimum")
    change = propose(governor, bob, [(governor, "setMinimumVoters", (3,))], "three voters")
    start_voting(chain, governor, change)
    for member in (alice, bob):
        governor.castVote(earlier.id, FOR, sender=member)
        governor.castVote(change.id, FOR, sender=member)
    end_voting(chain, governor, change)
    governor.queue(*change.args, sender=alice)
    receipt = execute_after_delay(chain, governor, change, alice)
    event = receipt.events.filter(governor.MinimumVotersSet)[0]
    assert (event.oldMinimumVoters, event.newMinimumVoters) == (MINIMUM_VOTERS, 3)
    assert governor.minimumVoters() == 3
    assert governor.minimumVoters(governor.proposalSnapshot(earlier.id)) == MINIMUM_VOTERS
    assert governor.state(earlier.id) == SUCCEEDED  # two voters were enough then

    advance(chain, 1)
    later, _ = _vote(chain, system, {alice: FOR, bob: FOR}, "under the new minimum")
    assert governor.minimumVoters(governor.proposalSnapshot(later.id)) == 3
    end_voting(chain, governor, later)
    assert governor.state(later.id) == DEFEATED
    all_three, _ = _vote(chain, system, {alice: FOR, bob: FOR, carol: FOR}, "three agree")
    end_voting(chain, governor, all_three)
    assert governor.state(all_three.id) == SUCCEEDED


def test_minimum_of_zero_is_refused(system, members, chain):
    alice, bob, _ = members
    governor = system.governor
    change = propose(governor, alice, [(governor, "setMinimumVoters", (0,))], "no minimum")
    pass_and_queue(chain, governor, change, [alice, bob])
    chain.pending_timestamp = governor.proposalEta(change.id) + 1
    with ape.reverts(governor.GovernorCountingDistinctZeroMinimum):
        governor.execute(*change.args, sender=alice)


def test_vote_sum_beyond_the_tally_width_reverts(system, members, awarder, chain):
    """2^112 influence does not fit the packed tally: the vote is refused, never miscounted."""
    alice, _, _ = members
    system.influence.awardStored(alice, 2**112, sender=awarder)
    advance(chain, 1)
    governor = system.governor
    proposal = propose(governor, alice, noop_action(system), "too big")
    start_voting(chain, governor, proposal)
    with ape.reverts(governor.SafeCastOverflowedUintDowncast):
        governor.castVote(proposal.id, FOR, sender=alice)
    assert not governor.hasVoted(proposal.id, alice)
