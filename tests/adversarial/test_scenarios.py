"""Adversarial scenarios against the whole system, handed over to the timelock (both EVMs).

Each test is one attack, named after it; each asserts that the attack gains nothing and what it
costs the attacker (in the challenge game, exactly what the economics model predicts for the same
parameters). Members earn influence only through a finalized epoch and a claim.
"""

from __future__ import annotations

import contextlib

import ape
import pytest
from eth_abi import decode
from eth_utils import keccak

from communis.economics.attacks import attacker_net
from communis.economics.bonds import Ending, bond_flows
from tests.helpers.constants import (
    AGAINST,
    CANCELED,
    FOR,
    MAX_UINT,
    POLICY,
    PROPOSAL_THRESHOLD,
    QUEUED,
    TIMELOCK_DELAY,
    TOKEN,
)
from tests.helpers.economics import Balances, model_of
from tests.helpers.epochs import cumulative, dispute_of
from tests.helpers.governance import encode, propose, vote_through
from tests.helpers.signing import delegates, sign_delegation, sign_permit
from tests.helpers.system import claim, end_epoch, propose_root, settle
from tests.helpers.time import travel

ZERO32 = b"\0" * 32
PROPOSER_BOND, CHALLENGER_BOND = POLICY[5], POLICY[6]
FINALIZED = 4


def noop(full, value=7 * TOKEN):
    return [(full.registry, "setApplicationThreshold", (value,))]


def tally(governor, proposal_id) -> tuple[int, int, int]:
    against, for_, abstain = governor.proposalVotes(proposal_id)
    return for_, against, abstain


# --- tokens buy no say ------------------------------------------------------------------------


def test_flash_borrowed_tokens_give_no_votes(
    project, chain, full, claimed_epoch0, alice, treasury, attacker
):
    """A real ERC-3156 flash loan of half the supply, turned (or not) into votes inside the
    loan: delegation, propose and castVote in the same transaction, then repay."""
    governor, token = full.governor, full.token
    lender = attacker.deploy(project.FlashLender, token)
    pool = token.balanceOf(treasury) // 2
    token.transfer(lender, pool, sender=treasury)
    voter = attacker.deploy(project.FlashVoter, governor, full.influence)
    proposal = propose(governor, alice, noop(full), "a live vote")
    travel(chain, governor.proposalSnapshot(proposal.id) + 1)
    before = tally(governor, proposal.id)

    voter.attack(lender, token, pool, proposal.id, sender=attacker)

    assert voter.borrowedBalance() == pool  # the loan really happened...
    assert voter.votesDuringLoan() == 0  # ...and carried no votes
    assert not voter.proposed()
    error = bytes(voter.proposeError())
    signature = "GovernorInsufficientProposerVotes(address,uint256,uint256)"
    assert error[:4] == keccak(text=signature)[:4]
    proposer, votes, threshold = decode(["address", "uint256", "uint256"], error[4:])
    assert (proposer.lower(), votes, threshold) == (voter.address.lower(), 0, PROPOSAL_THRESHOLD)
    assert voter.voteWeight() == 0
    assert tally(governor, proposal.id) == before
    assert token.balanceOf(lender) == pool and token.balanceOf(voter) == 0  # repaid


def test_buying_tokens_after_a_snapshot_changes_nothing(
    chain, full, claimed_epoch0, alice, bob, whale
):
    governor, token, treasury = full.governor, full.token, full.treasury
    proposal = propose(governor, alice, noop(full), "whale watching")
    snapshot = governor.proposalSnapshot(proposal.id)
    travel(chain, snapshot + 1)
    token.transfer(whale, token.balanceOf(treasury), sender=treasury)  # buys everything
    token.transfer(whale, token.balanceOf(alice), sender=alice)  # Alice sells all she has
    assert governor.getVotes(whale, snapshot) == 0
    governor.castVote(proposal.id, AGAINST, sender=whale)
    governor.castVote(proposal.id, FOR, sender=alice)
    earned = full.influence.getPastVotes(alice, snapshot)  # her 40, decayed to the snapshot
    assert full.influence.getPastStoredVotes(alice, snapshot) == 40 * TOKEN
    assert tally(governor, proposal.id) == (earned, 0, 0)  # Alice's vote intact, the whale's 0
    with ape.reverts(governor.GovernorInsufficientProposerVotes):
        propose(governor, whale, noop(full, 1), "the whale proposes")


# --- claims -----------------------------------------------------------------------------------


