"""Deployment parameters from ``config/deploy.toml`` (versioned with the code).

Validation names the file, the field and the offending value, and nothing is deployed from a
config that does not validate.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from communis.engine.policy import Policy
from communis.engine.units import format_duration
from communis.errors import CommunisError

SUPPORTED_VERSION = 1
DECIMALS = 18
ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
DURATION_RE = re.compile(r"^(\d+)\s*([smhdw])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# InfluenceGovernor.MAX_PROPOSAL_GUARDIAN_TERM: the longest the proposal guardian's veto may last.
MAX_PROPOSAL_GUARDIAN_TERM = 730 * UNIT_SECONDS["d"]
# ContributionRewards' longest challenge window and dispute period (MAX_PERIOD).
MAX_PERIOD = 3650 * UNIT_SECONDS["d"]
BPS = 10_000


class ConfigError(CommunisError, ValueError):
    """A deployment parameter is missing or invalid."""


@dataclass(frozen=True)
class TokenParams:
    name: str
    symbol: str
    cap: int
    genesis_supply: int
    genesis_holder: str  # "timelock", "deployer" or a 0x address


@dataclass(frozen=True)
class InfluenceParams:
    genesis: int | None  # None: the chain's latest block time when deploying
    epoch_duration: int
    half_life_epochs: int


@dataclass(frozen=True)
class GovernanceParams:
    timelock_delay: int
    voting_delay: int
    voting_period: int
    proposal_threshold: int
    quorum_percent: int
    minimum_voters: int  # distinct For/Abstain voters a proposal needs for quorum
    vote_extension: int
    proposal_guardian: str  # "none" (the default), "deployer" or a 0x address
    guardian_application_threshold: int
    proposal_guardian_term: int = 0  # seconds from deployment until the guardian's veto ends


@dataclass(frozen=True)
class RewardsParams:
    policy: Policy
    challenger_reward_bps: int
    proposers: tuple[str, ...]  # "deployer" or 0x addresses (PROPOSER_ROLE)
    guardians: tuple[str, ...] = ()  # "deployer" or 0x addresses: may challenge from epoch 0


@dataclass(frozen=True)
class AttesterParams:
    """The attesters appointed at deployment, from epoch 0 on: (0x address, points budget per
    epoch in 10^-18 point), in the order of the config."""

    budgets: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class DeployConfig:
    path: Path
    sha256: str
    token: TokenParams
    influence: InfluenceParams
    governance: GovernanceParams
    rewards: RewardsParams
    attesters: AttesterParams = AttesterParams()


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: missing table [{key}]")
    return value


def _string(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return value


def _amount(table: dict[str, Any], key: str, where: str) -> int:
    """Whole tokens as a decimal string -> smallest units."""
    raw = table.get(key)
    if not isinstance(raw, str):
        raise ConfigError(f"{where}.{key}: expected a decimal string of whole tokens, got {raw!r}")
    try:
        value = Decimal(raw.replace("_", ""))
    except InvalidOperation as err:
        raise ConfigError(f"{where}.{key}: not a decimal number: {raw!r}") from err
    units = value * 10**DECIMALS
    if not value.is_finite() or value < 0 or units != units.to_integral_value():
        raise ConfigError(f"{where}.{key}: must be >= 0 with at most 18 decimals, got {raw!r}")
    return int(units)


def _who(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if not isinstance(value, str) or (value not in allowed and not ADDRESS_RE.match(value)):
        options = ", ".join(f'"{a}"' for a in allowed)
        raise ConfigError(f"{where}: expected {options} or a 0x address, got {value!r}")
    return value


def _integer(table: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{where}.{key}: expected an integer in [{low}, {high}], got {value!r}")
    return value


def _flag(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def _duration(table: dict[str, Any], key: str, where: str) -> int:
    raw = table.get(key)
    match = DURATION_RE.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise ConfigError(
            f'{where}.{key}: expected a duration such as "90s", "12h", "2d" or "1w", got {raw!r}'
        )
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _token(data: dict[str, Any], path: Path) -> TokenParams:
    where = f"{path}: token"
    token = _table(data, "token", path)
    params = TokenParams(
        name=_string(token, "name", where),
        symbol=_string(token, "symbol", where),
        cap=_amount(token, "cap", where),
        genesis_supply=_amount(token, "genesis_supply", where),
        genesis_holder=_who(
            token.get("genesis_holder"), ("timelock", "deployer"), f"{where}.genesis_holder"
        ),
    )
    if params.cap == 0:
        raise ConfigError(f"{where}.cap: must be > 0")
    if params.genesis_supply > params.cap:
        raise ConfigError(
            f"{where}.genesis_supply: {token['genesis_supply']} exceeds cap {token['cap']}"
        )
    return params


def _influence(data: dict[str, Any], path: Path) -> InfluenceParams:
    where = f"{path}: influence"
    table = _table(data, "influence", path)
    genesis = table.get("genesis")
    if genesis != "now" and not (isinstance(genesis, int) and genesis >= 0):
        raise ConfigError(f'{where}.genesis: expected "now" or unix seconds, got {genesis!r}')
    params = InfluenceParams(
        genesis=None if genesis == "now" else genesis,
        epoch_duration=_duration(table, "epoch_duration", where),
        half_life_epochs=_integer(table, "half_life_epochs", where, 1, 10**6),
    )
    if params.epoch_duration * params.half_life_epochs < 26 * UNIT_SECONDS["w"]:
        raise ConfigError(
            f"{where}.half_life_epochs: {params.half_life_epochs} epochs of "
            f"{table['epoch_duration']} is shorter than the 26 weeks Influence requires"
        )
    return params


def _governance(data: dict[str, Any], path: Path) -> GovernanceParams:
    where = f"{path}: governance"
    table = _table(data, "governance", path)
    guardian = _who(
        table.get("proposal_guardian", "none"), ("none", "deployer"), f"{where}.proposal_guardian"
    )
    term = 0
    if "proposal_guardian_term" in table or guardian != "none":
        term = _duration(table, "proposal_guardian_term", where)
        if not 0 < term <= MAX_PROPOSAL_GUARDIAN_TERM:
            raise ConfigError(
                f"{where}.proposal_guardian_term: must be > 0 and at most "
                f"{MAX_PROPOSAL_GUARDIAN_TERM // UNIT_SECONDS['d']}d (the governor's maximum), "
                f"got {table['proposal_guardian_term']!r}"
            )
    return GovernanceParams(
        timelock_delay=_duration(table, "timelock_delay", where),
        voting_delay=_duration(table, "voting_delay", where),
        voting_period=_duration(table, "voting_period", where),
        proposal_threshold=_amount(table, "proposal_threshold", where),
        quorum_percent=_integer(table, "quorum_percent", where, 1, 100),
        minimum_voters=_integer(table, "minimum_voters", where, 2, 2**32 - 1),
        vote_extension=_duration(table, "vote_extension", where),
        proposal_guardian=guardian,
        guardian_application_threshold=_amount(table, "guardian_application_threshold", where),
        proposal_guardian_term=term,
    )


def _rewards(data: dict[str, Any], path: Path) -> RewardsParams:
    where = f"{path}: rewards"
    table = _table(data, "rewards", path)
    weights = tuple(
        _integer(table, f"{role}_weight", where, 0, 2**32 - 1)
        for role in ("creator", "curator", "guardian", "participant")
    )
    if not any(weights):
        raise ConfigError(f"{where}: at least one role weight must be > 0")
    open_proposing = _flag(table, "open_proposing", where)
    proposers = table.get("proposers", [])
    if not isinstance(proposers, list) or (not proposers and not open_proposing):
        need = "a list" if open_proposing else "a non-empty list (open_proposing is false)"
        raise ConfigError(f"{where}.proposers: expected {need}, got {proposers!r}")
    policy = Policy(
        token_budget=_amount(table, "token_budget", where),
        influence_budget=_amount(table, "influence_budget", where),
        role_weights=weights,
        account_cap_bps=_integer(table, "account_cap_bps", where, 1, BPS),
        challenge_window=_period(table, "challenge_window", where),
        proposer_bond=_bond(table, "proposer_bond", where),
        challenger_bond=_bond(table, "challenger_bond", where),
        dispute_period=_period(table, "dispute_period", where),
        dispute_fee_bps=_integer(table, "dispute_fee_bps", where, 1, BPS),
        open_proposing=open_proposing,
    )
    if policy.dispute_period < policy.challenge_window:
        raise ConfigError(
            f"{where}.dispute_period: {table['dispute_period']!r} is shorter than "
            f"challenge_window {table['challenge_window']!r}; the contract requires at least "
            "the window"
        )
    guardians = table.get("guardians", [])
    if not isinstance(guardians, list):
        raise ConfigError(f"{where}.guardians: expected a list, got {guardians!r}")
    return RewardsParams(
        policy=policy,
        # Below 10000: an upheld self-dispute must still cost its proposer.
        challenger_reward_bps=_integer(table, "challenger_reward_bps", where, 0, BPS - 1),
        proposers=_accounts(proposers, f"{where}.proposers"),
        guardians=_accounts(guardians, f"{where}.guardians"),
    )


def _period(table: dict[str, Any], key: str, where: str) -> int:
    seconds = _duration(table, key, where)
    if not 0 < seconds <= MAX_PERIOD:
        raise ConfigError(
            f"{where}.{key}: must be > 0 and at most {MAX_PERIOD // UNIT_SECONDS['d']}d, "
            f"got {table[key]!r}"
        )
    return seconds


def _bond(table: dict[str, Any], key: str, where: str) -> int:
    units = _amount(table, key, where)
    if not 0 < units < 2**96:
        raise ConfigError(f"{where}.{key}: must be > 0 and below 2^96 units, got {table[key]!r}")
    return units


def _attesters(data: dict[str, Any], path: Path) -> AttesterParams:
    """The optional ``[attesters]`` table: ``"0x..." = "points"`` per attester."""
    where = f"{path}: attesters"
    table = data.get("attesters", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of 0x address = points budget")
    budgets: list[tuple[str, int]] = []
    seen: set[str] = set()
    for address in table:
        if not ADDRESS_RE.match(address) or int(address, 16) == 0:
            raise ConfigError(f"{where}: {address!r} is not a non-zero 0x address")
        if address.lower() in seen:
            raise ConfigError(f"{where}: {address!r} is listed twice")
        seen.add(address.lower())
        raw = table[address]
        try:
            budget = _amount(table, address, where)
        except ConfigError:
            raise ConfigError(
                f"{where}.{address}: expected a budget in points (a decimal string), got {raw!r}"
            ) from None
        if not 0 < budget < 2**208:
            raise ConfigError(
                f"{where}.{address}: the budget must be > 0 points, got {table[address]!r}"
            )
        budgets.append((address, budget))
    return AttesterParams(tuple(budgets))


def governance_path(governance: GovernanceParams) -> int:
    """The longest a verdict on a dispute can take through governance if it is proposed right
    after the challenge: voting delay + voting period + late-quorum extension + timelock delay."""
    return (
        governance.voting_delay
        + governance.voting_period
        + governance.vote_extension
        + governance.timelock_delay
    )


def check_dispute_period(path: Path, governance: GovernanceParams, policy: Policy) -> None:
    """Refuse a dispute period in which governance could never decide: every dispute would end
    without a verdict, each party paying the fee, whoever was right. ``path`` names where the
    settings come from (the config file, or the settings a governance proposal would leave)."""
    needed = governance_path(governance)
    period = policy.dispute_period
    if period < needed:
        raise ConfigError(
            f"{path}: rewards.dispute_period = {format_duration(period)} is shorter than the "
            f"governance path ({format_duration(needed)} = voting_delay "
            f"{format_duration(governance.voting_delay)} + voting_period "
            f"{format_duration(governance.voting_period)} + vote_extension "
            f"{format_duration(governance.vote_extension)} + timelock_delay "
            f"{format_duration(governance.timelock_delay)}): no verdict could arrive before a "
            "dispute's deadline; lengthen dispute_period or shorten the governance durations"
        )


def _accounts(values: list[Any], where: str) -> tuple[str, ...]:
    accounts = tuple(_who(v, ("deployer",), f"{where}[{i}]") for i, v in enumerate(values))
    seen: set[str] = set()
    for i, account in enumerate(accounts):
        if account.lower() in seen:
            raise ConfigError(f"{where}[{i}]: {account!r} is listed twice")
        seen.add(account.lower())
    return accounts


def bonds_from_genesis(token: TokenParams, rewards: RewardsParams) -> int:
    """What the plan pays out of the genesis allocation so that every initial proposer and
    guardian can bond: nothing unless the allocation passes through the deploying account."""
    if token.genesis_holder not in ("timelock", "deployer"):
        return 0
    policy = rewards.policy
    return policy.proposer_bond * len(rewards.proposers) + policy.challenger_bond * len(
        rewards.guardians
    )


def _check_can_start(path: Path, token: TokenParams, rewards: RewardsParams) -> None:
    """Refuse a config whose first epoch can never be proposed: tokens exist only from the
    genesis allocation until a root is finalized, so the proposers' bonds must come from it."""
    where = f"{path}: rewards"
    bond = rewards.policy.proposer_bond
    if token.genesis_supply < bond:
        raise ConfigError(
            f"{where}.proposer_bond: the genesis supply ({token.genesis_supply} units) cannot "
            f"pay one proposer bond ({bond} units); no root could ever be proposed"
        )
    needed = bonds_from_genesis(token, rewards)
    if needed > token.genesis_supply:
        raise ConfigError(
            f"{where}: the bonds of {len(rewards.proposers)} proposer(s) and "
            f"{len(rewards.guardians)} guardian(s) ({needed} units) exceed the genesis supply "
            f"({token.genesis_supply} units)"
        )


