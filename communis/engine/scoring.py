"""Scoring: role-weighted points -> each account's share of an epoch's token and influence budgets.

Exact integer arithmetic throughout (no floats), so every machine gets the same amounts.

1. ``score(account) = sum over roles of roleWeight[role] * points[role]`` (points in 10^-18).
2. :func:`allocate` splits a budget ``B`` in proportion to the scores with a per-account cap
   ``cap = floor(B * accountCapBps / 10000)``, by water-filling: the highest scores whose
   proportional share exceeds the cap get exactly the cap, and the rest of the budget is shared
   again among the others, until no share exceeds the cap.
3. The uncapped shares are rounded by largest remainder: everyone gets the floor of the exact
   share, then the units left over go one each to the largest remainders (ties: lowest address,
   compared case-insensitively).

Invariants (property-tested in ``tests/property``):

* nobody capped and some positive score  ->  the amounts sum to exactly ``B``;
* some but not all capped  ->  still exactly ``B``;
* everyone capped  ->  everyone gets ``cap``, and ``B - n * cap`` stays unemitted;
* no amount exceeds ``cap``; zero scores get nothing; row order never matters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from communis.engine.policy import BPS, Policy
from communis.engine.units import format_amount


@dataclass(frozen=True, slots=True)
class Allocation:
    """How one budget was split."""

    budget: int
    cap: int
    amounts: dict[str, int]
    """account -> amount, for every account with a positive score."""
    capped: frozenset[str]

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    @property
    def unemitted(self) -> int:
        return self.budget - self.total


UNPAID_WARNING_SHARE = (1, 10)
"""A budget left unpaid by at least this share (10%) earns a warning."""


@dataclass(frozen=True, slots=True)
class EpochScores:
    """The outcome of scoring one epoch under one policy."""

    scores: dict[str, int]
    tokens: Allocation
    influence: Allocation
    """Influence in plain units (converted to stored units by :mod:`communis.engine.cumulative`)."""

    def warnings(self, cap_bps: int | None = None) -> list[str]:
        """Surprising outcomes a person should hear about before proposing the root: the
        per-account cap binds every account (everyone gets the same, whatever they did), or a
        large part of the budget goes unpaid. ``cap_bps``: the policy's cap, for the advice."""
        tokens = self.tokens
        paid = sum(1 for amount in tokens.amounts.values() if amount > 0)
        found: list[str] = []
        if paid and len(tokens.capped) == paid:
            found.append(
                f"the per-account cap binds every one of the {paid} accounts: each gets the cap, "
                "the same amount whatever its contribution"
            )
        num, den = UNPAID_WARNING_SHARE
        if tokens.budget and tokens.unemitted * den >= tokens.budget * num:
            share = tokens.unemitted * 100 / tokens.budget
            advice = ""
            if cap_bps is not None and tokens.capped:
                needed = -(-BPS // max(paid, 1))
                advice = (
                    f"; a cap of {cap_bps} bps pays a whole budget only to at least "
                    f"{-(-BPS // cap_bps)} accounts ({paid} now), so this community needs a cap "
                    f"of {needed} bps or more (and then a quorum above it)"
                )
            found.append(
                f"{share:.0f}% of the token budget ({format_amount(tokens.unemitted)} of "
                f"{format_amount(tokens.budget)} tokens) "
                f"and of the influence budget goes unpaid this epoch{advice}"
            )
        return found


def score_points(points: Mapping[str, Sequence[int]], weights: Sequence[int]) -> dict[str, int]:
    """``account -> sum(weight[r] * points[r])`` for per-role points."""
    w0, w1, w2, w3 = weights
    return {account: w0 * p[0] + w1 * p[1] + w2 * p[2] + w3 * p[3] for account, p in points.items()}


Ranking = list[tuple[int, str, str]]
"""``(-score, lowercase address, address)`` of the positive scores, sorted: highest score first,
ties by lowest address. Computed once per epoch and shared by both budgets."""


def rank(scores: Mapping[str, int]) -> Ranking:
    """The :data:`Ranking` of ``scores`` (raises on a negative score)."""
    ranked = []
    for account, score in scores.items():
        if score > 0:
            ranked.append((-score, account.lower(), account))
        elif score < 0:
            raise ValueError(f"scores must be >= 0, got {score} for {account}")
    ranked.sort()
    return ranked


def allocate(
    scores: Mapping[str, int], budget: int, cap_bps: int, *, ranked: Ranking | None = None
) -> Allocation:
    """Split ``budget`` in proportion to ``scores`` with a cap of ``cap_bps`` of the budget.

    ``ranked`` (optional) is ``rank(scores)``, to share the sort between budgets.
    """
    if budget < 0:
        raise ValueError("budget must be >= 0")
    if not 1 <= cap_bps <= BPS:
        raise ValueError(f"cap_bps must be in 1..{BPS}")
    if ranked is None:
        ranked = rank(scores)
    cap = budget * cap_bps // BPS
    amounts: dict[str, int] = {}
    remaining = budget
    weight = -sum(item[0] for item in ranked)
    first_uncapped = 0
    # Water-filling: the largest score is the first to exceed the cap, if any does.
    for negative, _, account in ranked:
        if -negative * remaining > cap * weight:
            amounts[account] = cap
            remaining -= cap
            weight += negative
            first_uncapped += 1
        else:
            break
    capped = frozenset(amounts)
    if first_uncapped < len(ranked):
        shares = []
        given = 0
        for negative, key, account in ranked[first_uncapped:]:
            quotient, remainder = divmod(-negative * remaining, weight)
            amounts[account] = quotient
            given += quotient
            shares.append((-remainder, key, account))
        leftover = remaining - given
        if leftover:
            # Largest remainders first, ties by lowest address.
            shares.sort()
            for _, _, account in shares[:leftover]:
                amounts[account] += 1
    return Allocation(budget=budget, cap=cap, amounts=amounts, capped=capped)


def score_epoch(points: Mapping[str, Sequence[int]], policy: Policy) -> EpochScores:
    """Score an epoch's per-role points under ``policy``."""
    scores = score_points(points, policy.role_weights)
    ranked = rank(scores)
    cap_bps = policy.account_cap_bps
    return EpochScores(
        scores=scores,
        tokens=allocate(scores, policy.token_budget, cap_bps, ranked=ranked),
        influence=allocate(scores, policy.influence_budget, cap_bps, ranked=ranked),
    )
