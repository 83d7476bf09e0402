"""The economics report: the attack table at one config, stress cases, the simulation's figures,
as an HTML section (for the run report) and as Markdown (the README's "Why cheating does not pay").

To include it in another page::

    from communis.economics.report import analyse, write_section

    analysis = analyse(params, policy)                 # or analyse_config(load(path))
    section = write_section(analysis, out_dir)         # PNGs into out_dir, one HTML fragment
    page_body += section.html                          # a self-contained <section> (data: URIs)

The fragment uses only the run report's CSS classes (``.scroll``, ``td.num``, ``.charts``,
``figure``, ``.warn``), so it renders the same inside ``communis report``'s page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from communis.deploy.config import DeployConfig
from communis.economics.attacks import AttackResult, cmn, evaluate
from communis.economics.params import Assumptions, EconomicsError, Parameters
from communis.economics.simulation import Community, SimulationResult, VariantRun, simulate
from communis.engine.policy import Policy
from communis.engine.units import format_duration

REPORT_EPOCH = 100
"""The epoch whose concentration the summary reports ("after 100 epochs")."""


@dataclass(frozen=True, slots=True)
class Stress:
    """The attack table under assumptions harsher than the defaults."""

    name: str
    assumptions: Assumptions
    results: tuple[AttackResult, ...]

    @property
    def profitable(self) -> tuple[AttackResult, ...]:
        return tuple(r for r in self.results if r.profitable)

    @property
    def summary(self) -> str:
        """The profitable attacks with their profit and region, or the closest one's margin."""
        if self.profitable:
            return "; ".join(
                f"{r.title}: profit {cmn(r.profit)}, unprofitable when {r.unprofitable_when}"
                for r in self.profitable
            )
        priced = [r for r in self.results if r.profitable_override is None and r.gain > 0]
        if not priced:
            return "no attack is profitable"
        closest = max(priced, key=lambda r: r.profit)
        return f"no attack is profitable (closest: {closest.title}, profit {cmn(closest.profit)})"


@dataclass(frozen=True, slots=True)
class Analysis:
    params: Parameters
    assumptions: Assumptions
    results: tuple[AttackResult, ...]
    sim: SimulationResult | None
    stresses: tuple[Stress, ...] = field(default_factory=tuple)

    @property
    def profitable(self) -> tuple[AttackResult, ...]:
        return tuple(r for r in self.results if r.profitable)


def stresses(params: Parameters, assumptions: Assumptions) -> tuple[Stress, ...]:
    """The table when governance never votes, for a catch-up root over three epochs, for both
    at once, and when a whole token budget lies finalized but unclaimed (fresh accounts in a
    padded root can drain it)."""
    silent = assumptions.with_(governance_votes=False)
    cases = (
        ("governance never votes", silent),
        ("catch-up root over 3 epochs", assumptions.with_(epochs_covered=3)),
        ("governance never votes, catch-up root over 3 epochs", silent.with_(epochs_covered=3)),
        (
            "one token budget finalized but unclaimed",
            assumptions.with_(unclaimed_backlog=params.token_budget),
        ),
    )
    return tuple(Stress(name, a, tuple(evaluate(params, a))) for name, a in cases)


def analyse(
    params: Parameters,
    policy: Policy,
    assumptions: Assumptions | None = None,
    *,
    epochs: int = 120,
    community: Community | None = None,
) -> Analysis:
    """Simulate ``epochs`` epochs and evaluate every attack (the capture row uses the fewest
    accounts that held quorum after the first half-life of the simulation)."""
    assumptions = assumptions or Assumptions()
    sim = simulate(params, policy, epochs=epochs, community=community)
    measured = sim.fewest_for_quorum(min(params.half_life_epochs, epochs - 1))
    results = tuple(evaluate(params, assumptions, measured_quorum=measured))
    return Analysis(params, assumptions, results, sim, stresses(params, assumptions))


def analyse_config(
    config: DeployConfig,
    assumptions: Assumptions | None = None,
    *,
    epochs: int = 120,
    community: Community | None = None,
) -> Analysis:
    """:func:`analyse` at a deployment config's parameters and policy."""
    return analyse(
        Parameters.from_config(config),
        config.rewards.policy,
        assumptions,
        epochs=epochs,
        community=community,
    )


# ----------------------------------------------------------------------------- summaries


@dataclass(frozen=True, slots=True)
class ConcentrationRow:
    variant: str
    epoch: int
    gini: float
    nakamoto_quorum: int | None
    nakamoto_half: int | None
    top_share: float
    holders: int


