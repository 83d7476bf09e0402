"""``ape run top_contributors --network <...> [--limit 10]``

An example of a community operator's own script: the deployed system comes from the deployment
journal through :class:`communis.chain.system.System`, so the whole command is a few lines.
"""

from __future__ import annotations

import click

from communis.chain.system import System
from communis.cli.base import CommunisCommand
from communis.engine.units import format_amount


def top_contributors(system: System, limit: int = 10) -> list[tuple[str, int, int]]:
    """(account, tokens claimed in total, influence now) of the accounts paid the most."""
    import ape

    paid: dict[str, int] = {}
    for log in system.rewards.Claimed.range(0, ape.chain.blocks.height + 1):
        paid[log.account] = paid.get(log.account, 0) + int(log.tokens)
    best = sorted(paid, key=lambda account: (-paid[account], account))[:limit]
    return [(a, paid[a], int(system.influence.balanceOf(a))) for a in best]


def _whole(value: int) -> str:
    return format_amount(value, places=2, trim=False, rounding=True)


@click.command(cls=CommunisCommand, short_help="List the top contributors")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
def cli(limit: int) -> None:
    """The accounts paid the most, with their tokens and influence."""
    system = System.load()
    symbol = system.token.symbol()
    for rank, (account, tokens, influence) in enumerate(top_contributors(system, limit), 1):
        amounts = f"{_whole(tokens):>12} {symbol}  {_whole(influence):>10} influence"
        click.echo(f"{rank:>3}. {account}  {amounts}")
