"""Attacks on the epoch game of the whole system, handed over to the timelock (both EVMs).

Each test is one weakness the old game had, named after the attack; each fails on the old
contracts (a challenge held every later epoch until governance decided, only PROPOSER_ROLE could
propose, a guardian could challenge the same honest root forever, a self-dispute could be free)
and shows the bound that holds now:

    T = epochEnd + ε + W + g·(P + W)

within which an honest root for an ended epoch finalizes, with W the challenge window, P the
dispute period and g the number of guardians willing to grief (here ε = 0: the honest proposer
proposes as soon as it can).
"""

from __future__ import annotations

import ape

from tests.helpers.constants import CHALLENGER_REWARD_BPS, POLICY, TOKEN, WEEK
from tests.helpers.epochs import cumulative, dispute_of
from tests.helpers.epochs import propose as propose_as
from tests.helpers.governance import propose, vote_through
from tests.helpers.system import claim, end_epoch, propose_root
from tests.helpers.time import go_to, travel

W, PROPOSER_BOND, CHALLENGER_BOND, P, FEE_BPS = (
    POLICY[4],
    POLICY[5],
    POLICY[6],
    POLICY[7],
    POLICY[8],
)


def _ends(full, epoch: int) -> int:
    return full.genesis + (epoch + 1) * WEEK


def _fee(bond: int) -> int:
    return bond * FEE_BPS // 10_000


def test_attack_apathetic_governance_stalls_rewards(chain, full, claimed_epoch0, alice, bob):
    """A challenge governance never decides. Before, no later epoch could be proposed until a
    verdict: an apathetic vote stopped every reward. Now the challenged root is discarded at
    once and its dispute only holds the bonds: when the next epoch ends, one catch-up root
    covers both epochs and pays them, within the bound; the dispute ends at its deadline with
    each party paying the fee."""
    rewards, token = full.rewards, full.token
    epoch1 = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    propose_root(full, epoch1)
    receipt = rewards.challenge(1, epoch1.root, "I just don't like it", sender=full.guardian)
    dispute = dispute_of(receipt, rewards)

    epoch2 = cumulative(2, {bob: (50 * TOKEN, 5 * TOKEN)}, epoch1)
    end_epoch(chain, full, 2)
    propose_root(full, epoch2)
    assert rewards.pendingProposal().firstEpoch == 1  # it carries the discarded epoch too
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(2, sender=alice)
    assert chain.blocks.head.timestamp <= _ends(full, 1) + W + 1 * (P + W)
    claim(full, epoch2, alice, alice)
    claim(full, epoch2, bob, bob)
    assert token.balanceOf(alice) == epoch2.leaf(alice)[0]
    assert token.balanceOf(bob) == epoch2.leaf(bob)[0]

    guardian_before = token.balanceOf(full.guardian)
    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=bob)  # anyone ends it: nobody waits for a vote
    assert token.balanceOf(full.guardian) == guardian_before + CHALLENGER_BOND - _fee(
        CHALLENGER_BOND
    )
    assert token.balanceOf(rewards) == 0


def test_attack_vanished_proposer_stops_rewards(chain, full, claimed_epoch0, alice, carol):
    """The only PROPOSER_ROLE holder disappears. Before, nobody else could propose and nobody
    was paid. With open proposing (the default policy) any member bonds and proposes."""
    rewards, token = full.rewards, full.token
    assert not rewards.hasRole(rewards.PROPOSER_ROLE(), carol)
    token.transfer(carol, PROPOSER_BOND, sender=full.treasury)
    token.approve(rewards, PROPOSER_BOND, sender=carol)
    holding = token.balanceOf(carol)
    epoch1 = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    propose_as(rewards, epoch1, carol)
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(1, sender=alice)
    assert token.balanceOf(carol) == holding  # bond back
    claim(full, epoch1, alice, alice)
    assert token.balanceOf(alice) == epoch1.leaf(alice)[0]


