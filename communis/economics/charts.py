"""PNG charts of the attack models and the simulation, drawn like the run report's charts
(:mod:`communis.report.charts`: matplotlib's Agg canvas, no pyplot, fixed style, no timestamps,
so the same inputs give the same files).

Sweeps vary one parameter around the configured value, holding the rest: the proposer bond, the
challenge window, the cap, the quorum and the number of watchers. The vertical dotted line marks
the configured value; below the zero line an attack loses money.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from communis.economics.attacks import (
    AttackResult,
    bribery,
    corrupt_attester,
    fraudulent_root,
    padded_ledger,
    sybil_split,
)
from communis.economics.params import Assumptions, Parameters
from communis.economics.simulation import EpochMetrics, SimulationResult
from communis.engine.policy import DAY
from communis.engine.units import UNIT
from communis.report.charts import DPI, STYLE, WIDE

COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")
STYLES = ("-", "-", "--", "-.", ":", "-")
"""Line styles by series, so that series that coincide (two frauds with the same loss) show."""
Model = Callable[[Parameters, Assumptions], AttackResult]
WHOLE = float(UNIT)
"""One whole token, to plot amounts in CMN."""


def _draw(draw: Callable[[Figure], None], path: Path, size: tuple[float, float] = WIDE) -> Path:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=size, dpi=DPI)
        FigureCanvasAgg(fig)
        draw(fig)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    return path


def _profit(model: Model, p: Parameters, a: Assumptions) -> float:
    return model(p, a).profit / WHOLE


Series = Sequence[tuple[str, Sequence[float]]]
"""Labelled lines over a panel's x values."""


@dataclass(frozen=True)
class _Panel:
    """One panel: the series against ``xs``, the zero line (``zero``), the configured value
    ``at``, the x and y labels and the title (``labels``), a legend."""

    xs: Sequence[float]
    series: Series
    labels: tuple[str, str, str]
    at: float | None
    zero: bool = True
    symlog: bool = False

    def draw(self, ax: Axes) -> None:
        for i, (label, ys) in enumerate(self.series):
            ax.plot(
                self.xs,
                ys,
                label=label,
                color=COLORS[i % len(COLORS)],
                linestyle=STYLES[i % len(STYLES)],
                linewidth=1.6,
            )
        if self.zero:
            ax.axhline(0, color="#444", linewidth=0.8)
        if self.at is not None:
            ax.axvline(self.at, color="#888", linestyle=":", linewidth=1.2, label="configured")
        if self.symlog:
            ax.set_yscale("symlog", linthresh=100)
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel(self.labels[1])
        ax.set_title(self.labels[2])
        ax.legend(fontsize=8)


def _one_panel(panel: _Panel, path: Path) -> Path:
    return _draw(lambda fig: panel.draw(_one(fig)), path)


def _beside_fewest(
    panel: _Panel, fewest: Sequence[int], p: Parameters, axis: str, path: Path
) -> Path:
    """``panel`` and, beside it, the fewest accounts that reach quorum at the cap alone and with
    the minimum voters (its x axis named ``axis``, the same values and configured value)."""
    series = [
        ("accounts at the cap", fewest),
        ("with minimum voters", [max(k, p.minimum_voters) for k in fewest]),
    ]
    title = f"Cap {p.account_cap_bps / 100:g}%, quorum {p.quorum_bps / 100:g}%: fewest members"
    labels = (axis, "fewest accounts to reach quorum", title)
    right = _Panel(panel.xs, series, labels, panel.at, zero=False)

    def draw(fig: Figure) -> None:
        left_ax, right_ax = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.11, right=0.97, bottom=0.13, top=0.86, wspace=0.32)
        panel.draw(left_ax)
        right.draw(right_ax)

    return _draw(draw, path)


def _one(fig: Figure) -> Axes:
    ax: Axes = fig.subplots()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.88)
    return ax


