"""Attacks on the epoch game of the whole system, handed over to the timelock (both EVMs).

Each test is one weakness the old game had, named after the attack; each fails on the old
contracts (a challenge held every later epoch until governance decided, only PROPOSER_ROLE could
propose, a guardian could challenge the same honest root forever, a self-dispute could be free)
and shows the bound that holds now:

    T = epochEnd + ε + W + g·(P + W)

within which an honest root for an ended epoch finalizes, with W the challenge window, P the
dispute period and g the number of guardians willing to grief (here ε = 0: the honest proposer
proposes as soon as it can).

Each test also compares what every party gained or lost on chain with what the economics model
predicts for the same parameters (``communis.economics``: ``attacker_net``, ``bond_flows``,
``fraud_stake``), exactly: a model that disagrees with the contracts fails here.
"""

from __future__ import annotations

import math

import ape
from eth_utils import to_checksum_address

from communis.economics.attacks import attacker_net, fraud_stake, fresh_account_room
from communis.economics.bonds import Ending, bond_flows
from tests.helpers.constants import CHALLENGER_REWARD_BPS, MAX_UINT, POLICY, TOKEN, WEEK
from tests.helpers.economics import Balances, model_of
from tests.helpers.epochs import cumulative, dispute_of
from tests.helpers.epochs import propose as propose_as
from tests.helpers.governance import propose, vote_through
from tests.helpers.system import claim, end_epoch, propose_root, settle
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


def _fakes(count: int) -> list[str]:
    """Fresh accounts nobody earned anything for."""
    return [to_checksum_address(f"0x{0xFA4E0 + i:040x}") for i in range(count)]


def _fund(full, account, amount: int) -> None:
    full.token.transfer(account, amount, sender=full.treasury)
    full.token.approve(full.rewards, MAX_UINT, sender=account)


def _uphold(chain, full, dispute, voters, tag: str = "") -> None:
    """Governance upholds ``dispute`` (a vote through the timelock, by non-parties)."""
    action = [(full.rewards, "resolveDispute", (dispute, True))]
    proposal = propose(full.governor, voters[0], action, f"uphold epoch {dispute[0]}{tag}")
    vote_through(chain, full.governor, proposal, voters, executor=voters[-1])


def test_attack_apathetic_governance_stalls_rewards(chain, full, claimed_epoch0, alice, bob):
    """A challenge governance never decides. Before, no later epoch could be proposed until a
    verdict: an apathetic vote stopped every reward. Now the challenged root is discarded at
    once and its dispute only holds the bonds: when the next epoch ends, one catch-up root
    covers both epochs and pays them, within the bound; the dispute ends at its deadline with
    each party paying the fee."""
    rewards, token = full.rewards, full.token
    model = model_of(rewards)
    balances = Balances(token, full.guardian, full.proposer, full.timelock)
    epoch1 = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    propose_root(full, epoch1)
    receipt = rewards.challenge(1, epoch1.root, "I just don't like it", sender=full.guardian)
    dispute = dispute_of(receipt, rewards)

    epoch2 = cumulative(2, {bob: (50 * TOKEN, 5 * TOKEN)}, epoch1)
    end_epoch(chain, full, 2)
    propose_root(full, epoch2)
    assert rewards.pendingProposal().firstEpoch == 1  # it carries the discarded epoch too
    assert rewards.pendingProposal().proposerBond == 2 * PROPOSER_BOND  # one bond per epoch
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(2, sender=alice)
    assert chain.blocks.head.timestamp <= _ends(full, 1) + W + 1 * (P + W)
    claim(full, epoch2, alice, alice)
    claim(full, epoch2, bob, bob)
    assert token.balanceOf(alice) == epoch2.leaf(alice)[0]
    assert token.balanceOf(bob) == epoch2.leaf(bob)[0]

    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=bob)  # anyone ends it: nobody waits for a vote
    assert token.balanceOf(rewards) == 0
    # The model: the griefer pays the fee; the honest proposer pays it too (nobody could tell who
    # was right) and gets the catch-up root's two bonds back whole.
    timed_out = bond_flows(model, Ending.TIMED_OUT)
    assert balances.change(full.guardian) == attacker_net("griefing", model, Ending.TIMED_OUT)
    assert balances.change(full.proposer) == (
        timed_out.proposer + bond_flows(model, Ending.FINALIZED, epochs=2).proposer
    )
    assert balances.change(full.timelock) == timed_out.treasury


