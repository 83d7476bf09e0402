"""One member's standing on chain: the library behind ``ape run status ACCOUNT``.

Tokens held, influence now (decayed to the current epoch) and as stored (growth-scaled units, what
claims added), votes (influence delegated to the account), its delegate, whether it is a
guardian, what it has claimed, and, given a bundle, what it can still claim under it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communis.engine.units import format_amount, format_influence, format_tokens, format_when

if TYPE_CHECKING:
    from communis.chain.system import System


@dataclass(frozen=True)
class Unclaimed:
    """What a bundle owes the account beyond what it already claimed."""

    bundle: str
    epoch: int
    tokens: int
    influence_stored: int
    finalized: bool
    """Whether the bundle's root is the one claims use now (else: not claimable yet)."""


@dataclass(frozen=True)
class MemberStatus:
    account: str
    now: int
    epoch: int
    tokens: int
    influence: int
    """Influence now, decayed to the current epoch (the account's own, whoever it delegates to)."""
    influence_stored: int
    """Growth-scaled units as stored (what claims added; not decayed)."""
    votes: int
    """Influence delegated to the account now (what its vote would weigh)."""
    delegate: str
    guardian: bool
    claimed_tokens: int
    claimed_influence_stored: int
    unclaimed: Unclaimed | None = None

    def to_json(self) -> dict[str, Any]:
        """Every field; amounts as decimal strings (they exceed 2**53)."""
        data = asdict(self)
        for key in (
            "tokens",
            "influence",
            "influence_stored",
            "votes",
            "claimed_tokens",
            "claimed_influence_stored",
        ):
            data[key] = str(data[key])
        if self.unclaimed is not None:
            for key in ("tokens", "influence_stored"):
                data["unclaimed"][key] = str(data["unclaimed"][key])
        return data

    def render(self, *, raw: bool = False) -> str:
        tokens = str if raw else format_tokens
        influence = str if raw else format_influence
        stored = str if raw else (lambda v: format_amount(v, places=4))
        delegate = "itself" if self.delegate.lower() == self.account.lower() else self.delegate
        rows = [
            ("account", self.account + ("  (guardian)" if self.guardian else "")),
            ("as of", f"{self.now if raw else format_when(self.now)} (epoch {self.epoch})"),
            ("tokens", tokens(self.tokens)),
            (
                "influence",
                f"{influence(self.influence)} now; earned {stored(self.influence_stored)} "
                "(stored units: before decay)",
            ),
            ("votes", f"{influence(self.votes)} (delegated to it, now)"),
            ("delegate", delegate),
            (
                "claimed",
                f"{tokens(self.claimed_tokens)} and {stored(self.claimed_influence_stored)} "
                "influence (stored units)",
            ),
        ]
        if self.unclaimed is not None:
            u = self.unclaimed
            state = "claimable now" if u.finalized else "not finalized on chain yet"
            rows.append(
                (
                    "unclaimed",
                    f"{tokens(u.tokens)} and {stored(u.influence_stored)} influence (stored) "
                    f"under epoch {u.epoch}'s bundle {u.bundle} ({state})",
                )
            )
        return "\n".join(f"{name:>9}  {value}" for name, value in rows)


def member_status(system: System, account: str, *, bundle: Path | None = None) -> MemberStatus:
    """``account``'s standing on ``system``; with ``bundle``, what it still has to claim."""
    import ape

    from communis.chain import epochs
    from communis.engine.bundle import load_totals

    influence, rewards = system.influence, system.rewards
    now = int(ape.chain.blocks.head.timestamp)
    claimed = rewards.claimed(account)
    unclaimed = None
    if bundle is not None:
        tree = epochs.load_tree(bundle)
        try:
            due = epochs.owed(rewards, tree, account)
            owed_tokens, owed_influence = due.tokens, due.influence
        except KeyError:
            owed_tokens = owed_influence = 0
        unclaimed = Unclaimed(
            bundle=str(bundle),
            epoch=load_totals(bundle).epoch,
            tokens=owed_tokens,
            influence_stored=owed_influence,
            finalized=tree.root_hex == epochs._hex(rewards.currentRoot()),
        )
    return MemberStatus(
        account=str(account),
        now=now,
        epoch=int(influence.epochAt(now)),
        tokens=int(system.token.balanceOf(account)),
        influence=int(influence.balanceOf(account)),
        influence_stored=int(influence.storedBalanceOf(account)),
        votes=int(influence.getVotes(account)),
        delegate=str(influence.delegates(account)),
        guardian=bool(rewards.isGuardian(account)),
        claimed_tokens=int(claimed[0]),
        claimed_influence_stored=int(claimed[1]),
        unclaimed=unclaimed,
    )
