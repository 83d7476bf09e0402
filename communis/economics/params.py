"""What the attack models read: the parameters a community sets, and the assumptions it makes.

:class:`Parameters` holds the policy, the challenger reward and the governor settings of one
deployment, in the units the contracts use (token and influence amounts in smallest units,
durations in seconds, shares in basis points). Build it from a deployment config
(:meth:`Parameters.from_config`, what ``communis simulate --config`` and ``ape run deploy`` do) or
from a policy and governor settings read elsewhere, e.g. from the chain
(:meth:`Parameters.from_policy`).

:class:`Assumptions` holds what no config says: how many independent watchers there are and how
reliable each is, whether governance votes on disputes, what a bribed voter asks. Every default
is stated and justified beside its field; the README's "Why cheating does not pay" repeats them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from communis.deploy.config import DeployConfig, GovernanceParams
from communis.engine.policy import BPS, DAY, Policy
from communis.engine.units import UNIT
from communis.errors import CommunisError

WEEK = 7 * DAY

# The brief's values for the policy fields of the bounded challenge game, used while a policy
# does not carry them yet (see :func:`_game_field`).
DEFAULT_DISPUTE_PERIOD = 14 * DAY
DEFAULT_DISPUTE_FEE_BPS = 2_000
DEFAULT_OPEN_PROPOSING = True


class EconomicsError(CommunisError, ValueError):
    """Parameters or assumptions the models cannot use."""


def _game_field(policy: Policy, name: str, default: Any) -> Any:
    """A field of the bounded challenge game (``dispute_period``, ``dispute_fee_bps``,
    ``open_proposing``) from ``policy``, or the documented default while the policy has none."""
    return getattr(policy, name, default)


@dataclass(frozen=True, slots=True)
class Parameters:
    """One deployment's economic parameters (contract units)."""

    token_budget: int
    influence_budget: int
    role_weights: tuple[int, ...]
    account_cap_bps: int
    challenge_window: int
    proposer_bond: int
    challenger_bond: int
    dispute_period: int
    dispute_fee_bps: int
    open_proposing: bool
    challenger_reward_bps: int
    quorum_bps: int
    minimum_voters: int
    voting_delay: int
    voting_period: int
    vote_extension: int
    timelock_delay: int
    proposal_threshold: int
    epoch_duration: int
    half_life_epochs: int
    attester_budgets: tuple[int, ...] = ()
    """Per-epoch points budget of each attester named in the config, in whole points."""

    def __post_init__(self) -> None:
        if self.proposer_bond <= 0 or self.challenger_bond <= 0:
            raise EconomicsError("proposer and challenger bonds must be > 0")
        if not 1 <= self.dispute_fee_bps <= BPS:
            raise EconomicsError(f"disputeFeeBps must be in 1..{BPS}, got {self.dispute_fee_bps}")
        if not 0 <= self.challenger_reward_bps < BPS:
            raise EconomicsError(
                f"challengerRewardBps must be in 0..{BPS - 1}, got {self.challenger_reward_bps}"
            )
        if not 1 <= self.quorum_bps <= BPS:
            raise EconomicsError(f"quorum must be in 1..{BPS} bps, got {self.quorum_bps}")
        if self.challenge_window <= 0 or self.epoch_duration <= 0 or self.half_life_epochs <= 0:
            raise EconomicsError("challenge window, epoch duration and half-life must be > 0")

    @classmethod
    def from_policy(
        cls,
        policy: Policy,
        *,
        challenger_reward_bps: int,
        governance: GovernanceParams,
        epoch_duration: int,
        half_life_epochs: int,
        attester_budgets: tuple[int, ...] = (),
    ) -> Parameters:
        """From a policy (e.g. ``Policy.from_abi(rewards.policy())``) and governor settings."""
        return cls(
            token_budget=policy.token_budget,
            influence_budget=policy.influence_budget,
            role_weights=tuple(policy.role_weights),
            account_cap_bps=policy.account_cap_bps,
            challenge_window=policy.challenge_window,
            proposer_bond=policy.proposer_bond,
            challenger_bond=policy.challenger_bond,
            dispute_period=int(_game_field(policy, "dispute_period", DEFAULT_DISPUTE_PERIOD)),
            dispute_fee_bps=int(_game_field(policy, "dispute_fee_bps", DEFAULT_DISPUTE_FEE_BPS)),
            open_proposing=bool(_game_field(policy, "open_proposing", DEFAULT_OPEN_PROPOSING)),
            challenger_reward_bps=challenger_reward_bps,
            quorum_bps=governance.quorum_percent * 100,
            minimum_voters=governance.minimum_voters,
            voting_delay=governance.voting_delay,
            voting_period=governance.voting_period,
            vote_extension=governance.vote_extension,
            timelock_delay=governance.timelock_delay,
            proposal_threshold=governance.proposal_threshold,
            epoch_duration=epoch_duration,
            half_life_epochs=half_life_epochs,
            attester_budgets=attester_budgets,
        )

    @classmethod
    def from_config(cls, config: DeployConfig) -> Parameters:
        """From a loaded deployment config (``communis.deploy.config.load``)."""
        return cls.from_policy(
            config.rewards.policy,
            challenger_reward_bps=config.rewards.challenger_reward_bps,
            governance=config.governance,
            epoch_duration=config.influence.epoch_duration,
            half_life_epochs=config.influence.half_life_epochs,
            attester_budgets=attester_budgets(config),
        )

    def with_(self, **changes: Any) -> Parameters:
        """A copy with some fields changed (the sweeps use it)."""
        return replace(self, **changes)

    @property
    def dispute_delay(self) -> int:
        """D = P + W: the longest one challenge delays an honest root (seconds)."""
        return self.dispute_period + self.challenge_window

    @property
    def max_weight(self) -> int:
        return max(self.role_weights)

    def fee(self, bond: int) -> int:
        """What a party pays of ``bond`` when a dispute ends without a verdict: rounded up, as
        the contract rounds it, so that no bond ends a dispute for free."""
        return -(-bond * self.dispute_fee_bps // BPS)

    def bond_for(self, epochs: int = 1) -> int:
        """The proposer bond of a root covering ``epochs`` epochs: one ``proposerBond`` each."""
        if epochs < 1:
            raise EconomicsError(f"a root covers at least one epoch, got {epochs}")
        return self.proposer_bond * epochs

    def reward(self, epochs: int = 1) -> int:
        """The challenger's (or prover's) share of the slashed bond of a root covering
        ``epochs`` epochs (floor, as the contract)."""
        return self.bond_for(epochs) * self.challenger_reward_bps // BPS

    def total_influence(self, epochs: int) -> int:
        """Influence earned by the end of ``epochs`` full epochs at full emission, measured at the
        last one (each older epoch decayed by ``2^(-age/H)``), in smallest units (floor)."""
        decay = 2 ** (-1 / self.half_life_epochs)
        return int(self.influence_budget * Fraction(sum(decay**age for age in range(epochs))))


def attester_budgets(config: DeployConfig) -> tuple[int, ...]:
    """The ``[attesters]`` table of the config file (``address = budget in points``), in whole
    points; empty when the file has none (no attester appointed at deployment)."""
    try:
        data = tomllib.loads(config.path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise EconomicsError(f"{config.path}: cannot read the [attesters] table: {err}") from err
    table = data.get("attesters", {})
    if not isinstance(table, dict):
        raise EconomicsError(f"{config.path}: attesters: expected a table, got {table!r}")
    budgets = []
    for address, raw in sorted(table.items()):
        try:
            points = Decimal(str(raw).replace("_", ""))
        except InvalidOperation:
            points = Decimal(-1)
        if isinstance(raw, bool) or not points.is_finite() or points < 0:
            raise EconomicsError(
                f"{config.path}: attesters.{address}: expected a budget in points, got {raw!r}"
            )
        budgets.append(math.ceil(points))
    return tuple(budgets)


@dataclass(frozen=True, slots=True)
class Assumptions:
    """What the models assume beyond the parameters. Defaults are the README's stated ones."""

    watchers: int = 1
    """Independent watchers (guardians running ``epoch watch``, or anyone verifying bundles). They
    fail independently of each other and of the attacker, who cannot see or cause their outages."""
    watcher_downtime_bps: int = 500
    """Share of the time one watcher is down (machine, RPC, funds or operator): 5%."""
    watcher_outage: int = DAY
    """Mean length of one outage (exponential): a day. A watcher that is up when a root is
    proposed verifies it within minutes; one that is down misses the window only if its outage
    outlasts it, so it misses with probability ``downtime * exp(-W / outage)``."""
    governance_votes: bool = True
    """Governance decides every dispute within the dispute period (False: it never votes, so every
    dispute ends by timeout and both parties pay the dispute fee)."""
    epochs_covered: int = 1
    """Epochs a fraudulent root covers: 1 when roots are proposed every epoch; more for a catch-up
    root after epochs went unfinalized (each adds one epoch's token budget to the gain)."""
    unclaimed_backlog: int = 0
    """Finalized but unclaimed tokens (smallest units) a fraudulent root's fresh accounts could
    also claim: a fresh account's cap room is the sum of the caps of every finalized epoch."""
    audit_bps: int = 2_000
    """Chance per epoch that one watcher audits an attester's rows and spots invented work: 20%
    (reading evidence takes a person; nothing checks it mechanically)."""
    link_bps: int = 1_000
    """Chance per epoch that one watcher links the accounts one person split its work across
    (funding, timing, evidence authorship): 10%."""
    expulsion_epochs: int | None = None
    """Epochs of capped income a detected sybil splitter loses when attesters stop signing its
    rows (None: the half-life)."""
    top_share_bps: int = 1_200
    """The largest natural (uncapped) share of one member's score in an epoch: 12%, the sample
    community's (9% to 15% in its three epochs)."""
    honest_score: int = 20_000
    """Weighted points scored per epoch by honest rows: the sample community's (15.7k to 28.5k)."""
    attester_budget: int | None = None
    """A corrupt attester's per-epoch budget in whole points (None: the largest in the config)."""
    vote_price_bps: int = 1_000
    """What a bribed voter asks for lending one unit of influence to a dispute vote, as a share of
    the tokens that unit was earned with (tokenBudget / influenceBudget): 10%."""
    honest_turnout_bps: int | None = None
    """Share of all influence that votes for the honest verdict (None: the quorum)."""
    community_age: int = 4
    """Epochs of influence earned when a dispute is voted (the total grows with age, so bribery
    is cheapest early; the unprofitable region names the first safe epoch)."""
    external_gain: int = 0
    """Tokens a griefer or spammer gains outside the system from a delay (e.g. a bet against it)."""

    def __post_init__(self) -> None:
        if self.watchers < 0:
            raise EconomicsError(f"watchers must be >= 0, got {self.watchers}")
        for name in ("watcher_downtime_bps", "audit_bps", "link_bps", "vote_price_bps"):
            value = getattr(self, name)
            if not 0 <= value <= BPS:
                raise EconomicsError(f"{name} must be in 0..{BPS}, got {value}")
        if self.watcher_outage <= 0:
            raise EconomicsError("watcher_outage must be > 0 seconds")
        if self.epochs_covered < 1 or self.community_age < 1:
            raise EconomicsError("epochs_covered and community_age must be >= 1")

    def with_(self, **changes: Any) -> Assumptions:
        return replace(self, **changes)

    def watcher_miss(self, window: int) -> float:
        """Probability that one watcher misses a challenge window of ``window`` seconds."""
        return self.watcher_downtime_bps / BPS * math.exp(-window / self.watcher_outage)

    def all_miss(self, window: int, watchers: int | None = None) -> Fraction:
        """Probability that every watcher misses the window, ``miss^w`` (exact in the float
        ``miss``, so that expected amounts are exact products of integers and this)."""
        count = self.watchers if watchers is None else watchers
        return Fraction(self.watcher_miss(window)) ** count

    def detection(self, window: int, watchers: int | None = None) -> Fraction:
        """Probability that at least one of the watchers catches a mechanical fraud in time:
        ``1 - miss^w``."""
        return 1 - self.all_miss(window, watchers)

    def any_of(self, per_watcher_bps: int) -> Fraction:
        """``1 - (1 - p)^w`` for a per-watcher, per-epoch probability ``p`` (exact)."""
        return 1 - (1 - Fraction(per_watcher_bps, BPS)) ** self.watchers


def tokens(amount: Fraction | int) -> int:
    """An expected token amount rounded to smallest units (the table shows whole tokens)."""
    return round(Fraction(amount))


__all__ = ["UNIT", "WEEK", "Assumptions", "EconomicsError", "Parameters", "tokens"]
