"""Exact token flows of the epoch game's bonds, one function per ending, as the contract moves them.

Every ending of a proposal moves the two bonds between four parties: the proposer, the challenger
(a guardian), a prover (whoever submits the one-transaction fraud proof) and the treasury. The
amounts are integers in token smallest units, computed with the contract's floor divisions, so a
test can compare them with balance changes on chain exactly:

=========================  =========  ======================  =========  =================
ending                     proposer   challenger              prover     treasury
=========================  =========  ======================  =========  =================
finalized (no challenge)   0          --                      --         0
upheld by governance       -B         +reward                 --         B - reward
not upheld by governance   0          -b_c                    --         +b_c
dispute timed out          -fee(B)    -fee(b_c)               --         fee(B)+fee(b_c)
proven (no dispute)        -B         --                      +reward    B - reward
proven during a dispute    -B         +reward (bond back)     0          B - reward
=========================  =========  ======================  =========  =================

B is the proposal's bond: ``proposerBond`` times the number of epochs the root covers (a catch-up
root over n epochs can pay n budgets, so it bonds n·b_p). reward = floor(B * challengerRewardBps /
10000), fixed when the challenge or proof is made; fee(b) = ceil(b * disputeFeeBps / 10000),
rounded up so that no bond, however small, ends a dispute for free. Flows are *net*: a bond paid
in and returned whole is 0. They always sum to zero (bonds are conserved: the contract keeps
nothing once a proposal or dispute has ended).

A model-versus-chain test plays one ending on an EVM and compares balance changes with these
numbers, exactly::

    params = Parameters.from_policy(Policy.from_abi(rewards.policy()), challenger_reward_bps=...,
                                    governance=..., epoch_duration=..., half_life_epochs=...)
    before = token.balanceOf(attacker)
    ...  # propose a padded root, challenge it, resolve the dispute as upheld
    assert token.balanceOf(attacker) - before == attacker_net("fraudulent-root", params,
                                                              Ending.UPHELD)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from communis.economics.params import Parameters


class Ending(Enum):
    """How a proposal (and its dispute, if any) ends."""

    FINALIZED = "finalized"
    UPHELD = "upheld"
    NOT_UPHELD = "not upheld"
    TIMED_OUT = "timed out"
    PROVEN = "proven"
    PROVEN_IN_DISPUTE = "proven during a dispute"


@dataclass(frozen=True, slots=True)
class Flows:
    """Net token change of each party (smallest units)."""

    proposer: int = 0
    challenger: int = 0
    prover: int = 0
    treasury: int = 0

    def of(self, party: str) -> int:
        """The flow of ``party`` ("proposer", "challenger", "prover" or "treasury")."""
        if party not in ("proposer", "challenger", "prover", "treasury"):
            raise ValueError(f"unknown party {party!r}")
        value: int = getattr(self, party)
        return value

    @property
    def total(self) -> int:
        return self.proposer + self.challenger + self.prover + self.treasury

    def __add__(self, other: Flows) -> Flows:
        return Flows(
            self.proposer + other.proposer,
            self.challenger + other.challenger,
            self.prover + other.prover,
            self.treasury + other.treasury,
        )


def bond_flows(params: Parameters, ending: Ending, epochs: int = 1) -> Flows:
    """What the bonds move when a proposal covering ``epochs`` epochs ends in ``ending`` at
    ``params``."""
    b_p, b_c = params.bond_for(epochs), params.challenger_bond
    reward = params.reward(epochs)
    if ending is Ending.FINALIZED:
        return Flows()
    if ending is Ending.UPHELD:
        return Flows(proposer=-b_p, challenger=reward, treasury=b_p - reward)
    if ending is Ending.NOT_UPHELD:
        return Flows(challenger=-b_c, treasury=b_c)
    if ending is Ending.TIMED_OUT:
        fee_p, fee_c = params.fee(b_p), params.fee(b_c)
        return Flows(proposer=-fee_p, challenger=-fee_c, treasury=fee_p + fee_c)
    if ending is Ending.PROVEN:
        return Flows(proposer=-b_p, prover=reward, treasury=b_p - reward)
    if ending is Ending.PROVEN_IN_DISPUTE:
        return Flows(proposer=-b_p, challenger=reward, treasury=b_p - reward)
    raise ValueError(f"unknown ending {ending!r}")  # pragma: no cover - exhaustive enum


def verdict(params: Parameters, *, governance_votes: bool, proposer_right: bool) -> Ending:
    """The ending of a dispute: the right verdict when governance votes, else the timeout."""
    if not governance_votes:
        return Ending.TIMED_OUT
    return Ending.NOT_UPHELD if proposer_right else Ending.UPHELD


__all__ = ["Ending", "Flows", "bond_flows", "verdict"]
