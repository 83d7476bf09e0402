"""The report in words: what happened over the period, what the numbers mean, what to watch.

:func:`story` tells the period in plain sentences (who earned what, fraud caught and slashed,
proposals and how they ended), :func:`risks` flags in words what a member should worry about
(one member alone reaching quorum, budgets left unpaid, a cap that binds everyone, concentrated
rewards), and :data:`GLOSSARY` explains the measures the report uses. The HTML page opens with
them; pure functions of a :class:`~communis.report.model.RunReport`.
"""

from __future__ import annotations

from communis.engine.units import format_duration
from communis.report.model import EpochReport, Proposal, RunReport
from communis.report.stats import fmt_pct, fmt_units, ratio, run_stats

UNPAID_SHARE = 0.10
"""An epoch that leaves at least this share of its token budget unpaid is flagged."""
GINI_CONCENTRATED = 0.6
"""Rewards with a Gini coefficient at least this high are called concentrated."""

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Influence",
        "Voting power earned by contributing, never bought: it cannot be transferred (only "
        "delegated) and halves every half-life, so a say must be kept up by contributing.",
    ),
    (
        "Stored versus current influence",
        "The contract stores each award scaled up by the growth factor of the epoch it was "
        "earned in (stored units), and divides by the growth factor of the moment it is read: "
        "the result is the current, decayed influence. Stored units never change; current "
        "influence shrinks as epochs pass. Votes and quorum both use current influence.",
    ),
    (
        "Quorum",
        "The share of all influence earned so far (claimed or not) that must vote for or "
        "abstain before a proposal can pass; a minimum number of distinct voters is needed too.",
    ),
    (
        "Gini coefficient",
        "How unequal a distribution is: 0 when everyone has the same, close to 1 when one "
        "account has nearly everything.",
    ),
    (
        "Nakamoto coefficient",
        "The fewest accounts that together hold enough influence for something: for quorum, the "
        "fewest members who could meet it on their own; for half, the fewest who hold half of "
        "all influence. 1 means a single member.",
    ),
    (
        "Account cap",
        "The largest share of an epoch's budget one account may receive. It keeps one member "
        "from earning most of the influence, but a community with fewer members than "
        "1 / cap cannot be paid its whole budget.",
    ),
    (
        "Bond and challenge",
        "A proposer deposits a bond with each root it publishes; a guardian who finds the root "
        "wrong challenges it with a bond of its own, which discards the root at once. If "
        "governance upholds the challenge, the proposer's bond is slashed and the false root is "
        "erased; without a verdict by the deadline, each side pays a fee. A root that counts "
        "rows no attester signed is proven wrong by anyone in one transaction, with no vote.",
    ),
)

_OUTCOMES = {
    "Executed": "passed and was executed",
    "Queued": "passed and waits in the timelock",
    "Succeeded": "passed and waits to be queued",
    "Defeated": "was defeated",
    "Canceled": "was cancelled",
    "Expired": "passed but expired before execution",
    "Active": "is being voted on",
    "Pending": "waits for its vote to open",
}


def _epochs_text(run: RunReport) -> str:
    numbers = [e.epoch for e in run.epochs]
    if not numbers:
        return "no epoch"
    if len(numbers) == 1:
        return f"epoch {numbers[0]}"
    return f"epochs {numbers[0]} to {numbers[-1]}"


def _who(account: str) -> str:
    return account if len(account) <= 14 else f"{account[:8]}…{account[-4:]}"


def _proposal_sentence(p: Proposal, decimals: int) -> str:
    head, _, detail = p.outcome.partition(":")
    if head == "Refused":
        outcome = "was refused before any vote" + (f" ({detail.strip()})" if detail else "")
    else:
        outcome = _OUTCOMES.get(p.outcome, f"ended {p.outcome.lower()}")
    votes = ""
    if p.votes_for or p.votes_against or p.votes_abstain:
        votes = (
            f" ({fmt_units(p.votes_for, decimals, 0)} influence for, "
            f"{fmt_units(p.votes_against, decimals, 0)} against, "
            f"{fmt_units(p.votes_abstain, decimals, 0)} abstaining)"
        )
    when = f" in epoch {p.epoch}" if p.epoch is not None else ""
    return f"“{p.description}”{when} {outcome}{votes}."


def _capped_everyone(e: EpochReport) -> bool:
    """Every rewarded account got the same amount and the budget was not all paid: the cap
    bound them all."""
    amounts = set(e.tokens_by_account().values())
    return len(amounts) == 1 and e.tokens_emitted < e.token_budget and bool(e.rewards)


