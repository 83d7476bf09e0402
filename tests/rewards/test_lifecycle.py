"""Epoch lifecycle without disputes: propose, finalize, budgets, ordering, policy binding."""

from __future__ import annotations

import ape
import pytest

from tests.helpers.constants import POLICY, TOKEN, WEEK
from tests.helpers.epochs import cumulative, pass_window, policy_hash, propose, settle
from tests.helpers.time import end_epoch

PROPOSED, CHALLENGED, REJECTED, FINALIZED = 1, 2, 3, 4


@pytest.fixture
def epoch0(alice, bob):
    return cumulative(0, {alice: (600 * TOKEN, 60 * TOKEN), bob: (400 * TOKEN, 40 * TOKEN)})


def test_deployment_state(rewards, token, influence, registry, attester_registry, gov, treasury):
    assert rewards.token() == token
    assert rewards.influence() == influence
    assert rewards.attesterRegistry() == attester_registry
    assert rewards.treasury() == treasury
    assert rewards.guardianRegistry() == registry
    assert rewards.hasRole(rewards.DEFAULT_ADMIN_ROLE(), gov)
    assert rewards.hasRole(rewards.GOVERNOR_ROLE(), gov)
    assert rewards.policyHash() == policy_hash(POLICY)
    policy = rewards.policy()
    assert policy.tokenBudget == POLICY[0]
    assert list(policy.roleWeights) == list(POLICY[2])
    assert rewards.nextEpoch() == 0
    assert rewards.currentRoot() == b"\0" * 32
    assert rewards.epochStatus(0) == 0


def test_zero_addresses_revert(
    project, deployer, token, influence, attester_registry, gov, treasury
):
    zero = ape.utils.ZERO_ADDRESS
    a = attester_registry
    # Sent by an account that deploys nothing else: on anvil, ape decodes a failed deployment
    # with the errors of whatever contract an earlier, reverted test left cached at that address.
    Rewards = project.ContributionRewards
    with ape.reverts(Rewards.ContributionRewardsZeroToken):
        treasury.deploy(Rewards, zero, influence, gov, treasury, zero, a, POLICY, 0)
    with ape.reverts(Rewards.ContributionRewardsZeroInfluenceLedger):
        treasury.deploy(Rewards, token, zero, gov, treasury, zero, a, POLICY, 0)
    with ape.reverts(Rewards.ContributionRewardsZeroGovernance):
        treasury.deploy(Rewards, token, influence, zero, treasury, zero, a, POLICY, 0)
    with ape.reverts(Rewards.ContributionRewardsZeroAttesterRegistry):
        treasury.deploy(Rewards, token, influence, gov, treasury, zero, zero, POLICY, 0)
    with ape.reverts(Rewards.ContributionRewardsZeroTreasury):
        treasury.deploy(Rewards, token, influence, gov, zero, zero, a, POLICY, 0)
    # A challenger reward of the whole bond would make an upheld self-dispute free.
    with ape.reverts(Rewards.ContributionRewardsInvalidBps, bps=10_000):
        treasury.deploy(Rewards, token, influence, gov, treasury, zero, a, POLICY, 10_000)


def test_propose_then_finalize_returns_bond(
    rewards, token, attester_registry, chain, genesis, epoch0, proposer, bob
):
    end_epoch(chain, genesis, 0)
    before = token.balanceOf(proposer)
    receipt = propose(rewards, epoch0, proposer)
    bond = POLICY[5]
    deadline = chain.blocks.head.timestamp + POLICY[4]
    assert token.balanceOf(proposer) == before - bond
    assert token.balanceOf(rewards) == bond
    event = receipt.decode_logs(rewards.RootProposed)[0]
    assert event.epoch == 0 and event.root == epoch0.root and event.proposer == proposer
    assert event.firstEpoch == 0
    assert (event.cumulativeTokens, event.cumulativeInfluence) == epoch0.totals
    assert event.ledgerRoot == epoch0.ledger_root
    assert event.attestersHash == attester_registry.logHash()
    assert event.ledgerURI == "ipfs://bundle/0"
    assert event.policyHash == rewards.policyHash()
    assert event.bond == bond and event.challengeDeadline == deadline
    assert rewards.epochStatus(0) == PROPOSED

    # Nothing is claimable and nothing finalizes before the window has passed.
    with ape.reverts(rewards.ContributionRewardsChallengeWindowOpen):
        rewards.finalize(0, sender=bob)
    assert rewards.currentRoot() == b"\0" * 32

    pass_window(chain, rewards)
    receipt = rewards.finalize(0, sender=bob)  # anyone may finalize
    assert receipt.events.filter(rewards.RootFinalized) == [
        rewards.RootFinalized(0, 0, epoch0.root, *epoch0.totals)
    ]
    assert token.balanceOf(proposer) == before
    assert token.balanceOf(rewards) == 0
    assert rewards.currentRoot() == epoch0.root
    assert rewards.rootOf(0) == epoch0.root
    assert rewards.finalizedTotals() == epoch0.totals
    assert rewards.nextEpoch() == 1
    assert rewards.epochStatus(0) == FINALIZED
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.finalize(0, sender=bob)


