"""Only governance (the timelock's roles) changes parameters; every change emits an event."""

from __future__ import annotations

import ape
import pytest

from tests.helpers.constants import DAY, POLICY
from tests.helpers.epochs import policy_hash

MAX_PERIOD = 3650 * DAY


def with_field(index: int, value):
    policy = list(POLICY)
    policy[index] = value
    return tuple(policy)


def test_only_governance_sets_policy(rewards, gov, alice, deployer):
    new_policy = with_field(0, 1)
    for outsider in (alice, deployer):
        with ape.reverts(rewards.AccessControlUnauthorizedAccount):
            rewards.setPolicy(new_policy, sender=outsider)
    receipt = rewards.setPolicy(new_policy, sender=gov)
    event = receipt.decode_logs(rewards.PolicyUpdated)[0]
    assert event.policyHash == policy_hash(new_policy)
    assert event.policy[0] == 1  # tokenBudget
    assert rewards.policyHash() == policy_hash(new_policy)
    assert rewards.policy().tokenBudget == 1


@pytest.mark.parametrize(
    "index, value",
    [
        (3, 0),  # accountCapBps
        (3, 10_001),
        (4, 0),  # challengeWindow
        (4, MAX_PERIOD + 1),
        (0, 2**96),  # tokenBudget
        (5, 2**96),  # proposerBond
        (5, 0),  # a free proposal could occupy the slot at no cost
        (6, 2**96),  # challengerBond
        (6, 0),  # a free challenge could discard any root at no cost
        (7, POLICY[4] - 1),  # disputePeriod shorter than the challenge window
        (7, MAX_PERIOD + 1),
        (8, 0),  # disputeFeeBps: a dispute without a verdict must cost both parties
        (8, 10_001),
    ],
)
def test_invalid_policy_reverts(rewards, gov, index, value):
    # The error names the field by its PolicyField value, which is its index in Policy.
    with ape.reverts(rewards.ContributionRewardsInvalidPolicy, field=index, value=value):
        rewards.setPolicy(with_field(index, value), sender=gov)


def test_only_governance_sets_treasury_reward_and_registry(rewards, gov, alice, bob):
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.setTreasury(alice, sender=alice)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.setChallengerRewardBps(10_000, sender=alice)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.setGuardianRegistry(alice, sender=alice)
    with ape.reverts(rewards.ContributionRewardsZeroTreasury):
        rewards.setTreasury(ape.utils.ZERO_ADDRESS, sender=gov)
    with ape.reverts(rewards.ContributionRewardsInvalidBps):
        rewards.setChallengerRewardBps(10_001, sender=gov)
    with ape.reverts(rewards.ContributionRewardsInvalidBps, bps=10_000):
        rewards.setChallengerRewardBps(10_000, sender=gov)  # an upheld self-dispute must cost

    assert rewards.setTreasury(bob, sender=gov).events == [rewards.TreasuryUpdated(bob)]
    assert rewards.treasury() == bob
    receipt = rewards.setChallengerRewardBps(2_500, sender=gov)
    assert receipt.events == [rewards.ChallengerRewardUpdated(2_500)]
    assert rewards.challengerRewardBps() == 2_500


def test_only_governance_grants_proposer_and_guardian(rewards, gov, alice, bob):
    for role in (rewards.PROPOSER_ROLE(), rewards.GUARDIAN_ROLE()):
        with ape.reverts(rewards.AccessControlUnauthorizedAccount):
            rewards.grantRole(role, bob, sender=alice)
        rewards.grantRole(role, bob, sender=gov)
        assert rewards.hasRole(role, bob)
