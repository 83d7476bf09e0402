"""Numbers every test folder shares: units, time, the token's supply and the parameters of the
system the fixtures deploy (tests/helpers/system.py writes them into a deployment config)."""

from __future__ import annotations

from dataclasses import replace

from communis.engine.policy import ABI_TYPE, DEFAULT_POLICY
from communis.engine.units import UNIT

ZERO = "0x0000000000000000000000000000000000000000"
MAX_UINT = 2**256 - 1

TOKEN = UNIT  # one whole token (UNIT: also one whole unit of influence)
HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY

SUPPLY_CAP = 1_000_000_000 * UNIT
GENESIS_SUPPLY = 100_000_000 * UNIT

HALF_LIFE = 26  # epochs of one week: the minimum half-life the contract accepts
TIMELOCK_DELAY = 2 * DAY
VOTING_DELAY = DAY
VOTING_PERIOD = WEEK
PROPOSAL_THRESHOLD = 10 * UNIT
QUORUM_PERCENT = 20
MINIMUM_VOTERS = 2  # distinct For/Abstain voters a proposal needs for quorum
VOTE_EXTENSION = 2 * DAY
GUARDIAN_TERM = 26 * WEEK  # the proposal guardian may cancel until genesis + this
APPLICATION_THRESHOLD = 5 * UNIT
CHALLENGER_REWARD_BPS = 5_000

# The policy the test system runs with: the default one with a smaller budget (so that caps bind
# with few accounts) and cheaper challenges; as the ABI tuple (ContributionRewards.Policy layout).
TEST_POLICY = replace(
    DEFAULT_POLICY,
    token_budget=10_000 * TOKEN,
    influence_budget=1_000 * TOKEN,
    account_cap_bps=1_500,  # below the test quorum: one account cannot meet it alone
    challenge_window=2 * DAY,  # shorter than the default: scenarios read it, none depends on it
    challenger_bond=200 * TOKEN,
)
POLICY = TEST_POLICY.to_abi()
POLICY_ABI = ABI_TYPE

# Governor vote types and proposal states (OpenZeppelin's IGovernor order).
AGAINST, FOR, ABSTAIN = 0, 1, 2
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