def test_attack_vanished_proposer_stops_rewards(chain, full, claimed_epoch0, alice, carol):
    """The only PROPOSER_ROLE holder disappears. Before, nobody else could propose and nobody
    was paid. With open proposing (the default policy) any member bonds and proposes."""
    rewards, token = full.rewards, full.token
    assert not rewards.hasRole(rewards.PROPOSER_ROLE(), carol)
    token.transfer(carol, PROPOSER_BOND, sender=full.treasury)
    token.approve(rewards, PROPOSER_BOND, sender=carol)
    balances = Balances(token, carol)
    epoch1 = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    propose_as(rewards, epoch1, carol)
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(1, sender=alice)
    assert balances.change(carol) == bond_flows(model_of(rewards), Ending.FINALIZED).proposer == 0
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
    grief = attacker_net("griefing", model_of(rewards), Ending.TIMED_OUT)
    epoch1 = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    balances = Balances(token, griefer)
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
    assert balances.change(griefer) == grief == -(CHALLENGER_BOND * FEE_BPS // 10_000)

    # The next honest root: griefing it costs again.
    epoch2 = cumulative(2, {bob: (10 * TOKEN, 0)}, epoch1)
    end_epoch(chain, full, 2)
    propose_root(full, epoch2)
    dispute = dispute_of(rewards.challenge(2, epoch2.root, "grief", sender=griefer), rewards)
    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=attacker)
    assert balances.change(griefer) == 2 * grief


def test_attack_self_dispute_is_free(chain, full, claimed_epoch0, alice, bob):
    """A proposer who is also a guardian challenges its own root: to free the slot without
    losing its bond, or to cash the challenger reward on a root it knows is wrong. Before, an
    undecided self-dispute held the game for free and a 100% challenger reward made an upheld
    one free. Now: without a verdict it pays the fee on both bonds; the reward cannot reach 100%
    (governance's attempt reverts), so an upheld one costs (1 - r) of the proposer bond."""
    rewards, token, governor = full.rewards, full.token, full.governor
    cheat = full.guardian  # a registry guardian, proposing with open proposing
    model = model_of(rewards)
    end_epoch(chain, full, 1)
    balances = Balances(token, cheat)

    wrong = cumulative(1, {cheat: (1_000 * TOKEN, 0)}, claimed_epoch0)
    propose_as(rewards, wrong, cheat)
    dispute = dispute_of(rewards.challenge(1, wrong.root, "", sender=cheat), rewards)
    go_to(chain, dispute[10])
    rewards.settleDispute(dispute, sender=alice)
    assert balances.change(cheat) == attacker_net("self-dispute", model, Ending.TIMED_OUT) < 0

    everything = [(rewards, "setChallengerRewardBps", (10_000,))]
    raise_reward = propose(governor, alice, everything, "the whole bond to the challenger")
    with ape.reverts():
        vote_through(chain, governor, raise_reward, [alice, bob], executor=bob)
    assert rewards.challengerRewardBps() == CHALLENGER_REWARD_BPS

    balances = Balances(token, cheat)
    wronger = cumulative(1, {cheat: (2_000 * TOKEN, 0)}, claimed_epoch0)
    propose_as(rewards, wronger, cheat)
    dispute = dispute_of(rewards.challenge(1, wronger.root, "", sender=cheat), rewards)
    upheld = propose(governor, alice, [(rewards, "resolveDispute", (dispute, True))], "uphold")
    vote_through(chain, governor, upheld, [alice, bob], executor=bob)
    reward = PROPOSER_BOND * CHALLENGER_REWARD_BPS // 10_000
    assert balances.change(cheat) == attacker_net("self-dispute", model, Ending.UPHELD)
    assert balances.change(cheat) == -(PROPOSER_BOND - reward) < 0


def test_attack_catch_up_root_takes_n_budgets_for_one_bond(
    chain, full, claimed_epoch0, alice, bob, attacker
):
    """Nobody proposed for three epochs. A cheat proposes one catch-up root covering all three,
    padded with fresh accounts up to the three budgets (I2 allows it). Before, it bonded one
    proposer bond for three budgets at stake: caught, it lost what a one-epoch fraud loses, so
    a catch-up root tripled the gain per bond at risk. Now it bonds one proposer bond per
    covered epoch and, upheld, loses all three: what the model charges a root covering three
    epochs."""
    rewards, token = full.rewards, full.token
    model = model_of(rewards)
    _fund(full, attacker, 3 * PROPOSER_BOND)
    end_epoch(chain, full, 3)
    stake = fraud_stake(model, epochs_covered=3)
    room = fresh_account_room(model, finalized_epochs=4)
    fakes = _fakes(math.ceil(stake / room))
    padded = cumulative(
        3, {f: (min(room, stake - i * room), 0) for i, f in enumerate(fakes)}, claimed_epoch0
    )
    balances = Balances(token, attacker, full.guardian)
    propose_as(rewards, padded, attacker)  # the three budgets' worth of tokens is within I2
    assert rewards.pendingProposal().firstEpoch == 1
    assert token.balanceOf(rewards) == model.bond_for(3) == 3 * PROPOSER_BOND

    dispute = dispute_of(rewards.challenge(3, padded.root, "fakes", sender=full.guardian), rewards)
    _uphold(chain, full, dispute, [alice, bob])
    assert balances.change(attacker) == attacker_net(
        "fraudulent-root", model, Ending.UPHELD, epochs=3
    )
    assert balances.change(attacker) == -3 * PROPOSER_BOND
    assert balances.change(full.guardian) == bond_flows(model, Ending.UPHELD, epochs=3).challenger


