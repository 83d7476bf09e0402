"""The reward policy, mirroring ``ContributionRewards.Policy`` field for field.

```solidity
struct Policy {
    uint256 tokenBudget;      // max tokens emitted per epoch (token smallest units)
    uint256 influenceBudget;  // max influence per epoch (plain influence units, 18 decimals)
    uint32[4] roleWeights;    // creator, curator, guardian, participant: weight per point
    uint16 accountCapBps;     // max share of an epoch budget for one account, 1..10000
    uint64 challengeWindow;   // seconds
    uint256 proposerBond;     // CommunityToken units per epoch a root covers
    uint256 challengerBond;   // CommunityToken units
    uint64 disputePeriod;     // seconds governance has to decide a dispute (>= challengeWindow)
    uint16 disputeFeeBps;     // each party's fee when a dispute ends without a verdict, 1..10000
    bool openProposing;       // true: anyone may propose; false: only PROPOSER_ROLE
}
```

``policy_hash`` is ``keccak256(abi.encode(policy))``: every field is static, so the encoding is
thirteen 32-byte big-endian words in declaration order (the role weights inline, the flag as 0
or 1).

This module checks what the encoding needs (widths, the two basis-point ranges); the contract
also refuses a zero challenge window or bond and a dispute period shorter than the window, and
the deployment config checks those before anything is sent.

JSON (``policy.json``) uses the Solidity names; integers are decimal strings so that JavaScript
readers never lose precision, e.g. ``{"tokenBudget": "1000000000000000000000", ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.engine.jsonlimits import load_json_file
from communis.engine.keccak import keccak
from communis.engine.roles import ROLES
from communis.engine.units import UNIT
from communis.errors import CommunisError

BPS = 10_000
DAY = 86_400

ABI_TYPE = "(uint256,uint256,uint32[4],uint16,uint64,uint256,uint256,uint64,uint16,bool)"
"""``ContributionRewards.Policy`` as an ABI tuple type."""

PolicyTuple = tuple[int, int, tuple[int, ...], int, int, int, int, int, int, bool]


class PolicyError(CommunisError, ValueError):
    """A policy field is missing, of the wrong type or out of range."""


# (json name, python attribute, bit width)
_SCALARS: tuple[tuple[str, str, int], ...] = (
    ("tokenBudget", "token_budget", 256),
    ("influenceBudget", "influence_budget", 256),
    ("accountCapBps", "account_cap_bps", 16),
    ("challengeWindow", "challenge_window", 64),
    ("proposerBond", "proposer_bond", 256),
    ("challengerBond", "challenger_bond", 256),
    ("disputePeriod", "dispute_period", 64),
    ("disputeFeeBps", "dispute_fee_bps", 16),
)
JSON_FIELDS: tuple[str, ...] = (
    "tokenBudget",
    "influenceBudget",
    "roleWeights",
    "accountCapBps",
    "challengeWindow",
    "proposerBond",
    "challengerBond",
    "disputePeriod",
    "disputeFeeBps",
    "openProposing",
)


@dataclass(frozen=True, slots=True)
class Policy:
    """Epoch reward parameters; see the module docstring for units."""

    token_budget: int
    influence_budget: int
    role_weights: tuple[int, ...]
    """Weight per point for creator, curator, guardian, participant (``roles.ROLES`` order);
    ``__post_init__`` checks there is one per role."""
    account_cap_bps: int
    challenge_window: int
    proposer_bond: int
    challenger_bond: int
    dispute_period: int = 14 * DAY
    """How long governance has to decide a dispute before anyone may settle it (each party then
    pays ``dispute_fee_bps`` of its bond)."""
    dispute_fee_bps: int = 2_000
    open_proposing: bool = True

    def __post_init__(self) -> None:
        for name, attr, bits in _SCALARS:
            _check_uint(name, getattr(self, attr), bits)
        if not isinstance(self.role_weights, tuple) or len(self.role_weights) != len(ROLES):
            raise PolicyError(f"roleWeights must be {len(ROLES)} integers ({', '.join(ROLES)})")
        for role, weight in zip(ROLES, self.role_weights, strict=True):
            _check_uint(f"roleWeights.{role}", weight, 32)
        if not 1 <= self.account_cap_bps <= BPS:
            raise PolicyError(f"accountCapBps must be in 1..{BPS}, got {self.account_cap_bps}")
        if not 1 <= self.dispute_fee_bps <= BPS:
            raise PolicyError(f"disputeFeeBps must be in 1..{BPS}, got {self.dispute_fee_bps}")
        if not isinstance(self.open_proposing, bool):
            raise PolicyError(f"openProposing must be true or false, got {self.open_proposing!r}")

    def weight(self, role: str) -> int:
        return self.role_weights[ROLES.index(role)]

    def account_cap(self, budget: int) -> int:
        """The most one account may receive of ``budget`` (floor of capBps of it)."""
        return budget * self.account_cap_bps // BPS

    def to_abi(self) -> PolicyTuple:
        """The ``ContributionRewards.Policy`` struct as the ABI takes it (constructor,
        ``setPolicy``), fields in declaration order."""
        return (
            self.token_budget,
            self.influence_budget,
            tuple(self.role_weights),
            self.account_cap_bps,
            self.challenge_window,
            self.proposer_bond,
            self.challenger_bond,
            self.dispute_period,
            self.dispute_fee_bps,
            self.open_proposing,
        )

    @classmethod
    def from_abi(cls, value: Any) -> Policy:
        """The policy read from the contract: ``policy()``'s struct (fields by their Solidity
        names), or a sequence in declaration order (what :meth:`to_abi` gives)."""
        if hasattr(value, "tokenBudget"):
            fields = [getattr(value, name) for name in JSON_FIELDS]
        elif isinstance(value, Sequence):
            fields = list(value)
        else:
            raise PolicyError(f"not a Policy struct: {value!r}")
        if len(fields) != len(JSON_FIELDS):
            raise PolicyError(f"a Policy struct has {len(JSON_FIELDS)} fields, got {len(fields)}")
        tokens, influence, weights, cap, window, bond, challenger_bond, period, fee, is_open = (
            fields
        )
        return cls(
            token_budget=int(tokens),
            influence_budget=int(influence),
            role_weights=tuple(int(w) for w in weights),
            account_cap_bps=int(cap),
            challenge_window=int(window),
            proposer_bond=int(bond),
            challenger_bond=int(challenger_bond),
            dispute_period=int(period),
            dispute_fee_bps=int(fee),
            open_proposing=bool(is_open),
        )

    def encode(self) -> bytes:
        """``abi.encode(policy)``: thirteen 32-byte words (every field is static)."""
        tokens, influence, weights, *rest = self.to_abi()
        words = [tokens, influence, *weights, *(int(value) for value in rest)]
        return b"".join(word.to_bytes(32, "big") for word in words)

    def to_json(self) -> dict[str, Any]:
        return {
            "tokenBudget": str(self.token_budget),
            "influenceBudget": str(self.influence_budget),
            "roleWeights": [int(w) for w in self.role_weights],
            "accountCapBps": self.account_cap_bps,
            "challengeWindow": self.challenge_window,
            "proposerBond": str(self.proposer_bond),
            "challengerBond": str(self.challenger_bond),
            "disputePeriod": self.dispute_period,
            "disputeFeeBps": self.dispute_fee_bps,
            "openProposing": self.open_proposing,
        }

    @classmethod
    def from_json(cls, data: Any) -> Policy:
        """Parse the JSON form; integers may be JSON numbers or decimal strings."""
        if not isinstance(data, dict):
            raise PolicyError("policy must be a JSON object")
        unknown = sorted(set(data) - set(JSON_FIELDS))
        missing = [name for name in JSON_FIELDS if name not in data]
        if unknown:
            raise PolicyError(f"unknown policy field(s): {', '.join(unknown)}")
        if missing:
            raise PolicyError(f"missing policy field(s): {', '.join(missing)}")
        weights = data["roleWeights"]
        if not isinstance(weights, list):
            raise PolicyError("roleWeights must be a list of 4 integers")
        return cls(
            token_budget=_parse_int("tokenBudget", data["tokenBudget"]),
            influence_budget=_parse_int("influenceBudget", data["influenceBudget"]),
            role_weights=tuple(_parse_int("roleWeights", w) for w in weights),
            account_cap_bps=_parse_int("accountCapBps", data["accountCapBps"]),
            challenge_window=_parse_int("challengeWindow", data["challengeWindow"]),
            proposer_bond=_parse_int("proposerBond", data["proposerBond"]),
            challenger_bond=_parse_int("challengerBond", data["challengerBond"]),
            dispute_period=_parse_int("disputePeriod", data["disputePeriod"]),
            dispute_fee_bps=_parse_int("disputeFeeBps", data["disputeFeeBps"]),
            open_proposing=_parse_bool("openProposing", data["openProposing"]),
        )

    def dumps(self) -> str:
        """Canonical JSON text (sorted keys, two-space indent, trailing newline)."""
        return json.dumps(self.to_json(), sort_keys=True, indent=2) + "\n"

    def save(self, path: Path) -> None:
        path.write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Policy:
        try:
            data = load_json_file(path)
        except (OSError, ValueError) as exc:
            raise PolicyError(f"{path}: cannot read policy: {exc}") from exc
        try:
            return cls.from_json(data)
        except PolicyError as exc:
            raise PolicyError(f"{path}: {exc}") from exc


def policy_hash(policy: Policy) -> bytes:
    """``keccak256(abi.encode(policy))``, what ``ContributionRewards.policyHash()`` returns."""
    return keccak(policy.encode())


def _check_uint(name: str, value: object, bits: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyError(f"{name} must be an integer, got {value!r}")
    if not 0 <= value < (1 << bits):
        raise PolicyError(f"{name} must fit in uint{bits}, got {value}")


def _parse_int(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise PolicyError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 78:
        return int(value)
    raise PolicyError(f"{name} must be a non-negative integer or decimal string, got {value!r}")


def _parse_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise PolicyError(f"{name} must be true or false, got {value!r}")


DEFAULT_POLICY = Policy(
    token_budget=100_000 * UNIT,
    influence_budget=10_000 * UNIT,
    role_weights=(5, 3, 4, 1),  # creator, curator, guardian, participant
    account_cap_bps=500,
    challenge_window=4 * DAY,
    proposer_bond=1_000 * UNIT,
    challenger_bond=250 * UNIT,
    dispute_period=14 * DAY,
    dispute_fee_bps=2_000,
    open_proposing=True,
)
"""The starting policy: 100k tokens and 10k influence per epoch, a 5% cap per account, a four-day
challenge window (two days let a padded root pay with one watcher when governance never votes:
README, "Why cheating does not pay"), disputes decided within two weeks (else each party pays 20%
of its bond), anyone may propose. ``config/deploy.toml`` and ``examples/policy.json`` hold it as
data (a test checks that they agree), the sample community and the deployment defaults use it."""
