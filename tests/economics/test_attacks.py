"""The attack models: the shipped defaults hold with one watcher, each stated region is where the
profit changes sign, and the models agree with the engine where the engine decides."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from communis.deploy.config import load
from communis.economics.attacks import (
    KEYS,
    bribery,
    corrupt_attester,
    evaluate,
    fraudulent_root,
    griefing,
    padded_ledger,
    quorum_capture,
    self_dispute,
    sybil_split,
)
from communis.economics.params import Assumptions, Parameters
from communis.engine.policy import DAY
from communis.engine.scoring import allocate
from communis.engine.units import UNIT

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load(ROOT / "config" / "deploy.toml")
DEFAULTS = Parameters.from_config(CONFIG)
ASSUMED = Assumptions()


@pytest.mark.parametrize("watchers", [1, 2, 3, 5, 10])
def test_shipped_defaults_make_every_attack_unprofitable(watchers: int) -> None:
    results = evaluate(DEFAULTS, ASSUMED.with_(watchers=watchers))
    assert [r.key for r in results] == list(KEYS)
    assert [r.key for r in results if r.profitable] == []


def test_shipped_config_carries_the_game_defaults() -> None:
    assert DEFAULTS.dispute_period == 14 * DAY
    assert DEFAULTS.dispute_fee_bps == 2_000
    assert DEFAULTS.open_proposing is True
    assert DEFAULTS.proposer_bond == 1_000 * UNIT and DEFAULTS.challenger_bond == 250 * UNIT
    assert DEFAULTS.challenger_reward_bps == 5_000
    assert (DEFAULTS.account_cap_bps, DEFAULTS.quorum_bps, DEFAULTS.minimum_voters) == (
        500,
        1_000,
        3,
    )


def test_without_watchers_fraud_pays() -> None:
    """Nobody watching: a padded root collects the epoch's budget."""
    result = fraudulent_root(DEFAULTS, ASSUMED.with_(watchers=0))
    assert result.profitable and result.gain == DEFAULTS.token_budget and result.cost == 0


def test_fraud_expected_values() -> None:
    a = ASSUMED
    miss = Fraction(a.watcher_miss(DEFAULTS.challenge_window))
    result = fraudulent_root(DEFAULTS, a)
    assert result.gain == round(miss * DEFAULTS.token_budget)
    assert result.cost == round((1 - miss) * DEFAULTS.proposer_bond)
    silent = fraudulent_root(DEFAULTS, a.with_(governance_votes=False))
    assert silent.cost == round((1 - miss) * DEFAULTS.proposer_bond * Fraction(2_000, 10_000))
    # The proof needs no vote: a silent governance does not soften it.
    assert padded_ledger(DEFAULTS, a.with_(governance_votes=False)).cost == result.cost


def _bond(text: str) -> int:
    """The bound in 'proposer bond > 3,406 CMN or ...', in smallest units."""
    amount = text.split("proposer bond > ")[1].split(" CMN")[0].replace(",", "")
    return int(amount) * UNIT


@pytest.mark.parametrize("votes", [True, False])
def test_stated_minimum_bond_is_where_fraud_stops_paying(votes: bool) -> None:
    a = ASSUMED.with_(governance_votes=votes, epochs_covered=2)
    bound = _bond(fraudulent_root(DEFAULTS, a).unprofitable_when)
    above = fraudulent_root(DEFAULTS.with_(proposer_bond=bound + UNIT), a)
    below = fraudulent_root(DEFAULTS.with_(proposer_bond=bound - UNIT), a)
    assert not above.profitable and below.profitable


def test_stated_minimum_watchers_is_where_fraud_stops_paying() -> None:
    a = ASSUMED.with_(governance_votes=False)
    assert "watcher(s)" in fraudulent_root(DEFAULTS, a).unprofitable_when
    two_days = DEFAULTS.with_(challenge_window=2 * DAY)  # the former default window
    text = fraudulent_root(two_days, a).unprofitable_when
    needed = int(text.split(">= ")[1].split(" watcher")[0])
    assert needed == 2
    assert fraudulent_root(two_days, a.with_(watchers=needed - 1)).profitable
    assert not fraudulent_root(two_days, a.with_(watchers=needed)).profitable


def test_profit_falls_with_watchers_bond_and_window() -> None:
    a = ASSUMED.with_(epochs_covered=3)
    by_watchers = [fraudulent_root(DEFAULTS, a.with_(watchers=w)).profit for w in range(6)]
    assert by_watchers == sorted(by_watchers, reverse=True)
    bonds = [
        fraudulent_root(DEFAULTS.with_(proposer_bond=b * UNIT), a).profit for b in (1, 10, 100)
    ]
    assert bonds == sorted(bonds, reverse=True)
    windows = [
        fraudulent_root(DEFAULTS.with_(challenge_window=d * DAY), a).profit for d in (1, 2, 4)
    ]
    assert windows == sorted(windows, reverse=True)


