"""The challenge game: a challenge discards the root at once and opens a dispute that only
decides the bonds (upheld, not upheld, or no verdict by its deadline); a padded root is banned
and the honest one re-proposed; griefing is bounded and paid for; a catch-up root carries a
discarded epoch's rewards; bonds are conserved; windows and roles are enforced. What each party
gains or loses is compared with the economics model (``attacker_net``, ``bond_flows``) for the
same parameters, exactly."""

from __future__ import annotations

import ape
import pytest
from eth_utils import to_checksum_address

from communis.economics.attacks import attacker_net
from communis.economics.bonds import Ending, bond_flows
from tests.helpers.constants import CHALLENGER_REWARD_BPS, POLICY, TOKEN
from tests.helpers.economics import Balances, model_of
from tests.helpers.epochs import (
    challenge,
    claim,
    cumulative,
    dispute_hash,
    pass_window,
    propose,
)
from tests.helpers.time import end_epoch, go_to

NONE, PROPOSED, CHALLENGED, REJECTED, FINALIZED = 0, 1, 2, 3, 4
UPHELD, NOT_UPHELD, NO_VERDICT, PROVEN = 0, 1, 2, 3
PROPOSER_BOND, CHALLENGER_BOND = POLICY[5], POLICY[6]
DISPUTE_PERIOD, FEE_BPS = POLICY[7], POLICY[8]
REWARD = PROPOSER_BOND * CHALLENGER_REWARD_BPS // 10_000
FAKES = [to_checksum_address(f"0x{i:040x}") for i in range(0xF00D0, 0xF00D5)]
ZERO32 = b"\0" * 32


@pytest.fixture
def honest(alice, bob):
    return cumulative(0, {alice: (600 * TOKEN, 60 * TOKEN), bob: (400 * TOKEN, 40 * TOKEN)})


@pytest.fixture
def padded(alice, bob, proposer):
    """The honest table plus fake accounts (and the proposer) sharing the rest of the budget."""
    awards = {alice: (600 * TOKEN, 60 * TOKEN), bob: (400 * TOKEN, 40 * TOKEN)}
    for fake in FAKES:
        awards[fake] = (1_000 * TOKEN, 100 * TOKEN)
    awards[proposer] = (4_000 * TOKEN, 400 * TOKEN)
    return cumulative(0, awards)


@pytest.fixture
def balances(token, proposer, guardian, treasury) -> Balances:
    """The parties' balances before anything is proposed."""
    return Balances(token, proposer, guardian, treasury)


@pytest.fixture
def disputed(rewards, chain, genesis, padded, proposer, guardian, balances):
    """The padded root of epoch 0, proposed and challenged: its dispute record."""
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    return challenge(rewards, padded, guardian)


def test_challenge_discards_the_root_at_once(
    rewards, token, chain, genesis, padded, honest, proposer, guardian, alice
):
    """oSnap's rule: the challenged root leaves the slot in the same transaction; the epoch can
    be proposed again right away, and a dispute holds both bonds."""
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    before = token.balanceOf(guardian)
    receipt = rewards.challenge(0, padded.root, "ipfs://verify-report", sender=guardian)
    key = rewards.disputeKey(0, padded.root, ZERO32)
    deadline = chain.blocks.head.timestamp + DISPUTE_PERIOD
    record = [
        0, 0, padded.root, ZERO32, proposer.address, PROPOSER_BOND, guardian.address,
        CHALLENGER_BOND, CHALLENGER_REWARD_BPS, FEE_BPS, deadline,
    ]  # fmt: skip
    [event] = receipt.decode_logs(rewards.RootChallenged)
    assert (event.epoch, event.challenger, event.key) == (0, guardian, key)
    assert [str(v).lower() if isinstance(v, str) else v for v in event.dispute] == [
        str(v).lower() if isinstance(v, str) else v for v in record
    ]
    assert event.evidenceURI == "ipfs://verify-report"
    assert rewards.disputeHash(0, padded.root, ZERO32) == dispute_hash(event.dispute)
    assert rewards.challengedBy(0, padded.root, ZERO32, guardian)
    assert token.balanceOf(guardian) == before - CHALLENGER_BOND
    assert token.balanceOf(rewards) == PROPOSER_BOND + CHALLENGER_BOND
    assert rewards.pendingProposal().status == CHALLENGED
    assert rewards.epochStatus(0) == NONE

    # The discarded root never finalizes, is not pending any more, and cannot come back while
    # its dispute is undecided; any other root of the epoch can be proposed at once.
    pass_window(chain, rewards)
    with ape.reverts(rewards.ContributionRewardsWrongStatus):
        rewards.finalize(0, sender=alice)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.challenge(0, padded.root, "again", sender=guardian)
    with ape.reverts(rewards.ContributionRewardsRootDisputed, key=key):
        propose(rewards, padded, proposer)
    propose(rewards, honest, proposer)
    assert rewards.epochStatus(0) == PROPOSED


