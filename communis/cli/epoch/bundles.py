"""``ape run epoch build`` and ``ape run epoch verify``: a ledger into a bundle with the on-chain
policy, and a bundle recomputed against the on-chain root."""

from __future__ import annotations

from pathlib import Path

import click

from communis.chain.epochs.build import build as build_epoch
from communis.chain.epochs.contract import influence_of
from communis.chain.epochs.state import epoch_end, pending_proposal
from communis.chain.epochs.verify import verify as verify_epoch
from communis.chain.next_steps import NextStep, after_build, after_propose
from communis.cli.base import CommunisCommand
from communis.cli.epoch.options import BUNDLE, FOLDER, NO_ATTESTER_CHECK, output_options
from communis.cli.epoch.output import Show, finish, say, working
from communis.cli.options import deployed, rewards_option
from communis.engine.checks import epoch_order_warning
from communis.engine.units import format_when


@click.command(cls=CommunisCommand)
@rewards_option
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=FOLDER, default=None)
@click.option("--previous", type=FOLDER, default=None)
@click.option("--overwrite", is_flag=True)
@click.option(
    "--draft",
    is_flag=True,
    help="Build even if rows are not attested (a look at the numbers: it cannot be proposed)",
)
@NO_ATTESTER_CHECK
@output_options
def build(
    rewards_address: str | None,
    ledger: Path,
    out: Path | None,
    previous: Path | None,
    overwrite: bool,
    draft: bool,
    unchecked: bool,
    raw: bool,
    as_json: bool,
) -> None:
    """Score LEDGER with the policy in force into an epoch bundle. Every row must be signed by
    an attester the AttesterRegistry accepts (ape run attest), unless --draft."""
    import ape

    rewards = deployed(rewards_address).rewards
    show = Show.read(rewards, raw)
    out = out or Path("epochs") / str(ape.chain.chain_id)
    with working(f"{ledger}: building", as_json) as progress:
        result = build_epoch(
            rewards,
            ledger,
            out,
            previous=previous,
            overwrite=overwrite,
            draft=draft,
            check_attesters=not unchecked,
            progress=progress,
        )
    bundle = out / str(result.epoch)
    warnings = result.scores.warnings(result.policy.account_cap_bps)
    order = epoch_order_warning(result.epoch, int(rewards.nextEpoch()), show.epoch)
    warnings += [order] if order else []
    ends = epoch_end(influence_of(rewards), result.epoch)
    steps = after_build(result.epoch, bundle, ends, ledger=None if result.attested else ledger)
    emitted = result.totals().epoch_totals
    if as_json:
        summary = {
            "epoch": result.epoch,
            "bundle": str(bundle),
            "root": result.root,
            "rows": result.ledger.rows,
            "accounts": len(result.tree),
            "tokens": str(emitted.tokens),
            "influence": str(emitted.influence),
            "attested": result.attested,
            "ledgerRoot": result.ledger_root,
            "warnings": warnings,
        }
        finish(show, True, [], steps, **summary)
        return
    say(
        f"epoch {result.epoch}: {result.ledger.rows} rows, {len(result.tree)} accounts, "
        f"{show.tokens(emitted.tokens)} and {show.influence(emitted.influence)}; root "
        f"{result.root}"
    )
    signed = (
        f"every row attested, ledger root {result.ledger_root}"
        if result.attested
        else "DRAFT: not every row is attested, it cannot be proposed"
    )
    say(f"bundle: {bundle} ({signed})")
    for warning in warnings:
        say(f"warning: {warning}")
    finish(show, False, [], steps)


@click.command(cls=CommunisCommand)
@rewards_option
@click.argument("bundle", type=BUNDLE)
@click.option("--previous", type=FOLDER, default=None)
@click.option(
    "--from-block", type=int, default=0, help="Search the proposal's event from this block"
)
@output_options
def verify(
    rewards_address: str | None,
    bundle: Path,
    previous: Path | None,
    from_block: int,
    raw: bool,
    as_json: bool,
) -> None:
    """Recompute BUNDLE and compare it with the on-chain root; exit 1 naming bad accounts."""
    rewards = deployed(rewards_address).rewards
    show = Show.read(rewards, raw)
    with working(f"recomputing {bundle}", as_json):
        result = verify_epoch(rewards, bundle, previous=previous, from_block=from_block)
    pending = pending_proposal(rewards)
    steps: list[NextStep] = []
    if pending is not None and pending.epoch == result.epoch:
        if result.ok:
            steps = after_propose(result.epoch, pending.challenge_deadline)[:1]
        else:
            steps = [
                NextStep(
                    f"ape run epoch prove {bundle}",
                    why="if a batch in it was not signed by an attester: rejected with no vote",
                ),
                NextStep(
                    f"ape run epoch challenge {result.epoch} --evidence URI --account GUARDIAN",
                    why=f"a guardian, before {format_when(pending.challenge_deadline)}",
                ),
            ]
    if as_json:
        finish(
            show,
            True,
            [],
            steps,
            epoch=result.epoch,
            ok=result.ok,
            root=result.root,
            recomputed=result.expected_root,
            problems=list(result.problems),
            differences=[{"account": d.account, "kind": d.kind} for d in result.differences],
        )
        raise SystemExit(0 if result.ok else 1)
    say(f"epoch {result.epoch}: on-chain root {result.root}")
    say(f"recomputed root:      {result.expected_root}")
    if result.ok:
        say("OK: the on-chain root is the recomputed one")
    else:
        for problem in result.problems:
            say(f"MISMATCH {problem}")
        for diff in result.differences:
            say(f"differing account: {diff.account} ({diff.kind})")
    finish(show, False, [], steps)
    if not result.ok:
        raise SystemExit(1)