def test_attack_unwatched_padded_root_takes_the_models_stake(
    chain, full, claimed_epoch0, alice, attacker
):
    """Nobody watches: a padded root finalizes unchallenged. Its fresh accounts take exactly
    the stake the model prices a fraud at (what it weighs by the chance that every watcher
    misses the window): the covered epoch's budget plus the finalized tokens nobody has claimed
    yet (Alice's epoch 1), each fresh account within the caps of the finalized epochs; after
    that the claim pool is empty and Alice's epoch 1 is lost."""
    rewards, token = full.rewards, full.token
    model = model_of(rewards)
    epoch1 = cumulative(1, {alice: (500 * TOKEN, 0)}, claimed_epoch0)
    settle(chain, full, epoch1)  # finalized, not claimed: the backlog
    backlog = 500 * TOKEN
    _fund(full, attacker, PROPOSER_BOND)
    end_epoch(chain, full, 2)
    stake = fraud_stake(model, epochs_covered=1, unclaimed_backlog=backlog)
    room = fresh_account_room(model, finalized_epochs=3)
    fakes = _fakes(math.ceil(stake / room))
    padded = cumulative(
        2, {f: (min(room, stake - i * room), 0) for i, f in enumerate(fakes)}, claimed_epoch0
    )
    balances = Balances(token, attacker, *fakes)
    propose_as(rewards, padded, attacker)
    travel(chain, rewards.pendingProposal().challengeDeadline)
    rewards.finalize(2, sender=attacker)
    for fake in fakes:
        claim(full, padded, fake, attacker)
    assert sum(balances.change(f) for f in fakes) == stake
    assert max(balances.change(f) for f in fakes) <= room
    assert balances.change(attacker) == bond_flows(model, Ending.FINALIZED).proposer == 0
    assert rewards.totalClaimed() == rewards.finalizedTotals()  # nothing more to take
    with ape.reverts(rewards.ContributionRewardsNothingToClaim):
        claim(full, padded, alice, alice)  # her epoch-1 tokens went to the fakes


def test_attack_proposal_spam_costs_every_spam(chain, full, claimed_epoch0, alice, bob, attacker):
    """Anyone may propose, so an outsider proposes junk roots to hold the pending slot and tire
    the guardians. Each holds the slot only until a guardian challenges it (at most W), the
    honest root goes in as soon as the slot is free, and every spam costs the spammer what the
    model says: the whole bond when governance upholds the challenge, the fee when nobody
    decides."""
    rewards, token = full.rewards, full.token
    model = model_of(rewards)
    _fund(full, attacker, 2 * PROPOSER_BOND)
    honest = cumulative(1, {alice: (100 * TOKEN, 10 * TOKEN)}, claimed_epoch0)
    end_epoch(chain, full, 1)
    balances = Balances(token, attacker, full.guardian)
    disputes = []
    for i in range(2):
        junk = cumulative(1, {attacker: ((i + 1) * TOKEN, 0)}, claimed_epoch0)
        propose_as(rewards, junk, attacker)
        with ape.reverts(rewards.ContributionRewardsProposalPending):
            propose_root(full, honest)  # the slot is held...
        receipt = rewards.challenge(1, junk.root, "junk", sender=full.guardian)
        disputes.append(dispute_of(receipt, rewards))
    propose_root(full, honest)  # ...until a guardian frees it
    _uphold(chain, full, disputes[0], [alice, bob])
    rewards.finalize(1, sender=bob)
    go_to(chain, disputes[1][10])
    rewards.settleDispute(disputes[1], sender=bob)
    assert rewards.currentRoot() == honest.root
    spent = [attacker_net("proposal-spam", model, e) for e in (Ending.UPHELD, Ending.TIMED_OUT)]
    assert (
        balances.change(attacker)
        == sum(spent)
        == -PROPOSER_BOND - PROPOSER_BOND * FEE_BPS // 10_000
    )
    guardian = [bond_flows(model, e).challenger for e in (Ending.UPHELD, Ending.TIMED_OUT)]
    assert balances.change(full.guardian) == sum(guardian)
