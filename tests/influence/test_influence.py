"""Influence: non-transferable, decaying, self-delegating votes (both EVMs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ape
import pytest

from communis.engine.growth import growth, to_influence, to_stored
from tests.helpers.constants import HALF_LIFE, MAX_UINT, UNIT, WEEK, ZERO
from tests.helpers.signing import delegates, sign_delegation
from tests.helpers.time import go_to, snapshot

# --- metadata, clock, constructor bounds ---------------------------------------------------


def test_metadata_and_clock(influence, chain, genesis):
    assert influence.name() == "Communis Influence"
    assert influence.symbol() == "INFL"
    assert influence.decimals() == 18
    assert influence.CLOCK_MODE() == "mode=timestamp"
    assert influence.clock() >= chain.blocks.head.timestamp >= genesis - 1
    assert influence.genesis() == genesis
    assert influence.epochDuration() == WEEK
    assert influence.halfLife() == HALF_LIFE
    assert influence.totalSupply() == 0


def test_not_transferable(influence):
    functions = {abi.name for abi in influence.contract_type.abi if abi.type == "function"}
    assert not functions & {"transfer", "transferFrom", "approve", "allowance", "permit"}


@pytest.mark.parametrize(
    ("epoch_duration", "half_life", "error"),
    [
        (3599, 5000, "InfluenceEpochTooShort"),
        (WEEK, 25, "InfluenceHalfLifeTooShort"),
        (3600, 26 * 7 * 24 - 1, "InfluenceHalfLifeTooShort"),
        (WEEK, 0, "InfluenceHalfLifeOutOfRange"),
        (WEEK, 2**64, "InfluenceHalfLifeOutOfRange"),
    ],
)
def test_constructor_bounds(project, gov, genesis, epoch_duration, half_life, error):
    with ape.reverts(getattr(project.Influence, error)):
        gov.deploy(project.Influence, gov, genesis, epoch_duration, half_life)


def test_minimum_half_life_accepted(project, gov, genesis):
    hourly = gov.deploy(project.Influence, gov, genesis, 3600, 26 * 7 * 24)
    assert hourly.halfLife() * hourly.epochDuration() == hourly.MIN_HALF_LIFE_SECONDS()


def test_zero_admin_reverts(project, gov, genesis):
    with ape.reverts(project.Influence.InfluenceZeroAdmin):
        gov.deploy(project.Influence, ZERO, genesis, WEEK, HALF_LIFE)


# --- growth is communis.engine.growth bit for bit -------------------------------------------------

GROWTH_EPOCHS = [
    *range(0, 2 * HALF_LIFE + 2),
    77,
    100,
    HALF_LIFE * 50 + 7,
    HALF_LIFE * 100 + 13,
    HALF_LIFE * 107 - 1,
    HALF_LIFE * 191 + HALF_LIFE - 1,
]


def test_growth_matches_python(influence):
    for epoch in GROWTH_EPOCHS:
        assert influence.growth(epoch) == growth(epoch, HALF_LIFE), epoch


@pytest.mark.parametrize(
    ("epoch_duration", "half_life"),
    # Tabled residues (half-life <= 256 epochs) and the computed path (> 256).
    [(86400, 182), (WEEK, 53), (86400, 256), (86400, 257), (3600, 4399)],
)
def test_growth_matches_python_other_half_lives(project, gov, genesis, epoch_duration, half_life):
    other = gov.deploy(project.Influence, gov, genesis, epoch_duration, half_life)
    epochs = [*range(0, 40), *range(half_life - 20, half_life + 20), 7 * half_life + 3]
    epochs += [(half_life * k) // 37 for k in range(37)]
    for epoch in epochs:
        assert other.growth(epoch) == growth(epoch, half_life), (half_life, epoch)


def test_stored_conversions_match_python(influence):
    for epoch in (0, 1, 13, 26, 27, 2608):
        for amount in (1, 7 * UNIT + 3, 2**100):
            assert influence.toStored(amount, epoch) == to_stored(amount, epoch, HALF_LIFE)
            assert influence.toInfluence(amount, epoch) == to_influence(amount, epoch, HALF_LIFE)
    big = 2**208 - 1
    assert influence.toInfluence(big, 4900) == to_influence(big, 4900, HALF_LIFE)
    # Past the growth bound the views still follow the specification (no overflow, no revert).
    for epoch in (HALF_LIFE * 192, HALF_LIFE * 200 + 5, HALF_LIFE * 300):
        for stored in (big, 2**191, 10**30):
            assert influence.toInfluence(stored, epoch) == to_influence(stored, epoch, HALF_LIFE)


@pytest.mark.offchain
def test_generated_growth_code_is_current():
    """contracts/utils/GrowthTable.sol is what toolchain/gen_growth_code.py writes."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(root / "toolchain" / "gen_growth_code.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_growth_overflow_reverts(influence):
    with ape.reverts(influence.InfluenceGrowthOverflow):
        influence.growth(HALF_LIFE * 192)


