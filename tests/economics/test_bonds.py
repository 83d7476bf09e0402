"""Bond flows per ending: the exact integers the contract moves, conserved for any parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communis.deploy.config import load
from communis.economics.attacks import ATTACKER_SIDES, attacker_net
from communis.economics.bonds import Ending, Flows, bond_flows, verdict
from communis.economics.params import EconomicsError, Parameters
from communis.engine.units import UNIT

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = Parameters.from_config(load(ROOT / "config" / "deploy.toml"))


def test_default_flows_are_the_readmes_numbers() -> None:
    """The shipped config's bonds as the README states them: b_p 1000, b_c 250, challenger
    reward 50%, dispute fee 20%."""
    assert bond_flows(DEFAULTS, Ending.FINALIZED) == Flows()
    assert bond_flows(DEFAULTS, Ending.UPHELD) == Flows(
        proposer=-1000 * UNIT, challenger=500 * UNIT, treasury=500 * UNIT
    )
    assert bond_flows(DEFAULTS, Ending.NOT_UPHELD) == Flows(
        challenger=-250 * UNIT, treasury=250 * UNIT
    )
    assert bond_flows(DEFAULTS, Ending.TIMED_OUT) == Flows(
        proposer=-200 * UNIT, challenger=-50 * UNIT, treasury=250 * UNIT
    )
    assert bond_flows(DEFAULTS, Ending.PROVEN) == Flows(
        proposer=-1000 * UNIT, prover=500 * UNIT, treasury=500 * UNIT
    )
    assert bond_flows(DEFAULTS, Ending.PROVEN_IN_DISPUTE) == Flows(
        proposer=-1000 * UNIT, challenger=500 * UNIT, treasury=500 * UNIT
    )


def test_attacker_net_per_scenario_at_defaults() -> None:
    """What a chain test compares with the attacker's balance change."""
    assert attacker_net("fraudulent-root", DEFAULTS, Ending.UPHELD) == -1000 * UNIT
    assert attacker_net("fraudulent-root", DEFAULTS, Ending.TIMED_OUT) == -200 * UNIT
    assert attacker_net("padded-ledger", DEFAULTS, Ending.PROVEN) == -1000 * UNIT
    assert attacker_net("griefing", DEFAULTS, Ending.NOT_UPHELD) == -250 * UNIT
    assert attacker_net("griefing", DEFAULTS, Ending.TIMED_OUT) == -50 * UNIT
    # A self-dispute nets both sides: never free, whatever the verdict.
    assert attacker_net("self-dispute", DEFAULTS, Ending.UPHELD) == -500 * UNIT
    assert attacker_net("self-dispute", DEFAULTS, Ending.NOT_UPHELD) == -250 * UNIT
    assert attacker_net("self-dispute", DEFAULTS, Ending.TIMED_OUT) == -250 * UNIT
    assert attacker_net("proposal-spam", DEFAULTS, Ending.FINALIZED) == 0


def test_verdict() -> None:
    assert verdict(DEFAULTS, governance_votes=True, proposer_right=True) is Ending.NOT_UPHELD
    assert verdict(DEFAULTS, governance_votes=True, proposer_right=False) is Ending.UPHELD
    assert verdict(DEFAULTS, governance_votes=False, proposer_right=True) is Ending.TIMED_OUT


def test_unknown_party_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown party"):
        Flows().of("stranger")


@settings(derandomize=True, deadline=None)  # fixed seed: make test is deterministic
@given(
    proposer_bond=st.integers(1, 10**28),
    challenger_bond=st.integers(1, 10**28),
    reward_bps=st.integers(0, 9_999),
    fee_bps=st.integers(1, 10_000),
    ending=st.sampled_from(list(Ending)),
    epochs=st.integers(1, 60),
)
def test_bonds_are_conserved_and_self_dispute_never_free(
    proposer_bond: int,
    challenger_bond: int,
    reward_bps: int,
    fee_bps: int,
    ending: Ending,
    epochs: int,
) -> None:
    params = DEFAULTS.with_(
        proposer_bond=proposer_bond,
        challenger_bond=challenger_bond,
        challenger_reward_bps=reward_bps,
        dispute_fee_bps=fee_bps,
    )
    flows = bond_flows(params, ending, epochs)
    assert flows.total == 0
    assert flows.treasury >= 0 and flows.proposer <= 0
    if ending in (Ending.UPHELD, Ending.NOT_UPHELD, Ending.TIMED_OUT):
        assert attacker_net("self-dispute", params, ending, epochs=epochs) < 0
    if ending in (Ending.NOT_UPHELD, Ending.TIMED_OUT):  # a challenge of an honest root
        assert attacker_net("griefing", params, ending, epochs=epochs) < 0


def test_dust_bonds_never_time_out_for_free() -> None:
    """The dispute fee rounds up, as the contract rounds it: a bond of a few units still pays at
    least one on a timeout (rounded down, a bond below 10000 / disputeFeeBps units paid nothing,
    and a self-dispute with such bonds was a free delay)."""
    dust = DEFAULTS.with_(proposer_bond=4, challenger_bond=4)
    assert bond_flows(dust, Ending.TIMED_OUT) == Flows(proposer=-1, challenger=-1, treasury=2)
    assert attacker_net("self-dispute", dust, Ending.TIMED_OUT) == -2
    assert (
        attacker_net(
            "self-dispute", dust.with_(proposer_bond=1, challenger_bond=1), Ending.TIMED_OUT
        )
        == -2
    )
    assert dust.fee(10**21 + 1) == (10**21 + 1) * 2_000 // 10_000 + 1
    assert set(ATTACKER_SIDES) >= {"fraudulent-root", "self-dispute", "griefing"}


def test_a_catch_up_root_bonds_one_bond_per_epoch() -> None:
    """A root covering n epochs can pay n budgets, so the contract takes n proposer bonds; every
    ending moves n times a one-epoch root's bond (the reward and the fee of the whole, rounded
    once)."""
    assert DEFAULTS.bond_for(3) == 3_000 * UNIT
    assert bond_flows(DEFAULTS, Ending.UPHELD, epochs=3) == Flows(
        proposer=-3_000 * UNIT, challenger=1_500 * UNIT, treasury=1_500 * UNIT
    )
    assert attacker_net("fraudulent-root", DEFAULTS, Ending.TIMED_OUT, epochs=3) == -600 * UNIT
    assert attacker_net("padded-ledger", DEFAULTS, Ending.PROVEN, epochs=2) == -2_000 * UNIT
    odd = DEFAULTS.with_(proposer_bond=3, challenger_reward_bps=5_000, dispute_fee_bps=5_000)
    assert bond_flows(odd, Ending.UPHELD, epochs=3) == Flows(proposer=-9, challenger=4, treasury=5)
    assert bond_flows(odd, Ending.TIMED_OUT, epochs=3).proposer == -5
    with pytest.raises(EconomicsError, match="at least one epoch"):
        DEFAULTS.bond_for(0)
