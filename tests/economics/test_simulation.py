"""The community simulation: deterministic, scored exactly as the engine scores, and showing what
the cap and decay do to concentration."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from communis.deploy.config import load
from communis.economics.params import Parameters
from communis.economics.simulation import Community, draw_community, run_variant, simulate, variants
from communis.engine.cumulative import CumulativeTable
from communis.engine.scoring import score_epoch

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load(ROOT / "config" / "deploy.toml")
PARAMS = Parameters.from_config(CONFIG)
POLICY = CONFIG.rewards.policy


@pytest.fixture(scope="module")
def sim():
    return simulate(PARAMS, POLICY, epochs=60)


def test_same_seed_same_run(sim) -> None:
    again = simulate(PARAMS, POLICY, epochs=60)
    assert again == sim
    other = simulate(PARAMS, POLICY, epochs=60, community=Community(seed=7))
    assert other.configured.metrics != sim.configured.metrics


def test_community_churns() -> None:
    members, points = draw_community(Community(), 40)
    assert len(members) > Community().members  # people joined
    active_first = set(points[0])
    active_last = set(points[-1])
    assert active_first - active_last and active_last - active_first


def test_epochs_are_scored_as_the_engine_scores() -> None:
    """The configured run's balances are the engine's cumulative table of the same epochs."""
    _, points = draw_community(Community(), 12)
    table = CumulativeTable.empty()
    for epoch, earned in enumerate(points):
        scores = score_epoch(earned, POLICY)
        table = table.add_epoch(epoch, {}, scores.influence.amounts, PARAMS.half_life_epochs)
    values = [stored for _, stored in table.entries.values()]
    run = run_variant(variants(PARAMS, POLICY)[0], points, PARAMS, stop_epoch=None)
    last = run.metrics[-1]
    assert last.holders == len(values)
    assert last.top_share == max(values) / sum(values)


def test_cap_bounds_every_share(sim) -> None:
    """README, "No capture by one member": with enough scored accounts one account holds at
    most the cap of all earned influence, so quorum always takes several accounts."""
    cap = PARAMS.account_cap_bps / 10_000
    for m in sim.configured.metrics:
        assert m.top_share <= cap + 1e-12
        assert m.nakamoto_quorum is not None and m.nakamoto_quorum >= 2


def test_cap_and_decay_spread_influence(sim) -> None:
    runs = {run.variant.name: run for run in sim.runs}
    configured, no_cap = runs["as configured"], runs["no cap"]
    assert any(m.nakamoto_quorum == 1 for m in no_cap.metrics)  # one member meets quorum
    later = slice(26, None)
    assert sum(m.gini for m in configured.metrics[later]) < sum(
        m.gini for m in no_cap.metrics[later]
    )
    assert sim.fewest_for_quorum(26) is not None and sim.fewest_for_quorum(26) >= 2


def test_leavers_lose_quorum_and_decay_sets_the_pace(sim) -> None:
    configured, no_decay = sim.leaving
    left = configured.leavers
    assert left is not None and len(left.accounts) >= PARAMS.minimum_voters
    quorum = Fraction(PARAMS.quorum_bps, 10_000)
    assert left.epochs_with_quorum is not None
    assert all(
        s < quorum for s in left.shares[left.epochs_with_quorum : left.epochs_with_quorum + 1]
    )
    assert left.shares == tuple(sorted(left.shares, reverse=True))  # only ever shrinks
    kept = no_decay.leavers
    assert kept is not None
    # Their largest member's influence decays by half every half-life.
    first, later = left.top_influence[0], left.top_influence[PARAMS.half_life_epochs]
    assert later == pytest.approx(first / 2, rel=1e-6)
    assert kept.top_influence[-1] == pytest.approx(kept.top_influence[0], rel=1e-6)  # no decay


def test_too_short_a_run_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 epochs"):
        simulate(PARAMS, POLICY, epochs=1)
