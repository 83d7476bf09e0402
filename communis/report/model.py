"""Plain data describing one run of the community economy, as the reports consume it.

The demo (or any script) fills these dataclasses with numbers it read from the chain and the
ledger; nothing here talks to a chain. Amounts are integers in the smallest unit (token wei,
influence units) together with the number of ``decimals`` used to display them.

Example (what the demo builds after each epoch and at the end)::

    from communis.report import BondSlash, EpochReport, Proposal, Reward, RunReport

    epoch = EpochReport(
        epoch=1,
        token_budget=1_000_000 * 10**18,
        influence_budget=500_000 * 10**18,
        tokens_emitted=sum(r.tokens for r in rewards),
        influence_emitted=sum(r.influence for r in rewards),
        rewards=[Reward("0xabc...", "creator", tokens, influence), ...],
        influence_balances={account: influence.balanceOf(account) for account in members},
        quorum=governor.quorum(timepoint),
        treasury_balance=token.balanceOf(treasury),
        bonds_slashed=[BondSlash(proposer, bond, "root padded with fake accounts")],
    )
    run = RunReport(
        epochs=[epoch, ...],
        proposals=[Proposal(pid, "Raise the curator weight", "Executed", for_, against, abstain)],
        notes=["seed 5, 250 members"],
        network="ethereum:local:test",
    )

JSON (:meth:`RunReport.to_json` / :meth:`RunReport.from_json`) writes every amount as a decimal
string, because amounts routinely exceed ``2**53`` and would lose precision in JavaScript and in
many JSON readers; small counters (epoch numbers, decimals) stay JSON numbers. Reading accepts
amounts both as strings and as JSON integers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = "communis.report/1"
"""Written into every JSON document; :meth:`RunReport.from_dict` rejects other schemas."""

ROLES: tuple[str, ...] = ("creator", "curator", "guardian", "participant")
"""The known roles, in display order. Other role names are allowed and shown after these."""


def role_order(roles: set[str] | list[str] | tuple[str, ...]) -> list[str]:
    """``roles`` in display order: known roles first (in :data:`ROLES` order), others sorted."""
    present = set(roles)
    return [r for r in ROLES if r in present] + sorted(present - set(ROLES))


def _amount(value: Any, what: str) -> int:
    """An amount read from JSON (decimal string or integer) or given by a caller."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected an integer amount, got {value!r}")
    if isinstance(value, str):
        try:
            value = int(value, 10)
        except ValueError:
            raise ValueError(f"{what}: not a decimal integer: {value!r}") from None
    if not isinstance(value, int):
        raise TypeError(f"{what}: expected an integer amount, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what}: must be non-negative, got {value}")
    return value


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what}: expected a non-negative integer, got {value!r}")
    return value


