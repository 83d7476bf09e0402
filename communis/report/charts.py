"""PNG charts of a run, drawn with matplotlib's non-interactive Agg canvas.

Figures are built with :class:`matplotlib.figure.Figure` and rendered by
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg` directly: pyplot (and its global figure
registry and backend selection) is never touched, so charts can be drawn from any thread or
script without a display. Sizes, DPI, fonts and colours are fixed and no timestamp or version is
written into the files, so the same run gives byte-identical PNGs on the same installation.

Every function takes plain numbers, writes one PNG to ``path`` and returns ``path``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

from communis.engine.units import format_compact
from communis.report.metrics import gini, lorenz_curve, nakamoto_coefficient, nakamoto_share
from communis.report.model import EpochReport, RunReport, role_order
from communis.report.stats import units

DPI = 100
WIDE = (9.0, 4.5)
SQUARE = (6.0, 5.0)

ROLE_COLORS: dict[str, str] = {
    "creator": "#4C72B0",
    "curator": "#DD8452",
    "guardian": "#55A868",
    "participant": "#8172B3",
}
_LORENZ_COLORS = ("#4C72B0", "#DD8452", "#55A868", "#8172B3", "#937860", "#DA8BC3")
_EXTRA_COLORS = ("#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD", "#C44E52")

# rcParams applied while drawing: fixed font and hash salt, no per-machine style leaking in.
STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "communis",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
}

# PNG text chunks: matplotlib writes "Software: matplotlib version ..." by default.
_PNG_METADATA = {"Software": None}


def _compact(value: float, _pos: object = None) -> str:
    """Axis labels such as ``250k``, ``1.5M``, ``40M`` instead of ``40000000``."""
    return format_compact(value, 3)


def role_color(role: str, index: int = 0) -> str:
    """The fixed colour of ``role`` (unknown roles cycle through a fixed palette)."""
    return ROLE_COLORS.get(role, _EXTRA_COLORS[index % len(_EXTRA_COLORS)])


def _figure(size: tuple[float, float]) -> Figure:
    # Fixed margins (set per chart) rather than a layout engine: constrained layout doubled the
    # drawing time, and fixed margins keep every chart's geometry identical between runs.
    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=DPI, metadata=_PNG_METADATA)
    return path


Epochs = Sequence[EpochReport]


@dataclass(frozen=True)
class Shown:
    """How a run's amounts are shown: decimals of the token and of influence, token symbol."""

    token_decimals: int = 18
    influence_decimals: int = 18
    token_symbol: str = "CMN"

    @classmethod
    def of(cls, run: RunReport) -> Shown:
        return cls(run.token_decimals, run.influence_decimals, run.token_symbol)


CMN = Shown()


def _draw(draw: Callable[[Figure], None], size: tuple[float, float], path: str | Path) -> Path:
    with matplotlib.rc_context(STYLE):
        fig = _figure(size)
        draw(fig)
        return _save(fig, path)


# Rewards by role ---------------------------------------------------------------------------


def rewards_by_role_chart(
    epochs: Sequence[EpochReport],
    path: str | Path,
    *,
    shown: Shown = CMN,
    title: str = "Rewards by role",
) -> Path:
    """Stacked bars per epoch, one segment per role: tokens (left) and influence (right)."""
    roles = role_order({r.role for e in epochs for r in e.rewards})
    labels = [f"epoch {e.epoch}" for e in epochs]
    xs = list(range(len(epochs)))

    def draw(fig: Figure) -> None:
        axes = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.84, bottom=0.1, top=0.83, wspace=0.28)
        for ax, kind, decimals, unit in (
            (axes[0], "tokens", shown.token_decimals, shown.token_symbol),
            (axes[1], "influence", shown.influence_decimals, "influence"),
        ):
            bottoms = [0.0] * len(epochs)
            for i, role in enumerate(roles):
                heights = [
                    units(
                        (e.tokens_by_role() if kind == "tokens" else e.influence_by_role()).get(
                            role, 0
                        ),
                        decimals,
                    )
                    for e in epochs
                ]
                ax.bar(xs, heights, 0.6, bottom=bottoms, label=role, color=role_color(role, i))
                bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            ax.set_xticks(xs, labels)
            ax.set_xlim(-0.6, len(epochs) - 0.4)
            ax.set_title(f"{kind.capitalize()} earned ({unit})")
            ax.yaxis.set_major_formatter(FuncFormatter(_compact))
        if roles:
            axes[1].legend(title="role", loc="upper left", bbox_to_anchor=(1.03, 1.0))
        fig.suptitle(title)

    return _draw(draw, WIDE, path)


# Lorenz curve -------------------------------------------------------------------------------


