"""`ape run demo --network ethereum:local:test`: the main job of `make demo`.

Deploys Communis exactly as `ape run deploy` would (same plan, same journal) on the connected
network with a test account, then shows what was deployed and checks it.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from communis.chain.accounts import is_local, load_account
from communis.chain.deployer import Deployer, default_journal_dir
from communis.chain.plan import build_plan
from communis.chain.report import print_journal, step_printer
from communis.chain.system import System
from communis.deploy_config import load
from communis.journal import Journal


@click.command(cls=ConnectedProviderCommand, short_help="Run the Communis demo")
@network_option()
def cli(ecosystem, network, provider):
    import ape

    chain_id = ape.chain.chain_id
    if not is_local(chain_id):
        raise click.ClickException(f"the demo runs on local networks only (chain {chain_id})")
    config = load(Path("config/deploy.toml"))
    account = load_account(None, chain_id)
    journal = Journal.open(default_journal_dir(ape.project), chain_id)
    click.echo(f"1. Deploying Communis to chain {chain_id} from {account.address}")
    plan = build_plan(config, now=ape.chain.blocks.head.timestamp)
    Deployer(ape.project, account, journal, on_step=step_printer()).run(plan)
    print_journal(journal)

    system = System.load()
    token = system.token
    supply = token.totalSupply()
    click.echo(
        f"CommunityToken {token.symbol()}: supply {supply / 10**18:,.0f} "
        f"of cap {token.cap() / 10**18:,.0f}"
    )
    if token.balanceOf(system.get("CommunisTimelock")) != config.token.genesis_supply:
        raise click.ClickException("deployed token does not match config/deploy.toml")
    click.echo("demo: all steps did what they claimed")