def story(run: RunReport) -> list[str]:
    """The period in plain sentences, one paragraph per string."""
    s = run_stats(run)
    sym, dt, di = run.token_symbol, run.token_decimals, run.influence_decimals
    paragraphs = [
        f"This report covers {_epochs_text(run)} of {run.title}"
        + (f" on {run.network}" if run.network else "")
        + f". {s.rewarded_accounts} members earned {fmt_units(s.tokens_emitted, dt, 0)} {sym} "
        f"and {fmt_units(s.influence_emitted, di, 0)} influence for their contributions, "
        f"{fmt_pct(ratio(s.tokens_emitted, s.token_budget), 0)} of the budgets."
    ]
    for e in run.epochs:
        paid = len(e.tokens_by_account())
        line = (
            f"Epoch {e.epoch}: {paid} members earned {fmt_units(e.tokens_emitted, dt, 0)} {sym} "
            f"of a {fmt_units(e.token_budget, dt, 0)} {sym} budget."
        )
        if _capped_everyone(e):
            line += (
                " The per-account cap bound every one of them, so each got the same amount "
                "whatever its contribution, and the rest of the budget stayed unpaid."
            )
        for b in e.bonds_slashed:
            reason = f" ({b.reason})" if b.reason else ""
            if b.proven:
                line += (
                    f" Fraud proven: the proposer {_who(b.account)} published a root whose "
                    f"ledger holds rows no attester signed{reason}; anyone holding the bundle "
                    "could prove it on chain in one transaction, with no vote: the proposer's "
                    f"bond of {fmt_units(b.amount, dt, 0)} {sym} was slashed and the root banned."
                )
            else:
                line += (
                    f" Fraud caught: the proposer {_who(b.account)} published a false "
                    f"root{reason}; a guardian challenged it, governance upheld the challenge, "
                    f"the proposer's bond of {fmt_units(b.amount, dt, 0)} {sym} was slashed and "
                    "the false root erased."
                )
        for r in e.attesters_removed:
            reason = f" ({r.reason})" if r.reason else ""
            line += (
                f" Attester {_who(r.attester)} was removed by governance from epoch "
                f"{r.from_epoch} on{reason} and {fmt_units(r.influence_slashed, di, 0)} of its "
                "influence slashed; what it attested while it served stays valid."
            )
        for d in e.disputes_settled:
            line += (
                f" A challenge by {_who(d.challenger)} was never put to a vote: at its deadline "
                f"the dispute ended without a verdict, the challenger paid "
                f"{fmt_units(d.challenger_fee, dt, 0)} {sym} and the proposer "
                f"{fmt_units(d.proposer_fee, dt, 0)} {sym} (the dispute fee of each bond)."
            )
            if d.delay:
                line += (
                    f" The epoch's rewards were finalized {format_duration(d.delay)} after it ended"
                    + (f", within the bound of {format_duration(d.bound)}." if d.bound else ".")
                )
        paragraphs.append(line)
    if run.proposals:
        count = len(run.proposals)
        noun = "proposal" if count == 1 else "proposals"
        paragraphs.append(
            f"Governance: {count} {noun}. "
            + " ".join(_proposal_sentence(p, di) for p in run.proposals)
        )
    else:
        paragraphs.append("Governance: no proposal was made in this period.")
    c = s.final_influence
    if c.total:
        quorum = ""
        if c.quorum and c.nakamoto_quorum is not None:
            quorum = f"; {c.nakamoto_quorum} of them together can reach quorum"
        paragraphs.append(
            f"At the end, {c.holders} members hold influence; the largest holds "
            f"{fmt_pct(c.top1_share, 0)} of it{quorum}."
        )
    return paragraphs


def risks(run: RunReport) -> list[str]:
    """What a member should worry about, in words (empty when nothing stands out)."""
    s = run_stats(run)
    found: list[str] = []
    c = s.final_influence
    final = run.final_epoch()
    if c.quorum and c.nakamoto_quorum == 1 and final is not None:
        top = max(final.influence_balances.items(), key=lambda kv: (kv[1], kv[0]))[0]
        found.append(
            f"One member alone can reach quorum: {_who(top)} holds "
            f"{fmt_pct(c.top1_share, 0)} of all influence, the quorum is "
            f"{fmt_pct(c.quorum_share, 0)}. Only the minimum number of distinct voters stands "
            "between that member and passing proposals alone."
        )
    elif c.quorum and c.nakamoto_quorum == 2:
        found.append("Two members together can reach quorum.")
    for e in run.epochs:
        if _capped_everyone(e):
            found.append(
                f"In epoch {e.epoch} the per-account cap bound every member: contributions made "
                "no difference to pay, and a community this small needs a higher cap (and a "
                "quorum above it) to pay its whole budget."
            )
        unpaid = ratio(e.token_budget - e.tokens_emitted, e.token_budget)
        if unpaid is not None and unpaid >= UNPAID_SHARE:
            found.append(f"Epoch {e.epoch} left {fmt_pct(unpaid, 0)} of its token budget unpaid.")
    if s.rewarded_accounts > 1 and s.rewards_gini >= GINI_CONCENTRATED:
        found.append(
            f"Rewards are concentrated: the Gini coefficient of tokens earned is "
            f"{s.rewards_gini:.2f}."
        )
    if s.slashed_count:
        roots = (
            "1 false root was" if s.slashed_count == 1 else f"{s.slashed_count} false roots were"
        )
        found.append(f"{roots} published and caught: keep guardians watching every root.")
    return found
