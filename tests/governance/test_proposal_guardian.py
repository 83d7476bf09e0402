"""The proposal guardian's veto is bounded (both EVMs): it ends at a sunset fixed at deployment,
and it never reaches a proposal that only replaces or removes the guardian, moves its sunset, or
resolves a dispute (tests/governance/test_dispute_parties.py, which needs a real dispute). A
proposal that bundles such a call with anything else stays cancellable, or a no-op
`setProposalGuardian` would disarm the guardian."""

from __future__ import annotations

import ape
import pytest

from tests.helpers.constants import (
    CANCELED,
    EXECUTED,
    GUARDIAN_TERM,
    QUEUED,
    UNIT,
    ZERO,
)
from tests.helpers.governance import (
    description_hash,
    execute_after_delay,
    pass_and_queue,
    propose,
)
from tests.helpers.time import travel

# A dispute record (the view never checks that it exists).
DISPUTE = (0, 0, b"\1" * 32, b"\0" * 32, ZERO, 1, ZERO, 1, 0, 1, 1)


def _noop(system):
    return [(system.registry, "setApplicationThreshold", (7 * UNIT,))]


def _grab(system, account):
    """A malicious action: hand Influence's AWARDER_ROLE (minting votes) to ``account``."""
    influence = system.influence
    return [(influence, "grantRole", (influence.AWARDER_ROLE(), account.address))]


def _queued(chain, system, voters, actions, description):
    proposal = propose(system.governor, voters[0], actions, description)
    pass_and_queue(chain, system.governor, proposal, list(voters))
    assert system.governor.state(proposal.id) == QUEUED
    return proposal


@pytest.mark.parametrize("successor", ["removed", "replaced"])
def test_attack_guardian_cancels_own_removal(system, members, chain, whale, successor):
    alice, bob, carol = members
    governor = system.governor
    new_guardian = ZERO if successor == "removed" else carol.address
    actions = [(governor, "setProposalGuardian", (new_guardian,))]
    proposal = _queued(chain, system, (alice, bob), actions, f"guardian {successor}")

    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*proposal.args, sender=system.guardian)

    execute_after_delay(chain, governor, proposal, whale)
    assert governor.state(proposal.id) == EXECUTED
    assert governor.proposalGuardian() == new_guardian


def test_attack_guardian_cancels_its_sunset_being_moved(system, members, chain, whale):
    alice, bob, _ = members
    governor = system.governor
    earlier = chain.blocks.head.timestamp + 30 * 86400
    actions = [(governor, "setProposalGuardianSunset", (earlier,))]
    proposal = _queued(chain, system, (alice, bob), actions, "sunset sooner")

    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*proposal.args, sender=system.guardian)

    receipt = execute_after_delay(chain, governor, proposal, whale)
    event = receipt.events.filter(governor.ProposalGuardianSunsetSet)[0]
    assert event.newSunset == earlier
    assert governor.proposalGuardianSunset() == earlier


def test_attack_guardian_vetoes_after_sunset(system, members, chain):
    alice, bob, _ = members
    governor = system.governor
    travel(chain, system.genesis + GUARDIAN_TERM)
    proposal = _queued(chain, system, (alice, bob), _grab(system, alice), "after the sunset")

    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*proposal.args, sender=system.guardian)
    assert governor.state(proposal.id) == QUEUED


def test_guardian_cancels_a_protected_call_bundled_with_another(system, members, chain):
    alice, bob, _ = members
    governor = system.governor
    cover = (governor, "setProposalGuardian", (system.guardian.address,))
    proposal = _queued(chain, system, (alice, bob), [cover, *_grab(system, alice)], "bundled")

    governor.cancel(*proposal.args, sender=system.guardian)
    assert governor.state(proposal.id) == CANCELED


