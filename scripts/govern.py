"""`ape run govern <subcommand> --network <choice> [--account <alias>] [--governor 0x...]`

Propose, vote, queue, execute and inspect InfluenceGovernor proposals. Addresses come from the
deployment journal (deployments/<chainId>.json) unless --governor is given. Every subcommand
prints the proposal's state and the numbers behind it (for, against, abstain, quorum, deadline,
eta). The logic lives in communis.chain.governance; this file only parses the command line.

    ape run govern propose set-parameter InfluenceGovernor setProposalThreshold 20e18 -d "..."
    ape run govern propose grant-guardian 0xabc... -d "Appoint Carol"
    ape run govern propose raw --target 0x... --value 0 --calldata 0x... -d "..."
    ape run govern vote 1234... for --reason "good idea"
    ape run govern queue 1234... ; ape run govern execute 1234... ; ape run govern status 1234...
    ape run govern cancel 1234... --account guardian   (the proposal guardian, even while queued)
"""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from communis.chain.accounts import AccountError, load_account
from communis.chain.governance import SUPPORT, Governance, GovernanceError


def _connect(governor: str | None) -> Governance:
    return Governance.connect(governor)


def _account(alias: str | None):
    import ape

    return load_account(alias, ape.chain.chain_id)


def _show(gov: Governance, proposal_id: int) -> None:
    click.echo(gov.status(proposal_id).render())


def common(function):
    """Options every subcommand takes."""
    function = click.option(
        "--governor", default=None, help="InfluenceGovernor address [default: from the journal]"
    )(function)
    function = click.option(
        "--account", "alias", default=None, help="ape account alias (TEST::n on local chains)"
    )(function)
    function = network_option()(function)
    return function


def run(step):
    """Turn the module's errors into clean CLI errors."""
    try:
        return step()
    except (GovernanceError, AccountError) as err:
        raise click.ClickException(str(err)) from None


@click.group(short_help="Propose, vote, queue, execute and inspect proposals")
def cli():
    """Governance of Communis through InfluenceGovernor and the timelock."""


@cli.group()
def propose():
    """Submit a proposal (one action per command)."""


def _submit(governor, alias, actions_of, description):
    def step():
        gov = _connect(governor)
        actions = actions_of(gov)
        account = _account(alias)
        for action in actions:
            click.echo(f"action: {action.label}")
        proposal_id = gov.propose(actions, description, sender=account)
        click.echo(f"proposed by {account.address}")
        _show(gov, proposal_id)

    run(step)


description_option = click.option(
    "-d", "--description", required=True, help="What the proposal does and why"
)


@propose.command("raw", cls=ConnectedProviderCommand)
@common
@description_option
@click.option("--target", "targets", multiple=True, required=True, help="repeatable")
@click.option("--value", "values", multiple=True, type=int, help="wei, repeatable [default: 0]")
@click.option("--calldata", "calldatas", multiple=True, required=True, help="0x hex, repeatable")
def propose_raw(
    ecosystem, network, provider, governor, alias, description, targets, values, calldatas
):
    """Targets, values and calldata as given."""
    if len(calldatas) != len(targets) or (values and len(values) != len(targets)):
        raise click.BadParameter("give as many --calldata (and --value, if any) as --target")
    values = values or (0,) * len(targets)
    _submit(
        governor,
        alias,
        lambda gov: [
            Governance.raw(t, v, c) for t, v, c in zip(targets, values, calldatas, strict=True)
        ],
        description,
    )


@propose.command("set-parameter", cls=ConnectedProviderCommand)
@common
@description_option
@click.argument("contract")
@click.argument("function")
@click.argument("args", nargs=-1)
def propose_set_parameter(
    ecosystem, network, provider, governor, alias, description, contract, function, args
):
    """Call CONTRACT.FUNCTION(ARGS...): CONTRACT is a journal name (InfluenceGovernor,
    GuardianRegistry, Influence, CommunityToken, ...) or ContractType@0xaddress."""
    _submit(
        governor,
        alias,
        lambda gov: [gov.set_parameter(contract, function, list(args))],
        description,
    )


@propose.command("grant-guardian", cls=ConnectedProviderCommand)
@common
@description_option
@click.argument("account")
def propose_grant_guardian(ecosystem, network, provider, governor, alias, description, account):
    """Make ACCOUNT a guardian (GuardianRegistry.grantGuardian)."""
    _submit(governor, alias, lambda gov: [gov.grant_guardian(account)], description)


@propose.command("revoke-guardian", cls=ConnectedProviderCommand)
@common
@description_option
@click.argument("account")
def propose_revoke_guardian(ecosystem, network, provider, governor, alias, description, account):
    """Remove ACCOUNT from the guardians (GuardianRegistry.revokeGuardian)."""
    _submit(governor, alias, lambda gov: [gov.revoke_guardian(account)], description)


@cli.command(cls=ConnectedProviderCommand)
@common
@click.argument("proposal_id", type=int)
@click.argument("support", type=click.Choice(list(SUPPORT), case_sensitive=False))
@click.option("--reason", default="", help="Reason recorded with the vote")
def vote(ecosystem, network, provider, governor, alias, proposal_id, support, reason):
    """Vote for, against or abstain on PROPOSAL_ID."""

    def step():
        gov = _connect(governor)
        account = _account(alias)
        weight = gov.vote(proposal_id, support, sender=account, reason=reason)
        click.echo(f"{account.address} voted {support} with weight {weight}")
        _show(gov, proposal_id)

    run(step)


@cli.command(cls=ConnectedProviderCommand)
@common
@click.argument("proposal_id", type=int)
def queue(ecosystem, network, provider, governor, alias, proposal_id):
    """Queue a succeeded PROPOSAL_ID in the timelock."""

    def step():
        gov = _connect(governor)
        gov.queue(proposal_id, sender=_account(alias))
        _show(gov, proposal_id)

    run(step)


@cli.command(cls=ConnectedProviderCommand)
@common
@click.argument("proposal_id", type=int)
def execute(ecosystem, network, provider, governor, alias, proposal_id):
    """Execute a queued PROPOSAL_ID after the timelock delay."""

    def step():
        gov = _connect(governor)
        gov.execute(proposal_id, sender=_account(alias))
        _show(gov, proposal_id)

    run(step)


@cli.command(cls=ConnectedProviderCommand)
@common
@click.argument("proposal_id", type=int)
def cancel(ecosystem, network, provider, governor, alias, proposal_id):
    """Cancel PROPOSAL_ID (the proposal guardian, even while queued; the proposer while pending)."""

    def step():
        gov = _connect(governor)
        gov.cancel(proposal_id, sender=_account(alias))
        _show(gov, proposal_id)

    run(step)


@cli.command(cls=ConnectedProviderCommand)
@common
@click.argument("proposal_id", type=int, required=False)
def status(ecosystem, network, provider, governor, alias, proposal_id):
    """State and numbers of PROPOSAL_ID (every proposal when omitted)."""

    def step():
        gov = _connect(governor)
        ids = [proposal_id] if proposal_id is not None else list(gov.proposals())
        if not ids:
            click.echo("no proposals yet")
        for index, current in enumerate(ids):
            if index:
                click.echo("")
            _show(gov, current)

    run(step)