def test_propose_guards(rewards, chain, genesis, epoch0, proposer):
    end_epoch(chain, genesis, 0)
    later = cumulative(1, {}, epoch0)
    with ape.reverts(rewards.ContributionRewardsEpochNotEnded):
        propose(rewards, later, proposer)
    with ape.reverts(rewards.ContributionRewardsPolicyMismatch):
        propose(rewards, epoch0, proposer, policy_hash=b"\1" * 32)
    with ape.reverts(rewards.ContributionRewardsZeroRoot):
        rewards.proposeRoot(
            0, b"\0" * 32, 0, 0, b"\0" * 32, "", rewards.policyHash(), sender=proposer
        )
    propose(rewards, epoch0, proposer)
    deadline = rewards.pendingProposal().challengeDeadline
    with ape.reverts(rewards.ContributionRewardsProposalPending, epoch=0, deadline=deadline):
        propose(rewards, epoch0, proposer)
    # A proposal whose window has passed must be finalized first: the slot is still taken.
    pass_window(chain, rewards)
    with ape.reverts(rewards.ContributionRewardsProposalPending, epoch=0, deadline=deadline):
        propose(rewards, epoch0, proposer)


def test_anyone_proposes_unless_the_policy_closes_proposing(
    rewards, token, chain, genesis, epoch0, gov, treasury, alice
):
    """Open proposing (the default): an account without any role proposes with the bond.
    Governance may close proposing to PROPOSER_ROLE through the policy."""
    end_epoch(chain, genesis, 0)
    token.transfer(alice, POLICY[5], sender=treasury)
    token.approve(rewards, POLICY[5], sender=alice)
    assert not rewards.hasRole(rewards.PROPOSER_ROLE(), alice)
    closed = (*POLICY[:9], False)
    rewards.setPolicy(closed, sender=gov)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        propose(rewards, epoch0, alice)
    rewards.setPolicy(POLICY, sender=gov)
    propose(rewards, epoch0, alice)
    assert rewards.pendingProposal().proposer == alice
    assert token.balanceOf(alice) == 0


def test_epoch_must_have_ended(rewards, chain, genesis, epoch0, proposer):
    with ape.reverts(rewards.ContributionRewardsEpochNotEnded):
        propose(rewards, epoch0, proposer)
    # The last second of epoch 0 is still epoch 0.
    chain.pending_timestamp = genesis + WEEK - 1
    with ape.reverts(rewards.ContributionRewardsEpochNotEnded):
        propose(rewards, epoch0, proposer)
    end_epoch(chain, genesis, 0)
    propose(rewards, epoch0, proposer)


def test_epochs_finalize_in_order(rewards, chain, genesis, epoch0, proposer, alice):
    settle(chain, genesis, rewards, epoch0, proposer)
    epoch1 = cumulative(1, {alice: (1 * TOKEN, 0)}, epoch0)
    end_epoch(chain, genesis, 2)
    with ape.reverts(rewards.ContributionRewardsEpochOutOfOrder, epoch=0, expected=1):
        propose(rewards, epoch0, proposer)
    propose(rewards, epoch1, proposer)
    pass_window(chain, rewards)
    rewards.finalize(1, sender=alice)
    with ape.reverts(rewards.ContributionRewardsEpochOutOfOrder, epoch=1, expected=2):
        propose(rewards, epoch1, proposer)
    # An epoch without contributions still gets its (unchanged) root.
    same = cumulative(2, {}, epoch1)
    propose(rewards, same, proposer)
    assert rewards.epochStatus(2) == PROPOSED
    assert rewards.epochStatus(3) == 0


def test_budget_overflow_attempts_revert(
    rewards, influence, chain, genesis, epoch0, proposer, alice, bob
):
    settle(chain, genesis, rewards, epoch0, proposer)
    end_epoch(chain, genesis, 1)
    tokens0, influence0 = epoch0.totals
    token_budget = POLICY[0]
    influence_budget = rewards.influenceBudgetStored(1)
    assert influence_budget == POLICY[1] * influence.growth(1) >> 64

    # Over the token budget by one unit, whatever the leaves say.
    greedy = cumulative(1, {alice: (token_budget + 1, 0)}, epoch0)
    with ape.reverts(rewards.ContributionRewardsTokenBudgetExceeded):
        propose(rewards, greedy, proposer)
    # A root can also lie about its totals: those are what the budget binds (and claims, too).
    unchanged = cumulative(1, {}, epoch0)
    with ape.reverts(rewards.ContributionRewardsInfluenceBudgetExceeded):
        propose(rewards, unchanged, proposer, totals=(tokens0, influence0 + influence_budget + 1))
    with ape.reverts(rewards.ContributionRewardsCumulativeDecreased):
        propose(rewards, unchanged, proposer, totals=(tokens0 - 1, influence0))
    # Exactly the budgets is fine.
    full = cumulative(1, {bob: (token_budget, POLICY[1])}, epoch0)
    assert full.totals[1] - influence0 <= influence_budget
    propose(rewards, full, proposer)


def test_policy_change_binds_new_proposals(rewards, chain, genesis, epoch0, proposer, gov):
    end_epoch(chain, genesis, 0)
    old_hash = rewards.policyHash()
    new_policy = (POLICY[0] * 2, *POLICY[1:])
    rewards.setPolicy(new_policy, sender=gov)
    with ape.reverts(rewards.ContributionRewardsPolicyMismatch):
        propose(rewards, epoch0, proposer, policy_hash=old_hash)
    propose(rewards, epoch0, proposer)