@dataclass(frozen=True)
class Reward:
    """What one account earned in one role in one epoch."""

    account: str
    role: str
    tokens: int
    influence: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", _amount(self.tokens, "Reward.tokens"))
        object.__setattr__(self, "influence", _amount(self.influence, "Reward.influence"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "role": self.role,
            "tokens": str(self.tokens),
            "influence": str(self.influence),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reward:
        return cls(str(d["account"]), str(d["role"]), d["tokens"], d["influence"])


@dataclass(frozen=True)
class BondSlash:
    """A proposer's bond slashed: after a challenge governance upheld, or (``proven``) by a
    fraud proof anyone sent on chain, with no vote."""

    account: str
    amount: int
    reason: str = ""
    proven: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _amount(self.amount, "BondSlash.amount"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "amount": str(self.amount),
            "reason": self.reason,
            "proven": self.proven,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BondSlash:
        return cls(
            str(d["account"]), d["amount"], str(d.get("reason", "")), bool(d.get("proven", False))
        )


@dataclass(frozen=True)
class AttesterRemoval:
    """An attester governance removed (from ``from_epoch`` on), and the influence it slashed."""

    attester: str
    from_epoch: int
    influence_slashed: int = 0
    reason: str = ""

    def __post_init__(self) -> None:
        _count(self.from_epoch, "AttesterRemoval.from_epoch")
        object.__setattr__(
            self,
            "influence_slashed",
            _amount(self.influence_slashed, "AttesterRemoval.influence_slashed"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "attester": self.attester,
            "from_epoch": self.from_epoch,
            "influence_slashed": str(self.influence_slashed),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AttesterRemoval:
        return cls(
            str(d["attester"]),
            d["from_epoch"],
            d.get("influence_slashed", 0),
            str(d.get("reason", "")),
        )


@dataclass(frozen=True)
class SettledDispute:
    """A dispute that ended at its deadline without a verdict: each party paid the dispute fee
    of its bond to the treasury. ``delay`` is how long after the epoch ended its rewards were
    finalized all the same, ``bound`` the longest that can take (seconds; 0: not measured)."""

    proposer: str
    proposer_fee: int
    challenger: str
    challenger_fee: int
    delay: int = 0
    bound: int = 0

    def __post_init__(self) -> None:
        for name in ("proposer_fee", "challenger_fee", "delay", "bound"):
            object.__setattr__(self, name, _amount(getattr(self, name), f"SettledDispute.{name}"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "proposer": self.proposer,
            "proposer_fee": str(self.proposer_fee),
            "challenger": self.challenger,
            "challenger_fee": str(self.challenger_fee),
            "delay": self.delay,
            "bound": self.bound,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SettledDispute:
        return cls(
            str(d["proposer"]),
            d["proposer_fee"],
            str(d["challenger"]),
            d["challenger_fee"],
            d.get("delay", 0),
            d.get("bound", 0),
        )


@dataclass(frozen=True)
class EpochReport:
    """One epoch: budgets, what was emitted, who earned what, and the state at its end.

    ``influence_balances`` holds every account's influence at the end of the epoch (after decay),
    in the same units as ``quorum`` (the absolute influence a proposal needs).
    """

    epoch: int
    token_budget: int
    influence_budget: int
    tokens_emitted: int
    influence_emitted: int
    rewards: tuple[Reward, ...] = ()
    influence_balances: dict[str, int] = field(default_factory=dict)
    quorum: int = 0
    treasury_balance: int = 0
    bonds_slashed: tuple[BondSlash, ...] = ()
    attesters_removed: tuple[AttesterRemoval, ...] = ()
    disputes_settled: tuple[SettledDispute, ...] = ()

    def __post_init__(self) -> None:
        _count(self.epoch, "EpochReport.epoch")
        for name in (
            "token_budget",
            "influence_budget",
            "tokens_emitted",
            "influence_emitted",
            "quorum",
            "treasury_balance",
        ):
            object.__setattr__(self, name, _amount(getattr(self, name), f"EpochReport.{name}"))
        object.__setattr__(self, "rewards", tuple(self.rewards))
        object.__setattr__(self, "bonds_slashed", tuple(self.bonds_slashed))
        object.__setattr__(self, "attesters_removed", tuple(self.attesters_removed))
        object.__setattr__(self, "disputes_settled", tuple(self.disputes_settled))
        object.__setattr__(
            self,
            "influence_balances",
            {
                str(a): _amount(v, f"influence_balances[{a}]")
                for a, v in self.influence_balances.items()
            },
        )

    # Derived views -------------------------------------------------------------------------

    def roles(self) -> list[str]:
        """Roles rewarded in this epoch, in display order."""
        return role_order({r.role for r in self.rewards})

    def tokens_by_role(self) -> dict[str, int]:
        """Total tokens earned per role, in display order."""
        totals: dict[str, int] = defaultdict(int)
        for r in self.rewards:
            totals[r.role] += r.tokens
        return {role: totals[role] for role in role_order(set(totals))}

    def influence_by_role(self) -> dict[str, int]:
        """Total influence earned per role, in display order."""
        totals: dict[str, int] = defaultdict(int)
        for r in self.rewards:
            totals[r.role] += r.influence
        return {role: totals[role] for role in role_order(set(totals))}

    def tokens_by_account(self) -> dict[str, int]:
        """Total tokens earned per account in this epoch, over all its roles."""
        totals: dict[str, int] = defaultdict(int)
        for r in self.rewards:
            totals[r.account] += r.tokens
        return dict(totals)

    def influence_total(self) -> int:
        """All influence in circulation at the end of the epoch."""
        return sum(self.influence_balances.values())

    def slashed_total(self) -> int:
        return sum(b.amount for b in self.bonds_slashed)

    # JSON ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "token_budget": str(self.token_budget),
            "influence_budget": str(self.influence_budget),
            "tokens_emitted": str(self.tokens_emitted),
            "influence_emitted": str(self.influence_emitted),
            "rewards": [r.to_dict() for r in self.rewards],
            "influence_balances": {a: str(v) for a, v in self.influence_balances.items()},
            "quorum": str(self.quorum),
            "treasury_balance": str(self.treasury_balance),
            "bonds_slashed": [b.to_dict() for b in self.bonds_slashed],
            "attesters_removed": [r.to_dict() for r in self.attesters_removed],
            "disputes_settled": [d.to_dict() for d in self.disputes_settled],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EpochReport:
        return cls(
            epoch=d["epoch"],
            token_budget=d["token_budget"],
            influence_budget=d["influence_budget"],
            tokens_emitted=d["tokens_emitted"],
            influence_emitted=d["influence_emitted"],
            rewards=tuple(Reward.from_dict(r) for r in d.get("rewards", ())),
            influence_balances=dict(d.get("influence_balances", {})),
            quorum=d.get("quorum", 0),
            treasury_balance=d.get("treasury_balance", 0),
            bonds_slashed=tuple(BondSlash.from_dict(b) for b in d.get("bonds_slashed", ())),
            attesters_removed=tuple(
                AttesterRemoval.from_dict(r) for r in d.get("attesters_removed", ())
            ),
            disputes_settled=tuple(
                SettledDispute.from_dict(x) for x in d.get("disputes_settled", ())
            ),
        )


@dataclass(frozen=True)
class Proposal:
    """A governance proposal and how it ended.

    ``id`` is the Governor's proposal id (a uint256, written to JSON as a string); ``outcome`` is
    free text, typically the Governor state name (``Executed``, ``Defeated``, ...).
    """

    id: int
    description: str
    outcome: str
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    proposer: str = ""
    epoch: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", _amount(self.id, "Proposal.id"))
        for name in ("votes_for", "votes_against", "votes_abstain"):
            object.__setattr__(self, name, _amount(getattr(self, name), f"Proposal.{name}"))
        if self.epoch is not None:
            _count(self.epoch, "Proposal.epoch")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "description": self.description,
            "outcome": self.outcome,
            "votes_for": str(self.votes_for),
            "votes_against": str(self.votes_against),
            "votes_abstain": str(self.votes_abstain),
            "proposer": self.proposer,
            "epoch": self.epoch,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Proposal:
        return cls(
            id=d["id"],
            description=str(d["description"]),
            outcome=str(d["outcome"]),
            votes_for=d.get("votes_for", 0),
            votes_against=d.get("votes_against", 0),
            votes_abstain=d.get("votes_abstain", 0),
            proposer=str(d.get("proposer", "")),
            epoch=d.get("epoch"),
        )


@dataclass(frozen=True)
class RunReport:
    """A whole run: its epochs (kept sorted by number), the proposals voted on, and free-form notes.

    ``token_decimals`` / ``influence_decimals`` only affect display (amounts are divided by
    ``10**decimals`` in charts and tables).
    """

    epochs: tuple[EpochReport, ...]
    proposals: tuple[Proposal, ...] = ()
    notes: tuple[str, ...] = ()
    title: str = "Communis run"
    network: str = ""
    token_symbol: str = "CMN"
    token_decimals: int = 18
    influence_decimals: int = 18

    def __post_init__(self) -> None:
        object.__setattr__(self, "epochs", tuple(sorted(self.epochs, key=lambda e: e.epoch)))
        object.__setattr__(self, "proposals", tuple(self.proposals))
        object.__setattr__(self, "notes", tuple(self.notes))
        _count(self.token_decimals, "RunReport.token_decimals")
        _count(self.influence_decimals, "RunReport.influence_decimals")
        numbers = [e.epoch for e in self.epochs]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"duplicate epoch numbers: {numbers}")

    # Derived views -------------------------------------------------------------------------

    def roles(self) -> list[str]:
        """Every role rewarded in any epoch, in display order."""
        return role_order({r.role for e in self.epochs for r in e.rewards})

    def tokens_by_account(self) -> dict[str, int]:
        """Tokens earned per account over the whole run."""
        totals: dict[str, int] = defaultdict(int)
        for e in self.epochs:
            for r in e.rewards:
                totals[r.account] += r.tokens
        return dict(totals)

    def rewards_by_account_role(self) -> dict[str, dict[str, tuple[int, int]]]:
        """``{account: {role: (tokens, influence)}}`` summed over the whole run."""
        out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for e in self.epochs:
            for r in e.rewards:
                cell = out[r.account][r.role]
                cell[0] += r.tokens
                cell[1] += r.influence
        return {a: {role: (v[0], v[1]) for role, v in roles.items()} for a, roles in out.items()}

    def final_epoch(self) -> EpochReport | None:
        """The last epoch, whose balances describe the end of the run (``None`` if no epochs)."""
        return self.epochs[-1] if self.epochs else None

    def bonds_slashed(self) -> list[tuple[int, BondSlash]]:
        """Every slashed bond with the epoch it was slashed in."""
        return [(e.epoch, b) for e in self.epochs for b in e.bonds_slashed]

    # JSON ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "title": self.title,
            "network": self.network,
            "token_symbol": self.token_symbol,
            "token_decimals": self.token_decimals,
            "influence_decimals": self.influence_decimals,
            "epochs": [e.to_dict() for e in self.epochs],
            "proposals": [p.to_dict() for p in self.proposals],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunReport:
        schema = d.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise ValueError(f"unsupported report schema {schema!r} (expected {SCHEMA!r})")
        return cls(
            epochs=tuple(EpochReport.from_dict(e) for e in d.get("epochs", ())),
            proposals=tuple(Proposal.from_dict(p) for p in d.get("proposals", ())),
            notes=tuple(str(n) for n in d.get("notes", ())),
            title=str(d.get("title", "Communis run")),
            network=str(d.get("network", "")),
            token_symbol=str(d.get("token_symbol", "CMN")),
            token_decimals=d.get("token_decimals", 18),
            influence_decimals=d.get("influence_decimals", 18),
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        """The run as JSON text (amounts as decimal strings), keys in a stable order."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RunReport:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_json` to ``path`` (UTF-8) and return it."""
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> RunReport:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
