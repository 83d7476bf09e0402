"""What to do next, and when: the line every epoch and govern command ends with.

A command that moved the epoch game or a proposal one step prints where it goes from there::

    next: after 2026-12-09 14:00 UTC (in 2d 0h) run `ape run epoch finalize 0 --network ...`
          (on this local chain, `ape run chain advance --to window-end` gets there now)

:class:`NextStep` is that line as a record; the functions below build the one of each step, so
the ``ape run epoch`` and ``ape run govern`` commands say the same thing the same way. Nothing
here talks to a chain: the callers pass the deadlines they read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from communis.engine.units import format_duration, format_when

__all__ = [
    "NextStep",
    "after_build",
    "after_challenge",
    "after_claim",
    "after_deploy",
    "after_finalize",
    "after_gov",
    "after_gov_execute",
    "after_propose",
    "render_steps",
    "reset_message",
]


@dataclass(frozen=True)
class NextStep:
    """One thing to do next: ``command`` (without ``--network``), from ``after`` (a timestamp;
    None: now), reached on a local chain with ``ape run chain advance --to <advance>``."""

    command: str
    after: int | None = None
    advance: str | None = None
    why: str = ""

    def render(self, *, now: int, network: str | None = None, local: bool = False) -> str:
        command = f"{self.command} --network {network}" if network else self.command
        why = f" ({self.why})" if self.why else ""
        if self.after is None or self.after <= now:
            return f"next: run `{command}`{why}"
        wait = f"after {format_when(self.after)} (in {format_duration(self.after - now)})"
        line = f"next: {wait} run `{command}`{why}"
        if local and self.advance:
            advance = f"ape run chain advance --to {self.advance}"
            if network:
                advance += f" --network {network}"
            line += f"\n      (on this local chain, `{advance}` gets there now)"
        return line


def render_steps(
    steps: Sequence[NextStep], *, now: int, network: str | None = None, local: bool = False
) -> str:
    """Several alternatives, one per line (the first is the usual one)."""
    lines = [s.render(now=now, network=network, local=local) for s in steps]
    return "\n".join(lines[:1] + [line.replace("next:", "  or:", 1) for line in lines[1:]])


# ------------------------------------------------------------------------------ epochs


def after_deploy() -> list[NextStep]:
    return [
        NextStep(
            "ape run epoch build LEDGER",
            why="score the first epoch's ledger with the policy in force",
        )
    ]


def after_build(epoch: int, bundle: Path, epoch_ends: int) -> list[NextStep]:
    return [
        NextStep(
            f"ape run epoch propose {bundle}",
            after=epoch_ends,
            advance="epoch-end",
            why=f"epoch {epoch} must have ended",
        )
    ]


def after_propose(epoch: int, window_closes: int) -> list[NextStep]:
    return [
        NextStep(
            f"ape run epoch finalize {epoch}",
            after=window_closes,
            advance="window-end",
            why="when nobody challenged it",
        ),
        NextStep(
            f"ape run epoch challenge {epoch} --account GUARDIAN",
            why=f"a guardian, before {format_when(window_closes)}, if the root is wrong",
        ),
    ]


def after_challenge(epoch: int) -> list[NextStep]:
    return [
        NextStep(
            f"ape run epoch resolve {epoch} --uphold",
            why="governance decides; each run moves the resolution one step (or --reject)",
        )
    ]


def after_finalize(epoch: int, bundle: Path | str = "BUNDLE") -> list[NextStep]:
    return [
        NextStep(
            f"ape run epoch claim {bundle}",
            why=f"pays everyone epoch {epoch} owes, in batches (--for ACCOUNT: one account)",
        )
    ]


def after_claim() -> list[NextStep]:
    return [NextStep("ape run status ACCOUNT", why="tokens, influence, votes and delegate")]


# ------------------------------------------------------------------------------ governance


_GOVERN = {
    # step done -> (next command, seconds after the moment, advance target, why)
    "propose": ("vote {ref} for", 1, "vote-start", "for, against or abstain"),
    "vote": (
        "queue {ref}",
        1,
        "vote-end",
        "once voting has ended with quorum and more for than against",
    ),
    "queue": ("execute {ref}", 0, "timelock", "anyone may execute after the timelock delay"),
}


def after_gov(step: str, ref: str, moment: int) -> list[NextStep]:
    """After ``ape run govern <step>`` of proposal ``ref``: ``moment`` is the proposal's
    snapshot (propose), its voting deadline (vote) or its timelock eta (queue)."""
    command, later, advance, why = _GOVERN[step]
    return [
        NextStep(
            f"ape run govern {command.format(ref=ref)}",
            after=moment + later,
            advance=advance,
            why=why,
        )
    ]


def after_gov_execute() -> list[NextStep]:
    return [NextStep("ape run epoch status", why="the policy and parameters now in force")]


# ------------------------------------------------------------------------------ reset chains


def reset_message(journal: Path, chain_id: int, missing: Sequence[str]) -> str:
    """What to say when the journal's contracts have no code on the chain it names."""
    moved = journal.with_name(f"{journal.stem}.reset{journal.suffix}")
    return (
        f"this chain was reset ({journal} lists {', '.join(missing)}, but chain {chain_id} has "
        "no code at their addresses: a node restarted without its state, or another node): use "
        "`make node` to restart the node that kept its state in .node/, or start afresh with "
        f"`mv {journal} {moved}` and `ape run deploy`"
    )