def max_account_share_bps(policy: Policy) -> int:
    """The largest share of the total influence, in basis points, that one account can hold on
    its own: the per-account cap ``accountCapBps`` of each epoch's influence budget.

    Assumption: the total counts every epoch's whole influence budget (influence credited when
    the epoch's root is finalized, and at least ``ceil(10000 / accountCapBps)`` scored accounts
    so that the scoring emits the whole budget). Then at any snapshot one account holds
    ``sum_e a_e w_e / sum_e B_e w_e <= cap`` with ``a_e <= cap * B_e``: the decay weight ``w_e``
    of epoch ``e`` is the same for every account and the total, and the budgets ``B_e`` cancel,
    so neither changes the bound (README, "No capture by one member"). Where the total counts
    less (only claimed influence, an epoch with fewer scored accounts) the share can be larger;
    the governor's minimum of distinct voters covers that case.
    """
    return policy.account_cap_bps


def _check_no_capture(path: Path, governance: GovernanceParams, rewards: RewardsParams) -> None:
    """Refuse settings under which one account alone can hold the quorum's influence."""
    share = max_account_share_bps(rewards.policy)
    quorum_bps = governance.quorum_percent * 100
    if share >= quorum_bps:
        raise ConfigError(
            f"{path}: rewards.account_cap_bps = {rewards.policy.account_cap_bps} lets one account "
            f"hold up to {share / 100:g}% of the total influence, which meets "
            f"governance.quorum_percent = {governance.quorum_percent}: one member could reach "
            f"quorum alone; set account_cap_bps below {quorum_bps} or quorum_percent above "
            f"{share / 100:g}"
        )