def test_epochs(influence, genesis):
    assert influence.epochAt(genesis - 1) == 0
    assert influence.epochAt(genesis) == 0
    assert influence.epochAt(genesis + WEEK - 1) == 0
    assert influence.epochAt(genesis + WEEK) == 1
    assert influence.epochAt(genesis + 53 * WEEK + 5) == 53


# --- awards, automatic self-delegation, roles ----------------------------------------------


def test_award_counts_without_delegating(influence, awarder, alice):
    receipt = influence.awardStored(alice, 5 * UNIT, sender=awarder)
    assert receipt.events == [
        influence.Credited(awarder, 5 * UNIT),
        influence.DelegateChanged(alice, ZERO, alice),
        influence.Transfer(ZERO, alice, 5 * UNIT),
        influence.DelegateVotesChanged(alice, 0, 5 * UNIT),
    ]
    assert delegates(influence, alice) == alice
    assert influence.getVotes(alice) == 5 * UNIT
    assert influence.balanceOf(alice) == 5 * UNIT
    assert influence.storedBalanceOf(alice) == 5 * UNIT
    assert influence.totalSupply() == 5 * UNIT

    receipt = influence.awardStored(alice, UNIT, sender=awarder)
    assert receipt.events == [
        influence.Credited(awarder, UNIT),
        influence.Transfer(ZERO, alice, UNIT),
        influence.DelegateVotesChanged(alice, 5 * UNIT, 6 * UNIT),
    ]


def test_only_awarder_awards(influence, gov, alice):
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.awardStored(alice, UNIT, sender=alice)
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.awardStored(alice, UNIT, sender=gov)


def test_award_zero_is_noop_and_zero_address_reverts(influence, awarder, alice):
    assert influence.awardStored(alice, 0, sender=awarder).events == []
    with ape.reverts(influence.InfluenceZeroAccount):
        influence.awardStored(ZERO, 1, sender=awarder)


def test_stored_supply_bound(influence, awarder, alice, bob):
    top = influence.MAX_STORED_SUPPLY()
    assert top == 2**208 - 1
    influence.awardStored(alice, top - 1, sender=awarder)
    with ape.reverts(influence.InfluenceStoredOverflow):
        influence.awardStored(bob, 2, sender=awarder)
    influence.awardStored(bob, 1, sender=awarder)
    assert influence.storedTotalSupply() == top


# --- delegation is the only way influence moves --------------------------------------------


def test_influence_moves_only_by_delegation(influence, awarder, alice, bob):
    influence.awardStored(alice, 3 * UNIT, sender=awarder)
    influence.awardStored(bob, 2 * UNIT, sender=awarder)
    receipt = influence.invoke_transaction("delegate", bob, sender=alice)
    assert receipt.events == [
        influence.DelegateChanged(alice, alice, bob),
        influence.DelegateVotesChanged(alice, 3 * UNIT, 0),
        influence.DelegateVotesChanged(bob, 2 * UNIT, 5 * UNIT),
    ]
    # Votes moved, influence did not.
    assert influence.balanceOf(alice) == 3 * UNIT
    assert influence.getVotes(alice) == 0
    assert influence.getVotes(bob) == 5 * UNIT
    # New awards follow the chosen delegate.
    influence.awardStored(alice, UNIT, sender=awarder)
    assert influence.getVotes(bob) == 6 * UNIT
    # Delegating to zero means back to oneself.
    influence.invoke_transaction("delegate", ZERO, sender=alice)
    assert delegates(influence, alice) == alice
    assert influence.getVotes(alice) == 4 * UNIT
    assert influence.getVotes(bob) == 2 * UNIT
    assert influence.totalSupply() == 6 * UNIT