def concentration_rows(sim: SimulationResult, epoch: int = REPORT_EPOCH) -> list[ConcentrationRow]:
    """Each variant's concentration after ``epoch`` epochs (the last one if the run is shorter)."""
    index = min(epoch, sim.epochs) - 1
    rows = []
    for run in sim.runs:
        m = run.metrics[index]
        rows.append(
            ConcentrationRow(
                run.variant.name,
                m.epoch + 1,
                m.gini,
                m.nakamoto_quorum,
                m.nakamoto_half,
                m.top_share,
                m.holders,
            )
        )
    return rows


def leaver_text(run: VariantRun, params: Parameters) -> str:
    """How long the quorum coalition that stopped, and its largest member, kept their power."""
    leavers = run.leavers
    if leavers is None:
        return "no coalition stopped"
    kept = (
        f"{leavers.epochs_with_quorum} epoch(s)"
        if leavers.epochs_with_quorum is not None
        else "to the end of the run"
    )
    propose = (
        f"{leavers.epochs_can_propose} epochs"
        if leavers.epochs_can_propose is not None
        else f"beyond the run (about {leavers.propose_closed_form:.0f} epochs by the half-life)"
    )
    threshold = cmn(params.proposal_threshold).replace(" CMN", "")
    return (
        f"The {len(leavers.accounts)} largest holders, who together held quorum at epoch "
        f"{leavers.stop_epoch}, stop contributing ({100 * leavers.shares[0]:.1f}% of all "
        f"influence after their first epoch away): they keep quorum for {kept} (closed form with "
        f"a constant total: {leavers.closed_form:.1f}). Their largest member can still make a "
        f"proposal ({threshold} influence) for {propose}."
    )


def _yes(flag: bool) -> str:
    return "PROFITABLE" if flag else "no"


