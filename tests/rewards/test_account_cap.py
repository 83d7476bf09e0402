"""The per-account cap on chain (ContributionRewards I6): whatever the root says, an account is
never paid more in all than the caps (``accountCapBps`` of each budget) of every finalized epoch;
and the widths of the cumulative influence a root can carry."""

from __future__ import annotations

import ape
import pytest

from communis.engine.growth import to_stored
from communis.engine.policy import BPS as BPS_DENOMINATOR
from tests.helpers.constants import HALF_LIFE, POLICY, TOKEN
from tests.helpers.epochs import claim, cumulative, pass_window, propose, settle
from tests.helpers.time import end_epoch

TOKEN_BUDGET, INFLUENCE_BUDGET, _, CAP_BPS, *_rest = POLICY
CAP_TOKENS = TOKEN_BUDGET * CAP_BPS // BPS_DENOMINATOR
CAP_INFLUENCE = INFLUENCE_BUDGET * CAP_BPS // BPS_DENOMINATOR


def cap_stored(epoch: int) -> int:
    return to_stored(CAP_INFLUENCE, epoch, HALF_LIFE)


def test_attack_root_paying_one_account_beyond_the_cap(
    rewards, token, influence, chain, genesis, proposer, alice, bob
):
    """A root that gives the proposer's accomplice the whole epoch (within the epoch budget, so
    I2 lets it through): the claim beyond the cap reverts and pays nothing."""
    epoch = cumulative(0, {alice: (TOKEN_BUDGET, INFLUENCE_BUDGET)})
    settle(chain, genesis, rewards, epoch, proposer)
    tokens, stored = epoch.leaf(alice)
    with ape.reverts(
        rewards.ContributionRewardsAccountCapExceeded,
        account=alice,
        tokens=tokens,
        tokenRoom=CAP_TOKENS,
        influenceStored=stored,
        influenceRoom=cap_stored(0),
    ):
        claim(rewards, epoch, alice, bob)
    assert token.balanceOf(alice) == 0
    assert influence.storedBalanceOf(alice) == 0
    assert rewards.claimed(alice) == (0, 0)


def test_attack_root_paying_beyond_the_cap_in_influence_only(
    rewards, chain, genesis, proposer, alice, bob
):
    epoch = cumulative(0, {alice: (CAP_TOKENS, CAP_INFLUENCE + 1)})
    settle(chain, genesis, rewards, epoch, proposer)
    with ape.reverts(rewards.ContributionRewardsAccountCapExceeded):
        claim(rewards, epoch, alice, bob)


def test_leaf_at_the_cap_is_paid(rewards, chain, genesis, proposer, alice):
    epoch = cumulative(0, {alice: (CAP_TOKENS, CAP_INFLUENCE)})
    settle(chain, genesis, rewards, epoch, proposer)
    assert rewards.accountCapRoom(alice) == (CAP_TOKENS, cap_stored(0))
    claim(rewards, epoch, alice, alice)
    assert rewards.claimed(alice) == epoch.leaf(alice)
    assert rewards.accountCapRoom(alice) == (0, 0)


def test_attack_regular_claimant_cannot_be_paid_two_epochs_in_one(
    rewards, chain, genesis, proposer, alice, bob
):
    """An account that claimed epoch 0 can get at most epoch 1's cap from epoch 1's root, even
    when the root gives it two epochs' worth."""
    epoch0 = cumulative(0, {alice: (CAP_TOKENS, CAP_INFLUENCE)})
    settle(chain, genesis, rewards, epoch0, proposer)
    claim(rewards, epoch0, alice, alice)
    epoch1 = cumulative(1, {alice: (2 * CAP_TOKENS, 0)}, epoch0)
    settle(chain, genesis, rewards, epoch1, proposer)
    assert rewards.accountCapRoom(alice) == (CAP_TOKENS, cap_stored(1))
    with ape.reverts(rewards.ContributionRewardsAccountCapExceeded):
        claim(rewards, epoch1, alice, bob)


