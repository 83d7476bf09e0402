"""`ape run deploy --network <ecosystem:network:provider> [--account <alias>]`

Deploys Communis with the parameters of config/deploy.toml, journaling every step in
deployments/<chainId>.json; rerun it to resume a deployment that was interrupted.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from communis.chain.accounts import AccountError, is_local, load_account
from communis.deploy.config import ConfigError, check_for_chain, load
from communis.deploy.deployer import Deployer, DeployError, default_journal_dir, plan_time
from communis.deploy.journal import Journal, JournalError
from communis.deploy.plan import build_plan


@click.command(cls=ConnectedProviderCommand, short_help="Deploy Communis (resumable)")
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias (TEST::0 on local)")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config/deploy.toml"),
    show_default=True,
)
@click.option(
    "--deployments",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="journal folder [default: deployments/]",
)
def cli(ecosystem, network, provider, alias, config_path, deployments):
    import ape

    from communis.deploy.console import print_journal, step_progress

    try:
        config = load(config_path)
        chain_id = ape.chain.chain_id
        account = load_account(alias, chain_id)
        check_for_chain(config, live=not is_local(chain_id), deployer=account.address)
        journal = Journal.open(deployments or default_journal_dir(ape.project), chain_id)
        journal.config["path"] = str(config_path)
        plan = build_plan(config, now=plan_time(journal, ape.chain.blocks.head.timestamp))
        click.echo(f"Deploying Communis to chain {chain_id} from {account.address}")
        with step_progress(len(plan)) as on_step:
            deployer = Deployer(ape.project, account, journal, on_step=on_step)
            deployer.run(plan, config_sha256=config.sha256)
    except (ConfigError, AccountError, JournalError, DeployError) as err:
        raise click.ClickException(str(err)) from None
    print_journal(journal)