def markdown_blocks(analysis: Analysis) -> dict[str, str]:
    """The README section's generated blocks: ``table`` (the attacks, the stress cases) and
    ``concentration`` (the simulation after :data:`REPORT_EPOCH` epochs, the leavers)."""
    p, a = analysis.params, analysis.assumptions
    lines = [
        f"Attacks at the parameters given, {a.watchers} independent watcher(s), a governance "
        f"that {'votes' if a.governance_votes else 'never votes'} (`communis simulate`):",
        "",
        "| attack | cost | gain | profit | profitable | unprofitable when |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in analysis.results:
        lines.append(
            f"| {r.title} | {cmn(r.cost)} | {cmn(r.gain)} | {cmn(r.profit)} | "
            f"{_yes(r.profitable)} | {r.unprofitable_when} |"
        )
    for stress in analysis.stresses:
        lines += ["", f"Stress case, {stress.name}: {stress.summary}."]
    lines += [
        "",
        f"A dispute delays an honest root by at most D = P + W = "
        f"{format_duration(p.dispute_delay)} per griefing guardian.",
    ]
    blocks = {"table": "\n".join(lines)}
    sim = analysis.sim
    if sim is not None:
        rows = concentration_rows(sim)
        lines = [
            f"Influence concentration after {rows[0].epoch} epochs ({sim.community.members} "
            f"members at the start, about {sim.community.joins_per_epoch} joining and "
            f"{sim.community.leave_bps / 100:g}% leaving per epoch, seed {sim.community.seed}):",
            "",
            "| rules | Gini | Nakamoto (quorum) | Nakamoto (half) | largest share | holders |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in rows:
            lines.append(
                f"| {row.variant} | {row.gini:.3f} | {row.nakamoto_quorum} | "
                f"{row.nakamoto_half} | {100 * row.top_share:.1f}% | {row.holders} |"
            )
        lines += ["", leaver_text(sim.leaving[0], p)]
        blocks["concentration"] = "\n".join(lines)
    return blocks


def markdown(analysis: Analysis) -> str:
    """Every block of :func:`markdown_blocks`, one after the other."""
    return "\n\n".join(markdown_blocks(analysis).values()) + "\n"


def fill_markdown(text: str, analysis: Analysis) -> str:
    """``text`` with each ``<!-- economics:NAME -->`` ... ``<!-- /economics:NAME -->`` block
    replaced by the generated one (how the README's section is kept to the tool's output)."""
    for name, block in markdown_blocks(analysis).items():
        start, end = f"<!-- economics:{name} -->", f"<!-- /economics:{name} -->"
        before, found, rest = text.partition(start)
        if not found:
            continue
        _, closed, after = rest.partition(end)
        if not closed:
            raise EconomicsError(f"{start} has no {end}")
        text = f"{before}{start}\n{block}\n{end}{after}"
    return text


# ----------------------------------------------------------------------------- HTML


def _e(text: object) -> str:
    return escape(str(text), quote=True)


CAPTIONS = {
    "sweep_bond": "Fraud against the proposer bond",
    "sweep_window": "A padded tree against the challenge window",
    "sweep_cap": "Sybil splitting and the fewest members for quorum against the cap",
    "sweep_quorum": "Buying a dispute verdict, and the fewest members, against the quorum",
    "sweep_watchers": "Attacks against the number of independent watchers",
    "concentration": "Influence concentration over time: configured rules and variants",
    "leavers": "A quorum coalition that stops contributing",
}


def html_section(analysis: Analysis, charts: dict[str, Path]) -> str:
    """A self-contained ``<section>`` (charts embedded as ``data:`` URIs)."""
    from communis.report.html import png_data_uri

    a = analysis.assumptions
    parts = [
        '<section id="economics">',
        "<h2>Why cheating does not pay</h2>",
        f"<p>Expected cost, gain and profit of each modelled attack with {a.watchers} independent "
        f"watcher(s) (each down {a.watcher_downtime_bps / 100:g}% of the time, outages of "
        f"{format_duration(a.watcher_outage)} on average) and a governance that "
        f"{'votes on' if a.governance_votes else 'never decides'} disputes.</p>",
        '<div class="scroll"><table><tr><th>attack</th><th>cost</th><th>gain</th><th>profit</th>'
        "<th>unprofitable when</th></tr>",
    ]
    for r in analysis.results:
        flag = ' <span class="warn">PROFITABLE</span>' if r.profitable else ""
        parts.append(
            f"<tr><td>{_e(r.title)}<br><small>{_e(r.detail)}</small></td>"
            f'<td class="num">{_e(cmn(r.cost))}</td><td class="num">{_e(cmn(r.gain))}</td>'
            f'<td class="num">{_e(cmn(r.profit))}{flag}</td><td>{_e(r.unprofitable_when)}</td></tr>'
        )
    parts.append("</table></div>")
    for stress in analysis.stresses:
        parts.append(f"<p>Stress case, {_e(stress.name)}: {_e(stress.summary)}.</p>")
    sim = analysis.sim
    if sim is not None:
        parts.append(
            '<div class="scroll"><table><tr><th>rules</th><th>Gini</th><th>Nakamoto (quorum)</th>'
            "<th>Nakamoto (half)</th><th>largest share</th><th>holders</th></tr>"
        )
        for row in concentration_rows(sim):
            parts.append(
                f"<tr><td>{_e(row.variant)} (epoch {row.epoch})</td>"
                f'<td class="num">{row.gini:.3f}</td><td class="num">{row.nakamoto_quorum}</td>'
                f'<td class="num">{row.nakamoto_half}</td>'
                f'<td class="num">{100 * row.top_share:.1f}%</td>'
                f'<td class="num">{row.holders}</td></tr>'
            )
        parts.append("</table></div>")
        parts.append(f"<p>{_e(leaver_text(sim.leaving[0], analysis.params))}</p>")
    parts.append('<div class="charts">')
    for name, path in charts.items():
        caption = CAPTIONS.get(name, name)
        parts.append(
            f'<figure><img src="{png_data_uri(path)}" alt="{_e(caption)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>"
        )
    parts.append("</div></section>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True, slots=True)
class Section:
    """What :func:`write_section` wrote: the HTML fragment (also in ``path``) and the charts."""

    html: str
    path: Path
    charts: dict[str, Path]


def write_section(analysis: Analysis, out: Path) -> Section:
    """Charts into ``out``, the fragment into ``out/economics.html``; returns both."""
    from communis.economics.charts import write_charts

    out.mkdir(parents=True, exist_ok=True)
    charts = write_charts(analysis.params, analysis.assumptions, analysis.sim, out)
    html = html_section(analysis, charts)
    path = out / "economics.html"
    path.write_text(html, encoding="utf-8")
    return Section(html, path, charts)


__all__ = [
    "REPORT_EPOCH",
    "Analysis",
    "ConcentrationRow",
    "Section",
    "Stress",
    "analyse",
    "analyse_config",
    "concentration_rows",
    "fill_markdown",
    "html_section",
    "leaver_text",
    "markdown",
    "markdown_blocks",
    "stresses",
    "write_section",
]
