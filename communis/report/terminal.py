"""The closing summary of a run on the terminal, as rich tables: who earned what by role, the
influence distribution, proposals and their outcomes, bonds slashed."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from communis.engine.units import format_compact
from communis.report.model import RunReport
from communis.report.stats import fmt_count, fmt_pct, fmt_units, ratio, run_stats, top_earners

OUTCOME_STYLES = {
    "Executed": "bold green",
    "Succeeded": "green",
    "Queued": "green",
    "Defeated": "bold red",
    "Canceled": "red",
    "Expired": "red",
}


def _short(account: str) -> str:
    return account if len(account) <= 13 else f"{account[:6]}…{account[-4:]}"


def compact_units(amount: int, decimals: int) -> str:
    """``amount`` in whole units, abbreviated: ``47.09M``, ``950k``, ``12``."""
    return format_compact(amount / 10**decimals)


def roles_table(run: RunReport) -> Table:
    """Per role: accounts, tokens and influence earned over the whole run, and each epoch's
    tokens."""
    t = Table(
        title=f"Who earned what, by role (tokens in {run.token_symbol})", title_justify="left"
    )
    t.add_column("Role", no_wrap=True)
    t.add_column("Accounts", justify="right")
    for e in run.epochs:
        t.add_column(f"Epoch {e.epoch}", justify="right")
    t.add_column("Total", justify="right", style="bold")
    t.add_column("Influence\nearned", justify="right")
    per_epoch = [e.tokens_by_role() for e in run.epochs]
    inf_epoch = [e.influence_by_role() for e in run.epochs]
    accounts: dict[str, set[str]] = {}
    for e in run.epochs:
        for r in e.rewards:
            accounts.setdefault(r.role, set()).add(r.account)
    for role in run.roles():
        toks = [d.get(role, 0) for d in per_epoch]
        t.add_row(
            role,
            str(len(accounts.get(role, ()))),
            *(fmt_units(v, run.token_decimals, 0) for v in toks),
            fmt_units(sum(toks), run.token_decimals, 0),
            fmt_units(sum(d.get(role, 0) for d in inf_epoch), run.influence_decimals, 0),
        )
    return t


def top_earners_table(run: RunReport, limit: int = 10) -> Table:
    """The ``limit`` accounts that earned the most tokens over the run, with their roles."""
    t = Table(title=f"Top {limit} earners", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("Account", no_wrap=True)
    t.add_column("Roles")
    t.add_column(f"Tokens\n({run.token_symbol})", justify="right")
    t.add_column("Influence\nearned", justify="right")
    t.add_column("Influence\nnow", justify="right")
    for e in top_earners(run, limit):
        t.add_row(
            str(e.rank),
            _short(e.account),
            ", ".join(e.roles),
            fmt_units(e.tokens, run.token_decimals, 0),
            fmt_units(e.influence_earned, run.influence_decimals, 0),
            fmt_units(e.influence_now, run.influence_decimals, 0),
        )
    return t


def distribution_table(run: RunReport) -> Table:
    """Per epoch: emission against budget, Gini of rewards and influence, Nakamoto coefficients."""
    s = run_stats(run)
    t = Table(title="Influence distribution and emission", title_justify="left")
    for name in (
        "Epoch",
        "Tokens\nemitted\n/budget",
        "Gini\nrewards",
        "Gini\ninfl.",
        "Nakamoto\nquorum",
        "Nakamoto\nhalf",
        "Top 10\nshare",
        f"Treasury\n({run.token_symbol})",
    ):
        t.add_column(name, justify="left" if name == "Epoch" else "right")
    for e, es in zip(run.epochs, s.epochs, strict=True):
        t.add_row(
            str(e.epoch),
            fmt_pct(es.token_emission_ratio),
            f"{es.rewards_gini:.3f}",
            f"{es.influence.gini:.3f}",
            fmt_count(es.influence.nakamoto_quorum),
            fmt_count(es.influence.nakamoto_half),
            fmt_pct(es.influence.top10_share),
            compact_units(e.treasury_balance, run.token_decimals),
        )
    c = s.final_influence
    t.add_row(
        "run",
        fmt_pct(ratio(s.tokens_emitted, s.token_budget)),
        f"{s.rewards_gini:.3f}",
        f"{c.gini:.3f}",
        fmt_count(c.nakamoto_quorum),
        fmt_count(c.nakamoto_half),
        fmt_pct(c.top10_share),
        "",
        style="bold",
    )
    return t


def proposals_table(run: RunReport) -> Table:
    t = Table(title="Proposals", title_justify="left")
    t.add_column("Epoch", justify="right")
    t.add_column("Description")
    t.add_column("For", justify="right")
    t.add_column("Against", justify="right")
    t.add_column("Abstain", justify="right")
    t.add_column("Outcome")
    d = run.influence_decimals
    for p in run.proposals:
        t.add_row(
            "" if p.epoch is None else str(p.epoch),
            p.description,
            fmt_units(p.votes_for, d, 0),
            fmt_units(p.votes_against, d, 0),
            fmt_units(p.votes_abstain, d, 0),
            Text(p.outcome, style=OUTCOME_STYLES.get(p.outcome, "")),
        )
    return t


def slashed_table(run: RunReport) -> Table:
    t = Table(title="Bonds slashed", title_justify="left")
    t.add_column("Epoch", justify="right")
    t.add_column("Proposer")
    t.add_column(f"Amount ({run.token_symbol})", justify="right")
    t.add_column("Reason")
    for epoch, b in run.bonds_slashed():
        t.add_row(str(epoch), _short(b.account), fmt_units(b.amount, run.token_decimals), b.reason)
    return t


def summary_renderables(run: RunReport, *, top: int = 10) -> list[RenderableType]:
    """The summary as a list of rich renderables (tables, and a line when a section is empty)."""
    out: list[RenderableType] = [
        Text(run.title, style="bold underline"),
        roles_table(run),
        top_earners_table(run, top),
        distribution_table(run),
    ]
    out.append(proposals_table(run) if run.proposals else Text("No proposals."))
    out.append(slashed_table(run) if run.bonds_slashed() else Text("No bond was slashed."))
    return out


def print_summary(run: RunReport, console: Console | None = None, *, top: int = 10) -> None:
    """Print the closing summary of ``run`` to ``console`` (default: a new stdout console)."""
    (console or Console()).print(Group(*summary_renderables(run, top=top)))