def test_double_claim(full, claimed_epoch0, alice, bob):
    token = full.token
    balance = token.balanceOf(alice)
    with ape.reverts(full.rewards.ContributionRewardsNothingToClaim):
        claim(full, claimed_epoch0, alice, alice)
    with ape.reverts(full.rewards.ContributionRewardsNothingToClaim):  # on behalf, by someone else
        claim(full, claimed_epoch0, alice, bob)
    # Batched twice in one multicall: the whole batch reverts.
    tokens, stored = claimed_epoch0.leaf(alice)
    call = full.rewards.claim.encode_input(
        alice, tokens, stored, claimed_epoch0.proof(alice), claimed_epoch0.root
    )
    with ape.reverts(full.rewards.ContributionRewardsNothingToClaim):
        full.rewards.multicall([call, call], sender=bob)
    assert token.balanceOf(alice) == balance
    assert full.rewards.claimed(alice) == (tokens, stored)


def test_forged_proof(full, claimed_epoch0, alice, attacker):
    rewards = full.rewards
    tokens, stored = claimed_epoch0.leaf(alice)
    proof = claimed_epoch0.proof(alice)
    forged = [
        (attacker, tokens, stored, proof),  # someone else's proof for oneself
        (alice, tokens * 10, stored, proof),  # inflated leaf
        (alice, tokens, stored, [bytes(32)] * len(proof)),  # made-up siblings
        (attacker, 0, 0, [claimed_epoch0.root]),  # the root as a sibling
    ]
    for account, t, s, p in forged:
        with ape.reverts(rewards.ContributionRewardsInvalidProof):
            rewards.claim(account, t, s, p, ZERO32, sender=attacker)
    # An internal node presented as a leaf: the double-hashed leaf encoding rules it out.
    with ape.reverts(rewards.ContributionRewardsInvalidProof):
        rewards.claim(attacker, 0, 0, proof[1:], ZERO32, sender=attacker)
    assert full.token.balanceOf(attacker) == 0


def test_claim_racing_a_root_update(chain, full, claimed_epoch0, alice):
    """A claim signed against one root lands after another finalized: with expectedRoot it
    reverts instead of silently using a different table."""
    rewards = full.rewards
    epoch1 = cumulative(1, {alice: (10 * TOKEN, 1 * TOKEN)}, claimed_epoch0)
    settle(chain, full, epoch1)
    with ape.reverts(rewards.ContributionRewardsRootChanged):
        claim(full, epoch1, alice, alice, expected_root=claimed_epoch0.root)
    claim(full, epoch1, alice, alice, expected_root=epoch1.root)
    assert rewards.claimed(alice) == epoch1.leaf(alice)


# --- signatures -------------------------------------------------------------------------------


def test_permit_replay_on_another_chain_or_after_expiry(chain, full, claimed_epoch0, alice, bob):
    token = full.token
    deadline = chain.pending_timestamp + 3600
    other = sign_permit(token, alice, bob, 5 * TOKEN, deadline, chain_id=chain.chain_id + 1)
    with ape.reverts(token.ERC2612InvalidSigner):
        token.permit(alice, bob, 5 * TOKEN, deadline, *other, sender=bob)
    expired = chain.blocks.head.timestamp - 1
    late = sign_permit(token, alice, bob, 5 * TOKEN, expired, chain_id=chain.chain_id)
    with ape.reverts(token.ERC2612ExpiredSignature):
        token.permit(alice, bob, 5 * TOKEN, expired, *late, sender=bob)
    good = sign_permit(token, alice, bob, 5 * TOKEN, deadline, chain_id=chain.chain_id)
    token.permit(alice, bob, 5 * TOKEN, deadline, *good, sender=bob)
    with ape.reverts(token.ERC2612InvalidSigner):  # replay: nonce used
        token.permit(alice, bob, 5 * TOKEN, deadline, *good, sender=bob)
    assert token.allowance(alice, bob) == 5 * TOKEN


def test_delegation_signature_replay_on_another_chain_or_after_expiry(
    chain, full, claimed_epoch0, alice, attacker
):
    influence = full.influence
    votes = influence.getVotes(alice)
    expiry = chain.pending_timestamp + 3600
    other = sign_delegation(influence, alice, attacker, 0, expiry, chain_id=chain.chain_id + 1)
    # Recovers to an unrelated address: reverts on its nonce, or moves nothing of Alice's.
    with contextlib.suppress(ape.exceptions.ContractLogicError):
        influence.delegateBySig(attacker, 0, expiry, *other, sender=attacker)
    expired = chain.blocks.head.timestamp - 1
    late = sign_delegation(influence, alice, attacker, 0, expired, chain_id=chain.chain_id)
    with ape.reverts(influence.VotesExpiredSignature):
        influence.delegateBySig(attacker, 0, expired, *late, sender=attacker)
    good = sign_delegation(influence, alice, alice, 0, expiry, chain_id=chain.chain_id)
    influence.delegateBySig(alice, 0, expiry, *good, sender=attacker)
    with ape.reverts(influence.InvalidAccountNonce):  # replay
        influence.delegateBySig(alice, 0, expiry, *good, sender=attacker)
    assert delegates(influence, alice) == alice
    assert influence.getVotes(alice) == votes
    assert influence.getVotes(attacker) == 0