def lorenz_chart(
    series: Mapping[str, Iterable[int]],
    path: str | Path,
    *,
    title: str = "Lorenz curve of rewards",
) -> Path:
    """Lorenz curves of one or more distributions, with their Gini coefficients.

    ``series`` maps a label (e.g. ``"epoch 1"``) to amounts. The Gini of the first series goes
    into the title (it is the one shaded); every series has its Gini in the legend.
    """
    data = {label: list(values) for label, values in series.items()}

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        fig.subplots_adjust(left=0.13, right=0.95, bottom=0.11, top=0.88)
        ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label="equality")
        ginis = {}
        for i, (label, values) in enumerate(data.items()):
            pts = lorenz_curve(values)
            g = gini(values)
            ginis[label] = g
            ax.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                color=_LORENZ_COLORS[i % len(_LORENZ_COLORS)],
                linewidth=2.5 if i == 0 else 1.5,
                label=f"{label} (Gini {g:.3f}, n={len(values)})",
            )
            if i == 0:
                ax.fill_between(
                    [p[0] for p in pts], [p[1] for p in pts], [p[0] for p in pts], alpha=0.15
                )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel("share of accounts (poorest first)")
        ax.set_ylabel("share of total")
        ax.legend(loc="upper left", fontsize=8)
        if ginis:
            first, g0 = next(iter(ginis.items()))
            label = "" if len(ginis) == 1 else f" ({first})"
            ax.set_title(f"{title}\nGini{label} = {g0:.3f}")
        else:
            ax.set_title(title)

    return _draw(draw, SQUARE, path)


# Influence concentration ---------------------------------------------------------------------


def influence_concentration_chart(
    balances: Iterable[int],
    quorum: int,
    path: str | Path,
    *,
    title: str = "Influence concentration",
) -> Path:
    """Cumulative share of all influence held by the largest ``k`` accounts, against ``k``.

    Horizontal lines mark the quorum (as a share of all influence) and half of all influence;
    the Nakamoto coefficients (the fewest accounts that reach each line) are marked and
    annotated. The x axis is logarithmic above 50 accounts so that small coefficients stay
    readable.
    """
    values = sorted((v for v in balances), reverse=True)
    total = sum(values)
    n = len(values)
    cumulative: list[float] = []
    running = 0
    for v in values:
        running += v
        cumulative.append(float(Fraction(running, total)) if total else 0.0)
    quorum_share = float(Fraction(quorum, total)) if total else 0.0
    k_quorum = nakamoto_coefficient(values, quorum)
    k_half = nakamoto_share(values)

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        fig.subplots_adjust(left=0.13, right=0.96, bottom=0.11, top=0.88)
        ks = list(range(1, n + 1))
        ax.plot(ks, cumulative, color="#4C72B0", linewidth=2, label="largest k accounts")
        ax.axhline(0.5, color="#C44E52", linestyle="--", linewidth=1, label="half of influence")
        ax.axhline(
            min(quorum_share, 1.0),
            color="#55A868",
            linestyle="--",
            linewidth=1,
            label=f"quorum ({quorum_share * 100:.1f}% of influence)",
        )
        for k, color, what, offset in (
            (k_quorum, "#55A868", "quorum", (25, -30)),
            (k_half, "#C44E52", "half", (-30, 35)),
        ):
            text = f"Nakamoto ({what}) = {'unreachable' if k is None else k}"
            if k is None or k == 0 or not n:
                ax.text(
                    0.03,
                    0.9 if what == "half" else 0.83,
                    text,
                    transform=ax.transAxes,
                    color=color,
                    fontweight="bold",
                )
                continue
            y = cumulative[k - 1]
            ax.plot([k], [y], marker="o", color=color, markersize=7, zorder=5)
            ax.annotate(
                text,
                xy=(k, y),
                xytext=offset,
                textcoords="offset points",
                color=color,
                fontweight="bold",
                arrowprops={"arrowstyle": "->", "color": color},
                bbox={"boxstyle": "round", "fc": "white", "ec": color, "alpha": 0.9},
            )
        if n > 50:
            ax.set_xscale("log")
        ax.set_xlim(1, max(n, 2))
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("number of accounts, largest first" + (" (log scale)" if n > 50 else ""))
        ax.set_ylabel("cumulative share of influence")
        ax.set_title(f"{title}\n{n} accounts, {sum(1 for v in values if v > 0)} holding influence")
        ax.legend(loc="lower right", fontsize=8, bbox_to_anchor=(1.0, 0.16))

    return _draw(draw, SQUARE, path)


# Treasury and emission against budget ----------------------------------------------------------


