"""The challenge game: a padded root is caught, challenged, upheld, slashed and re-proposed
honestly; a griefing challenge costs the challenger; windows and roles are enforced."""

from __future__ import annotations

import ape
import pytest

from tests.helpers.constants import CHALLENGER_REWARD_BPS, POLICY, TOKEN
from tests.helpers.epochs import claim, cumulative, pass_window, propose
from tests.helpers.time import end_epoch

PROPOSED, CHALLENGED, REJECTED, FINALIZED = 1, 2, 3, 4
PROPOSER_BOND, CHALLENGER_BOND = POLICY[5], POLICY[6]
FAKES = [f"0x{i:040x}" for i in range(0xF00D0, 0xF00D5)]


@pytest.fixture
def honest(alice, bob):
    return cumulative(0, {alice: (600 * TOKEN, 60 * TOKEN), bob: (400 * TOKEN, 40 * TOKEN)})


@pytest.fixture
def padded(alice, bob, proposer):
    """The honest table plus fake accounts (and the proposer) sharing the rest of the budget."""
    awards = {alice: (600 * TOKEN, 60 * TOKEN), bob: (400 * TOKEN, 40 * TOKEN)}
    from eth_utils import to_checksum_address

    for fake in FAKES:
        awards[to_checksum_address(fake)] = (1_000 * TOKEN, 100 * TOKEN)
    awards[proposer] = (4_000 * TOKEN, 400 * TOKEN)
    return cumulative(0, awards)


@pytest.fixture
def challenged(rewards, chain, genesis, padded, proposer, guardian):
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    rewards.challenge(0, "ipfs://verify-report", sender=guardian)
    return padded


def test_challenge_moves_bond_and_blocks_finalization(
    rewards, token, chain, genesis, padded, proposer, guardian, alice
):
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    before = token.balanceOf(guardian)
    receipt = rewards.challenge(0, "ipfs://verify-report", sender=guardian)
    assert receipt.events.filter(rewards.RootChallenged) == [
        rewards.RootChallenged(0, guardian, CHALLENGER_BOND, "ipfs://verify-report")
    ]
    assert token.balanceOf(guardian) == before - CHALLENGER_BOND
    assert token.balanceOf(rewards) == PROPOSER_BOND + CHALLENGER_BOND
    assert rewards.epochStatus(0) == CHALLENGED
    pending = rewards.pendingProposal()
    assert pending.challenger == guardian and pending.challengerBond == CHALLENGER_BOND
    assert pending.challengerRewardBps == CHALLENGER_REWARD_BPS
    # A challenged root never finalizes by time alone, and cannot be challenged twice.
    pass_window(chain, rewards)
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.finalize(0, sender=alice)
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.challenge(0, "again", sender=guardian)
    with ape.reverts(rewards.ContributionRewardsProposalPending):
        propose(rewards, padded, proposer)


def test_only_guardians_challenge_within_the_window(
    rewards, chain, genesis, padded, proposer, guardian, alice
):
    end_epoch(chain, genesis, 0)
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.challenge(0, "", sender=guardian)  # nothing proposed yet
    propose(rewards, padded, proposer)
    with ape.reverts(rewards.ContributionRewardsNotGuardian):
        rewards.challenge(0, "", sender=alice)
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.challenge(1, "", sender=guardian)
    pass_window(chain, rewards)
    with ape.reverts(rewards.ContributionRewardsChallengeWindowClosed):
        rewards.challenge(0, "", sender=guardian)


def test_only_governance_resolves(rewards, challenged, proposer, guardian, alice):
    for outsider in (proposer, guardian, alice):
        with ape.reverts(rewards.AccessControlUnauthorizedAccount):
            rewards.resolveChallenge(0, True, sender=outsider)


def test_fraud_upheld_slashed_and_reproposed_honestly(
    rewards,
    token,
    influence,
    chain,
    genesis,
    challenged,
    honest,
    proposer,
    guardian,
    gov,
    treasury,
    alice,
    bob,
):
    """The whole story: fake accounts caught, upheld, bond slashed, honest root claimed."""
    proposer_before = token.balanceOf(proposer)
    guardian_before = token.balanceOf(guardian)
    treasury_before = token.balanceOf(treasury)
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.resolveChallenge(1, True, sender=gov)  # a queued decision names its epoch

    receipt = rewards.resolveChallenge(0, True, sender=gov)
    reward = PROPOSER_BOND * CHALLENGER_REWARD_BPS // 10_000
    assert receipt.events.filter(rewards.ChallengeResolved) == [
        rewards.ChallengeResolved(0, True, 0, CHALLENGER_BOND + reward, PROPOSER_BOND - reward)
    ]
    assert receipt.events.filter(rewards.RootRejected) == [rewards.RootRejected(0, challenged.root)]
    assert token.balanceOf(proposer) == proposer_before  # the bond is gone for good
    assert token.balanceOf(guardian) == guardian_before + CHALLENGER_BOND + reward
    assert token.balanceOf(treasury) == treasury_before + PROPOSER_BOND - reward
    assert token.balanceOf(rewards) == 0
    assert rewards.epochStatus(0) == REJECTED
    assert rewards.currentRoot() == b"\0" * 32
    assert rewards.nextEpoch() == 0
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.resolveChallenge(0, False, sender=gov)
    with ape.reverts(rewards.ContributionRewardsNoFinalizedRoot):
        claim(rewards, challenged, alice, alice)

    # The epoch is proposed again, honestly, and pays out.
    propose(rewards, honest, proposer)
    assert rewards.epochStatus(0) == PROPOSED
    pass_window(chain, rewards)
    rewards.finalize(0, sender=alice)
    assert rewards.currentRoot() == honest.root
    claim(rewards, honest, alice, alice)
    claim(rewards, honest, bob, bob)
    assert token.balanceOf(alice) == 600 * TOKEN
    assert influence.storedBalanceOf(bob) == honest.leaf(bob)[1]
    # The fake accounts' leaves are not in the finalized root.
    fake = next(a for a in challenged.table if a.lower() == FAKES[0])
    tokens, stored = challenged.leaf(fake)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):
        rewards.claim(fake, tokens, stored, challenged.proof(fake), b"\0" * 32, sender=alice)


