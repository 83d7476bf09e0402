"""GuardianRegistry: membership only by governance, applications gated by decayed influence."""

from __future__ import annotations

import ape
import pytest

from communis.engine.growth import to_influence
from tests.governance.conftest import APPLICATION_THRESHOLD, HALF_LIFE, UNIT, WEEK, ZERO, advance


@pytest.fixture
def owner(accounts):
    """Stands in for the timelock in these unit tests (the lifecycle test uses the real one)."""
    return accounts[6]


@pytest.fixture
def registry(project, system, owner):
    return owner.deploy(project.GuardianRegistry, system.influence, owner, APPLICATION_THRESHOLD)


def test_deploy(project, registry, system, owner):
    assert registry.influence() == system.influence.address
    assert registry.owner() == owner.address
    assert registry.applicationThreshold() == APPLICATION_THRESHOLD
    assert registry.guardianCount() == 0
    with ape.reverts(project.GuardianRegistry.GuardianRegistryZeroInfluenceLedger):
        owner.deploy(project.GuardianRegistry, ZERO, owner, 1)


def test_grant_and_revoke_only_by_governance(registry, owner, alice, bob):
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.grantGuardian(alice, sender=alice)
    receipt = registry.grantGuardian(alice, sender=owner)
    assert receipt.events == [registry.GuardianGranted(alice)]
    assert registry.isGuardian(alice)
    assert not registry.isGuardian(bob)
    assert registry.guardianCount() == 1
    with ape.reverts(registry.GuardianRegistryAlreadyMember):
        registry.grantGuardian(alice, sender=owner)
    with ape.reverts(registry.GuardianRegistryZeroAccount):
        registry.grantGuardian(ZERO, sender=owner)
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.revokeGuardian(alice, sender=bob)
    receipt = registry.revokeGuardian(alice, sender=owner)
    assert receipt.events == [registry.GuardianRevoked(alice)]
    assert not registry.isGuardian(alice)
    assert registry.guardianCount() == 0
    with ape.reverts(registry.GuardianRegistryNotMember):
        registry.revokeGuardian(alice, sender=owner)


def test_threshold_only_by_governance(registry, owner, alice):
    with ape.reverts(registry.OwnableUnauthorizedAccount):
        registry.setApplicationThreshold(1, sender=alice)
    receipt = registry.setApplicationThreshold(9 * UNIT, sender=owner)
    assert receipt.events == [registry.ApplicationThresholdSet(APPLICATION_THRESHOLD, 9 * UNIT)]
    assert registry.applicationThreshold() == 9 * UNIT


def test_apply_needs_own_influence_at_threshold(registry, system, owner, alice, bob, chain):
    influence, awarder = system.influence, system.awarder
    with ape.reverts(registry.GuardianRegistryInfluenceBelowThreshold):
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
    with ape.reverts(registry.GuardianRegistryInfluenceBelowThreshold):
        registry.applyAsGuardian("", sender=bob)
    # Members cannot apply again.
    registry.grantGuardian(alice, sender=owner)
    with ape.reverts(registry.GuardianRegistryAlreadyMember):
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
    with ape.reverts(registry.GuardianRegistryInfluenceBelowThreshold):
        registry.applyAsGuardian("", sender=alice)
