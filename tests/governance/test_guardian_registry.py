"""GuardianRegistry: membership only by governance, applications gated by decayed influence."""

from __future__ import annotations

import ape
import pytest

from communis.engine.growth import to_influence
from tests.helpers.constants import APPLICATION_THRESHOLD, HALF_LIFE, UNIT, WEEK, ZERO
from tests.helpers.time import advance


@pytest.fixture
def gov_registry(project, system, gov):
    """A GuardianRegistry of the system's Influence owned by ``gov`` (standing in for the timelock;
    the lifecycle tests in test_govern.py use the deployed one)."""
    return gov.deploy(project.GuardianRegistry, system.influence, gov, APPLICATION_THRESHOLD)


def test_deploy(project, gov_registry, system, gov):
    assert gov_registry.influence() == system.influence.address
    assert gov_registry.owner() == gov.address
    assert gov_registry.applicationThreshold() == APPLICATION_THRESHOLD
    assert gov_registry.guardianCount() == 0
    with ape.reverts(project.GuardianRegistry.GuardianRegistryZeroInfluenceLedger):
        gov.deploy(project.GuardianRegistry, ZERO, gov, 1)


def test_grant_and_revoke_only_by_governance(gov_registry, gov, alice, bob):
    with ape.reverts(gov_registry.OwnableUnauthorizedAccount):
        gov_registry.grantGuardian(alice, sender=alice)
    receipt = gov_registry.grantGuardian(alice, sender=gov)
    assert receipt.events == [gov_registry.GuardianGranted(alice)]
    assert gov_registry.isGuardian(alice)
    assert not gov_registry.isGuardian(bob)
    assert gov_registry.guardianCount() == 1
    with ape.reverts(gov_registry.GuardianRegistryAlreadyMember):
        gov_registry.grantGuardian(alice, sender=gov)
    with ape.reverts(gov_registry.GuardianRegistryZeroAccount):
        gov_registry.grantGuardian(ZERO, sender=gov)
    with ape.reverts(gov_registry.OwnableUnauthorizedAccount):
        gov_registry.revokeGuardian(alice, sender=bob)
    receipt = gov_registry.revokeGuardian(alice, sender=gov)
    assert receipt.events == [gov_registry.GuardianRevoked(alice)]
    assert not gov_registry.isGuardian(alice)
    assert gov_registry.guardianCount() == 0
    with ape.reverts(gov_registry.GuardianRegistryNotMember):
        gov_registry.revokeGuardian(alice, sender=gov)


def test_threshold_only_by_governance(gov_registry, gov, alice):
    with ape.reverts(gov_registry.OwnableUnauthorizedAccount):
        gov_registry.setApplicationThreshold(1, sender=alice)
    receipt = gov_registry.setApplicationThreshold(9 * UNIT, sender=gov)
    assert receipt.events == [gov_registry.ApplicationThresholdSet(APPLICATION_THRESHOLD, 9 * UNIT)]
    assert gov_registry.applicationThreshold() == 9 * UNIT


def test_apply_needs_own_influence_at_threshold(gov_registry, system, gov, alice, bob, chain):
    influence, awarder = system.influence, system.awarder
    with ape.reverts(gov_registry.GuardianRegistryInfluenceBelowThreshold):
        gov_registry.applyAsGuardian("ipfs://me", sender=alice)
    influence.awardStored(alice, APPLICATION_THRESHOLD, sender=awarder)
    receipt = gov_registry.applyAsGuardian("ipfs://me", sender=alice)
    assert receipt.events == [
        gov_registry.GuardianApplication(alice, APPLICATION_THRESHOLD, "ipfs://me")
    ]
    assert gov_registry.eligibility(alice) == (True, APPLICATION_THRESHOLD)
    # Applying changes nothing: only governance grants.
    assert not gov_registry.isGuardian(alice)
    # Delegated votes do not make Bob eligible.
    influence.invoke_transaction("delegate", bob, sender=alice)
    assert influence.getVotes(bob) == APPLICATION_THRESHOLD
    with ape.reverts(gov_registry.GuardianRegistryInfluenceBelowThreshold):
        gov_registry.applyAsGuardian("", sender=bob)
    # Members cannot apply again.
    gov_registry.grantGuardian(alice, sender=gov)
    with ape.reverts(gov_registry.GuardianRegistryAlreadyMember):
        gov_registry.applyAsGuardian("", sender=alice)


def test_eligibility_decays_with_influence(gov_registry, system, alice, chain):
    influence = system.influence
    influence.awardStored(alice, 2 * APPLICATION_THRESHOLD, sender=system.awarder)
    advance(chain, 1)
    assert gov_registry.eligibility(alice)[0]
    # After one half-life: exactly the threshold, still eligible; one epoch later, not.
    chain.pending_timestamp = influence.genesis() + HALF_LIFE * WEEK
    chain.mine()
    assert gov_registry.eligibility(alice) == (True, APPLICATION_THRESHOLD)
    chain.pending_timestamp = influence.genesis() + (HALF_LIFE + 1) * WEEK
    chain.mine()
    expected = to_influence(2 * APPLICATION_THRESHOLD, HALF_LIFE + 1, HALF_LIFE)
    assert gov_registry.eligibility(alice) == (False, expected)
    with ape.reverts(gov_registry.GuardianRegistryInfluenceBelowThreshold):
        gov_registry.applyAsGuardian("", sender=alice)