def test_only_guardians_challenge_within_the_window(
    rewards, chain, genesis, padded, honest, proposer, guardian, alice
):
    end_epoch(chain, genesis, 0)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.challenge(0, padded.root, "", sender=guardian)  # nothing proposed yet
    propose(rewards, padded, proposer)
    with ape.reverts(rewards.ContributionRewardsNotGuardian):
        rewards.challenge(0, padded.root, "", sender=alice)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.challenge(1, padded.root, "", sender=guardian)
    # Naming the root makes sure a challenge never lands on a root proposed in the meantime.
    with ape.reverts(rewards.ContributionRewardsNotPending, epoch=0, root=honest.root):
        rewards.challenge(0, honest.root, "", sender=guardian)
    pass_window(chain, rewards)
    with ape.reverts(rewards.ContributionRewardsChallengeWindowClosed):
        rewards.challenge(0, padded.root, "", sender=guardian)


def test_only_governance_resolves(rewards, disputed, proposer, guardian, alice):
    for outsider in (proposer, guardian, alice):
        with ape.reverts(rewards.AccessControlUnauthorizedAccount):
            rewards.resolveDispute(disputed, True, sender=outsider)


def test_fraud_upheld_slashed_banned_and_reproposed_honestly(
    rewards,
    token,
    influence,
    chain,
    disputed,
    padded,
    honest,
    proposer,
    guardian,
    gov,
    treasury,
    alice,
    bob,
    balances,
):
    """The whole story: fake accounts caught, upheld, bond slashed, padded root banned for the
    epoch, honest root finalized and claimed."""
    forged = list(disputed)
    forged[5] = PROPOSER_BOND * 2  # a record that is not the one logged
    with ape.reverts(rewards.ContributionRewardsUnknownDispute):
        rewards.resolveDispute(forged, True, sender=gov)

    receipt = rewards.resolveDispute(disputed, True, sender=gov)
    key = rewards.disputeKey(0, padded.root, ZERO32)
    assert receipt.events.filter(rewards.DisputeEnded) == [
        rewards.DisputeEnded(key, 0, UPHELD, 0, CHALLENGER_BOND + REWARD, PROPOSER_BOND - REWARD)
    ]
    assert receipt.events.filter(rewards.RootBanned) == [
        rewards.RootBanned(0, key, padded.root, ZERO32)
    ]
    model = model_of(rewards)
    upheld = bond_flows(model, Ending.UPHELD)
    assert balances.change(proposer) == attacker_net("fraudulent-root", model, Ending.UPHELD)
    assert balances.change(proposer) == -PROPOSER_BOND  # the bond is gone for good
    assert balances.change(guardian) == upheld.challenger == REWARD
    assert balances.change(treasury) == upheld.treasury == PROPOSER_BOND - REWARD
    assert token.balanceOf(rewards) == 0
    assert rewards.isRootBanned(0, padded.root, ZERO32)
    assert rewards.disputeHash(0, padded.root, ZERO32) == ZERO32
    with ape.reverts(rewards.ContributionRewardsUnknownDispute):
        rewards.resolveDispute(disputed, False, sender=gov)  # decided once
    with ape.reverts(rewards.ContributionRewardsRootBanned, key=key):
        propose(rewards, padded, proposer)  # false books are erased for good
    with ape.reverts(rewards.ContributionRewardsNoFinalizedRoot):
        claim(rewards, padded, alice, alice)

    # The epoch is proposed again, honestly, and pays out.
    propose(rewards, honest, proposer)
    pass_window(chain, rewards)
    rewards.finalize(0, sender=alice)
    assert rewards.currentRoot() == honest.root
    claim(rewards, honest, alice, alice)
    claim(rewards, honest, bob, bob)
    assert token.balanceOf(alice) == 600 * TOKEN
    assert influence.storedBalanceOf(bob) == honest.leaf(bob)[1]
    tokens, stored = padded.leaf(FAKES[0])
    with ape.reverts(rewards.ContributionRewardsInvalidProof):
        rewards.claim(FAKES[0], tokens, stored, padded.proof(FAKES[0]), ZERO32, sender=alice)


