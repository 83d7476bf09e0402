"""``ape run deploy --network <ecosystem:network:provider> [--account <alias>]``

Deploys Communis with the parameters of config/deploy.toml, journaling every step in
deployments/<chainId>.json; rerun it to resume a deployment that was interrupted.
"""

from __future__ import annotations

from pathlib import Path

import click

from communis.chain.accounts import is_local
from communis.chain.next_steps import after_deploy
from communis.cli.base import CommunisCommand, next_steps_text
from communis.cli.options import account_option, deployments_option, signer
from communis.deploy.config import check_for_chain, load, no_attesters_problem
from communis.deploy.deployer import Deployer, default_journal_dir, plan_time
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from communis.economics.advisor import advise, attack_table, check_accepted
from communis.economics.attacks import KEYS

CONFIG = click.Path(path_type=Path, dir_okay=False)


@click.command(cls=CommunisCommand, short_help="Deploy Communis (resumable)")
@account_option
@click.option(
    "--config", "config_path", type=CONFIG, default=Path("config/deploy.toml"), show_default=True
)
@deployments_option
@click.option(
    "--accept-risk",
    "accepted",
    multiple=True,
    type=click.Choice(KEYS),
    help="Deploy to a live chain although the advisor finds this attack profitable (repeatable).",
)
def cli(
    alias: str | None, config_path: Path, deployments: Path | None, accepted: tuple[str, ...]
) -> None:
    """Deploy (or resume deploying) the whole system, as CONFIG describes it."""
    import ape
    from rich.console import Console

    from communis.deploy.console import print_journal, step_progress

    config = load(config_path)
    chain_id = ape.chain.chain_id
    account = signer(alias)
    check_for_chain(config, live=not is_local(chain_id), deployer=account.address)
    console = Console(highlight=False, soft_wrap=True)
    findings = advise(config)
    console.print(attack_table(findings, f"Attacks at {config_path}"))
    problem = no_attesters_problem(config)  # refused above on a live chain
    if problem is not None:
        console.print(f"[yellow]warning:[/] {problem}")
    check_accepted(findings, accepted, live=not is_local(chain_id))
    journal = Journal.open(deployments or default_journal_dir(ape.project), chain_id)
    journal.config["path"] = str(config_path)
    plan = build_plan(config, now=plan_time(journal, ape.chain.blocks.head.timestamp))
    click.echo(f"Deploying Communis to chain {chain_id} from {account.address}")
    with step_progress(len(plan)) as on_step:
        Deployer(ape.project, account, journal, on_step=on_step).run(
            plan, config_sha256=config.sha256
        )
    print_journal(journal)
    click.echo(next_steps_text(after_deploy(len(config.attesters.budgets), config_path)))
