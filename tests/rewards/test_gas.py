"""Gas bounds of claims, proposals and finalization on both EVMs, from the scenario
bench/gas_rewards.py records.

A claim moves only the account's side of the ledgers: Influence's total is credited once per
epoch at finalization (ContributionRewards I7), so a claim writes the account's delegate
checkpoint but no total-supply checkpoint. Measured: a first claim 211,626 gas and a repeat
129,192 (before crediting at finalization and the on-chain account cap: 215,462 / 147,631). A
first claim writes four fresh slots: the account's two in ContributionRewards (claimed amounts
and where the cap sums stood, I6), its token balance and its Influence balance, plus its first
vote checkpoint. Batched with ``claimMany`` a first claim costs ~163k per account.
"""

from __future__ import annotations

import pytest

from bench.gas_rewards import scenario

FIRST_CLAIM_MAX = 213_000
REPEAT_CLAIM_MAX = 131_000
BATCH_CLAIM_MAX = 165_000  # claimMany, per account
MULTICALL_CLAIM_MAX = 168_000  # a multicall of claim, per account
PROPOSE_MAX = 133_000  # the epoch game's limit is 150k
CHALLENGE_MAX = 150_000
FRAUD_PROOF_MAX = 150_000
RESOLVE_MAX = 70_000  # resolveDispute / settleDispute: the hash check and two or three payouts
FINALIZE_MAX = 165_000
# ContributionRewards' own share of a claim (21,000 base + calldata of a depth-10 proof + proof +
# bookkeeping + the two calls), against mint and awardStored sent alone: measured 67,630 / 35,739.
OWN_FIRST_MAX = 72_000
OWN_REPEAT_MAX = 40_000
# The deployment's first proposal writes its seven proposal slots from zero, once (~257k).
FIRST_PROPOSE_MAX = 259_000
ROOT_CALLDATA_SPREAD = 32 * (16 - 4)  # a root's zero bytes are cheaper calldata


@pytest.fixture(scope="module")
def gas(project, accounts, chain):
    figures = scenario(project, accounts, chain)
    print(f"\ngas figures: {figures}")
    return figures


def test_first_claim_within_bound(gas):
    assert gas["gas.claim.first"] <= FIRST_CLAIM_MAX


def test_repeat_claim_within_bound(gas):
    assert gas["gas.claim.repeat"] <= REPEAT_CLAIM_MAX


def test_batched_first_claims_within_bound(gas):
    """Paid for in batches (`ape run epoch claim`): the transaction base cost and the
    contract-wide slots are shared."""
    assert gas["gas.claim.batch50_per_account"] <= BATCH_CLAIM_MAX
    assert gas["gas.claim.batch50_first_per_account"] <= MULTICALL_CLAIM_MAX


def test_finalize_within_bound(gas):
    assert gas["gas.finalize"] <= FINALIZE_MAX


def test_claim_own_share_bounded(gas):
    assert gas["gas.claim.own_first"] <= OWN_FIRST_MAX
    assert gas["gas.claim.own_repeat"] <= OWN_REPEAT_MAX


def test_propose_gas_is_bounded_and_independent_of_contributors(gas):
    assert gas["gas.proposeRoot"] < PROPOSE_MAX
    assert gas["gas.proposeRoot.epoch2"] < PROPOSE_MAX
    assert gas["gas.proposeRoot.first"] < FIRST_PROPOSE_MAX
    spread = abs(gas["gas.proposeRoot.10x_contributors"] - gas["gas.proposeRoot.epoch2"])
    assert spread <= ROOT_CALLDATA_SPREAD


def test_dispute_game_within_bounds(gas):
    """A challenge (one dispute hash, the guardian's mark, the bond) and the one-transaction
    fraud proof (two proof levels in a 64-batch ledger, the registry's judgement, the ban, two
    payouts) stay under 150k, as the epoch game requires."""
    assert gas["gas.challenge"] <= CHALLENGE_MAX
    assert gas["gas.fraudProof"] <= FRAUD_PROOF_MAX
    assert gas["gas.fraudProof.dispute"] <= FRAUD_PROOF_MAX
    assert gas["gas.resolveDispute"] <= RESOLVE_MAX
    assert gas["gas.settleDispute"] <= RESOLVE_MAX


def test_reference_distributor_is_the_floor(gas):
    assert gas["gas.claim.baseline_first"] < gas["gas.claim.first"]
    assert gas["gas.claim.baseline_repeat"] < gas["gas.claim.repeat"]