# --- decay and snapshots --------------------------------------------------------------------


def test_decay_halves_every_half_life(influence, awarder, alice, bob, genesis, chain):
    influence.awardStored(alice, 100 * UNIT, sender=awarder)
    start = snapshot(chain)
    go_to(chain, genesis + 13 * WEEK)
    assert influence.balanceOf(alice) == to_influence(100 * UNIT, 13, HALF_LIFE)
    assert 70 * UNIT < influence.balanceOf(alice) < 71 * UNIT
    go_to(chain, genesis + HALF_LIFE * WEEK)
    assert influence.balanceOf(alice) == 50 * UNIT
    assert influence.getVotes(alice) == 50 * UNIT
    assert influence.totalSupply() == 50 * UNIT
    # The past is read at its own epoch: a snapshot taken at genesis still says 100.
    assert influence.getPastVotes(alice, start) == 100 * UNIT
    assert influence.getPastTotalSupply(start) == 100 * UNIT
    # Influence earned in epoch 26 is stored at growth(26) = 2: 10 influence = 20 stored.
    influence.awardStored(bob, to_stored(10 * UNIT, HALF_LIFE, HALF_LIFE), sender=awarder)
    assert influence.storedBalanceOf(bob) == 20 * UNIT
    assert influence.balanceOf(bob) == 10 * UNIT
    go_to(chain, genesis + 2 * HALF_LIFE * WEEK)
    assert influence.balanceOf(alice) == 25 * UNIT
    assert influence.balanceOf(bob) == 5 * UNIT


def test_awards_after_snapshot_do_not_count(influence, awarder, alice, chain):
    influence.awardStored(alice, 7 * UNIT, sender=awarder)
    taken = snapshot(chain)
    influence.awardStored(alice, 1000 * UNIT, sender=awarder)
    snapshot(chain)
    assert influence.getPastVotes(alice, taken) == 7 * UNIT
    assert influence.getPastTotalSupply(taken) == 7 * UNIT
    assert influence.getVotes(alice) == 1007 * UNIT
    with ape.reverts(influence.ERC5805FutureLookup):
        influence.getPastVotes(alice, influence.clock() + 100)


# --- slashing -------------------------------------------------------------------------------


def test_only_governance_slashes(influence, awarder, alice):
    influence.awardStored(alice, UNIT, sender=awarder)
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.slash(alice, UNIT, sender=awarder)


def test_slash_burns_future_keeps_past(influence, gov, awarder, alice, bob, chain):
    influence.awardStored(alice, 10 * UNIT, sender=awarder)
    influence.invoke_transaction("delegate", bob, sender=alice)
    before = snapshot(chain)
    receipt = influence.slash(alice, 4 * UNIT, sender=gov)
    assert receipt.events == [
        influence.Slashed(alice, 4 * UNIT),
        influence.Transfer(alice, ZERO, 4 * UNIT),
        influence.DelegateVotesChanged(bob, 10 * UNIT, 6 * UNIT),
    ]
    assert influence.storedBalanceOf(alice) == 6 * UNIT
    assert influence.getVotes(bob) == 6 * UNIT
    # Slashing more than the balance burns what is there.
    receipt = influence.slash(alice, MAX_UINT, sender=gov)
    assert receipt.events[0] == influence.Slashed(alice, 6 * UNIT)
    assert influence.storedBalanceOf(alice) == 0
    assert influence.totalSupply() == 0
    assert influence.slash(alice, 1, sender=gov).events == []
    snapshot(chain)
    assert influence.getPastVotes(bob, before) == 10 * UNIT
    assert influence.getPastTotalSupply(before) == 10 * UNIT


