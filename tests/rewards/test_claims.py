"""Claims: cumulative payouts of tokens and influence, on behalf, across epochs, races, and the
proofs and totals that stop a claim from paying more than it should."""

from __future__ import annotations

import ape
import pytest

from communis.engine.growth import to_influence, to_stored
from tests.helpers.constants import HALF_LIFE, POLICY, TOKEN
from tests.helpers.epochs import claim, cumulative, pass_window, propose, settle
from tests.helpers.time import end_epoch

ZERO = b"\0" * 32
ZERO_ADDRESS = "0x" + "00" * 20
MAX_STORED = 2**256 - 1


@pytest.fixture
def epoch0(rewards, chain, genesis, proposer, alice, bob, carol):
    epoch = cumulative(
        0,
        {
            alice: (600 * TOKEN, 60 * TOKEN),
            bob: (300 * TOKEN, 30 * TOKEN),
            carol: (100 * TOKEN, 0),
        },
    )
    settle(chain, genesis, rewards, epoch, proposer)
    return epoch


def test_claim_mints_tokens_and_awards_influence(rewards, token, influence, epoch0, alice):
    tokens, stored = epoch0.leaf(alice)
    assert stored == to_stored(60 * TOKEN, 0, HALF_LIFE)
    supply = token.totalSupply()
    receipt = claim(rewards, epoch0, alice, alice)
    assert receipt.events.filter(rewards.Claimed) == [
        rewards.Claimed(alice, alice, epoch0.root, tokens, stored)
    ]
    assert token.balanceOf(alice) == tokens
    assert token.totalSupply() == supply + tokens
    assert influence.storedBalanceOf(alice) == stored
    # Counted from epoch 0, so already decayed by one epoch now (epoch 1).
    assert influence.currentEpoch() == 1
    assert influence.balanceOf(alice) == to_influence(stored, 1, HALF_LIFE) < 60 * TOKEN
    assert rewards.claimed(alice) == (tokens, stored)
    assert rewards.totalClaimed() == (tokens, stored)


def test_claim_on_behalf_pays_the_account(rewards, token, influence, epoch0, alice, bob):
    tokens, stored = epoch0.leaf(alice)
    receipt = claim(rewards, epoch0, alice, bob)
    assert receipt.events.filter(rewards.Claimed) == [
        rewards.Claimed(alice, bob, epoch0.root, tokens, stored)
    ]
    assert token.balanceOf(alice) == tokens
    assert token.balanceOf(bob) == 0
    assert influence.storedBalanceOf(bob) == 0
    assert influence.storedBalanceOf(alice) == stored


def test_tokens_only_leaf(rewards, token, influence, epoch0, carol):
    claim(rewards, epoch0, carol, carol)
    assert token.balanceOf(carol) == 100 * TOKEN
    assert influence.storedBalanceOf(carol) == 0


def test_double_claim_reverts(rewards, epoch0, alice, bob):
    claim(rewards, epoch0, alice, alice)
    with ape.reverts(rewards.ContributionRewardsNothingToClaim, account=alice):
        claim(rewards, epoch0, alice, alice)
    with ape.reverts(rewards.ContributionRewardsNothingToClaim):
        claim(rewards, epoch0, alice, bob)


def test_forged_proofs_revert(rewards, epoch0, alice, bob):
    tokens, stored = epoch0.leaf(alice)
    proof = epoch0.proof(alice)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):  # inflated amount
        rewards.claim(alice, tokens + 1, stored, proof, ZERO, sender=alice)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):  # inflated influence
        rewards.claim(alice, tokens, stored + 1, proof, ZERO, sender=alice)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):  # someone else's leaf
        rewards.claim(bob, tokens, stored, proof, ZERO, sender=bob)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):  # a truncated proof
        rewards.claim(alice, tokens, stored, proof[1:], ZERO, sender=alice)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):
        rewards.claim(alice, tokens, stored, [], ZERO, sender=alice)


