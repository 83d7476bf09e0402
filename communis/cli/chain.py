"""``ape run chain <command> --network <choice>``: the local chain itself.

  advance DURATION           move a local chain's clock forward (2d, 12h, 1w, 1d12h)
  advance --to MOMENT        ... to epoch-end, window-end, vote-start, vote-end or timelock
  report BUNDLES... --out D  the HTML and PNG report of one's own community (bundles + events)

Time travel works on local chains only (chain id 1337 or 31337) and is refused elsewhere. The
logic lives in :mod:`communis.chain.clock` and :mod:`communis.chain.history`.
"""

from __future__ import annotations

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
