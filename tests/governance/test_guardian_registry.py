"""GuardianRegistry: membership only by governance, applications gated by decayed influence."""

from __future__ import annotations

import ape
import pytest

from communis.engine.growth import to_influence
from tests.helpers.constants import APPLICATION_THRESHOLD, HALF_LIFE, UNIT, WEEK, ZERO
from tests.helpers.time import advance


@pytest.fixture
def registry(project, system, gov):
    return gov.deploy(project.GuardianRegistry, system.influence, gov, APPLICATION_THRESHOLD)


def test_deploy(project, registry, system, gov):
    assert registry.influence() == system.influence.address
    assert registry.owner() == gov.address
    assert registry.applicationThreshold() == APPLICATION_THRESHOLD
    assert registry.guardianCount() == 0
    with ape.reverts(project.GuardianRegistry.GuardianZeroAddress):
        gov.deploy(project.GuardianRegistry, ZERO, gov, 1)


def test_grant_and_revoke_only_by_governance(registry, gov, alice, bob):
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.grantGuardian(alice, sender=alice)
    receipt = registry.grantGuardian(alice, sender=gov)
    assert receipt.events == [registry.GuardianGranted(alice)]
    assert registry.isGuardian(alice)
    assert not registry.isGuardian(bob)
    assert registry.guardianCount() == 1
    with ape.reverts(registry.GuardianAlreadyMember):
        registry.grantGuardian(alice, sender=gov)
    with ape.reverts(registry.GuardianZeroAddress):
        registry.grantGuardian(ZERO, sender=gov)
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.revokeGuardian(alice, sender=bob)
    receipt = registry.revokeGuardian(alice, sender=gov)
    assert receipt.events == [registry.GuardianRevoked(alice)]
    assert not registry.isGuardian(alice)
    assert registry.guardianCount() == 0
    with ape.reverts(registry.GuardianNotMember):
        registry.revokeGuardian(alice, sender=gov)


def test_threshold_only_by_governance(registry, gov, alice):
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.setApplicationThreshold(1, sender=alice)
    receipt = registry.setApplicationThreshold(9 * UNIT, sender=gov)
    assert receipt.events == [registry.ApplicationThresholdSet(APPLICATION_THRESHOLD, 9 * UNIT)]
    assert registry.applicationThreshold() == 9 * UNIT


def test_apply_needs_own_influence_at_threshold(registry, system, gov, alice, bob, chain):
    influence, awarder = system.influence, system.awarder
    with ape.reverts(registry.GuardianInfluenceBelowThreshold):
        registry.applyAsGuardian("ipfs://me", sender=alice)
    influence.awardStored(alice, APPLICATION_THRESHOLD, sender=awarder)
    receipt = registry.applyAsGuardian("ipfs://me", sender=alice)
    assert receipt.events == [
        registry.GuardianApplication(alice, APPLICATION_THRESHOLD, "ipfs://me")
    ]
    assert registry.eligibility(alice) == (True, APPLICATION_THRESHOLD)
    # Applying changes nothing: only governance grants.
    assert not registry.isGuardian(alice)
    # Delegated votes do not make Bob eligible.
    influence.invoke_transaction("delegate", bob, sender=alice)
    assert influence.getVotes(bob) == APPLICATION_THRESHOLD
    with ape.reverts(registry.GuardianInfluenceBelowThreshold):
        registry.applyAsGuardian("", sender=bob)
    # Members cannot apply again.
    registry.grantGuardian(alice, sender=gov)
    with ape.reverts(registry.GuardianAlreadyMember):
        registry.applyAsGuardian("", sender=alice)


def test_eligibility_decays_with_influence(registry, system, alice, chain):
    influence = system.influence
    influence.awardStored(alice, 2 * APPLICATION_THRESHOLD, sender=system.awarder)
    advance(chain, 1)
    assert registry.eligibility(alice)[0]
    # After one half-life: exactly the threshold, still eligible; one epoch later, not.
    chain.pending_timestamp = influence.genesis() + HALF_LIFE * WEEK
    chain.mine()
    assert registry.eligibility(alice) == (True, APPLICATION_THRESHOLD)
    chain.pending_timestamp = influence.genesis() + (HALF_LIFE + 1) * WEEK
    chain.mine()
    expected = to_influence(2 * APPLICATION_THRESHOLD, HALF_LIFE + 1, HALF_LIFE)
    assert registry.eligibility(alice) == (False, expected)
    with ape.reverts(registry.GuardianInfluenceBelowThreshold):
        registry.applyAsGuardian("", sender=alice)