def test_claims_across_several_epochs_at_once(
    rewards, token, influence, chain, genesis, proposer, epoch0, alice, bob
):
    claim(rewards, epoch0, bob, bob)  # bob claims every epoch, alice only at the end
    epoch1 = cumulative(1, {alice: (200 * TOKEN, 20 * TOKEN), bob: (50 * TOKEN, 5 * TOKEN)}, epoch0)
    settle(chain, genesis, rewards, epoch1, proposer)
    claim(rewards, epoch1, bob, bob)
    epoch2 = cumulative(2, {alice: (100 * TOKEN, 10 * TOKEN)}, epoch1)
    settle(chain, genesis, rewards, epoch2, proposer)

    tokens, stored = epoch2.leaf(alice)
    assert tokens == 900 * TOKEN
    # Each epoch's influence counts at its own growth factor.
    assert stored == sum(to_stored(a * TOKEN, e, HALF_LIFE) for e, a in [(0, 60), (1, 20), (2, 10)])
    claim(rewards, epoch2, alice, alice)
    assert token.balanceOf(alice) == tokens
    assert influence.storedBalanceOf(alice) == stored
    assert token.balanceOf(bob) == 350 * TOKEN
    assert rewards.totalClaimed() == (
        tokens + 350 * TOKEN,
        stored + epoch2.leaf(bob)[1],
    )
    # bob got nothing new in epoch 2.
    with ape.reverts(rewards.ContributionRewardsNothingToClaim):
        claim(rewards, epoch2, bob, bob)


def test_expected_root_guards_a_racing_update(
    rewards, token, chain, genesis, proposer, epoch0, alice
):
    claim(rewards, epoch0, alice, alice, expected_root=epoch0.root)
    epoch1 = cumulative(1, {alice: (10 * TOKEN, 0)}, epoch0)
    # A claimer built its transaction against epoch 1's proposal... and epoch 1 finalizes first.
    settle(chain, genesis, rewards, epoch1, proposer)
    with ape.reverts(rewards.ContributionRewardsRootChanged):
        claim(rewards, epoch1, alice, alice, expected_root=epoch0.root)
    # Without the check, the stale proof simply does not verify against the new root.
    with ape.reverts(rewards.ContributionRewardsInvalidProof):
        claim(rewards, epoch0, alice, alice)
    claim(rewards, epoch1, alice, alice, expected_root=epoch1.root)
    assert token.balanceOf(alice) == 610 * TOKEN


def test_claim_before_any_root(rewards, alice):
    with ape.reverts(rewards.ContributionRewardsNoFinalizedRoot):
        rewards.claim(alice, 1, 1, [], ZERO, sender=alice)


def test_lying_totals_cannot_pay_beyond_them(rewards, token, chain, genesis, proposer, alice, bob):
    """A root whose leaves sum to more than its declared totals (which the budget bound) pays
    out at most the totals: the first claims get paid, the rest revert."""
    # Each leaf within the per-account cap (15% of the 10,000 budget), their sum above the totals.
    epoch = cumulative(0, {alice: (1_500 * TOKEN, 0), bob: (1_500 * TOKEN, 0)})
    end_epoch(chain, genesis, 0)
    propose(rewards, epoch, proposer, totals=(2_000 * TOKEN, 0))
    pass_window(chain, rewards)
    rewards.finalize(0, sender=bob)
    claim(rewards, epoch, alice, alice)
    with ape.reverts(rewards.ContributionRewardsExceedsFinalizedTotals):
        claim(rewards, epoch, bob, bob)
    assert rewards.totalClaimed() == (1_500 * TOKEN, 0)
    assert token.balanceOf(bob) == 0


