"""The bootstrap and quorum, on a fresh system from the real deployment plan: the first root
cannot make its proposer the majority (the per-account cap is enforced on chain), and claims made
for passive members cannot move quorum (quorum counts all finalized influence)."""

from __future__ import annotations

import ape

from tests.helpers.constants import QUORUM_PERCENT, TOKEN
from tests.helpers.epochs import cumulative
from tests.helpers.governance import propose
from tests.helpers.system import claim, settle
from tests.helpers.time import travel


def noop(full, value=7 * TOKEN):
    return [(full.registry, "setApplicationThreshold", (value,))]


def test_attack_first_root_gives_its_proposer_all_the_influence(
    chain, full, proposer, alice, attacker
):
    """The deployment's first root hands its proposer the whole epoch (within the epoch budget,
    so nothing else stops it): the on-chain per-account cap refuses the claim, and the proposer
    never holds a majority of influence."""
    token_budget, influence_budget, _, cap_bps, *_ = full.rewards.policy()
    epoch = cumulative(
        0, {proposer: (token_budget - TOKEN, influence_budget - TOKEN), alice: (TOKEN, TOKEN)}
    )
    settle(chain, full, epoch)
    with ape.reverts(full.rewards.ContributionRewardsAccountCapExceeded):
        claim(full, epoch, proposer, attacker)
    claim(full, epoch, alice, alice)
    travel(chain, chain.blocks.head.timestamp + 1)
    influence = full.influence
    total = influence.storedTotalSupply()
    assert total == influence_budget  # everything finalized is earned, claimed or not
    assert influence.getStoredVotes(proposer) == 0
    room = full.rewards.accountCapRoom(proposer)[1]
    assert room == influence_budget * cap_bps // 10_000
    assert 2 * room < total  # even at the cap, no majority


def test_attack_claims_for_passive_members_during_the_voting_delay_move_quorum(
    chain, full, alice, bob, carol, attacker
):
    """Quorum is a fraction of all influence finalized by the snapshot, claimed or not: claiming
    for passive members between a proposal and its snapshot leaves it unchanged."""
    governor, influence = full.governor, full.influence
    epoch = cumulative(
        0,
        {alice: (600 * TOKEN, 40 * TOKEN), bob: (300 * TOKEN, 30 * TOKEN), carol: (TOKEN, TOKEN)},
    )
    settle(chain, full, epoch)
    claim(full, epoch, alice, alice)
    travel(chain, chain.blocks.head.timestamp + 1)
    proposal = propose(governor, alice, noop(full), "quorum")
    before = chain.blocks.head.timestamp
    travel(chain, before + 1)
    quorum_before = governor.quorum(before)
    claim(full, epoch, bob, attacker)  # passive members claimed for, before the snapshot
    claim(full, epoch, carol, attacker)
    snapshot = governor.proposalSnapshot(proposal.id)
    travel(chain, snapshot + 1)
    assert influence.epochAt(before) == influence.epochAt(snapshot)
    assert governor.quorum(snapshot) == quorum_before
    finalized = full.rewards.finalizedTotals()[1]
    expected = influence.toInfluence(finalized, influence.epochAt(snapshot)) * QUORUM_PERCENT // 100
    assert governor.quorum(snapshot) == expected