# --- the challenge game -----------------------------------------------------------------------


def _resolve(chain, full, dispute, upheld: bool, voters, executor, *, tag: str = ""):
    action = [(full.rewards, "resolveDispute", (dispute, upheld))]
    verdict = "uphold" if upheld else "reject"
    description = f"{verdict} the challenge of epoch {dispute[0]}{tag}"
    proposal = propose(full.governor, voters[0], action, description)
    return vote_through(chain, full.governor, proposal, voters, executor=executor)


def test_upheld_root_is_banned_for_its_epoch(chain, full, claimed_epoch0, alice, bob, attacker):
    """A padded root is challenged (discarded at once: nothing of it ever pays) and the
    challenge upheld by governance: the proposer's bond is slashed and the very same root can
    never be proposed for that epoch again ("false books are erased"); the honest root can."""
    rewards, token, proposer, guardian = full.rewards, full.token, full.proposer, full.guardian
    padded = cumulative(
        1, {alice: (10 * TOKEN, 0), attacker: (9_000 * TOKEN, 900 * TOKEN)}, claimed_epoch0
    )
    end_epoch(chain, full, 1)
    model = model_of(rewards)
    balances = Balances(token, proposer, guardian, full.timelock, attacker)
    propose_root(full, padded)
    receipt = rewards.challenge(1, padded.root, "ipfs://report", sender=guardian)
    with ape.reverts(rewards.ContributionRewardsInvalidProof):  # nothing of it pays meanwhile
        claim(full, padded, attacker, attacker)
    _resolve(chain, full, dispute_of(receipt, rewards), True, [alice, bob], bob)
    assert rewards.isRootBanned(1, padded.root, padded.ledger_root)
    upheld = bond_flows(model, Ending.UPHELD)
    assert balances.change(proposer) == attacker_net("fraudulent-root", model, Ending.UPHELD)
    assert balances.change(proposer) == -PROPOSER_BOND
    assert balances.change(guardian) == upheld.challenger
    assert balances.change(full.timelock) == upheld.treasury
    with ape.reverts(rewards.ContributionRewardsRootBanned):
        propose_root(full, padded)
    honest = cumulative(1, {alice: (10 * TOKEN, 0)}, claimed_epoch0)
    propose_root(full, honest)
    assert rewards.nextEpoch() == 1 and rewards.currentRoot() == claimed_epoch0.root
    assert token.balanceOf(attacker) == 0


