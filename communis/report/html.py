"""One self-contained HTML page for a run: every chart embedded as a ``data:`` URI, inline CSS,
no scripts and no external references, so the file can be mailed, archived or opened offline.

The page opens with the period in words (:mod:`communis.report.story`: what happened, the risks
to watch, the words it uses) and the top earners, then shows the whole-run numbers and charts,
one section per epoch, the proposals, slashed bonds and notes. All text coming from the run is
HTML-escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from communis.report.model import RunReport
from communis.report.stats import (
    Concentration,
    EpochStats,
    RunStats,
    fmt_count,
    fmt_pct,
    fmt_units,
    ratio,
    run_stats,
    top_earners,
)
from communis.report.story import GLOSSARY, risks, story


@dataclass(frozen=True)
class ExtraSection:
    """A section made elsewhere (for example ``communis.economics``' "Why cheating does not
    pay", :func:`communis.economics.report.write_section`), added after the run's own sections
    and linked from the page's navigation. ``html`` is trusted markup: a ``<section>`` whose id
    is ``anchor``, self-contained like the page (images as ``data:`` URIs)."""

    anchor: str
    title: str
    html: str


CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1240px;
       padding: 1.5rem; color: #222; background: #fafafa; line-height: 1.4; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid #4C72B0; padding-bottom: .2rem;
     margin-top: 2.2rem; } h3 { margin-bottom: .4rem; }
.sub { color: #666; margin-top: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0 1rem; background: #fff; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef2f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6rem .9rem;
        min-width: 9rem; }
.card .v { font-size: 1.5rem; font-weight: bold; } .card .k { color: #666; font-size: .85rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .4rem; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .85rem; padding: .2rem .3rem; }
.outcome-Executed, .outcome-Succeeded, .outcome-Queued { color: #2e7d32; font-weight: bold; }
.outcome-Defeated, .outcome-Canceled, .outcome-Expired { color: #c62828; font-weight: bold; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: .85rem; }
.warn { color: #c62828; font-weight: bold; }
.story p { max-width: 60rem; }
.risks li { color: #8a1c1c; margin-bottom: .3rem; }
dl.glossary dt { font-weight: bold; margin-top: .5rem; } dl.glossary dd { margin-left: 1.2rem; }
"""

CAPTIONS = {
    "rewards_by_role": "Rewards by role",
    "lorenz": "Lorenz curve and Gini coefficient of token rewards",
    "influence": "Influence concentration: Nakamoto coefficients for quorum and for half",
    "budget": "Emission against budget, and the treasury",
}


def png_data_uri(path: str | Path) -> str:
    """``data:image/png;base64,...`` for the PNG at ``path``."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(account: str) -> str:
    return account if len(account) <= 14 else f"{account[:8]}…{account[-4:]}"


def _figure(kind: str, path: Path, alt: str) -> str:
    return (
        f'<figure><img src="{png_data_uri(path)}" alt="{_e(alt)}" data-chart="{_e(kind)}">'
        f"<figcaption>{_e(CAPTIONS.get(kind, kind))}</figcaption></figure>"
    )


def _charts(charts: Mapping[str, Path], label: str) -> str:
    figs = "".join(
        _figure(kind, p, f"{label}: {CAPTIONS.get(kind, kind)}") for kind, p in charts.items()
    )
    return f'<div class="charts">{figs}</div>'


def _card(value: str, key: str) -> str:
    return f'<div class="card"><div class="v">{_e(value)}</div><div class="k">{_e(key)}</div></div>'


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _concentration_rows(c: Concentration, decimals: int) -> list[list[str]]:
    return [
        ["Accounts (holding influence)", f"{c.accounts} ({c.holders})"],
        ["Influence in circulation", _e(fmt_units(c.total, decimals))],
        ["Quorum", f"{_e(fmt_units(c.quorum, decimals))} ({fmt_pct(c.quorum_share)})"],
        ["Gini of influence", f"{c.gini:.3f}"],
        ["Nakamoto coefficient, quorum", _e(fmt_count(c.nakamoto_quorum))],
        ["Nakamoto coefficient, half of influence", _e(fmt_count(c.nakamoto_half))],
        ["Largest account's share", fmt_pct(c.top1_share)],
        ["Top 10 accounts' share", fmt_pct(c.top10_share)],
    ]


def _run_section(run: RunReport, s: RunStats, charts: Mapping[str, Path]) -> str:
    c = s.final_influence
    sym = run.token_symbol
    cards = "".join(
        [
            _card(f"{s.rewards_gini:.3f}", "Gini of token rewards (whole run)"),
            _card(f"{c.gini:.3f}", "Gini of influence (end)"),
            _card(fmt_count(c.nakamoto_quorum), "Nakamoto coefficient (quorum)"),
            _card(fmt_count(c.nakamoto_half), "Nakamoto coefficient (half)"),
            _card(
                fmt_pct(ratio(s.tokens_emitted, s.token_budget)),
                "tokens emitted / budget",
            ),
            _card(str(s.slashed_count), "bonds slashed"),
        ]
    )
    d_tok, d_inf = run.token_decimals, run.influence_decimals
    emission_rows = [
        [
            str(e.epoch),
            _e(fmt_units(e.tokens_emitted, d_tok)),
            _e(fmt_units(e.token_budget, d_tok)),
            fmt_pct(es.token_emission_ratio),
            _e(fmt_units(e.influence_emitted, d_inf)),
            _e(fmt_units(e.influence_budget, d_inf)),
            fmt_pct(es.influence_emission_ratio),
            _e(fmt_units(e.treasury_balance, d_tok)),
            _e(fmt_units(es.slashed, d_tok)),
        ]
        for e, es in zip(run.epochs, s.epochs, strict=True)
    ]
    emission_rows.append(
        [
            "<b>run</b>",
            _e(fmt_units(s.tokens_emitted, d_tok)),
            _e(fmt_units(s.token_budget, d_tok)),
            fmt_pct(ratio(s.tokens_emitted, s.token_budget)),
            _e(fmt_units(s.influence_emitted, d_inf)),
            _e(fmt_units(s.influence_budget, d_inf)),
            fmt_pct(ratio(s.influence_emitted, s.influence_budget)),
            "",
            _e(fmt_units(s.slashed, d_tok)),
        ]
    )
    emission = _table(
        [
            "Epoch",
            f"Tokens emitted ({sym})",
            "Token budget",
            "Emitted / budget",
            "Influence emitted",
            "Influence budget",
            "Emitted / budget",
            f"Treasury at end ({sym})",
            f"Bonds slashed ({sym})",
        ],
        emission_rows,
        numeric=set(range(1, 9)),
    )
    conc_rows = [
        [
            str(es.epoch),
            str(es.rewarded_accounts),
            f"{es.rewards_gini:.3f}",
            f"{es.influence.gini:.3f}",
            _e(fmt_count(es.influence.nakamoto_quorum)),
            _e(fmt_count(es.influence.nakamoto_half)),
            fmt_pct(es.influence.top10_share),
        ]
        for es in s.epochs
    ]
    conc_rows.append(
        [
            "<b>run</b>",
            str(s.rewarded_accounts),
            f"{s.rewards_gini:.3f}",
            f"{c.gini:.3f}",
            _e(fmt_count(c.nakamoto_quorum)),
            _e(fmt_count(c.nakamoto_half)),
            fmt_pct(c.top10_share),
        ]
    )
    table = emission + _table(
        [
            "Epoch",
            "Rewarded accounts",
            "Gini of token rewards",
            "Gini of influence",
            "Nakamoto (quorum)",
            "Nakamoto (half)",
            "Top 10 share of influence",
        ],
        conc_rows,
        numeric=set(range(1, 7)),
    )
    return (
        '<section id="run"><h2>Whole run</h2>'
        f'<div class="cards">{cards}</div>'
        "<h3>Emission against budget, and concentration, per epoch</h3>"
        f"{table}"
        "<h3>Influence at the end of the run</h3>"
        f"{_table(['Measure', 'Value'], _concentration_rows(c, run.influence_decimals))}"
        f"{_charts(charts, 'Whole run')}</section>"
    )


def _epoch_section(run: RunReport, es: EpochStats, index: int, charts: Mapping[str, Path]) -> str:
    e = run.epochs[index]
    tok, inf = e.tokens_by_role(), e.influence_by_role()
    accounts: dict[str, set[str]] = {}
    for r in e.rewards:
        accounts.setdefault(r.role, set()).add(r.account)
    role_rows = [
        [
            _e(role),
            str(len(accounts.get(role, ()))),
            _e(fmt_units(tok[role], run.token_decimals)),
            _e(fmt_units(inf[role], run.influence_decimals)),
        ]
        for role in tok
    ]
    return (
        f'<section id="epoch-{e.epoch}"><h2>Epoch {e.epoch}</h2>'
        '<div class="charts"><div>'
        "<h3>Rewards by role</h3>"
        + _table(
            ["Role", "Accounts", f"Tokens ({run.token_symbol})", "Influence"],
            role_rows,
            numeric={1, 2, 3},
        )
        + "</div><div><h3>Influence at the end of the epoch</h3>"
        + _table(["Measure", "Value"], _concentration_rows(es.influence, run.influence_decimals))
        + "</div></div>"
        + _charts(charts, f"Epoch {e.epoch}")
        + "</section>"
    )


def _proposals_section(run: RunReport) -> str:
    if not run.proposals:
        return '<section id="proposals"><h2>Proposals</h2><p>No proposals.</p></section>'
    d = run.influence_decimals
    rows = [
        [
            f'<span class="mono" title="{_e(p.id)}">{_e(_short(str(p.id)))}</span>',
            "" if p.epoch is None else str(p.epoch),
            _e(p.description),
            f'<span class="mono" title="{_e(p.proposer)}">{_e(_short(p.proposer))}</span>',
            _e(fmt_units(p.votes_for, d)),
            _e(fmt_units(p.votes_against, d)),
            _e(fmt_units(p.votes_abstain, d)),
            f'<span class="outcome-{_e(p.outcome)}">{_e(p.outcome)}</span>',
        ]
        for p in run.proposals
    ]
    return (
        '<section id="proposals"><h2>Proposals</h2>'
        + _table(
            ["Id", "Epoch", "Description", "Proposer", "For", "Against", "Abstain", "Outcome"],
            rows,
            numeric={4, 5, 6},
        )
        + "</section>"
    )


def _slashed_section(run: RunReport) -> str:
    slashed = run.bonds_slashed()
    if not slashed:
        return '<section id="slashed"><h2>Bonds slashed</h2><p>No bond was slashed.</p></section>'
    rows = [
        [
            str(epoch),
            f'<span class="mono" title="{_e(b.account)}">{_e(_short(b.account))}</span>',
            _e(fmt_units(b.amount, run.token_decimals)),
            _e(b.reason),
            "fraud proof, no vote" if b.proven else "challenge upheld by governance",
        ]
        for epoch, b in slashed
    ]
    return (
        '<section id="slashed"><h2>Bonds slashed</h2>'
        + _table(
            ["Epoch", "Proposer", f"Amount ({run.token_symbol})", "Reason", "Decided by"],
            rows,
            {2},
        )
        + "</section>"
    )


def _story_section(run: RunReport) -> str:
    paragraphs = "".join(f"<p>{_e(text)}</p>" for text in story(run))
    return f'<section id="story" class="story"><h2>What happened</h2>{paragraphs}</section>'


def _risks_section(run: RunReport) -> str:
    found = risks(run)
    body = (
        "<ul>" + "".join(f"<li>{_e(text)}</li>" for text in found) + "</ul>"
        if found
        else "<p>Nothing stands out: no member can reach quorum alone, budgets were paid.</p>"
    )
    return f'<section id="risks" class="risks"><h2>Risks to watch</h2>{body}</section>'


def _glossary_section() -> str:
    items = "".join(f"<dt>{_e(term)}</dt><dd>{_e(text)}</dd>" for term, text in GLOSSARY)
    return (
        '<section id="glossary"><h2>Words used here</h2>'
        f'<dl class="glossary">{items}</dl></section>'
    )


def _top_earners_section(run: RunReport, limit: int = 10) -> str:
    d_tok, d_inf = run.token_decimals, run.influence_decimals
    rows = [
        [
            str(e.rank),
            f'<span class="mono" title="{_e(e.account)}">{_e(_short(e.account))}</span>',
            _e(", ".join(e.roles)),
            _e(fmt_units(e.tokens, d_tok)),
            _e(fmt_units(e.influence_earned, d_inf)),
            _e(fmt_units(e.influence_now, d_inf)),
        ]
        for e in top_earners(run, limit)
    ]
    table = _table(
        [
            "#",
            "Account",
            "Roles",
            f"Tokens ({run.token_symbol})",
            "Influence earned",
            "Influence now",
        ],
        rows,
        numeric={0, 3, 4, 5},
    )
    return f'<section id="top-earners"><h2>Top earners</h2>{table}</section>'


def render_html(
    run: RunReport,
    run_charts: Mapping[str, Path],
    epoch_charts: Mapping[int, Mapping[str, Path]],
    extra: Sequence[ExtraSection] = (),
) -> str:
    """The whole page as a string. ``run_charts`` maps a chart kind (``rewards_by_role``,
    ``lorenz``, ``influence``, ``budget``) to a PNG; ``epoch_charts`` maps an epoch number to
    its charts. The PNGs are read and embedded. ``extra`` sections follow the run's own."""
    s = run_stats(run)
    sub = " · ".join(
        x
        for x in (
            f"network {run.network}" if run.network else "",
            f"{len(run.epochs)} epochs",
            f"{s.rewarded_accounts} rewarded accounts",
            f"token {run.token_symbol}",
        )
        if x
    )
    nav = " · ".join(
        [
            '<a href="#story">what happened</a>',
            '<a href="#risks">risks</a>',
            '<a href="#glossary">words used</a>',
            '<a href="#top-earners">top earners</a>',
            '<a href="#run">whole run</a>',
        ]
        + [f'<a href="#epoch-{e.epoch}">epoch {e.epoch}</a>' for e in run.epochs]
        + [
            '<a href="#proposals">proposals</a>',
            '<a href="#slashed">bonds slashed</a>',
        ]
        + [f'<a href="#{_e(x.anchor)}">{_e(x.title)}</a>' for x in extra]
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in run.notes)
    sections = [
        _story_section(run),
        _risks_section(run),
        _glossary_section(),
        _top_earners_section(run),
        _run_section(run, s, run_charts),
    ]
    for i, es in enumerate(s.epochs):
        sections.append(_epoch_section(run, es, i, epoch_charts.get(es.epoch, {})))
    sections.append(_proposals_section(run))
    sections.append(_slashed_section(run))
    sections.extend(x.html for x in extra)
    if notes:
        sections.append(f'<section id="notes"><h2>Notes</h2><ul>{notes}</ul></section>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Belt and braces: even if a future edit added a remote URL, the browser would not fetch it.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{_e(run.title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{_e(run.title)}</h1><p class="sub">{_e(sub)}</p><nav>{nav}</nav>'
        + "".join(sections)
        + "</body></html>\n"
    )
