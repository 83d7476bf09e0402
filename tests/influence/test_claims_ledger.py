"""The claims ledger and plain accounts (both EVMs; the checkpoint-count spill on anvil).

The first account granted AWARDER_ROLE is the claims ledger. What it awards a *plain* account
(never delegated, never delegated to, never slashed, awarded by nobody else) is read off the
account's votes; anything else makes the account explicit first, keeping its balance, its votes
and what each awarder awarded it (``awardedBy``) as they were.
"""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from tests.helpers.constants import MAX_UINT, UNIT, ZERO
from tests.helpers.time import advance


@pytest.fixture
def other(accounts, influence, gov):
    """A second awarder (AWARDER_ROLE granted after the claims ledger's)."""
    influence.grantRole(influence.AWARDER_ROLE(), accounts[0], sender=gov)
    return accounts[0]


def test_first_awarder_is_the_claims_ledger(project, gov, genesis, awarder, alice):
    from tests.helpers.constants import HALF_LIFE, WEEK

    fresh = gov.deploy(project.Influence, gov, genesis, WEEK, HALF_LIFE)
    assert fresh.claimsLedger() == ZERO
    receipt = fresh.grantRole(fresh.AWARDER_ROLE(), awarder, sender=gov)
    assert fresh.ClaimsLedgerSet(awarder) in receipt.events
    fresh.grantRole(fresh.AWARDER_ROLE(), alice, sender=gov)
    assert fresh.claimsLedger() == awarder


def test_revoked_claims_ledger_cannot_award(influence, gov, awarder, alice):
    influence.awardCredited(alice, UNIT, sender=awarder)
    influence.revokeRole(influence.AWARDER_ROLE(), awarder, sender=gov)
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.awardCredited(alice, UNIT, sender=awarder)
    with ape.reverts(influence.AccessControlUnauthorizedAccount):
        influence.credit(UNIT, sender=awarder)
    # Its awards stay; granted again it is the claims ledger again.
    assert influence.awardedBy(awarder, alice) == UNIT
    influence.grantRole(influence.AWARDER_ROLE(), awarder, sender=gov)
    influence.awardCredited(alice, UNIT, sender=awarder)
    assert influence.awardedBy(awarder, alice) == 2 * UNIT
    assert influence.storedBalanceOf(alice) == 2 * UNIT


def test_awarded_by_is_per_awarder_and_survives_slashing_and_delegation(
    influence, gov, awarder, other, alice, bob
):
    influence.awardStored(alice, 5 * UNIT, sender=awarder)
    influence.awardStored(alice, 2 * UNIT, sender=other)
    influence.awardStored(bob, UNIT, sender=other)
    assert influence.awardedBy(awarder, alice) == 5 * UNIT
    assert influence.awardedBy(other, alice) == 2 * UNIT
    assert influence.awardedBy(other, bob) == UNIT
    assert influence.awardedBy(awarder, bob) == 0
    influence.slash(alice, 3 * UNIT, sender=gov)
    influence.invoke_transaction("delegate", bob, sender=alice)
    assert influence.awardedBy(awarder, alice) == 5 * UNIT
    assert influence.awardedBy(other, alice) == 2 * UNIT
    assert influence.storedBalanceOf(alice) == 4 * UNIT
    assert influence.getStoredVotes(bob) == 5 * UNIT
    assert influence.getStoredVotes(alice) == 0


def test_votes_delegated_to_a_plain_account_are_not_its_awards(
    influence, awarder, alice, bob, carol
):
    """A plain account's votes are its awards only while nobody delegates to it."""
    influence.awardCredited(alice, 5 * UNIT, sender=awarder)
    influence.awardCredited(bob, 3 * UNIT, sender=awarder)
    influence.invoke_transaction("delegate", alice, sender=bob)
    influence.invoke_transaction("delegate", alice, sender=carol)  # nothing to move
    assert influence.getStoredVotes(alice) == 8 * UNIT
    assert influence.awardedBy(awarder, alice) == 5 * UNIT
    assert influence.storedBalanceOf(alice) == 5 * UNIT
    influence.awardCredited(alice, UNIT, sender=awarder)
    influence.awardCredited(carol, 2 * UNIT, sender=awarder)  # lands on alice's votes
    assert influence.getStoredVotes(alice) == 11 * UNIT
    assert influence.awardedBy(awarder, alice) == 6 * UNIT
    assert influence.awardedBy(awarder, carol) == 2 * UNIT
    assert influence.storedBalanceOf(carol) == 2 * UNIT
    assert influence.getStoredVotes(carol) == 0


def test_delegating_to_oneself_keeps_everything(influence, awarder, alice):
    influence.awardCredited(alice, 5 * UNIT, sender=awarder)
    receipt = influence.invoke_transaction("delegate", alice, sender=alice)
    assert receipt.events == [influence.DelegateChanged(alice, alice, alice)]
    influence.awardCredited(alice, UNIT, sender=awarder)
    assert influence.getStoredVotes(alice) == influence.storedBalanceOf(alice) == 6 * UNIT
    assert influence.awardedBy(awarder, alice) == 6 * UNIT