def budget_chart(epochs: Epochs, path: str | Path, *, shown: Shown = CMN, title: str = "") -> Path:
    """Per epoch: tokens emitted vs token budget, influence emitted vs influence budget (grouped
    bars, with the emitted share written on each bar), and the treasury balance."""
    title = title or "Emission against budget, and the treasury"
    labels = [f"epoch {e.epoch}" for e in epochs]
    xs = list(range(len(epochs)))
    w = 0.38

    def draw(fig: Figure) -> None:
        axes = fig.subplots(1, 3)
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.2, top=0.84, wspace=0.22)
        for ax, budget, emitted, decimals, unit in (
            (
                axes[0],
                [e.token_budget for e in epochs],
                [e.tokens_emitted for e in epochs],
                shown.token_decimals,
                shown.token_symbol,
            ),
            (
                axes[1],
                [e.influence_budget for e in epochs],
                [e.influence_emitted for e in epochs],
                shown.influence_decimals,
                "influence",
            ),
        ):
            b = [units(v, decimals) for v in budget]
            m = [units(v, decimals) for v in emitted]
            ax.bar(
                [x - w / 2 for x in xs],
                b,
                w,
                label="budget",
                color="#BBBBBB",
                hatch="//",
                edgecolor="#777777",
            )
            ax.bar([x + w / 2 for x in xs], m, w, label="emitted", color="#4C72B0")
            for x, mv, braw, mraw in zip(xs, m, budget, emitted, strict=True):
                pct = f"{float(Fraction(mraw, braw)) * 100:.0f}%" if braw else "n/a"
                ax.text(x + w / 2, mv, pct, ha="center", va="bottom", fontsize=8)
            ax.set_xticks(xs, labels)
            ax.set_title(f"{unit}: emitted vs budget")
            ax.legend(loc="upper center", fontsize=8, ncols=2, bbox_to_anchor=(0.5, -0.08))
            ax.yaxis.set_major_formatter(FuncFormatter(_compact))
            ax.set_ylim(top=max([*b, *m, 0]) * 1.12 or 1)
        ax = axes[2]
        treasury = [units(e.treasury_balance, shown.token_decimals) for e in epochs]
        ax.plot(
            xs,
            treasury,
            marker="o",
            color="#55A868",
            linewidth=2,
        )
        ax.set_xticks(xs, labels)
        ax.set_ylim(bottom=0, top=max([*treasury, 0]) * 1.1 or 1)
        ax.set_xlim(-0.5, len(epochs) - 0.5)
        ax.yaxis.set_major_formatter(FuncFormatter(_compact))
        ax.set_title(f"treasury ({shown.token_symbol}) at epoch end")
        fig.suptitle(title)

    return _draw(draw, (12.0, 4.2), path)


# Per-epoch and run chart sets ----------------------------------------------------------------


def epoch_charts(run: RunReport, epoch: EpochReport, out_dir: str | Path) -> dict[str, Path]:
    """The charts of one epoch: rewards by role, Lorenz curve of its token rewards, influence
    concentration at its end. Returns ``{kind: path}``."""
    out = Path(out_dir)
    n = epoch.epoch
    return {
        "rewards_by_role": rewards_by_role_chart(
            [epoch],
            out / f"epoch-{n}-rewards-by-role.png",
            shown=Shown.of(run),
            title=f"Epoch {n}: rewards by role",
        ),
        "lorenz": lorenz_chart(
            {f"epoch {n}": list(epoch.tokens_by_account().values())},
            out / f"epoch-{n}-lorenz.png",
            title=f"Epoch {n}: Lorenz curve of token rewards",
        ),
        "influence": influence_concentration_chart(
            list(epoch.influence_balances.values()),
            epoch.quorum,
            out / f"epoch-{n}-influence.png",
            title=f"Epoch {n}: influence concentration",
        ),
    }


def run_charts(run: RunReport, out_dir: str | Path) -> dict[str, Path]:
    """The whole-run charts: rewards by role per epoch, Lorenz curves of the cumulative rewards
    (and of each epoch), influence concentration at the end, emission/treasury against budget."""
    out = Path(out_dir)
    final = run.final_epoch()
    series: dict[str, list[int]] = {"whole run": list(run.tokens_by_account().values())}
    if len(run.epochs) > 1:
        for e in run.epochs:
            series[f"epoch {e.epoch}"] = list(e.tokens_by_account().values())
    return {
        "rewards_by_role": rewards_by_role_chart(
            run.epochs,
            out / "run-rewards-by-role.png",
            shown=Shown.of(run),
            title="Rewards by role, per epoch",
        ),
        "lorenz": lorenz_chart(
            series, out / "run-lorenz.png", title="Lorenz curves of token rewards"
        ),
        "influence": influence_concentration_chart(
            list(final.influence_balances.values()) if final else [],
            final.quorum if final else 0,
            out / "run-influence.png",
            title="Influence concentration at the end of the run",
        ),
        "budget": budget_chart(
            run.epochs,
            out / "run-budget.png",
            shown=Shown.of(run),
        ),
    }