def test_token_cap_always_holds(
    project, deployer, treasury, chain, genesis, influence, attester_registry, gov, alice
):
    """Minting goes through CommunityToken, so its cap binds every claim."""
    from tests.helpers.constants import CHALLENGER_REWARD_BPS

    # The genesis allocation is only the proposer bond (one unit): the cap leaves no room.
    capped = deployer.deploy(project.CommunityToken, "C", "C", 100 * TOKEN, deployer, gov, 1)
    rewards = deployer.deploy(
        project.ContributionRewards,
        capped,
        influence,
        gov,
        treasury,
        ape.utils.ZERO_ADDRESS,
        attester_registry,
        POLICY,
        CHALLENGER_REWARD_BPS,
    )
    capped.grantRole(capped.MINTER_ROLE(), rewards, sender=deployer)
    policy = (*POLICY[:5], 1, 1, *POLICY[7:])  # bonds of one unit
    rewards.setPolicy(policy, sender=gov)
    capped.approve(rewards, 1, sender=gov)
    rewards.grantRole(rewards.PROPOSER_ROLE(), gov, sender=gov)
    epoch = cumulative(0, {alice: (101 * TOKEN, 0)})
    settle(chain, genesis, rewards, epoch, gov)
    with ape.reverts(capped.ERC20ExceededCap):
        claim(rewards, epoch, alice, alice)


def test_batch_claims_with_multicall(rewards, token, epoch0, alice, bob, carol):
    calls = []
    for account in (alice, bob, carol):
        tokens, stored = epoch0.leaf(account)
        calls.append(
            rewards.claim.encode_input(account, tokens, stored, epoch0.proof(account), epoch0.root)
        )
    receipt = rewards.multicall(calls, sender=bob)
    assert len(receipt.events.filter(rewards.Claimed)) == 3
    assert token.balanceOf(carol) == 100 * TOKEN
    assert rewards.totalClaimed()[0] == 1_000 * TOKEN


def test_attack_front_run_claim_does_not_revert_the_batch(
    rewards, token, epoch0, alice, bob, carol, attacker
):
    """Someone claims for Bob just before a batch that includes him: a multicall of claims
    reverts as a whole (ContributionRewardsNothingToClaim), claimMany skips Bob and pays the
    others."""
    requests = [(a, *epoch0.leaf(a), epoch0.proof(a)) for a in (alice, bob, carol)]
    claim(rewards, epoch0, bob, attacker)  # the front-run
    calls = [rewards.claim.encode_input(*r, epoch0.root) for r in requests]
    with ape.reverts(rewards.ContributionRewardsNothingToClaim, account=bob):
        rewards.multicall(calls, sender=carol)
    receipt = rewards.claimMany(requests, epoch0.root, sender=carol)
    paid = receipt.events.filter(rewards.Claimed)
    assert [str(e.account) for e in paid] == [str(alice), str(carol)]
    assert token.balanceOf(alice) == 600 * TOKEN
    assert token.balanceOf(bob) == 300 * TOKEN
    assert token.balanceOf(carol) == 100 * TOKEN
    assert rewards.totalClaimed()[0] == 1_000 * TOKEN
    # A batch of accounts all paid up is a no-op, not a revert.
    rewards.claimMany(requests, epoch0.root, sender=carol)
    assert rewards.totalClaimed()[0] == 1_000 * TOKEN


def test_claim_many_still_reverts_on_a_bad_proof(rewards, epoch0, alice, bob, attacker):
    tokens, stored = epoch0.leaf(alice)
    requests = [
        (bob, *epoch0.leaf(bob), epoch0.proof(bob)),
        (attacker, tokens, stored, epoch0.proof(alice)),
    ]
    with ape.reverts(rewards.ContributionRewardsInvalidProof):
        rewards.claimMany(requests, epoch0.root, sender=bob)
    with ape.reverts(rewards.ContributionRewardsRootChanged):
        rewards.claimMany(requests[:1], b"\1" * 32, sender=bob)


# --- what was paid in influence is read from Influence (awardedBy), never from votes ---------