def test_attack_guardian_griefs_honest_root_repeatedly(
    chain, full, claimed_epoch0, alice, bob, attacker
):
    """A guardian challenges the honest root every time it is proposed, with no verdict ever.
    It can challenge a given root once: the root is proposed again once the dispute is settled
    and finalizes within epochEnd + W + (P + W) for this one griefer; and every grief costs it
    at least the dispute fee of its bond."""
    rewards, token, griefer = full.rewards, full.token, full.guardian
    epoch1 = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    griefer_before = token.balanceOf(griefer)
    propose_root(full, epoch1)
    dispute = dispute_of(rewards.challenge(1, epoch1.root, "grief", sender=griefer), rewards)
    with ape.reverts(rewards.ContributionRewardsRootDisputed):
        propose_root(full, epoch1)  # not while its dispute is undecided
    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=attacker)
    propose_root(full, epoch1)
    with ape.reverts(rewards.ContributionRewardsAlreadyChallenged):
        rewards.challenge(1, epoch1.root, "grief again", sender=griefer)
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(1, sender=bob)
    assert chain.blocks.head.timestamp <= _ends(full, 1) + W + 1 * (P + W)
    assert token.balanceOf(griefer) == griefer_before - _fee(CHALLENGER_BOND)

    # The next honest root: griefing it costs again.
    epoch2 = cumulative(2, {bob: (10 * TOKEN, 0)}, epoch1)
    end_epoch(chain, full, 2)
    propose_root(full, epoch2)
    dispute = dispute_of(rewards.challenge(2, epoch2.root, "grief", sender=griefer), rewards)
    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=attacker)
    assert token.balanceOf(griefer) == griefer_before - 2 * _fee(CHALLENGER_BOND)


def test_attack_self_dispute_is_free(chain, full, claimed_epoch0, alice, bob):
    """A proposer who is also a guardian challenges its own root: to free the slot without
    losing its bond, or to cash the challenger reward on a root it knows is wrong. Before, an
    undecided self-dispute held the game for free and a 100% challenger reward made an upheld
    one free. Now: without a verdict it pays the fee on both bonds; the reward cannot reach 100%
    (governance's attempt reverts), so an upheld one costs (1 - r) of the proposer bond."""
    rewards, token, governor = full.rewards, full.token, full.governor
    cheat = full.guardian  # a registry guardian, proposing with open proposing
    end_epoch(chain, full, 1)
    start = token.balanceOf(cheat)

    wrong = cumulative(1, {cheat: (1_000 * TOKEN, 0)}, claimed_epoch0)
    propose_as(rewards, wrong, cheat)
    dispute = dispute_of(rewards.challenge(1, wrong.root, "", sender=cheat), rewards)
    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=alice)
    assert token.balanceOf(cheat) == start - _fee(PROPOSER_BOND) - _fee(CHALLENGER_BOND)

    everything = [(rewards, "setChallengerRewardBps", (10_000,))]
    raise_reward = propose(governor, alice, everything, "the whole bond to the challenger")
    with ape.reverts():
        vote_through(chain, governor, raise_reward, [alice, bob], executor=bob)
    assert rewards.challengerRewardBps() == CHALLENGER_REWARD_BPS

    before = token.balanceOf(cheat)
    wronger = cumulative(1, {cheat: (2_000 * TOKEN, 0)}, claimed_epoch0)
    propose_as(rewards, wronger, cheat)
    dispute = dispute_of(rewards.challenge(1, wronger.root, "", sender=cheat), rewards)
    upheld = propose(governor, alice, [(rewards, "resolveDispute", (dispute, True))], "uphold")
    vote_through(chain, governor, upheld, [alice, bob], executor=bob)
    reward = PROPOSER_BOND * CHALLENGER_REWARD_BPS // 10_000
    assert token.balanceOf(cheat) == before - (PROPOSER_BOND - reward) < before