def test_reward_share_fixed_when_challenged(rewards, token, challenged, guardian, gov, treasury):
    """Governance lowering the reward share after a challenge does not cut the challenger's."""
    rewards.setChallengerRewardBps(0, sender=gov)
    before = token.balanceOf(guardian)
    rewards.resolveChallenge(0, True, sender=gov)
    reward = PROPOSER_BOND * CHALLENGER_REWARD_BPS // 10_000
    assert token.balanceOf(guardian) == before + CHALLENGER_BOND + reward


def test_griefing_challenge_costs_the_challenger(
    rewards, token, challenged, proposer, guardian, gov, treasury, alice
):
    proposer_before = token.balanceOf(proposer)
    guardian_before = token.balanceOf(guardian)
    treasury_before = token.balanceOf(treasury)
    receipt = rewards.resolveChallenge(0, False, sender=gov)
    assert receipt.events.filter(rewards.ChallengeResolved) == [
        rewards.ChallengeResolved(0, False, PROPOSER_BOND, 0, CHALLENGER_BOND)
    ]
    assert receipt.events.filter(rewards.RootFinalized) == [
        rewards.RootFinalized(0, challenged.root, *challenged.totals)
    ]
    assert token.balanceOf(proposer) == proposer_before + PROPOSER_BOND  # honest: bond back
    assert token.balanceOf(guardian) == guardian_before
    assert token.balanceOf(treasury) == treasury_before + CHALLENGER_BOND
    assert token.balanceOf(rewards) == 0
    assert rewards.epochStatus(0) == FINALIZED
    assert rewards.currentRoot() == challenged.root
    assert rewards.nextEpoch() == 1
    claim(rewards, challenged, alice, alice)  # finalized without waiting for the window


def test_bonds_fixed_at_proposal_time(
    rewards, token, chain, genesis, honest, proposer, guardian, gov
):
    """A policy change while a root is pending does not change what is returned or slashed."""
    end_epoch(chain, genesis, 0)
    propose(rewards, honest, proposer)
    bigger = (*POLICY[:5], PROPOSER_BOND * 3, CHALLENGER_BOND * 3)
    rewards.setPolicy(bigger, sender=gov)
    before = token.balanceOf(proposer)
    pass_window(chain, rewards)
    rewards.finalize(0, sender=guardian)
    assert token.balanceOf(proposer) == before + PROPOSER_BOND
    assert token.balanceOf(rewards) == 0


def test_permit_and_propose_in_one_transaction(
    rewards, token, chain, genesis, honest, proposer, treasury
):
    from tests.helpers.signing import sign_permit

    token.approve(rewards, 0, sender=proposer)
    end_epoch(chain, genesis, 0)
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign_permit(
        token, proposer, rewards, PROPOSER_BOND, deadline, chain_id=chain.chain_id
    )
    tokens, stored = honest.totals
    calls = [
        rewards.permitBond.encode_input(PROPOSER_BOND, deadline, v, r, s),
        rewards.proposeRoot.encode_input(
            0, honest.root, tokens, stored, "ipfs://x", b"\1" * 32, rewards.policyHash()
        ),
    ]
    rewards.multicall(calls, sender=proposer)
    assert rewards.epochStatus(0) == PROPOSED
    assert token.balanceOf(rewards) == PROPOSER_BOND


def test_guardians_come_from_the_registry(rewards, registry, gov, guardian, alice, bob):
    """Governance grants and revokes guardianship in the GuardianRegistry; GUARDIAN_ROLE is an
    extra path governance can use without the registry; the registry itself can be replaced."""
    assert rewards.isGuardian(guardian)
    assert not rewards.isGuardian(alice)
    registry.grantGuardian(alice, sender=gov)
    assert rewards.isGuardian(alice)
    registry.revokeGuardian(alice, sender=gov)
    assert not rewards.isGuardian(alice)

    rewards.grantRole(rewards.GUARDIAN_ROLE(), bob, sender=gov)
    assert rewards.isGuardian(bob)

    receipt = rewards.setGuardianRegistry(ape.utils.ZERO_ADDRESS, sender=gov)
    assert receipt.events == [rewards.GuardianRegistryUpdated(ape.utils.ZERO_ADDRESS)]
    assert not rewards.isGuardian(guardian)
    assert rewards.isGuardian(bob)
    rewards.setGuardianRegistry(registry, sender=gov)
    assert rewards.guardianRegistry() == registry
    assert rewards.isGuardian(guardian)


def test_revoked_guardian_cannot_challenge(
    rewards, registry, chain, genesis, padded, proposer, guardian, gov
):
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    registry.revokeGuardian(guardian, sender=gov)
    with ape.reverts(rewards.ContributionRewardsNotGuardian):
        rewards.challenge(0, "", sender=guardian)
