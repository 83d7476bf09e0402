"""How the epoch commands show what they did: amounts and times for people (or raw), one line per
transaction sent, and the next steps."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from communis.chain.epochs.contract import Sent, influence_of
from communis.chain.governance.proposals import short_id
from communis.chain.next_steps import NextStep
from communis.cli.base import next_steps_text
from communis.cli.epoch.options import VOTES
from communis.engine.growth import to_influence
from communis.engine.units import format_duration, format_influence, format_tokens, format_when

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


console = Console(highlight=False, soft_wrap=True)  # soft_wrap: lines never break mid-sentence


@dataclass(frozen=True)
class Show:
    """How amounts and times are shown: for people, or (``raw``) as the contracts hold them.
    Stored influence is shown as influence at ``epoch`` (the epoch running now)."""

    raw: bool
    now: int
    epoch: int
    half_life: int

    @classmethod
    def read(cls, rewards: ContractInstance, raw: bool) -> Show:
        import ape

        influence = influence_of(rewards)
        now = int(ape.chain.blocks.head.timestamp)
        return cls(raw, now, int(influence.epochAt(now)), int(influence.halfLife()))

    def tokens(self, value: int) -> str:
        return f"{value} token units" if self.raw else format_tokens(value)

    def influence(self, value: int) -> str:
        """Plain influence (a budget, an epoch's emission)."""
        return f"{value} influence units" if self.raw else format_influence(value)

    def stored(self, value: int) -> str:
        """Stored (growth-scaled) influence, as influence now."""
        if self.raw:
            return f"{value} stored influence units"
        return format_influence(to_influence(value, self.epoch, self.half_life)) + " now"

    def when(self, timestamp: int) -> str:
        return str(timestamp) if self.raw else format_when(timestamp, now=self.now)

    def duration(self, seconds: int) -> str:
        return f"{seconds} s" if self.raw else format_duration(seconds)

    def bps(self, bps: int) -> str:
        return f"{bps} bps" if self.raw else f"{bps / 100:g}%"


def say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def covering(first: int, last: int) -> str:
    return f"epochs {first} to {last}" if first < last else f"epoch {last}"


def describe(sent: Sent, show: Show) -> str:
    """One line for a transaction sent: what it did, in the units people read."""
    d = sent.details
    action = sent.action
    if action == "approve":
        what = f"{show.tokens(d['amount'])} for ContributionRewards to take as the bond"
    elif action == "proposeRoot":
        what = (
            f"root {d['root']} for {covering(d['first_epoch'], d['epoch'])}, cumulative "
            f"{show.tokens(d['cumulative_tokens'])} and "
            f"{show.stored(d['cumulative_influence_stored'])}; bond {show.tokens(d['bond'])}; "
            f"challenge window closes {show.when(d['challenge_deadline'])}"
        )
    elif action == "challenge":
        evidence = f"; evidence {d['evidence']}" if d.get("evidence") else ""
        what = (
            f"root {d['root']} of epoch {d['epoch']} discarded into a dispute, bond "
            f"{show.tokens(d['bond'])}; a verdict is due before "
            f"{show.when(d['dispute_deadline'])}{evidence}"
        )
    elif action == "finalize":
        what = (
            f"{covering(d['first_epoch'], d['epoch'])} finalized with root {d['root']}; the "
            f"proposer's bond of {show.tokens(d['bond_returned'])} is back"
        )
    elif action == "settleDispute":
        what = (
            f"epoch {d['epoch']}'s dispute over root {d['root']} ended without a verdict: "
            f"{show.tokens(d['to_proposer'])} back to the proposer, "
            f"{show.tokens(d['to_challenger'])} to the challenger, "
            f"{show.tokens(d['to_treasury'])} in fees to the treasury"
        )
    elif action == "proveUnattestedBatch":
        judged = {"NOT_ATTESTER": "no attester signed", "BAD_SIGNATURE": "badly signed"}
        reward = (
            f"you receive {show.tokens(d['reward'])}"
            if d["reward"]
            else "the challenger gets its bond back and the reward"
        )
        what = (
            f"{d['attester']}'s batch for epoch {d['epoch']} (attestations line "
            f"{d['attestations_line']}): {judged.get(d['status'], d['status'])}; root {d['root']} "
            f"rejected and banned, the proposer's bond slashed, {reward}"
        )
    elif action in ("resolveDispute", "governor.execute"):
        verdict = (
            "upheld: the root is banned and the proposer's bond slashed"
            if d["upheld"]
            else "rejected: the proposer's bond is back, the challenger's goes to the treasury"
        )
        what = f"the challenge of epoch {d['epoch']} is {verdict}"
    elif action == "governor.propose":
        what = (
            f"resolution proposal {short_id(d['proposal_id'])} created; voting starts after "
            f"{show.when(d['snapshot'])}"
        )
    elif action == "governor.castVote":
        what = (
            f"voted {VOTES[d['support']]} on resolution proposal {short_id(d['proposal_id'])}; "
            f"voting ends {show.when(d['voting_deadline'])}"
        )
    elif action == "governor.queue":
        what = (
            f"resolution proposal {short_id(d['proposal_id'])} queued; executable from "
            f"{show.when(d['eta'])}"
        )
    elif action == "claim":
        what = (
            f"{show.tokens(d['tokens'])} and {show.stored(d['influence_stored'])} to {d['account']}"
        )
    elif action == "claimMany":
        what = (
            f"{d['accounts']} accounts paid {show.tokens(d['tokens'])} and "
            f"{show.stored(d['influence_stored'])}"
        )
    else:
        what = ", ".join(f"{k}={v}" for k, v in d.items())
    return f"sent {action}: {what}  (tx {sent.tx_hash}, gas {sent.gas_used:,})"


def finish(
    show: Show,
    as_json: bool,
    items: Sequence[Sent | str],
    steps: Sequence[NextStep] = (),
    **extra: Any,
) -> None:
    """Print what a command did and what comes next (``--json``: one JSON object)."""
    if as_json:
        record = {
            **extra,
            "sent": [item.to_json() for item in items if isinstance(item, Sent)],
            "waiting": [item for item in items if isinstance(item, str)],
            "next": [
                {"command": s.command, "after": s.after, "why": s.why, "advance": s.advance}
                for s in steps
            ],
        }
        click.echo(json.dumps(record, indent=2))
        return
    for item in items:
        say(describe(item, show) if isinstance(item, Sent) else f"waiting: {item}")
    if steps:
        say(next_steps_text(steps))


@contextmanager
def working(text: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A spinner saying what is being done (none when ``quiet``: JSON output); yields a
    function that updates its text."""
    if quiet:
        yield lambda _: None
        return
    with console.status(text) as spinner:
        yield lambda step: spinner.update(f"{text}: {step}")


def bundle_of(epoch: int) -> str:
    """The default bundle folder of ``epoch`` (``build``'s), if it exists; else BUNDLE."""
    import ape

    folder = Path("epochs") / str(ape.chain.chain_id) / str(epoch)
    return str(folder) if (folder / "totals.json").is_file() else "BUNDLE"
