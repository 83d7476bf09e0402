"""The key numbers of a run, computed once from a :class:`~communis.report.model.RunReport` and
shown by the charts, the HTML page and the terminal summary alike."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from communis.engine.units import format_amount
from communis.report.metrics import gini, nakamoto_coefficient, nakamoto_share, top_k_share
from communis.report.model import EpochReport, RunReport


@dataclass(frozen=True)
class Concentration:
    """How concentrated a set of balances is.

    ``nakamoto_quorum``: the fewest accounts that together reach ``quorum`` (``None`` if all of
    them together cannot); ``nakamoto_half``: the fewest that together hold half of the total.
    """

    accounts: int
    holders: int
    total: int
    quorum: int
    gini: float
    nakamoto_quorum: int | None
    nakamoto_half: int | None
    top1_share: float
    top10_share: float

    @property
    def quorum_share(self) -> float:
        """The quorum as a share of all balances (0 when nothing is in circulation)."""
        return float(Fraction(self.quorum, self.total)) if self.total else 0.0


def concentration(balances: dict[str, int], quorum: int = 0) -> Concentration:
    """:class:`Concentration` of ``balances`` (every listed account counts, zeros included)."""
    values = list(balances.values())
    return Concentration(
        accounts=len(values),
        holders=sum(1 for v in values if v > 0),
        total=sum(values),
        quorum=quorum,
        gini=gini(values),
        nakamoto_quorum=nakamoto_coefficient(values, quorum),
        nakamoto_half=nakamoto_share(values),
        top1_share=top_k_share(values, 1),
        top10_share=top_k_share(values, 10),
    )


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` (``None`` when ``whole`` is 0)."""
    return float(Fraction(part, whole)) if whole else None


@dataclass(frozen=True)
class EpochStats:
    """Key numbers of one epoch."""

    epoch: int
    rewarded_accounts: int
    rewards_gini: float
    token_emission_ratio: float | None
    influence_emission_ratio: float | None
    influence: Concentration
    slashed: int


def epoch_stats(e: EpochReport) -> EpochStats:
    tokens = e.tokens_by_account()
    return EpochStats(
        epoch=e.epoch,
        rewarded_accounts=len(tokens),
        rewards_gini=gini(tokens.values()),
        token_emission_ratio=ratio(e.tokens_emitted, e.token_budget),
        influence_emission_ratio=ratio(e.influence_emitted, e.influence_budget),
        influence=concentration(e.influence_balances, e.quorum),
        slashed=e.slashed_total(),
    )


@dataclass(frozen=True)
class RunStats:
    """Key numbers of the whole run: cumulative rewards and the influence at its end."""

    epochs: tuple[EpochStats, ...]
    rewarded_accounts: int
    rewards_gini: float
    tokens_emitted: int
    token_budget: int
    influence_emitted: int
    influence_budget: int
    final_influence: Concentration
    slashed: int
    slashed_count: int


def run_stats(run: RunReport) -> RunStats:
    tokens = run.tokens_by_account()
    final = run.final_epoch()
    slashed = run.bonds_slashed()
    return RunStats(
        epochs=tuple(epoch_stats(e) for e in run.epochs),
        rewarded_accounts=len(tokens),
        rewards_gini=gini(tokens.values()),
        tokens_emitted=sum(e.tokens_emitted for e in run.epochs),
        token_budget=sum(e.token_budget for e in run.epochs),
        influence_emitted=sum(e.influence_emitted for e in run.epochs),
        influence_budget=sum(e.influence_budget for e in run.epochs),
        final_influence=concentration(final.influence_balances, final.quorum)
        if final
        else concentration({}),
        slashed=sum(b.amount for _, b in slashed),
        slashed_count=len(slashed),
    )


@dataclass(frozen=True)
class TopEarner:
    """One of the accounts that earned the most tokens over a run."""

    rank: int
    account: str
    roles: tuple[str, ...]
    tokens: int
    influence_earned: int
    influence_now: int
    """At the end of the run (decayed)."""


def top_earners(run: RunReport, limit: int = 10) -> list[TopEarner]:
    """The ``limit`` accounts that earned the most tokens over ``run`` (ties by address)."""
    final = run.final_epoch()
    balances = final.influence_balances if final else {}
    by_account = run.rewards_by_account_role()
    ranked = sorted(by_account.items(), key=lambda kv: (-sum(v[0] for v in kv[1].values()), kv[0]))
    return [
        TopEarner(
            rank=i,
            account=account,
            roles=tuple(r for r in run.roles() if r in roles),
            tokens=sum(v[0] for v in roles.values()),
            influence_earned=sum(v[1] for v in roles.values()),
            influence_now=balances.get(account, 0),
        )
        for i, (account, roles) in enumerate(ranked[:limit], start=1)
    ]


def units(amount: int, decimals: int) -> float:
    """``amount / 10**decimals`` as a float (for charts)."""
    scale: int = 10**decimals
    return amount / scale


def fmt_units(amount: int, decimals: int, places: int = 2) -> str:
    """``amount`` in whole units, rounded to ``places`` fixed decimals, e.g. ``1,234.57``."""
    return format_amount(amount, decimals=decimals, places=places, trim=False, rounding=True)


def fmt_pct(value: float | None, places: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{places}f}%"


def fmt_count(value: int | None) -> str:
    return "unreachable" if value is None else str(value)