def bond_sweep(p: Parameters, a: Assumptions, path: Path) -> Path:
    """Expected profit of the two frauds against the proposer bond."""
    bonds = [p.proposer_bond * k // 20 for k in range(1, 101)]
    silent = a.with_(governance_votes=False)
    cases: list[tuple[str, Model, Assumptions]] = [
        ("padded tree, governance votes", fraudulent_root, a),
        ("padded tree, governance silent", fraudulent_root, silent),
        ("padded ledger (proof, no vote)", padded_ledger, a),
    ]
    series = [
        (label, [_profit(model, p.with_(proposer_bond=b), base) for b in bonds])
        for label, model, base in cases
    ]
    labels = (
        "proposer bond (CMN)",
        "expected profit (CMN)",
        f"Fraud against the proposer bond ({a.watchers} watcher(s))",
    )
    at = p.proposer_bond / WHOLE
    return _one_panel(_Panel([b / WHOLE for b in bonds], series, labels, at), path)


def window_sweep(p: Parameters, a: Assumptions, path: Path) -> Path:
    """Expected profit of a padded tree against the challenge window, for 1 to 3 watchers."""
    windows = [DAY * k // 8 for k in range(1, 57)]
    series = [
        (
            f"{n} watcher(s)",
            [
                _profit(fraudulent_root, p.with_(challenge_window=w), a.with_(watchers=n))
                for w in windows
            ],
        )
        for n in (1, 2, 3)
    ]
    labels = (
        "challenge window (days)",
        "expected profit (CMN)",
        "Padded tree against the challenge window",
    )
    at = p.challenge_window / DAY
    panel = _Panel([w / DAY for w in windows], series, labels, at, symlog=True)
    return _one_panel(panel, path)


def cap_sweep(p: Parameters, a: Assumptions, path: Path) -> Path:
    """Sybil splitting's expected profit, and the fewest accounts for quorum, against the cap."""
    caps = list(range(100, 2001, 25))
    label = f"top member at {a.top_share_bps / 100:g}%"
    profits = [_profit(sybil_split, p.with_(account_cap_bps=c), a) for c in caps]
    labels = (
        "account cap (% of an epoch's budget)",
        "expected profit per epoch (CMN)",
        "Sybil splitting",
    )
    panel = _Panel([c / 100 for c in caps], [(label, profits)], labels, p.account_cap_bps / 100)
    fewest = [-(-p.quorum_bps // c) for c in caps]
    return _beside_fewest(panel, fewest, p, "account cap (%)", path)


def quorum_sweep(p: Parameters, a: Assumptions, path: Path) -> Path:
    """Bribing a dispute (cost against gain), and the fewest accounts for quorum, against it."""
    quorums = list(range(100, 5001, 50))
    results = [bribery(p.with_(quorum_bps=q), a) for q in quorums]
    series = [
        ("bribe needed", [r.cost / WHOLE for r in results]),
        ("most a verdict moves", [r.gain / WHOLE for r in results]),
    ]
    labels = (
        "quorum (% of earned influence)",
        "CMN",
        f"Buying a dispute verdict (epoch {a.community_age})",
    )
    xs = [q / 100 for q in quorums]
    panel = _Panel(xs, series, labels, p.quorum_bps / 100, zero=False)
    fewest = [-(-q // p.account_cap_bps) for q in quorums]
    return _beside_fewest(panel, fewest, p, "quorum (%)", path)


def watcher_sweep(p: Parameters, a: Assumptions, path: Path) -> Path:
    """Expected profit of the detectable attacks against the number of independent watchers."""
    counts = list(range(0, 7))
    silent = a.with_(governance_votes=False)
    models: list[tuple[str, Model, Assumptions]] = [
        ("padded tree, governance votes", fraudulent_root, a),
        ("padded tree, governance silent", fraudulent_root, silent),
        ("padded ledger", padded_ledger, a),
        ("sybil splitting (per epoch)", sybil_split, a),
    ]
    if corrupt_attester(p, a).gain:
        models.append(("corrupt attester", corrupt_attester, a))
    series = [
        (label, [_profit(model, p, base.with_(watchers=n)) for n in counts])
        for label, model, base in models
    ]
    labels = (
        "independent watchers",
        "expected profit (CMN)",
        "Attacks against the number of watchers",
    )
    return _one_panel(_Panel(counts, series, labels, None, symlog=True), path)


def _gini(m: EpochMetrics) -> float:
    return m.gini


def _nakamoto_quorum(m: EpochMetrics) -> float:
    return m.nakamoto_quorum or 0


def _nakamoto_half(m: EpochMetrics) -> float:
    return m.nakamoto_half or 0


def concentration_chart(sim: SimulationResult, path: Path) -> Path:
    """Gini and the Nakamoto coefficients of quorum and of half, per epoch, per variant."""

    def draw(fig: Figure) -> None:
        axes = fig.subplots(1, 3)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.22, top=0.86, wspace=0.3)
        panels: tuple[tuple[str, Callable[[EpochMetrics], float]], ...] = (
            ("Gini of influence", _gini),
            (f"Nakamoto, quorum {sim.quorum_bps / 100:g}%", _nakamoto_quorum),
            ("Nakamoto, half", _nakamoto_half),
        )
        for ax, (title, value) in zip(axes, panels, strict=True):
            for i, run in enumerate(sim.runs):
                ax.plot(
                    [m.epoch for m in run.metrics],
                    [value(m) for m in run.metrics],
                    label=run.variant.name,
                    color=COLORS[i % len(COLORS)],
                    linewidth=1.3,
                )
            ax.set_title(title)
            ax.set_xlabel("epoch")
        axes[1].axhline(sim.minimum_voters, color="#888", linestyle=":", linewidth=1.2)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)

    return _draw(draw, path, (12.0, 4.2))


def leavers_chart(sim: SimulationResult, path: Path) -> Path:
    """The quorum coalition that stops contributing: its share of influence, per variant."""

    def draw(fig: Figure) -> None:
        ax = _one(fig)
        for i, run in enumerate(sim.leaving):
            if run.leavers is None:
                continue
            shares = run.leavers.shares
            ax.plot(
                range(len(shares)),
                [100 * s for s in shares],
                label=f"{run.variant.name} ({len(run.leavers.accounts)} members)",
                color=COLORS[i % len(COLORS)],
                linewidth=1.4,
            )
        ax.axhline(sim.quorum_bps / 100, color="#444", linestyle="--", linewidth=1, label="quorum")
        ax.set_xlabel("epochs after the coalition stopped contributing")
        ax.set_ylabel("coalition's share of influence (%)")
        ax.set_title("How long a quorum coalition that stops contributing keeps quorum")
        ax.legend(fontsize=8)

    return _draw(draw, path)


SWEEPS = {
    "sweep_bond": bond_sweep,
    "sweep_window": window_sweep,
    "sweep_cap": cap_sweep,
    "sweep_quorum": quorum_sweep,
    "sweep_watchers": watcher_sweep,
}


def write_charts(
    p: Parameters, a: Assumptions, sim: SimulationResult | None, out: Path
) -> dict[str, Path]:
    """Every chart into ``out`` (``<name>.png``); returns ``{name: path}``."""
    charts = {name: draw(p, a, out / f"{name}.png") for name, draw in SWEEPS.items()}
    if sim is not None:
        charts["concentration"] = concentration_chart(sim, out / "concentration.png")
        charts["leavers"] = leavers_chart(sim, out / "leavers.png")
    return charts


__all__ = [
    "SWEEPS",
    "bond_sweep",
    "cap_sweep",
    "concentration_chart",
    "leavers_chart",
    "quorum_sweep",
    "watcher_sweep",
    "window_sweep",
    "write_charts",
]
