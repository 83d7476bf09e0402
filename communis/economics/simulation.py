"""A community over many epochs: how decay, the cap and role weights move influence concentration.

The community is drawn once from a seed, then scored under each :class:`Variant` (the configured
policy, and the same without the cap, without decay, with flat role weights), so that the
variants differ only by the rule under study:

* members join and leave (churn): ``members`` at the start, about ``joins_per_epoch`` new ones
  each epoch, each member leaving with ``leave_bps`` per epoch;
* activity is long-tailed as in the sample community (``communis sample``): most members show
  up now and then with a row or two, a few are very active; each has a main role and sometimes
  acts in another one.

Each epoch is scored exactly as the engine scores a ledger (:func:`communis.engine.scoring.
score_epoch`: role weights, the cap with water-filling, largest remainders) and credited to a
:class:`communis.engine.cumulative.CumulativeTable` at the epoch's growth factor
(:mod:`communis.engine.growth`), as the Influence contract stores it. Concentration is measured
on the stored balances (every balance shares the divisor, so shares are exact) of everybody who
ever earned influence, with :mod:`communis.report.metrics`: Gini, and the Nakamoto coefficients
of quorum (fewest accounts holding the quorum's share of all earned influence) and of half.

In a second run of the configured rules (and of the rules without decay, for comparison), the
smallest coalition that holds quorum halfway (at least ``minimumVoters`` accounts, the largest
first) stops contributing then: :class:`Leavers` records how long it keeps quorum, and how long
its largest member keeps the influence to make a proposal.

Deterministic: ``random.Random(seed)`` and integer arithmetic only (floats only in the reported
ratios), so the same seed gives the same run on every machine. Plain Python, not cadCAD or
radCAD: the model is one state update per epoch whose whole work is the engine's exact integer
scoring, and both libraries would add pandas (radCAD 0.14 also pins numpy below this project's
1.26.4) for a loop of a hundred steps.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from communis.economics.params import Parameters
from communis.engine.cumulative import CumulativeTable
from communis.engine.growth import to_influence
from communis.engine.policy import BPS, Policy
from communis.engine.roles import ROLES
from communis.engine.scoring import score_epoch
from communis.report.metrics import gini, nakamoto_coefficient, nakamoto_share

SEED = 20260401
NO_DECAY_HALF_LIFE = 10**9
"""A half-life so long that nothing decays within any run (the 'no decay' variant)."""

_BASE_HUNDREDTHS = {"creator": 10, "curator": 4, "guardian": 6, "participant": 1}
_POINT = 10**16  # one hundredth of a point in ledger units (18 decimals)


@dataclass(frozen=True, slots=True)
class Community:
    """How the simulated community is drawn."""

    members: int = 240
    joins_per_epoch: int = 6
    leave_bps: int = 200
    seed: int = SEED


@dataclass(frozen=True, slots=True)
class Member:
    account: str
    role: str
    activity: int
    joined: int
    left: int | None


EpochPoints = dict[str, list[int]]
"""account -> points per role (``ROLES`` order), in ledger units."""


def draw_community(community: Community, epochs: int) -> tuple[list[Member], list[EpochPoints]]:
    """The members and every epoch's points (independent of any policy)."""
    rng = random.Random(community.seed)
    members: list[Member] = []

    def join(epoch: int) -> Member:
        draw = rng.randrange(100)
        role = (
            ROLES[0]
            if draw < 14
            else ROLES[1]
            if draw < 28
            else ROLES[2]
            if draw < 36
            else ROLES[3]
        )
        member = Member(
            f"0x{len(members) + 1:040x}", role, max(1, 400 // rng.randrange(1, 1001)), epoch, None
        )
        members.append(member)
        return member

    present = [join(0) for _ in range(community.members)]
    points: list[EpochPoints] = []
    for epoch in range(epochs):
        if epoch:
            stay = []
            for member in present:
                if rng.randrange(BPS) < community.leave_bps:
                    members[members.index(member)] = replace(member, left=epoch)
                else:
                    stay.append(member)
            present = stay + [
                join(epoch) for _ in range(rng.randrange(2 * community.joins_per_epoch + 1))
            ]
        earned: EpochPoints = {}
        for member in present:
            if rng.randrange(100) >= min(95, 55 + 15 * member.activity):
                continue
            row = earned.setdefault(member.account, [0, 0, 0, 0])
            for _ in range(1 + rng.randrange(member.activity // 3 + 1)):
                role = member.role if rng.randrange(100) < 80 else ROLES[rng.randrange(len(ROLES))]
                quality = 1 + 40 // rng.randrange(1, 41)
                base = _BASE_HUNDREDTHS[role]
                row[ROLES.index(role)] += (
                    quality * rng.randrange(base * 50, base * 150 + 1) * _POINT
                )
        points.append(earned)
    return members, points


@dataclass(frozen=True, slots=True)
class Variant:
    """One rule set to score the community under."""

    name: str
    policy: Policy
    half_life: int


def variants(params: Parameters, policy: Policy) -> list[Variant]:
    """The configured rules, and the same without the cap, without decay, with flat weights."""
    return [
        Variant("as configured", policy, params.half_life_epochs),
        Variant("no cap", replace(policy, account_cap_bps=BPS), params.half_life_epochs),
        Variant("no decay", policy, NO_DECAY_HALF_LIFE),
        Variant(
            "flat role weights", replace(policy, role_weights=(1, 1, 1, 1)), params.half_life_epochs
        ),
    ]


@dataclass(frozen=True, slots=True)
class EpochMetrics:
    """Concentration after one epoch is credited (every holder of influence counts)."""

    epoch: int
    contributors: int
    holders: int
    gini: float
    nakamoto_quorum: int | None
    nakamoto_half: int | None
    top_share: float
    """The largest account's share of all earned influence."""
    natural_top_share: float
    """The largest account's share of the epoch's weighted score, before the cap."""


@dataclass(frozen=True, slots=True)
class Leavers:
    """The smallest quorum coalition at ``stop_epoch``, which stops contributing then."""

    stop_epoch: int
    accounts: tuple[str, ...]
    shares: tuple[float, ...]
    """The coalition's share of all earned influence after each epoch from ``stop_epoch`` on."""
    epochs_with_quorum: int | None
    """Epochs after stopping during which the coalition still held quorum (None: to the end)."""
    closed_form: float
    """``H * log2(share at stop / quorum)``: the same if the total stayed constant."""
    top_influence: tuple[int, ...]
    """Its largest member's influence (smallest units, decayed) after each epoch."""
    epochs_can_propose: int | None
    """Epochs after stopping during which that member stayed at or above the proposal threshold
    (None: to the end of the run)."""
    propose_closed_form: float


@dataclass(frozen=True, slots=True)
class VariantRun:
    variant: Variant
    metrics: tuple[EpochMetrics, ...]
    leavers: Leavers | None

    def after(self, warmup: int) -> tuple[EpochMetrics, ...]:
        return tuple(m for m in self.metrics if m.epoch >= warmup)


@dataclass(frozen=True, slots=True)
class SimulationResult:
    community: Community
    epochs: int
    quorum_bps: int
    minimum_voters: int
    runs: tuple[VariantRun, ...] = field(default_factory=tuple)
    """One run per variant, nobody stopping: the concentration figures."""
    leaving: tuple[VariantRun, ...] = field(default_factory=tuple)
    """The configured rules and the rules without decay, with the quorum coalition stopping."""

    @property
    def configured(self) -> VariantRun:
        return self.runs[0]

    def fewest_for_quorum(self, warmup: int) -> int | None:
        """The fewest accounts that held quorum in any epoch from ``warmup`` on (configured)."""
        counts = [m.nakamoto_quorum for m in self.configured.after(warmup)]
        present = [c for c in counts if c is not None]
        return min(present) if present else None


def _metrics(
    epoch: int, balances: Mapping[str, int], quorum: Fraction, scores: Mapping[str, int]
) -> EpochMetrics:
    values = [v for v in balances.values() if v > 0]
    total = sum(values)
    score_total = sum(scores.values())
    return EpochMetrics(
        epoch=epoch,
        contributors=len(scores),
        holders=len(values),
        gini=gini(values),
        nakamoto_quorum=nakamoto_coefficient(values, quorum * total),
        nakamoto_half=nakamoto_share(values),
        top_share=max(values) / total if total else 0.0,
        natural_top_share=max(scores.values()) / score_total if score_total else 0.0,
    )


def _coalition(
    balances: Mapping[str, int], quorum: Fraction, minimum_voters: int
) -> tuple[str, ...]:
    ranked = sorted(balances, key=lambda a: (-balances[a], a))
    total = sum(balances.values())
    held = 0
    for k, account in enumerate(ranked, start=1):
        held += balances[account]
        if held >= quorum * total and k >= minimum_voters:
            return tuple(ranked[:k])
    return tuple(ranked)


def run_variant(
    variant: Variant,
    points: Sequence[EpochPoints],
    params: Parameters,
    *,
    stop_epoch: int | None,
) -> VariantRun:
    """Score every epoch under ``variant``; the quorum coalition stops at ``stop_epoch``."""
    quorum = Fraction(params.quorum_bps, BPS)
    table = CumulativeTable.empty()
    metrics: list[EpochMetrics] = []
    stopped: tuple[str, ...] = ()
    shares: list[float] = []
    top_influence: list[int] = []
    at_stop = 0.0
    for epoch, earned in enumerate(points):
        if epoch == stop_epoch:
            balances = {a: stored for a, (_, stored) in table.entries.items()}
            stopped = _coalition(balances, quorum, params.minimum_voters)
            at_stop = sum(balances[a] for a in stopped) / sum(balances.values())
        active = {a: p for a, p in earned.items() if a not in stopped}
        scores = score_epoch(active, variant.policy)
        table = table.add_epoch(epoch, {}, scores.influence.amounts, variant.half_life)
        balances = {a: stored for a, (_, stored) in table.entries.items()}
        metrics.append(_metrics(epoch, balances, quorum, scores.scores))
        if stopped:
            total = sum(balances.values())
            shares.append(sum(balances[a] for a in stopped) / total)
            top_influence.append(to_influence(balances[stopped[0]], epoch + 1, variant.half_life))
    leavers = None
    if stop_epoch is not None and stopped:
        kept = next((j for j, s in enumerate(shares) if s < quorum), None)
        can_propose = next(
            (j for j, v in enumerate(top_influence) if v < params.proposal_threshold), None
        )
        first = top_influence[0] if top_influence else 0
        leavers = Leavers(
            stop_epoch=stop_epoch,
            accounts=stopped,
            shares=tuple(shares),
            epochs_with_quorum=kept,
            closed_form=variant.half_life * math.log2(at_stop / float(quorum)) if at_stop else 0.0,
            top_influence=tuple(top_influence),
            epochs_can_propose=can_propose,
            propose_closed_form=(
                variant.half_life * math.log2(first / params.proposal_threshold)
                if first > params.proposal_threshold
                else 0.0
            ),
        )
    return VariantRun(variant, tuple(metrics), leavers)


def simulate(
    params: Parameters,
    policy: Policy,
    *,
    epochs: int = 120,
    community: Community | None = None,
    stop_epoch: int | None = None,
) -> SimulationResult:
    """Draw the community and score it under every :func:`variants` rule set.

    ``policy``: the configured policy (budgets, weights, cap); ``stop_epoch``: when the quorum
    coalition stops contributing (default: halfway)."""
    if epochs < 2:
        raise ValueError(f"simulate at least 2 epochs, got {epochs}")
    community = community or Community()
    _, points = draw_community(community, epochs)
    stop = epochs // 2 if stop_epoch is None else stop_epoch
    rules = variants(params, policy)
    runs = tuple(run_variant(v, points, params, stop_epoch=None) for v in rules)
    leaving = tuple(
        run_variant(v, points, params, stop_epoch=stop)
        for v in rules
        if v.name in ("as configured", "no decay")
    )
    return SimulationResult(
        community, epochs, params.quorum_bps, params.minimum_voters, runs, leaving
    )


__all__ = [
    "Community",
    "EpochMetrics",
    "Leavers",
    "SimulationResult",
    "Variant",
    "VariantRun",
    "draw_community",
    "run_variant",
    "simulate",
    "variants",
]