def test_claim_after_delegating_lands_on_the_delegate(
    rewards, influence, chain, genesis, proposer, epoch0, alice, bob
):
    influence.invoke_transaction("delegate", bob, sender=alice)
    claim(rewards, epoch0, alice, alice)
    _, stored = epoch0.leaf(alice)
    assert influence.getStoredVotes(bob) == stored
    assert influence.storedBalanceOf(alice) == stored
    assert rewards.claimed(alice)[1] == stored
    epoch1 = cumulative(1, {alice: (0, 20 * TOKEN)}, epoch0)
    settle(chain, genesis, rewards, epoch1, proposer)
    claim(rewards, epoch1, alice, alice)
    assert influence.getStoredVotes(bob) == epoch1.leaf(alice)[1]
    assert rewards.claimed(alice)[1] == epoch1.leaf(alice)[1]


def test_votes_delegated_to_a_claimant_are_not_paid_again(
    rewards, influence, chain, genesis, proposer, epoch0, alice, bob
):
    """Alice's votes grow when Bob delegates to her; what she was paid does not."""
    claim(rewards, epoch0, alice, alice)
    claim(rewards, epoch0, bob, bob)
    influence.invoke_transaction("delegate", alice, sender=bob)
    with ape.reverts(rewards.ContributionRewardsNothingToClaim):
        claim(rewards, epoch0, alice, alice)
    epoch1 = cumulative(1, {alice: (0, 20 * TOKEN)}, epoch0)
    settle(chain, genesis, rewards, epoch1, proposer)
    receipt = claim(rewards, epoch1, alice, alice)
    paid = receipt.events.filter(rewards.Claimed)[0]
    assert paid.influenceStored == epoch1.leaf(alice)[1] - epoch0.leaf(alice)[1]
    assert influence.getStoredVotes(alice) == epoch1.leaf(alice)[1] + epoch0.leaf(bob)[1]


def test_slashed_influence_is_not_paid_again(rewards, influence, gov, deployer, epoch0, alice):
    claim(rewards, epoch0, alice, alice)
    influence.slash(alice, MAX_STORED, sender=deployer)  # the deployer is Influence's admin here
    assert influence.storedBalanceOf(alice) == 0
    assert rewards.claimed(alice)[1] == epoch0.leaf(alice)[1]
    with ape.reverts(rewards.ContributionRewardsNothingToClaim):
        claim(rewards, epoch0, alice, alice)


def test_a_second_distributor_keeps_its_own_books(
    project,
    rewards,
    token,
    influence,
    deployer,
    gov,
    treasury,
    chain,
    genesis,
    epoch0,
    alice,
    attester_registry,
):
    """A second ContributionRewards on the same ledgers (not the claims ledger): its claims are
    booked per distributor and do not count as the first one's."""
    from tests.helpers.epochs import deploy_rewards

    second = deploy_rewards(
        project, deployer, token, influence, (gov, treasury, ZERO_ADDRESS, attester_registry)
    )
    assert influence.claimsLedger() == rewards.address
    second.grantRole(second.PROPOSER_ROLE(), gov, sender=gov)
    second.setPolicy((*POLICY[:5], 1, 1, *POLICY[7:]), sender=gov)  # bonds of one unit
    token.transfer(gov, 1, sender=treasury)
    token.approve(second, 1, sender=gov)
    settle(chain, genesis, second, epoch0, gov)
    claim(second, epoch0, alice, alice)
    claim(rewards, epoch0, alice, alice)
    _, stored = epoch0.leaf(alice)
    assert second.claimed(alice)[1] == rewards.claimed(alice)[1] == stored
    assert influence.awardedBy(second, alice) == stored
    assert influence.storedBalanceOf(alice) == influence.getStoredVotes(alice) == 2 * stored
    with ape.reverts(second.ContributionRewardsNothingToClaim):
        claim(second, epoch0, alice, alice)