def test_slashing_a_delegate_leaves_the_votes_delegated_to_it(
    influence, gov, awarder, alice, bob, chain
):
    """Slashing burns the slashed account's own influence only: what others delegated to it
    stays delegated to it until they move it (documented in Influence and docs/)."""
    influence.awardStored(alice, 10 * UNIT, sender=awarder)
    influence.awardStored(bob, 3 * UNIT, sender=awarder)
    influence.invoke_transaction("delegate", bob, sender=alice)
    influence.slash(bob, MAX_UINT, sender=gov)
    assert influence.storedBalanceOf(bob) == 0
    assert influence.getStoredVotes(bob) == 10 * UNIT
    influence.invoke_transaction("delegate", alice, sender=alice)
    assert influence.getStoredVotes(bob) == 0
    assert influence.getStoredVotes(alice) == 10 * UNIT


# --- the total counts credited influence, claimed or not -----------------------------------


def test_credit_moves_the_total_only(influence, awarder, alice, chain):
    receipt = influence.credit(7 * UNIT, sender=awarder)
    assert receipt.events == [influence.Credited(awarder, 7 * UNIT)]
    before = snapshot(chain)
    chain.mine()
    assert influence.getPastTotalSupply(before) == 7 * UNIT
    assert influence.storedTotalSupply() == 7 * UNIT
    assert influence.getStoredVotes(alice) == 0
    assert influence.credit(0, sender=awarder).events == []


def test_award_credited_moves_votes_but_not_the_total(influence, awarder, alice, bob, chain):
    influence.credit(7 * UNIT, sender=awarder)
    receipt = influence.awardCredited(alice, 5 * UNIT, sender=awarder)
    assert receipt.events == [
        influence.DelegateChanged(alice, ZERO, alice),
        influence.Transfer(ZERO, alice, 5 * UNIT),
        influence.DelegateVotesChanged(alice, 0, 5 * UNIT),
    ]
    influence.invoke_transaction("delegate", bob, sender=alice)
    receipt = influence.awardCredited(alice, 2 * UNIT, sender=awarder)
    assert receipt.events == [
        influence.Transfer(ZERO, alice, 2 * UNIT),
        influence.DelegateVotesChanged(bob, 5 * UNIT, 7 * UNIT),
    ]
    assert influence.storedTotalSupply() == 7 * UNIT
    assert influence.storedBalanceOf(alice) == 7 * UNIT
    assert influence.getStoredVotes(bob) == 7 * UNIT
    assert influence.awardCredited(alice, 0, sender=awarder).events == []
    with ape.reverts(influence.InfluenceZeroAccount):
        influence.awardCredited(ZERO, 1, sender=awarder)


def test_only_awarder_credits(influence, gov, alice):
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.credit(UNIT, sender=gov)
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.awardCredited(alice, UNIT, sender=alice)


def test_credit_bound(influence, awarder):
    top = influence.MAX_STORED_SUPPLY()
    influence.credit(top, sender=awarder)
    with ape.reverts(influence.InfluenceStoredOverflow):
        influence.credit(1, sender=awarder)


# --- delegation by signature ----------------------------------------------------------------


def test_eip712_domain(influence, chain):
    domain = influence.eip712Domain()
    assert domain[1] == "Communis Influence"
    assert domain[2] == "1"
    assert domain[3] == chain.chain_id
    assert domain[4] == influence.address


def test_delegate_by_sig(influence, awarder, alice, bob, accounts, chain):
    relayer = accounts[7]
    influence.awardStored(alice, 4 * UNIT, sender=awarder)
    expiry = chain.pending_timestamp + 3600
    v, r, s = sign_delegation(influence, alice, bob, 0, expiry, chain_id=chain.chain_id)
    receipt = influence.delegateBySig(bob, 0, expiry, v, r, s, sender=relayer)
    assert receipt.events[0] == influence.DelegateChanged(alice, alice, bob)
    assert influence.getVotes(bob) == 4 * UNIT
    assert influence.nonces(alice) == 1
    # Replaying the same signature fails (nonce used).
    with ape.reverts(influence.InvalidAccountNonce):
        influence.delegateBySig(bob, 0, expiry, v, r, s, sender=relayer)