def test_catch_up_scales_stake_and_bond_alike_and_backlog_raises_the_stake() -> None:
    """A root over n epochs can take n budgets but bonds n proposer bonds (the contract's I11),
    so per epoch it is a single-epoch fraud; fresh accounts draining the unclaimed pool raise
    only the gain: the stress cases the README names."""
    one = fraudulent_root(DEFAULTS, ASSUMED)
    two = fraudulent_root(DEFAULTS, ASSUMED.with_(epochs_covered=2))
    backlog = fraudulent_root(DEFAULTS, ASSUMED.with_(unclaimed_backlog=DEFAULTS.token_budget))
    assert two.gain == backlog.gain and abs(two.gain - 2 * one.gain) <= 1  # rounding
    assert abs(two.cost - 2 * one.cost) <= 1 and abs(two.profit - 2 * one.profit) <= 2
    assert not one.profitable and not two.profitable
    assert backlog.cost == one.cost and backlog.profit > one.profit


def test_griefing_and_self_dispute_always_cost() -> None:
    for votes in (True, False):
        a = ASSUMED.with_(governance_votes=votes)
        grief, self_ = griefing(DEFAULTS, a), self_dispute(DEFAULTS, a)
        assert grief.cost > 0 and not grief.profitable
        assert self_.cost > 0 and not self_.profitable
    assert griefing(DEFAULTS, ASSUMED).cost == DEFAULTS.challenger_bond
    outside = griefing(DEFAULTS, ASSUMED.with_(external_gain=DEFAULTS.challenger_bond + 1))
    assert outside.profitable


def test_bribery_gain_is_the_bond_and_cost_grows_with_influence() -> None:
    result = bribery(DEFAULTS, ASSUMED)
    assert result.gain == DEFAULTS.proposer_bond  # the root stays discarded whatever the verdict
    price = Fraction(DEFAULTS.token_budget, DEFAULTS.influence_budget) / 10  # 10% of what it earned
    needed = Fraction(DEFAULTS.quorum_bps, 10_000) * DEFAULTS.total_influence(ASSUMED.community_age)
    assert result.cost == round(price * needed)
    assert not result.profitable
    assert "from epoch 2 on" in result.unprofitable_when
    assert not bribery(DEFAULTS, ASSUMED.with_(community_age=2)).profitable
    assert not bribery(DEFAULTS, ASSUMED.with_(community_age=1)).profitable  # break-even
    assert bribery(DEFAULTS, ASSUMED.with_(community_age=1, vote_price_bps=500)).profitable


def test_sybil_split_matches_the_engine() -> None:
    """The gain the model states is what the engine pays a member above the cap once it splits
    (up to the redistribution's rounding): one account capped, three accounts at their share."""
    others = {f"0x{i:040x}": 10**18 for i in range(1, 89)}  # 88% of the score
    whole = {**others, "0x" + "ab" * 20: 12 * 10**18}  # the member: 12%
    split = {**others, **{"0x" + f"{k:02x}" * 20: 4 * 10**18 for k in (0xA1, 0xA2, 0xA3)}}
    budget, cap = DEFAULTS.token_budget, DEFAULTS.account_cap_bps
    alone = allocate(whole, budget, cap).amounts["0x" + "ab" * 20]
    apart = sum(
        allocate(split, budget, cap).amounts["0x" + f"{k:02x}" * 20] for k in (0xA1, 0xA2, 0xA3)
    )
    stated = (1_200 - cap) * budget // 10_000
    assert alone == budget * cap // 10_000
    assert apart - alone == stated
    model = sybil_split(DEFAULTS, ASSUMED.with_(watchers=0))
    assert model.gain == stated and model.profitable


def test_sybil_split_needs_a_share_above_the_cap() -> None:
    assert sybil_split(DEFAULTS, ASSUMED.with_(top_share_bps=500)).gain == 0


def test_corrupt_attester_is_bounded_by_its_budget() -> None:
    """No attester bond in the design: a corrupt attester profits until an audit catches it,
    never more than its budget's share per epoch."""
    assert corrupt_attester(DEFAULTS, ASSUMED).gain == 0  # the shipped config appoints none
    a = ASSUMED.with_(attester_budget=4_000)
    result = corrupt_attester(DEFAULTS, a)
    per_epoch = Fraction(DEFAULTS.token_budget * 20_000, 20_000 + a.honest_score)
    detect = a.any_of(a.audit_bps)
    assert result.gain == round(per_epoch * (1 - detect) / detect)
    assert result.profitable and result.cost == 0
    budgeted = corrupt_attester(DEFAULTS.with_(attester_budgets=(100, 4_000)), ASSUMED)
    assert budgeted.gain == result.gain


def test_capture_by_one_member() -> None:
    assert not quorum_capture(DEFAULTS, ASSUMED).profitable
    assert quorum_capture(DEFAULTS.with_(account_cap_bps=1_000), ASSUMED).profitable
    assert "3 members" in quorum_capture(DEFAULTS, ASSUMED).unprofitable_when
    assert "never fewer than 4" in quorum_capture(DEFAULTS, ASSUMED, measured=4).detail


def test_watcher_miss_follows_the_outage_model() -> None:
    a = ASSUMED
    assert a.watcher_miss(0) == pytest.approx(0.05)
    assert a.watcher_miss(2 * DAY) == pytest.approx(0.05 * 0.1353352832)
    assert a.detection(2 * DAY, 0) == 0
