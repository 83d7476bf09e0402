"""``ape run epoch watch``: follow the chain as a guardian (see :mod:`communis.chain.watch`)."""

from __future__ import annotations

from pathlib import Path

import click

from communis.cli.base import CommunisCommand
from communis.cli.epoch.options import FOLDER, FROM_BLOCK
from communis.cli.options import account_option, deployed, rewards_option, signer
from communis.engine.units import parse_duration


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@click.option(
    "--bundles",
    type=FOLDER,
    default=None,
    help="Local bundle copies: <epoch>/, <CID>/, <CID>.car [default: epochs/<chainId>]",
)
@click.option("--poll", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option("--finalize/--no-finalize", default=True, show_default=True)
@click.option("--settle/--no-settle", default=True, show_default=True)
@click.option(
    "--unavailable-margin",
    default="1h",
    show_default=True,
    help="Challenge a root whose bundle is still unavailable this long before its window "
    "closes (0: never)",
)
@FROM_BLOCK
def watch(
    rewards_address: str | None,
    alias: str | None,
    bundles: Path | None,
    poll: float,
    finalize: bool,
    settle: bool,
    unavailable_margin: str,
    from_block: int,
) -> None:
    """Follow the chain as a guardian until Ctrl-C or SIGTERM: verify each proposed root,
    prove an unattested batch or challenge a wrong root before its window closes; as a keeper,
    finalize verified roots after their window and settle disputes after their deadline."""
    import ape

    from communis.chain.watch.watcher import WatchOptions, watch

    account = signer(alias)  # refused before anything else on a live chain with a test key
    rewards = deployed(rewards_address).rewards
    options = WatchOptions(
        bundles=bundles or Path("epochs") / str(ape.chain.chain_id),
        poll=poll,
        finalize=finalize,
        settle=settle,
        unavailable_margin=parse_duration(unavailable_margin),
        from_block=from_block,
    )
    watch(rewards, account, options, log=click.echo)
