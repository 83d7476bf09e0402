"""Gas bounds of claims, proposals and finalization on both EVMs, from the scenario
bench/gas_rewards.py records (gas is deterministic: the same figures on eth-tester and anvil).

Measured: a first claim 143,920 gas, a repeat 113,207, claimMany of 50 first claims 95,326 per
account, finalize 143,801 (before: 211,714 / 129,280 / 163,058 / 162,845 with Influence's
per-claim total checkpoints, then 144,553 / 116,122 / 95,982 / 163,209 with a per-account cap
counted since each account's last claim). Where a claim's gas goes:

- A first claim writes three fresh slots: the account's token balance, its one-slot record in
  ContributionRewards (the tokens paid) and its head in Influence (its vote checkpoint, which for
  a plain account is also its balance and what it was paid in influence). No total-supply
  checkpoint: Influence's total is credited once per epoch at finalization (ContributionRewards
  I7).
- A repeat claim in a later epoch moves the previous head to the older checkpoints (one fresh
  slot, 22,100 gas: every past timepoint keeps its exact votes) and rewrites the head, the
  record, the two claim-pool slots (unclaimed influence; unclaimed tokens with the token cap sum)
  and the token balance and supply. It reads the root, the influence cap sum (I6), Influence's
  claims-ledger slot and the token's minter role: ten cold reads, seven writes, two cold
  contracts, four events (9,136 gas) and 27,768 gas of intrinsic and calldata cost; the rest,
  about 11,000, is computation (the proof, ABI, checks). 105,000 would need dropping protections
  (a revocable minter and awarder, about 4,600; Influence's ERC-20 Transfer event, about 1,900;
  the per-account cap's read, 2,100) or reading what Influence paid after awarding it instead
  of before (about 1,400), which leaves the claim-pool write after an external call.
- Finalization adds the root's caps to two running sums (I6) in slots it rewrites, instead of
  writing a fresh slot per finalized root (19,400 less).
"""

from __future__ import annotations

import pytest

from bench.gas_rewards import scenario

FIRST_CLAIM_MAX = 145_000
REPEAT_CLAIM_MAX = 114_000
BATCH_CLAIM_MAX = 96_000  # claimMany, per account
MULTICALL_CLAIM_MAX = 100_000  # a multicall of claim, per account
PROPOSE_MAX = 133_000  # the epoch game's limit is 150k
CHALLENGE_MAX = 150_000
FRAUD_PROOF_MAX = 150_000
RESOLVE_MAX = 70_000  # resolveDispute / settleDispute: the hash check and two or three payouts
FINALIZE_MAX = 145_000
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