def test_room_of_an_account_that_waits_is_every_cap_so_far(
    rewards, chain, genesis, proposer, alice, bob
):
    """An honest leaf always passes: an account that earned the cap in epochs 0, 1 and 2 and
    claims only at the end gets the three caps, then nothing more until the next epoch."""
    epoch = None
    for number in range(3):
        epoch = cumulative(number, {alice: (CAP_TOKENS, CAP_INFLUENCE), bob: (TOKEN, 0)}, epoch)
        settle(chain, genesis, rewards, epoch, proposer)
    assert epoch is not None
    room = rewards.accountCapRoom(alice)
    assert room == (3 * CAP_TOKENS, sum(cap_stored(e) for e in range(3)))
    assert rewards.cumulativeAccountCap() == room
    claim(rewards, epoch, alice, alice)
    assert rewards.claimed(alice) == epoch.leaf(alice) == room
    assert rewards.accountCapRoom(alice) == (0, 0)
    assert rewards.accountCapRoom(bob) == room


@pytest.mark.parametrize("excess", [0, 1])
def test_unused_room_carries_over_up_to_the_caps_so_far(
    rewards, chain, genesis, proposer, alice, bob, excess
):
    """An account paid half the cap in epoch 0 may be paid one and a half caps from epoch 1's
    root: its claimed total then equals the two caps, which a fresh account could already be paid
    at once. One token unit more is refused."""
    epoch0 = cumulative(0, {alice: (CAP_TOKENS // 2, CAP_INFLUENCE // 2)})
    settle(chain, genesis, rewards, epoch0, proposer)
    claim(rewards, epoch0, alice, alice)
    epoch1 = cumulative(1, {alice: (CAP_TOKENS + CAP_TOKENS // 2 + excess, CAP_INFLUENCE)}, epoch0)
    settle(chain, genesis, rewards, epoch1, proposer)
    caps = (2 * CAP_TOKENS, cap_stored(0) + cap_stored(1))
    assert rewards.cumulativeAccountCap() == caps
    room = (caps[0] - CAP_TOKENS // 2, caps[1] - cap_stored(0) // 2)
    assert rewards.accountCapRoom(alice) == room
    if excess:
        with ape.reverts(rewards.ContributionRewardsAccountCapExceeded, tokenRoom=room[0]):
            claim(rewards, epoch1, alice, bob)
        assert rewards.claimed(alice) == epoch0.leaf(alice)
    else:
        claim(rewards, epoch1, alice, bob)
        assert rewards.claimed(alice) == epoch1.leaf(alice)
        assert rewards.claimed(alice)[0] == caps[0]


def test_cap_is_the_one_of_the_policy_the_root_was_proposed_under(
    rewards, chain, genesis, proposer, gov, alice
):
    """A policy change while a root is pending does not change that root's cap."""
    epoch = cumulative(0, {alice: (CAP_TOKENS, CAP_INFLUENCE)})
    end_epoch(chain, genesis, 0)
    propose(rewards, epoch, proposer)
    tighter = list(POLICY)
    tighter[3] = CAP_BPS // 2
    rewards.setPolicy(tuple(tighter), sender=gov)
    pass_window(chain, rewards)
    rewards.finalize(0, sender=proposer)
    claim(rewards, epoch, alice, alice)
    assert rewards.claimed(alice) == epoch.leaf(alice)


@pytest.mark.parametrize("bits", [160, 207])
def test_cumulative_influence_wider_than_160_bits_is_proposed_and_claimed(
    rewards, influence, chain, genesis, proposer, gov, alice, bits
):
    """Stored influence is as wide in ContributionRewards as in Influence's checkpoints (208
    bits): a root near that bound proposes, finalizes and pays."""
    wide = list(POLICY)
    wide[1] = 2**bits + 1  # an influence budget in plain units (stored == plain in epoch 0)
    wide[3] = BPS_DENOMINATOR
    rewards.setPolicy(tuple(wide), sender=gov)
    epoch = cumulative(0, {alice: (TOKEN, 2**bits + 1)})
    settle(chain, genesis, rewards, epoch, proposer)
    assert rewards.finalizedTotals() == (TOKEN, 2**bits + 1)
    assert influence.storedTotalSupply() == 2**bits + 1
    claim(rewards, epoch, alice, alice)
    assert influence.storedBalanceOf(alice) == 2**bits + 1


def test_cumulative_influence_beyond_208_bits_is_refused(
    rewards, chain, genesis, proposer, gov, alice
):
    wide = list(POLICY)
    wide[1] = 2**209
    rewards.setPolicy(tuple(wide), sender=gov)
    epoch = cumulative(0, {alice: (TOKEN, 2**208)})
    end_epoch(chain, genesis, 0)
    with ape.reverts(rewards.SafeCastOverflowedUintDowncast, bits=208, value=2**208):
        propose(rewards, epoch, proposer)
