"""Gas bounds of claims, proposals and finalization on both EVMs, from the scenario
bench/gas_rewards.py records (gas is deterministic: the same figures on eth-tester and anvil).

Measured: a first claim 144,553 gas, a repeat 116,122, claimMany of 50 first claims 95,982 per
account, finalize 163,209 (before this layout: 211,714 / 129,280 / 163,058 / 162,845). Where a
claim's gas goes:

- A first claim writes three fresh slots: the account's token balance, its one-slot record in
  ContributionRewards (tokens paid, and where the cap sums stood at its last claim, I6) and its
  head in Influence (its vote checkpoint, which for a plain account is also its balance and what
  it was paid in influence). No total-supply checkpoint: Influence's total is credited once per
  epoch at finalization (ContributionRewards I7).
- A repeat claim in a later epoch moves the previous head to the older checkpoints (one fresh
  slot, 22,100 gas: every past timepoint keeps its exact votes), and rewrites the record, the two
  claim-pool slots (unclaimed tokens and influence, I3, and the running token cap sum, I6), the
  token balance and supply, and reads the root and two influence cap sums. These are the floor of
  this design: 105,000 would need the per-epoch cap (I6, about 9,000 gas of a repeat claim) or
  the exact vote history gone.
- The ERC-20 Transfer event Influence emits on every award costs 1,939 gas of each claim.
"""

from __future__ import annotations

import pytest

from bench.gas_rewards import scenario

FIRST_CLAIM_MAX = 146_000
REPEAT_CLAIM_MAX = 117_000
BATCH_CLAIM_MAX = 97_000  # claimMany, per account
MULTICALL_CLAIM_MAX = 100_000  # a multicall of claim, per account
PROPOSE_MAX = 133_000  # the epoch game's limit is 150k
CHALLENGE_MAX = 150_000
FRAUD_PROOF_MAX = 150_000
RESOLVE_MAX = 70_000  # resolveDispute / settleDispute: the hash check and two or three payouts
FINALIZE_MAX = 165_000
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
