"""No capture by one member (both EVMs): a member who alone holds the quorum's influence cannot
pass a proposal alone; the system is deployed by the real deployment plan."""

from __future__ import annotations

import ape

from tests.helpers.constants import DEFEATED, EXECUTED, FOR, MINIMUM_VOTERS, TOKEN
from tests.helpers.epochs import cumulative
from tests.helpers.governance import execute_after_delay, propose
from tests.helpers.system import claim, settle
from tests.helpers.time import travel

NEW_THRESHOLD = 7 * TOKEN


def _epoch0_only_alice_claimed(chain, full, alice, bob, carol):
    """Epoch 0 pays Alice, Bob and Carol within the cap; only Alice has claimed, so the claimed
    total (what quorum counts) is hers alone."""
    epoch = cumulative(
        0,
        {
            alice: (600 * TOKEN, 40 * TOKEN),
            bob: (300 * TOKEN, 30 * TOKEN),
            carol: (100 * TOKEN, 20 * TOKEN),
        },
    )
    settle(chain, full, epoch)
    claim(full, epoch, alice, alice)
    travel(chain, chain.blocks.head.timestamp + 1)
    return epoch


def _threshold_proposal(full, alice):
    actions = [(full.registry, "setApplicationThreshold", (NEW_THRESHOLD,))]
    return propose(full.governor, alice, actions, "one member decides alone")


def test_attack_one_member_reaches_quorum_alone(chain, full, alice, bob, carol):
    governor = full.governor
    _epoch0_only_alice_claimed(chain, full, alice, bob, carol)
    now = chain.blocks.head.timestamp - 1
    assert governor.getVotes(alice, now) >= governor.quorum(now)  # she alone holds quorum
    before = full.registry.applicationThreshold()
    proposal = _threshold_proposal(full, alice)

    travel(chain, governor.proposalSnapshot(proposal.id) + 1)
    governor.castVote(proposal.id, FOR, sender=alice)
    for_votes = governor.proposalVotes(proposal.id)[1]
    assert for_votes >= governor.quorum(governor.proposalSnapshot(proposal.id))
    assert governor.proposalQuorumVoters(proposal.id) == 1 < MINIMUM_VOTERS
    travel(chain, governor.proposalDeadline(proposal.id) + 1)

    assert governor.state(proposal.id) == DEFEATED
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        governor.queue(*proposal.args, sender=alice)
    assert full.registry.applicationThreshold() == before


def test_a_second_member_lets_the_same_proposal_pass(chain, full, alice, bob, carol):
    governor = full.governor
    epoch = _epoch0_only_alice_claimed(chain, full, alice, bob, carol)
    claim(full, epoch, bob, bob)
    travel(chain, chain.blocks.head.timestamp + 1)
    proposal = _threshold_proposal(full, alice)

    travel(chain, governor.proposalSnapshot(proposal.id) + 1)
    for member in (alice, bob):
        governor.castVote(proposal.id, FOR, sender=member)
    assert governor.proposalQuorumVoters(proposal.id) == MINIMUM_VOTERS
    travel(chain, governor.proposalDeadline(proposal.id) + 1)
    governor.queue(*proposal.args, sender=alice)
    execute_after_delay(chain, governor, proposal, alice)

    assert governor.state(proposal.id) == EXECUTED
    assert full.registry.applicationThreshold() == NEW_THRESHOLD