def test_griefing_challenges_cost_the_challenger_its_bond(chain, full, claimed_epoch0, alice, bob):
    """A challenge governance rejects: the challenger's bond goes to the treasury, the proposer
    gets its bond back, the root (discarded by the challenge) is proposed again and the same
    guardian cannot challenge it twice."""
    rewards, token, guardian = full.rewards, full.token, full.guardian
    model = model_of(rewards)
    honest = cumulative(1, {alice: (10 * TOKEN, 1 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    balances = Balances(token, guardian, full.timelock, full.proposer)
    propose_root(full, honest)
    receipt = rewards.challenge(1, honest.root, "I just don't like it", sender=guardian)
    _resolve(chain, full, dispute_of(receipt, rewards), False, [alice, bob], bob)
    not_upheld = bond_flows(model, Ending.NOT_UPHELD)
    assert balances.change(guardian) == attacker_net("griefing", model, Ending.NOT_UPHELD)
    assert balances.change(guardian) == -CHALLENGER_BOND
    assert balances.change(full.timelock) == not_upheld.treasury == CHALLENGER_BOND
    assert balances.change(full.proposer) == not_upheld.proposer == 0
    propose_root(full, honest)
    with ape.reverts(rewards.ContributionRewardsAlreadyChallenged):
        rewards.challenge(1, honest.root, "again", sender=guardian)
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(1, sender=alice)
    assert rewards.epochStatus(1) == FINALIZED and rewards.currentRoot() == honest.root


def test_proposer_cannot_exceed_the_epoch_budget(chain, full, claimed_epoch0, alice):
    rewards = full.rewards
    end_epoch(chain, full, 1)
    tokens0, stored0 = claimed_epoch0.totals
    greedy = cumulative(1, {alice: (POLICY[0] + 1, 0)}, claimed_epoch0)
    with ape.reverts(rewards.ContributionRewardsTokenBudgetExceeded):
        propose_root(full, greedy)
    budget = rewards.influenceBudgetStored(1)
    with ape.reverts(rewards.ContributionRewardsInfluenceBudgetExceeded):
        propose_root(full, greedy, totals=(tokens0, stored0 + budget + 1))
    # Lying totals under budget, leaves above them: the root finalizes but pays out at most the
    # epoch's emission; the claim that would pass it reverts.
    liar = cumulative(1, {alice: (POLICY[0] * 5, 0)}, claimed_epoch0)
    propose_root(full, liar, totals=(tokens0 + POLICY[0], stored0))
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(1, sender=alice)
    with ape.reverts(rewards.ContributionRewardsExceedsFinalizedTotals):
        claim(full, liar, alice, alice)
    assert rewards.totalClaimed() == claimed_epoch0.totals


# --- governance -------------------------------------------------------------------------------


def test_malicious_proposal_cancelled_by_the_guardian_in_the_timelock(
    chain, full, claimed_epoch0, alice, bob, attacker
):
    governor, timelock, token = full.governor, full.timelock, full.token
    grab = [(token, "grantRole", (token.MINTER_ROLE(), attacker.address))]
    proposal = propose(governor, alice, grab, "routine maintenance")
    travel(chain, governor.proposalSnapshot(proposal.id) + 1)
    governor.castVote(proposal.id, FOR, sender=alice)
    governor.castVote(proposal.id, FOR, sender=bob)
    travel(chain, governor.proposalDeadline(proposal.id) + 1)
    governor.queue(*proposal.args, sender=attacker)
    assert governor.state(proposal.id) == QUEUED
    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*proposal.args, sender=attacker)
    governor.cancel(*proposal.args, sender=full.guardian)
    assert governor.state(proposal.id) == CANCELED
    travel(chain, chain.blocks.head.timestamp + TIMELOCK_DELAY + 1)
    with ape.reverts():
        governor.execute(*proposal.args, sender=attacker)
    targets, values, calldatas = encode(grab)
    with ape.reverts():  # nor straight through the timelock
        timelock.executeBatch(targets, values, calldatas, ZERO32, ZERO32, sender=attacker)
    assert not token.hasRole(token.MINTER_ROLE(), attacker)


def test_slashed_influence_gone_from_future_snapshots_but_past_votes_intact(
    chain, full, claimed_epoch0, alice, bob, carol, attacker
):
    governor, influence = full.governor, full.influence
    # Carol votes against an ongoing proposal; another proposal slashes her.
    ongoing = propose(governor, alice, noop(full, 8 * TOKEN), "ongoing")
    slash = propose(governor, alice, [(influence, "slash", (carol.address, MAX_UINT))], "slash")
    ongoing_snapshot = governor.proposalSnapshot(ongoing.id)
    travel(chain, ongoing_snapshot + 1)
    governor.castVote(ongoing.id, AGAINST, sender=carol)
    vote_through(chain, governor, slash, [alice, bob], executor=attacker)
    assert influence.storedBalanceOf(carol) == 0
    assert influence.getVotes(carol) == 0
    # The past: her vote and her votes at the old snapshot are intact.
    assert influence.getPastStoredVotes(carol, ongoing_snapshot) == 20 * TOKEN
    assert tally(governor, ongoing.id)[1] == influence.getPastVotes(carol, ongoing_snapshot) > 0
    # The future: a new proposal's snapshot has none of it.
    later = propose(governor, alice, noop(full, 9 * TOKEN), "later")
    travel(chain, governor.proposalSnapshot(later.id) + 1)
    governor.castVote(later.id, AGAINST, sender=carol)
    assert tally(governor, later.id)[1] == 0
    with ape.reverts(governor.GovernorInsufficientProposerVotes):
        propose(governor, carol, noop(full, 1), "carol again")


@pytest.mark.parametrize("setter", ["policy", "treasury", "reward", "registry", "threshold"])
def test_nobody_but_the_timelock_changes_a_parameter(
    full, claimed_epoch0, attacker, setter, deployer
):
    rewards, registry, governor = full.rewards, full.registry, full.governor
    call = {
        "policy": lambda s: rewards.setPolicy(POLICY, sender=s),
        "treasury": lambda s: rewards.setTreasury(s, sender=s),
        "reward": lambda s: rewards.setChallengerRewardBps(0, sender=s),
        "registry": lambda s: rewards.setGuardianRegistry(s, sender=s),
        "threshold": lambda s: registry.setApplicationThreshold(0, sender=s),
    }[setter]
    for someone in (attacker, deployer, full.proposer, full.guardian):
        with ape.reverts():
            call(someone)
    with ape.reverts(governor.GovernorOnlyExecutor):
        governor.setProposalThreshold(0, sender=attacker)
