"""Time travel on local chains (communis.chain.clock, behind `ape run chain advance`) and one
member's standing (communis.chain.member, behind `ape run status`)."""

from __future__ import annotations

import pytest

from communis.chain.clock import ClockError, advance_by, advance_to, check_local, move_to, now
from communis.chain.governance import REGISTRY, REWARDS, Governance
from communis.chain.member import member_status
from tests.helpers.constants import DAY, UNIT, WEEK
from tests.helpers.epochs import cumulative
from tests.helpers.system import propose_root


@pytest.fixture
def governance_ops(system):
    return Governance(system.governor, {REWARDS: system.rewards, REGISTRY: system.registry})


def test_advance_by_a_duration_and_never_on_a_live_chain(system):
    before = now()
    moved = advance_by(2 * DAY)
    assert moved.after == before + 2 * DAY == now() and moved.seconds == 2 * DAY
    with pytest.raises(ClockError, match="already past"):
        move_to(before, "the past")
    with pytest.raises(ClockError, match="refusing to move time on chain 11155111"):
        check_local(11155111)
    check_local(31337)
    check_local(1337)


def test_advance_to_the_end_of_the_epoch_and_of_the_challenge_window(system, chain):
    moved = advance_to(system, None, "epoch-end", None)
    assert moved.after == system.genesis + WEEK and "the end of epoch 0" in moved.reason
    with pytest.raises(ClockError, match="no root is waiting"):
        advance_to(system, None, "window-end", None)
    bond = system.rewards.policy().proposerBond
    system.token.transfer(system.proposer, bond, sender=system.treasury)
    system.token.approve(system.rewards, bond, sender=system.proposer)
    propose_root(system, cumulative(0, {system.treasury.address: (UNIT, UNIT)}))
    moved = advance_to(system, None, "window-end", None)
    assert moved.after == system.rewards.pendingProposal().challengeDeadline
    system.rewards.finalize(0, sender=system.proposer)  # the window is over


def test_advance_through_a_proposal(system, governance_ops, members):
    gov = governance_ops
    alice, bob, _ = members
    proposal_id = gov.propose([gov.grant_guardian(bob.address)], "Appoint Bob", sender=alice)
    with pytest.raises(ClockError, match="no proposal is Active"):
        advance_to(system, gov, "vote-end", None)
    advance_to(system, gov, "vote-start", None)
    assert gov.status(proposal_id).state == "Active"
    gov.vote(proposal_id, "for", sender=alice)
    gov.vote(proposal_id, "for", sender=bob)
    advance_to(system, gov, "vote-end", "Appoint Bob")
    assert gov.status(proposal_id).state == "Succeeded"
    gov.queue(proposal_id, sender=alice)
    moved = advance_to(system, gov, "timelock", None)
    assert moved.after == system.governor.proposalEta(proposal_id)
    gov.execute(proposal_id, sender=alice)
    assert system.registry.isGuardian(bob)


def test_member_status(system, members, whale):
    alice, bob, _ = members
    # ape's ContractInstance has an attribute of its own named delegate
    system.influence.invoke_transaction("delegate", bob, sender=alice)
    found = member_status(system, alice.address)
    assert (found.influence, found.influence_stored, found.votes) == (40 * UNIT, 40 * UNIT, 0)
    assert found.delegate == bob.address and found.tokens == 0 and found.unclaimed is None
    text = found.render()
    assert "influence  40 influence now; earned 40 (stored units: before decay)" in text
    assert f"delegate  {bob.address}" in text
    assert f"{40 * UNIT}" in found.render(raw=True)
    assert found.to_json()["influence"] == str(40 * UNIT)
    bob_now = member_status(system, bob.address)
    assert bob_now.votes == 70 * UNIT and "delegate  itself" in bob_now.render()
    assert member_status(system, whale.address).render().count(" 0 ") >= 1