def no_attesters_problem(config: DeployConfig) -> str | None:
    """Why a config that appoints no attester cannot pay anyone (None when it appoints one).

    Only rows an attester signed count, and only governance appoints attesters after the
    deployment; but governance needs influence to propose and to reach quorum, and influence
    comes only from finalized roots. With no attester at deployment no root can pay anyone, so
    that influence never exists: the deployment can never start."""
    if config.attesters.budgets:
        return None
    return (
        f"{config.path}: attesters: none is appointed, so no ledger row can be attested and no "
        "root can pay anyone; governance could never appoint one either (it needs influence, "
        "which only paid roots create). Name at least one attester before deploying: a table "
        '[attesters] with "0x..." = "points budget per epoch" (see config/deploy.toml)'
    )


def check_for_chain(config: DeployConfig, *, live: bool, deployer: str) -> None:
    """Refuse, on a live chain (``live``: not a local development chain), a config that leaves
    the system in the deploying key's hands: a proposal guardian that is the deployer (it could
    cancel any proposal), or initial guardians that are none or only the deployer (then nobody
    else can challenge the first roots); and one that appoints no attester
    (:func:`no_attesters_problem`: it could never pay anyone). On a local chain, where a
    deployment costs nothing and may only try the contracts, the deploy command prints that
    problem as a warning instead. ``deployer``: the deploying account's address."""
    if not live:
        return
    path = config.path

    def is_deployer(who: str) -> bool:
        return who == "deployer" or who.lower() == deployer.lower()

    if is_deployer(config.governance.proposal_guardian):
        raise ConfigError(
            f"{path}: governance.proposal_guardian: {config.governance.proposal_guardian!r} is "
            f"the deploying account {deployer}; on a live chain the guardian's veto must not sit "
            'with the deployer\'s key: set "none" or another 0x address'
        )
    guardians = config.rewards.guardians
    if all(is_deployer(g) for g in guardians):
        listed = "empty" if not guardians else f"only the deploying account {deployer}"
        raise ConfigError(
            f"{path}: rewards.guardians: is {listed}; on a live chain name at least one guardian "
            "(a 0x address) besides the deployer, or nobody independent could challenge a root"
        )
    problem = no_attesters_problem(config)
    if problem is not None:
        raise ConfigError(f"{problem}; refused on a live chain")


def load(path: Path) -> DeployConfig:
    """Read and validate a deployment config file."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    if data.get("version") != SUPPORTED_VERSION:
        raise ConfigError(
            f"{path}: field 'version' is {data.get('version')!r}, this code reads version "
            f"{SUPPORTED_VERSION}"
        )
    token = _token(data, path)
    rewards = _rewards(data, path)
    _check_can_start(path, token, rewards)
    governance = _governance(data, path)
    _check_no_capture(path, governance, rewards)
    check_dispute_period(path, governance, rewards.policy)
    return DeployConfig(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        token=token,
        influence=_influence(data, path),
        governance=governance,
        rewards=rewards,
        attesters=_attesters(data, path),
    )