def test_reward_share_fixed_when_challenged(rewards, token, disputed, guardian, gov):
    """Governance lowering the reward share after a challenge does not cut the challenger's."""
    rewards.setChallengerRewardBps(0, sender=gov)
    before = token.balanceOf(guardian)
    rewards.resolveDispute(disputed, True, sender=gov)
    assert token.balanceOf(guardian) == before + CHALLENGER_BOND + REWARD


def test_griefing_challenge_costs_the_challenger_and_happens_once(
    rewards, token, chain, genesis, honest, proposer, guardian, gov, treasury, alice
):
    """A challenge of an honest root that governance rejects: the challenger's bond goes to the
    treasury, the proposer's comes back, and the same root, proposed again, cannot be challenged
    again by that guardian: it finalizes."""
    end_epoch(chain, genesis, 0)
    balances = Balances(token, proposer, guardian, treasury)
    propose(rewards, honest, proposer)
    dispute = challenge(rewards, honest, guardian)
    key = rewards.disputeKey(0, honest.root, ZERO32)
    receipt = rewards.resolveDispute(dispute, False, sender=gov)
    assert receipt.events.filter(rewards.DisputeEnded) == [
        rewards.DisputeEnded(key, 0, NOT_UPHELD, PROPOSER_BOND, 0, CHALLENGER_BOND)
    ]
    model = model_of(rewards)
    not_upheld = bond_flows(model, Ending.NOT_UPHELD)
    assert balances.change(proposer) == not_upheld.proposer == 0  # honest: bond back
    assert balances.change(guardian) == attacker_net("griefing", model, Ending.NOT_UPHELD)
    assert balances.change(guardian) == -CHALLENGER_BOND
    assert balances.change(treasury) == not_upheld.treasury == CHALLENGER_BOND
    assert token.balanceOf(rewards) == 0
    assert not rewards.isRootBanned(0, honest.root, ZERO32)

    propose(rewards, honest, proposer)
    with ape.reverts(rewards.ContributionRewardsAlreadyChallenged, guardian=guardian, key=key):
        rewards.challenge(0, honest.root, "again", sender=guardian)
    pass_window(chain, rewards)
    rewards.finalize(0, sender=alice)
    claim(rewards, honest, alice, alice)