def test_award_by_another_awarder_to_a_plain_account(influence, awarder, other, alice):
    influence.awardCredited(alice, 5 * UNIT, sender=awarder)
    receipt = influence.awardCredited(alice, UNIT, sender=other)
    assert receipt.events == [
        influence.Transfer(ZERO, alice, UNIT),
        influence.DelegateVotesChanged(alice, 5 * UNIT, 6 * UNIT),
    ]
    assert influence.awardedBy(awarder, alice) == 5 * UNIT
    assert influence.storedBalanceOf(alice) == influence.getStoredVotes(alice) == 6 * UNIT


def test_first_award_announces_self_delegation_once(influence, awarder, other, alice, bob):
    # An explicit account (someone delegated to it) that was never awarded still announces it.
    influence.invoke_transaction("delegate", alice, sender=bob)
    receipt = influence.awardCredited(alice, UNIT, sender=other)
    assert receipt.events[0] == influence.DelegateChanged(alice, ZERO, alice)
    receipt = influence.awardCredited(alice, UNIT, sender=awarder)
    assert influence.DelegateChanged(alice, ZERO, alice) not in receipt.events


def test_slashing_nothing_changes_nothing(influence, gov, alice):
    assert influence.slash(alice, MAX_UINT, sender=gov).events == []
    assert influence.storedBalanceOf(alice) == 0


def test_history_of_a_plain_account_across_many_claims(influence, awarder, alice, chain):
    """Each award in a new second moves the head to the older checkpoints; every past
    timepoint still reads its own value (binary search over the older checkpoints)."""
    points = []
    for i in range(1, 13):
        receipt = influence.awardCredited(alice, i * UNIT, sender=awarder)
        points.append((chain.blocks[receipt.block_number].timestamp, i * (i + 1) // 2 * UNIT))
        advance(chain, 7)
    previous = 0
    for timepoint, stored in points:
        assert influence.getPastStoredVotes(alice, timepoint - 1) == previous
        assert influence.getPastStoredVotes(alice, timepoint) == stored
        assert influence.getPastStoredVotes(alice, timepoint + 3) == stored
        previous = stored


def _head_slot(chain, influence, account) -> bytes:
    """The storage slot of ``account``'s head word: the entry of a mapping (found by its
    contents, so that the test does not hard-code the storage layout)."""
    votes = influence.getStoredVotes(account)
    for base in range(32):
        slot = keccak(bytes.fromhex(str(account)[2:]).rjust(32, b"\0") + base.to_bytes(32, "big"))
        word = int.from_bytes(chain.provider.get_storage(influence.address, slot), "big")
        if word != 0 and word >> 48 == votes:
            return slot
    raise AssertionError("head slot not found")


def test_checkpoint_count_spills_out_of_the_head(influence, awarder, alice, chain):
    """Past 32,766 older checkpoints the count moves to its own slot; pushes and lookups go on.
    (Anvil only: the count is set with anvil_setStorageAt instead of 32,766 transactions.)"""
    if chain.provider.name != "foundry":
        pytest.skip("needs anvil_setStorageAt")

    def award() -> int:
        advance(chain, 5)
        receipt = influence.awardCredited(alice, UNIT, sender=awarder)
        return chain.blocks[receipt.block_number].timestamp

    first = award()
    slot = _head_slot(chain, influence, alice)
    word = int.from_bytes(chain.provider.get_storage(influence.address, slot), "big")
    assert word & 0xFFFF == 0  # plain, no older checkpoints
    forged = "0x" + (word | 32766).to_bytes(32, "big").hex()
    target = [str(influence.address), "0x" + slot.hex(), forged]
    chain.provider.make_request("anvil_setStorageAt", target)
    second = award()  # older #32766: the count spills
    third = award()  # older #32767, counted in its own slot
    word = int.from_bytes(chain.provider.get_storage(influence.address, slot), "big")
    assert word & 0x7FFF == 0x7FFF
    fourth = award()
    advance(chain, 5)
    assert influence.getPastStoredVotes(alice, first) == UNIT
    assert influence.getPastStoredVotes(alice, second - 1) == UNIT
    assert influence.getPastStoredVotes(alice, second) == 2 * UNIT
    assert influence.getPastStoredVotes(alice, third) == 3 * UNIT
    assert influence.getPastStoredVotes(alice, fourth - 1) == 3 * UNIT
    assert influence.getStoredVotes(alice) == 4 * UNIT


def test_the_deployment_makes_contribution_rewards_the_claims_ledger(deployed_system):
    """The deployment plan grants AWARDER_ROLE to ContributionRewards before anyone else, so its
    claims take the plain-account path."""
    influence, rewards = deployed_system.influence, deployed_system.rewards
    assert influence.claimsLedger() == rewards.address
    assert influence.hasRole(influence.AWARDER_ROLE(), rewards)
