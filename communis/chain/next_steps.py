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
    "after_attest",
    "after_build",
    "after_challenge",
    "after_claim",
    "after_deploy",
    "after_finalize",
    "after_gov",
    "after_gov_execute",
    "after_propose",
    "after_prove",
    "after_resolution",
    "after_settle",
    "after_verdict",
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


def after_deploy(attesters: int, config: Path | str = "CONFIG") -> list[NextStep]:
    """After a deployment that appointed ``attesters`` attesters (from ``config``)."""
    if not attesters:
        return [
            NextStep(
                f"ape run deploy --config {config}",
                why="once [attesters] names an attester, with the journal "
                "deployments/<chainId>.json moved aside: this deployment has none, so it can "
                "never pay anyone",
            )
        ]
    return [
        NextStep(
            "ape run attest LEDGER --epoch 0 --account ATTESTER",
            why="an attester of [attesters] signs the rows of epoch 0's ledger; then "
            "`ape run epoch build LEDGER` scores it with the policy in force",
        )
    ]


def after_attest(ledger: Path | str, epoch: int, unsigned: int) -> list[NextStep]:
    """After an attester signed rows of ``ledger``; ``unsigned``: rows no batch covers yet."""
    if unsigned:
        return [
            NextStep(
                f"ape run attest {ledger} --epoch {epoch} --account ATTESTER",
                why=f"{unsigned} rows are not signed yet: another attester signs them "
                "(--lines, --ref-prefix choose which)",
            )
        ]
    return [
        NextStep(
            f"ape run epoch build {ledger}",
            why="every row is signed: score the ledger with the policy in force",
        )
    ]


def after_build(
    epoch: int, bundle: Path, epoch_ends: int, *, ledger: Path | str | None = None
) -> list[NextStep]:
    """After building ``bundle``; ``ledger``: given for a draft, whose rows must be attested
    and built again before it can be proposed."""
    if ledger is not None:
        return [
            NextStep(
                f"ape run attest {ledger} --epoch {epoch} --account ATTESTER",
                why="a draft cannot be proposed: an appointed attester signs the rows, then "
                f"`ape run epoch build {ledger} --overwrite`",
            )
        ]
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


def after_challenge(epoch: int, deadline: int, bundle: Path | str = "BUNDLE") -> list[NextStep]:
    """After a challenge: the dispute's ``deadline`` ends the time for a verdict."""
    return [
        NextStep(
            f"ape run epoch resolve {epoch} --uphold",
            why=f"governance decides before {format_when(deadline)}; each run moves the "
            "resolution one step (--reject if the root was right)",
        ),
        NextStep(
            f"ape run epoch propose {bundle}",
            why=f"the root was discarded: epoch {epoch} can be proposed again now, with the "
            "honest bundle",
        ),
        NextStep(
            f"ape run epoch settle {epoch}",
            after=deadline,
            advance="dispute-end",
            why="without a verdict, anyone ends the dispute; each party pays the dispute fee",
        ),
    ]


_RESOLUTION = {
    # governance step done -> (extra arguments, seconds after the moment, advance target, why)
    "propose": (
        " --vote for --account MEMBER",
        1,
        "vote-start",
        "members vote (for, against or abstain; not the dispute's proposer or challenger)",
    ),
    "vote": ("", 1, "vote-end", "queues the resolution once the vote has passed"),
    "queue": ("", 0, "timelock", "executes the verdict after the timelock delay"),
}


def after_resolution(step: str, epoch: int, upheld: bool, moment: int) -> list[NextStep]:
    """After ``ape run epoch resolve`` moved a resolution proposal through ``step`` (propose,
    vote, queue): ``moment`` is its snapshot, its voting deadline or its timelock eta."""
    extra, later, advance, why = _RESOLUTION[step]
    verdict = "--uphold" if upheld else "--reject"
    steps = [
        NextStep(
            f"ape run epoch resolve {epoch} {verdict}{extra}",
            after=moment + later,
            advance=advance,
            why=why,
        )
    ]
    if step == "vote":
        steps.append(
            NextStep(
                f"ape run epoch resolve {epoch} {verdict} --vote for --account MEMBER",
                why=f"other members vote until {format_when(moment)}",
            )
        )
    return steps


def after_verdict(epoch: int, upheld: bool, bundle: Path | str = "BUNDLE") -> list[NextStep]:
    """After a dispute was decided (the resolution executed, or resolved directly)."""
    why = (
        f"the false root is banned for epoch {epoch}: propose the honest bundle"
        if upheld
        else f"the challenge was rejected: epoch {epoch}'s root may be proposed again"
    )
    return [NextStep(f"ape run epoch propose {bundle}", why=why)]


def after_settle(epoch: int, bundle: Path | str = "BUNDLE") -> list[NextStep]:
    return [
        NextStep(
            f"ape run epoch propose {bundle}",
            why=f"no verdict: epoch {epoch}'s root stays discarded and may be proposed again "
            "(a guardian who challenged it cannot challenge it again)",
        )
    ]


def after_prove(epoch: int, bundle: Path | str = "BUNDLE") -> list[NextStep]:
    return [
        NextStep(
            f"ape run epoch propose {bundle}",
            why=f"the proven root is banned for epoch {epoch}: propose the honest, attested bundle",
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
