"""What governance front-ends see (both EVMs).

An event-following indexer (Tally replays ``DelegateChanged`` / ``DelegateVotesChanged``) and a
``getVotes`` reader (Snapshot's erc20-votes strategy calls ``getVotes`` at a block) must agree
with the contract. Influence emits every vote event in influence at the emitting block, so:

- right after each event, the replayed votes of its delegate equal ``getVotes`` at that block and
  ``getPastVotes`` at that block's timestamp (exact);
- ``previousVotes`` is the delegate's ``getVotes`` just before the transaction (exact);
- between events the replayed figure goes stale by the decay of the epochs passed since (the
  remainder a front-end that only follows events cannot see; it is exact again at the next event);
- every account that ever held influence has a delegate in the replay, equal to ``delegates``;
- an explorer summing ``Transfer`` values (mint from / burn to zero) gets ``balanceOf`` while no
  epoch has passed since the holder's first event.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.helpers.constants import UNIT, WEEK, ZERO
from tests.helpers.signing import delegates, sign_delegation
from tests.helpers.time import advance, go_to

EVENTS = ("DelegateChanged", "DelegateVotesChanged", "Transfer")


def _logs(influence, chain):
    """Every vote and transfer log of ``influence``, in chain order."""
    head = chain.blocks.head.number
    logs = [log for name in EVENTS for log in getattr(influence, name).range(0, head + 1)]
    return sorted(logs, key=lambda log: (log.block_number, log.log_index))


@pytest.fixture
def history(influence, gov, awarder, alice, bob, carol, accounts, genesis, chain):
    """Awards by the claims ledger and by a second awarder, delegations (to a plain account, to
    oneself, by signature, back and forth), slashes, over 31 epochs (more than a half-life)."""
    other, dave = accounts[0], accounts[8]
    influence.grantRole(influence.AWARDER_ROLE(), other, sender=gov)
    influence.awardStored(alice, 5 * UNIT, sender=awarder)
    influence.awardStored(bob, 3 * UNIT, sender=awarder)
    influence.awardStored(carol, 2 * UNIT, sender=other)
    influence.invoke_transaction("delegate", alice, sender=bob)  # alice was plain
    go_to(chain, genesis + 3 * WEEK + 5)
    influence.awardStored(alice, UNIT, sender=awarder)
    influence.awardStored(bob, 2 * UNIT, sender=awarder)  # lands on alice's votes
    influence.invoke_transaction("delegate", bob, sender=carol)
    go_to(chain, genesis + 30 * WEEK + 7)
    influence.slash(alice, UNIT, sender=gov)
    influence.awardStored(carol, 4 * UNIT, sender=other)  # lands on bob's votes
    influence.invoke_transaction("delegate", ZERO, sender=bob)
    expiry = chain.pending_timestamp + 3600
    v, r, s = sign_delegation(influence, carol, carol, 0, expiry, chain_id=chain.chain_id)
    influence.delegateBySig(carol, 0, expiry, v, r, s, sender=dave)
    influence.awardStored(dave, 7 * UNIT, sender=awarder)
    go_to(chain, genesis + 31 * WEEK)
    influence.slash(bob, 10 * UNIT, sender=gov)
    advance(chain, 1)  # every event's timestamp is now in the past (getPastVotes)
    return [alice, bob, carol, dave]


def test_tally_style_replay_matches_get_votes_at_every_event(influence, chain, history):
    votes: dict[str, int] = defaultdict(int)
    delegate_of: dict[str, str] = {}
    touched: dict[int, set[str]] = defaultdict(set)  # by block
    at_second: dict[int, set[str]] = defaultdict(set)  # by timestamp (anvil may share one)
    logs = _logs(influence, chain)
    for i, log in enumerate(logs):
        args = log.event_arguments
        number = log.block_number
        timestamp = chain.blocks[number].timestamp
        if log.event_name == "DelegateChanged":
            delegate_of[str(args["delegator"])] = str(args["toDelegate"])
        elif log.event_name == "DelegateVotesChanged":
            delegate = str(args["delegate"])
            if delegate not in touched[number]:
                # previousVotes: getVotes just before the transaction, at this block's epoch.
                before = influence.getStoredVotes(delegate, block_id=number - 1)
                epoch = influence.epochAt(timestamp)
                assert args["previousVotes"] == influence.toInfluence(before, epoch)
            votes[delegate] = args["newVotes"]
            touched[number].add(delegate)
            at_second[timestamp].add(delegate)
        following = logs[i + 1].block_number if i + 1 < len(logs) else None
        if following != number:  # the block's last event: the getVotes reader agrees
            for delegate in touched[number]:
                assert influence.getVotes(delegate, block_id=number) == votes[delegate]
        if following is None or chain.blocks[following].timestamp != timestamp:
            for delegate in at_second[timestamp]:  # ... and so does getPastVotes
                assert influence.getPastVotes(delegate, timestamp) == votes[delegate]
    assert votes, "the scenario emitted no vote events"

    # Every holder has its delegate in the replay (self-delegation included).
    for account in history:
        assert delegate_of[str(account)] == delegates(influence, account)
    # The remainder: between events, the event follower is stale by the decay since.
    for delegate, value in votes.items():
        assert influence.getVotes(delegate) <= value


def test_explorer_style_transfer_replay_matches_balances_within_an_epoch(
    influence, gov, awarder, alice, bob, chain
):
    influence.awardStored(alice, 5 * UNIT, sender=awarder)
    influence.awardStored(bob, 3 * UNIT, sender=awarder)
    influence.invoke_transaction("delegate", bob, sender=alice)  # moves votes, not balances
    influence.awardStored(alice, 2 * UNIT + 1, sender=awarder)
    influence.slash(alice, UNIT, sender=gov)
    holders: dict[str, int] = defaultdict(int)
    for log in _logs(influence, chain):
        if log.event_name != "Transfer":
            continue
        args = log.event_arguments
        assert ZERO in (str(args["from"]), str(args["to"]))  # influence is never transferred
        if str(args["from"]) == ZERO:
            holders[str(args["to"])] += args["value"]
        else:
            holders[str(args["from"])] -= args["value"]
    assert holders == {str(alice): influence.balanceOf(alice), str(bob): influence.balanceOf(bob)}
    assert holders[str(alice)] == 6 * UNIT + 1
