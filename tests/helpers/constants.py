"""Numbers every test folder shares: units, time, the token's supply and the parameters of the
system the fixtures deploy (tests/helpers/system.py writes them into a deployment config)."""

from __future__ import annotations

ZERO = "0x0000000000000000000000000000000000000000"
MAX_UINT = 2**256 - 1

UNIT = 10**18  # one whole token, or one whole unit of influence
TOKEN = UNIT
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

# tokenBudget, influenceBudget, roleWeights, accountCapBps, challengeWindow, proposerBond,
# challengerBond: the layout of ContributionRewards.Policy.
POLICY = (
    10_000 * TOKEN,
    1_000 * TOKEN,
    (5, 3, 4, 1),
    1_500,  # below the quorum: one account cannot meet it alone
    2 * DAY,
    1_000 * TOKEN,
    200 * TOKEN,
)
POLICY_ABI = "(uint256,uint256,uint32[4],uint16,uint64,uint256,uint256)"

# Governor vote types and proposal states (OpenZeppelin's IGovernor order).
AGAINST, FOR, ABSTAIN = 0, 1, 2
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
