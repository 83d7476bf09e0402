"""``ape run chain <command> --network <choice>``: the local chain itself.

  advance DURATION           move a local chain's clock forward (2d, 12h, 1w, 1d12h)
  advance --to MOMENT        ... to epoch-end, window-end, dispute-end, vote-start, vote-end
                             or timelock
  report BUNDLES... --out D  the HTML and PNG report of one's own community (bundles + events)

Time travel works on local chains only (chain id 1337 or 31337) and is refused elsewhere. The
logic lives in :mod:`communis.chain.clock` and :mod:`communis.chain.history`.
"""

from __future__ import annotations

from dataclasses import replace as dataclass_replace
from pathlib import Path

import click

from communis.chain.clock import TARGETS, advance_by, advance_to
from communis.cli.base import CommunisGroup
from communis.cli.options import governor_option
from communis.engine.units import format_duration, format_when, parse_duration
from communis.errors import CommunisError


@click.group(cls=CommunisGroup, short_help="The chain itself: move a local chain's clock")
def cli() -> None:
    """The chain itself (see `ape run chain <command> --help`)."""


@cli.command()
@click.argument("duration", required=False)
@click.option("--to", "target", type=click.Choice(TARGETS), default=None, help="a moment")
@click.option("--proposal", default=None, help="for vote-start/vote-end/timelock [default: newest]")
@governor_option
def advance(
    duration: str | None, target: str | None, proposal: str | None, governor_address: str | None
) -> None:
    """Move a local chain's clock forward by DURATION, or --to a moment, and mine a block."""
    import ape

    from communis.chain.governance import Governance
    from communis.chain.system import System

    if (duration is None) == (target is None):
        raise click.UsageError("give either a DURATION (e.g. 2d) or --to MOMENT")
    if duration is not None:
        moved = advance_by(parse_duration(duration))
    else:
        system = System.load()
        gov = (
            Governance.connect(governor_address)
            if target in ("vote-start", "vote-end", "timelock")
            else None
        )
        moved = advance_to(system, gov, target or "", proposal)
    epoch = ""
    try:
        influence = System.load().influence
        epoch = f"; epoch {int(influence.epochAt(moved.after))} running"
    except CommunisError:  # nothing deployed yet: the time alone is the answer
        pass
    click.echo(
        f"chain time: {format_when(moved.after)} (+{format_duration(moved.seconds)}, "
        f"block {moved.block}, chain {ape.chain.chain_id}): {moved.reason}{epoch}"
    )


@cli.command()
@click.argument("bundles", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="folder"
)
@click.option("--title", default="Our community", show_default=True)
def report(bundles: tuple[Path, ...], out: Path, title: str) -> None:
    """The HTML and PNG report of BUNDLES (bundle folders or folders of them; default:
    epochs/<chainId>/), with the chain's proposals, slashed bonds, quorum and treasury."""
    import ape

    from communis.chain.history import chain_facts
    from communis.chain.system import System
    from communis.report.bundles import run_from_bundles
    from communis.report.story import risks, story
    from communis.report.writer import write_report

    system = System.load()
    facts = chain_facts(system)
    sources = list(bundles) or [Path("epochs") / str(ape.chain.chain_id)]
    run = run_from_bundles(
        sources,
        title=title,
        network=ape.chain.provider.network_choice,
        quorum_percent=facts.quorum_percent,
        proposals=facts.proposals,
        slashed=facts.slashed,
        token_symbol=str(system.token.symbol()),
    )
    if facts.treasury_epoch is not None and run.epochs:
        last = run.epochs[-1]
        run = dataclass_replace(
            run, epochs=(*run.epochs[:-1], dataclass_replace(last, treasury_balance=facts.treasury))
        )
    paths = write_report(run, out)
    for paragraph in story(run):
        click.echo(paragraph)
    for risk in risks(run):
        click.echo(f"risk: {risk}")
    click.echo(f"report: {paths.html} ({len(paths.pngs())} charts)")
