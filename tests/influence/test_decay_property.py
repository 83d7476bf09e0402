"""Property (hypothesis): decay changes absolute numbers, never the outcome ratios at a snapshot.

For random award schedules (who, when earned, when claimed, how much) the ledger is replayed on
the EVM; two snapshots in different epochs (no awards in between) are compared. At each snapshot
the on-chain votes equal the Python model (`communis.engine.growth`), every vote and the total are
the stored units divided by the same growth factor, so comparisons between voters never flip, and a
Governor decision (for > against, for + abstain >= quorum) is the decision of the stored units
whenever it is not within rounding of a tie. Bounded examples, fixed seed (derandomized): it runs
on both EVMs in CI.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communis.engine.growth import ONE, growth, to_influence, to_stored
from tests.helpers.constants import HALF_LIFE, UNIT, WEEK
from tests.helpers.time import go_to, snapshot


def forward(chain, timestamp: int) -> None:
    """Mine at `timestamp`, or one second after the head when that is already past."""
    go_to(chain, max(timestamp, chain.blocks.head.timestamp + 1))


QUORUM_PERCENT = 20

awards = st.lists(
    st.tuples(
        st.integers(0, 2),  # member: 0 votes for, 1 against, 2 abstains
        st.integers(0, 30),  # epochs since the previous award
        st.integers(0, 3),  # epochs between earning and claiming
        st.integers(1, 10**6 * UNIT),  # influence earned
    ),
    min_size=1,
    max_size=6,
)


def decision(for_votes: int, against: int, abstain: int, total: int) -> bool:
    return for_votes > against and (for_votes + abstain) * 100 >= total * QUORUM_PERCENT


@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schedule=awards, gap=st.integers(1, 3 * HALF_LIFE))
def test_decay_keeps_ratios_at_a_snapshot(project, accounts, chain, schedule, gap):
    gov, awarder = accounts[10], accounts[7]  # as the gov and awarder fixtures
    members = [accounts[1], accounts[2], accounts[4]]
    genesis = chain.pending_timestamp
    influence = gov.deploy(project.Influence, gov, genesis, WEEK, HALF_LIFE)
    influence.grantRole(influence.AWARDER_ROLE(), awarder, sender=gov)

    stored = [0, 0, 0]
    epoch = 0
    for member, wait, claim_delay, amount in schedule:
        epoch += wait
        forward(chain, genesis + epoch * WEEK + 1)
        earned = max(0, epoch - claim_delay)
        units = to_stored(amount, earned, HALF_LIFE)
        influence.awardStored(members[member], units, sender=awarder)
        stored[member] += units
    total = sum(stored)

    first = snapshot(chain)
    forward(chain, genesis + (epoch + gap) * WEEK + 1)
    second = snapshot(chain)
    chain.mine()  # both snapshots strictly in the past

    outcomes = []
    for timepoint in (first, second):
        at = influence.epochAt(timepoint)
        factor = growth(at, HALF_LIFE)
        votes = [influence.getPastVotes(m, timepoint) for m in members]
        supply = influence.getPastTotalSupply(timepoint)
        # The chain agrees with the model, bit for bit.
        assert [influence.getPastStoredVotes(m, timepoint) for m in members] == stored
        assert influence.getPastStoredTotalSupply(timepoint) == total
        assert votes == [to_influence(s, at, HALF_LIFE) for s in stored]
        assert supply == to_influence(total, at, HALF_LIFE)
        # Everyone is divided by the same factor: floors only, never a reordering.
        assert sum(votes) <= supply <= sum(votes) + len(votes) - 1
        for i in range(3):
            assert abs(votes[i] * total - stored[i] * supply) < max(total, 1)
            for j in range(3):
                if stored[i] > stored[j]:
                    assert votes[i] >= votes[j]
                if (stored[i] - stored[j]) * ONE >= factor:
                    assert votes[i] > votes[j]
        outcomes.append((decision(*votes, supply), votes, supply, factor))

    (first_decision, first_votes, first_supply, _), (second_decision, second_votes, *_) = outcomes
    # Absolute numbers decay (later snapshot, no new awards)...
    assert second_votes <= first_votes
    assert outcomes[1][2] <= first_supply
    # ...but the decision is the stored-unit decision unless within rounding of a tie.
    exact = decision(*stored, total)
    worst = outcomes[1][3]  # the larger growth factor: the coarser rounding
    margin_vote = abs(stored[0] - stored[1]) * ONE
    margin_quorum = abs((stored[0] + stored[2]) * 100 - total * QUORUM_PERCENT) * ONE
    if margin_vote > 2 * worst and margin_quorum > 200 * worst:
        assert first_decision == second_decision == exact