def test_resolve_dispute_on_a_contract_that_is_not_the_awarder_is_not_protected(
    system, members, chain
):
    """Only the ContributionRewards that Influence trusts (its AWARDER_ROLE) counts: the same
    selector sent elsewhere is an ordinary call."""
    alice = members[0]
    governor = system.governor
    impostor = system.registry  # any contract without AWARDER_ROLE on Influence
    target = [impostor.address]
    calldata = [bytes(system.rewards.resolveDispute.encode_input(DISPUTE, True))]
    receipt = governor.propose(target, [0], calldata, "not a resolution", sender=alice)
    proposal_id = receipt.events.filter(governor.ProposalCreated)[0].proposalId
    governor.cancel(
        target, [0], calldata, description_hash("not a resolution"), sender=system.guardian
    )
    assert governor.state(proposal_id) == CANCELED


def test_guardian_cancels_an_ordinary_proposal_before_the_sunset(system, members, chain):
    alice = members[0]
    governor = system.governor
    travel(chain, system.genesis + GUARDIAN_TERM - 86400 * 7)
    proposal = propose(governor, alice, _grab(system, alice), "just before the sunset")
    governor.cancel(*proposal.args, sender=system.guardian)
    assert governor.state(proposal.id) == CANCELED


def test_sunset_is_set_at_deployment_and_ends_the_guardian(system, chain):
    governor = system.governor
    assert governor.proposalGuardianSunset() == system.genesis + GUARDIAN_TERM
    assert governor.MAX_PROPOSAL_GUARDIAN_TERM() == 730 * 86400
    assert governor.proposalGuardian() == system.guardian.address
    travel(chain, system.genesis + GUARDIAN_TERM)
    assert governor.proposalGuardian() == ZERO


def test_sunset_moves_only_through_governance_and_within_the_maximum(system, members, chain):
    alice, bob, _ = members
    governor = system.governor
    with ape.reverts(governor.GovernorOnlyExecutor):
        governor.setProposalGuardianSunset(0, sender=system.guardian)
    too_late = chain.blocks.head.timestamp + 3 * 365 * 86400
    actions = [(governor, "setProposalGuardianSunset", (too_late,))]
    proposal = _queued(chain, system, (alice, bob), actions, "forever")
    chain.pending_timestamp = governor.proposalEta(proposal.id) + 1
    with ape.reverts(governor.InfluenceGovernorSunsetTooLate):
        governor.execute(*proposal.args, sender=alice)


def test_governor_refuses_a_sunset_beyond_the_maximum(project, deployer, system, chain):
    latest = chain.pending_timestamp + 730 * 86400
    args = (system.influence, system.timelock, 1, 604800, UNIT, 4, 1, 86400, deployer.address)
    # Sent by a fresh account: on anvil, ape decodes a failed deployment with the errors of
    # whatever contract an earlier, reverted test left cached at that CREATE address.
    fresh = ape.accounts.test_accounts.generate_test_account()
    deployer.transfer(fresh, 10**18)
    with ape.reverts(project.InfluenceGovernor.InfluenceGovernorSunsetTooLate):
        fresh.deploy(project.InfluenceGovernor, *args, latest + 3600)
    governor = deployer.deploy(project.InfluenceGovernor, *args, latest - 60)
    assert governor.proposalGuardianSunset() == latest - 60


def test_is_protected_proposal(system):
    governor, rewards = system.governor, system.rewards
    own = bytes(governor.setProposalGuardian.encode_input(ZERO))
    resolution = bytes(rewards.resolveDispute.encode_input(DISPUTE, True))
    other = bytes(governor.setVotingDelay.encode_input(2))
    assert governor.isProtectedProposal([governor.address], [0], [own])
    assert governor.isProtectedProposal(
        [governor.address, rewards.address], [0, 0], [own, resolution]
    )
    assert not governor.isProtectedProposal([governor.address], [1], [own])  # sends value
    assert not governor.isProtectedProposal([rewards.address], [0], [own])  # not this governor
    assert not governor.isProtectedProposal(
        [governor.address, governor.address], [0, 0], [own, other]
    )
    assert not governor.isProtectedProposal([governor.address], [0], [b"\x01"])
    assert not governor.isProtectedProposal([], [], [])