def test_delegate_by_sig_for_another_chain_fails(influence, awarder, alice, bob, accounts, chain):
    relayer = accounts[7]
    influence.awardStored(alice, 4 * UNIT, sender=awarder)
    # Alice used nonce 0 on this chain already; her signature for another chain id with nonce 1
    # recovers to an unrelated address whose nonce is 0, so the replay reverts.
    expiry = chain.pending_timestamp + 3600
    v, r, s = sign_delegation(influence, alice, alice, 0, expiry, chain_id=chain.chain_id)
    influence.delegateBySig(alice, 0, expiry, v, r, s, sender=relayer)
    v, r, s = sign_delegation(influence, alice, bob, 1, expiry, chain_id=chain.chain_id + 1)
    with ape.reverts(influence.InvalidAccountNonce):
        influence.delegateBySig(bob, 1, expiry, v, r, s, sender=relayer)
    # With a nonce that happens to match the recovered stranger (0), the call succeeds but moves
    # nothing of Alice's: the signature only ever speaks for the address it recovers to.
    v, r, s = sign_delegation(influence, alice, bob, 0, expiry, chain_id=chain.chain_id + 1)
    receipt = influence.delegateBySig(bob, 0, expiry, v, r, s, sender=relayer)
    assert receipt.events[0].delegator != alice
    assert delegates(influence, alice) == alice
    assert influence.getVotes(alice) == 4 * UNIT
    assert influence.getVotes(bob) == 0


def test_delegate_by_sig_expired_fails(influence, awarder, alice, bob, accounts, chain):
    influence.awardStored(alice, 4 * UNIT, sender=awarder)
    expiry = chain.pending_timestamp - 1
    v, r, s = sign_delegation(influence, alice, bob, 0, expiry, chain_id=chain.chain_id)
    with ape.reverts(influence.VotesExpiredSignature):
        influence.delegateBySig(bob, 0, expiry, v, r, s, sender=accounts[7])
    assert delegates(influence, alice) == alice


# --- fifty years at the minimum half-life ---------------------------------------------------

BOUND = 2**100  # cumulative influence bound from docs/influence-decay.md ("Overflow bound")
FIFTY_YEARS = int(50 * 365.25 * 24 * 3600)


def test_fifty_years_without_overflow(
    influence, gov, awarder, alice, bob, accounts, genesis, chain
):
    carol = accounts[4]
    influence.awardStored(alice, BOUND // 4, sender=awarder)  # epoch 0: stored == influence
    at_genesis = snapshot(chain)

    go_to(chain, genesis + FIFTY_YEARS)
    epoch = influence.currentEpoch()
    assert epoch == FIFTY_YEARS // WEEK
    stored_bob = to_stored(BOUND // 4, epoch, HALF_LIFE)
    influence.awardStored(bob, stored_bob, sender=awarder)
    influence.invoke_transaction("delegate", bob, sender=alice)

    # 53.3 years: the last epoch the bound covers; award the rest of the bound there.
    last = 107 * HALF_LIFE - 1
    go_to(chain, genesis + last * WEEK)
    stored_carol = to_stored(BOUND // 2, last, HALF_LIFE)
    influence.awardStored(carol, stored_carol, sender=awarder)
    snapshot(chain)
    total = BOUND // 4 + stored_bob + stored_carol
    assert influence.storedTotalSupply() == total < 2**207

    assert influence.getVotes(carol) == to_influence(stored_carol, last, HALF_LIFE)
    assert influence.getVotes(bob) == to_influence(BOUND // 4 + stored_bob, last, HALF_LIFE)
    assert influence.totalSupply() == to_influence(total, last, HALF_LIFE)
    assert influence.getPastVotes(alice, at_genesis) == BOUND // 4
    assert influence.getPastTotalSupply(at_genesis) == BOUND // 4
    influence.slash(carol, stored_carol // 2, sender=gov)
    assert influence.storedBalanceOf(carol) == stored_carol - stored_carol // 2