def test_dispute_without_verdict_costs_both_parties(
    rewards, token, chain, disputed, padded, proposer, guardian, gov, treasury, alice, balances
):
    """Governance does not decide: from the deadline on anyone settles; each party pays the
    dispute fee of its bond and gets the rest back; the root may be proposed again."""
    deadline = disputed[10]
    with ape.reverts(rewards.ContributionRewardsDisputeOpen, deadline=deadline):
        rewards.settleDispute(disputed, sender=alice)
    go_to(chain, deadline)
    with ape.reverts(rewards.ContributionRewardsDisputeExpired, deadline=deadline):
        rewards.resolveDispute(disputed, True, sender=gov)  # too late for a verdict
    receipt = rewards.settleDispute(disputed, sender=alice)  # anyone
    proposer_fee = -(-PROPOSER_BOND * FEE_BPS // 10_000)  # rounded up
    challenger_fee = -(-CHALLENGER_BOND * FEE_BPS // 10_000)
    key = rewards.disputeKey(0, padded.root, ZERO32)
    assert receipt.events.filter(rewards.DisputeEnded) == [
        rewards.DisputeEnded(
            key,
            0,
            NO_VERDICT,
            PROPOSER_BOND - proposer_fee,
            CHALLENGER_BOND - challenger_fee,
            proposer_fee + challenger_fee,
        )
    ]
    model = model_of(rewards)
    timed_out = bond_flows(model, Ending.TIMED_OUT)
    assert balances.change(proposer) == attacker_net("fraudulent-root", model, Ending.TIMED_OUT)
    assert balances.change(proposer) == -proposer_fee
    assert balances.change(guardian) == timed_out.challenger == -challenger_fee
    assert balances.change(treasury) == timed_out.treasury == proposer_fee + challenger_fee
    assert token.balanceOf(rewards) == 0
    with ape.reverts(rewards.ContributionRewardsUnknownDispute):
        rewards.settleDispute(disputed, sender=alice)
    # Not banned: proposable again; the guardian who challenged it cannot challenge it again.
    propose(rewards, padded, proposer)
    with ape.reverts(rewards.ContributionRewardsAlreadyChallenged):
        rewards.challenge(0, padded.root, "", sender=guardian)


def test_second_proposer_reverts_without_losing_a_bond(
    rewards, token, chain, genesis, honest, proposer, treasury, alice
):
    """Two proposers at once: the first mined wins; the second transaction reverts before any
    bond moves."""
    token.transfer(alice, PROPOSER_BOND, sender=treasury)
    token.approve(rewards, PROPOSER_BOND, sender=alice)
    end_epoch(chain, genesis, 0)
    propose(rewards, honest, proposer)
    with ape.reverts(rewards.ContributionRewardsProposalPending):
        propose(rewards, honest, alice)
    assert token.balanceOf(alice) == PROPOSER_BOND
    assert token.balanceOf(rewards) == PROPOSER_BOND
    assert rewards.pendingProposal().proposer == proposer


def test_catch_up_root_pays_a_discarded_epoch(
    rewards, token, influence, chain, genesis, honest, padded, proposer, guardian, alice, bob
):
    """Epoch 0's root is discarded and nobody proposes it again before epoch 1 ends: one root
    for epoch 1 covers epochs 0 and 1 (budgets and per-account caps summed, each epoch at its
    growth) and pays both epochs' rewards."""
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    challenge(rewards, padded, guardian)
    end_epoch(chain, genesis, 1)
    # Alice earns more than one epoch's cap in total: only two epochs' caps make room for it.
    cap = POLICY[0] * POLICY[3] // 10_000
    both = cumulative(1, {alice: (cap, 100 * TOKEN), bob: (cap, 0)}, honest)
    assert both.leaf(alice)[0] > cap
    held = token.balanceOf(rewards)
    receipt = propose(rewards, both, proposer)
    assert receipt.decode_logs(rewards.RootProposed)[0].firstEpoch == 0
    assert receipt.decode_logs(rewards.RootProposed)[0].bond == 2 * PROPOSER_BOND  # one per epoch
    assert token.balanceOf(rewards) == held + 2 * PROPOSER_BOND
    assert rewards.epochStatus(0) == PROPOSED and rewards.epochStatus(1) == PROPOSED
    proposal = rewards.pendingProposal()
    assert proposal.firstEpoch == 0 and proposal.epoch == 1
    assert proposal.capTokens == 2 * cap
    influence_cap = sum(
        (POLICY[1] * POLICY[3] // 10_000) * influence.growth(e) >> 64 for e in (0, 1)
    )
    assert proposal.capInfluence == influence_cap
    pass_window(chain, rewards)
    receipt = rewards.finalize(1, sender=alice)
    assert receipt.events.filter(rewards.RootFinalized) == [
        rewards.RootFinalized(1, 0, both.root, *both.totals)
    ]
    assert rewards.nextEpoch() == 2
    assert rewards.rootOf(1) == both.root and rewards.rootOf(0) == ZERO32
    assert rewards.epochStatus(0) == FINALIZED
    claim(rewards, both, alice, alice)
    claim(rewards, both, bob, bob)
    assert token.balanceOf(alice) == both.leaf(alice)[0]


def test_catch_up_budget_is_the_sum_of_the_covered_epochs(
    rewards, influence, chain, genesis, alice, bob, proposer
):
    end_epoch(chain, genesis, 2)
    three = POLICY[0] * 3
    over = cumulative(2, {alice: (three + 1, 0)})
    with ape.reverts(
        rewards.ContributionRewardsTokenBudgetExceeded, amount=three + 1, budget=three
    ):
        propose(rewards, over, proposer)
    budget = sum(rewards.influenceBudgetStored(e) for e in range(3))
    table = cumulative(2, {bob: (three, 0)})
    with ape.reverts(rewards.ContributionRewardsInfluenceBudgetExceeded, budget=budget):
        propose(rewards, table, proposer, totals=(three, budget + 1))
    propose(rewards, table, proposer, totals=(three, budget))


def test_bonds_conserved(
    rewards, token, chain, genesis, honest, padded, proposer, guardian, registry, gov, alice, bob
):
    """The contract holds exactly the pending bond plus both bonds of every undecided dispute."""
    for member in (alice, bob):
        registry.grantGuardian(member, sender=gov)
        token.transfer(member, CHALLENGER_BOND, sender=guardian)
        token.approve(rewards, CHALLENGER_BOND, sender=member)
    end_epoch(chain, genesis, 0)
    held = 0
    disputes = []
    for root, challenger in ((padded, guardian), (honest, alice)):
        propose(rewards, root, proposer)
        held += PROPOSER_BOND
        assert token.balanceOf(rewards) == held
        disputes.append(challenge(rewards, root, challenger))
        held += CHALLENGER_BOND
        assert token.balanceOf(rewards) == held
    propose(rewards, cumulative(0, {alice: (TOKEN, 0)}), proposer)
    held += PROPOSER_BOND
    assert token.balanceOf(rewards) == held
    rewards.resolveDispute(disputes[0], True, sender=gov)
    held -= PROPOSER_BOND + CHALLENGER_BOND
    assert token.balanceOf(rewards) == held
    go_to(chain, disputes[1][10])
    rewards.settleDispute(disputes[1], sender=bob)
    held -= PROPOSER_BOND + CHALLENGER_BOND
    assert token.balanceOf(rewards) == held == PROPOSER_BOND


def test_bonds_fixed_at_proposal_time(
    rewards, token, chain, genesis, honest, proposer, guardian, gov
):
    """A policy change while a root is pending does not change what is returned or slashed."""
    end_epoch(chain, genesis, 0)
    propose(rewards, honest, proposer)
    bigger = (*POLICY[:5], PROPOSER_BOND * 3, CHALLENGER_BOND * 3, *POLICY[7:])
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
            0, honest.root, tokens, stored, ZERO32, "ipfs://x", rewards.policyHash()
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
        rewards.challenge(0, padded.root, "", sender=guardian)


def test_attack_dust_bonds_dispute_for_free(rewards, token, chain, genesis, gov, guardian, alice):
    """Governance sets bonds of one token unit. Before, the dispute fee rounded down to zero, so
    a self-dispute (a guardian proposing with open proposing and challenging its own root)
    delayed the epoch by P + W for free, as often as it liked. The fee now rounds up: every
    dispute without a verdict costs each party at least one unit, what the model says."""
    dust = (*POLICY[:5], 1, 1, *POLICY[7:])
    rewards.setPolicy(dust, sender=gov)
    model = model_of(rewards)
    assert (model.proposer_bond, model.challenger_bond) == (1, 1)
    end_epoch(chain, genesis, 0)
    balances = Balances(token, guardian)
    own = cumulative(0, {alice: (TOKEN, 0)})
    propose(rewards, own, guardian)
    dispute = challenge(rewards, own, guardian)
    go_to(chain, dispute[10])
    receipt = rewards.settleDispute(dispute, sender=alice)
    assert receipt.decode_logs(rewards.DisputeEnded)[0].toTreasury == 2
    assert balances.change(guardian) == attacker_net("self-dispute", model, Ending.TIMED_OUT)
    assert balances.change(guardian) == -2  # before: 0
