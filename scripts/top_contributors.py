"""`ape run top_contributors --network <...> [--limit 10]`

An example of a community operator's own script: the deployed system comes from the deployment
journal through `communis.chain.system.System`, so the whole script is a few lines.
"""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from communis.chain.system import System


def top_contributors(system: System, limit: int = 10) -> list[tuple[str, int, int]]:
    """(account, tokens claimed in total, influence now) of the accounts paid the most."""
    import ape

    paid: dict[str, int] = {}
    for log in system.rewards.Claimed.range(0, ape.chain.blocks.height + 1):
        paid[log.account] = paid.get(log.account, 0) + int(log.tokens)
    best = sorted(paid, key=lambda account: (-paid[account], account))[:limit]
    return [(a, paid[a], int(system.influence.balanceOf(a))) for a in best]


@click.command(cls=ConnectedProviderCommand, short_help="List the top contributors")
@network_option()
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
def cli(ecosystem, network, provider, limit):
    system = System.load()
    symbol = system.token.symbol()
    for rank, (account, tokens, influence) in enumerate(top_contributors(system, limit), 1):
        amounts = f"{tokens / 1e18:>12,.2f} {symbol}  {influence / 1e18:>10,.2f} influence"
        click.echo(f"{rank:>3}. {account}  {amounts}")
