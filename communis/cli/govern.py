"""``ape run govern <subcommand> --network <choice> [--account <alias>] [--governor 0x...]``

Propose, vote, queue, execute and inspect InfluenceGovernor proposals. Addresses come from the
deployment journal (deployments/<chainId>.json) unless --governor is given. Every subcommand
prints the proposal's state and the numbers behind it (for, against, abstain, quorum, deadline,
eta). The logic lives in :mod:`communis.chain.governance`; this module only parses the command
line.

    ape run govern propose set-parameter InfluenceGovernor setProposalThreshold 20e18 -d "..."
    ape run govern propose grant-guardian 0xabc... -d "Appoint Carol"
    ape run govern propose raw --target 0x... --value 0 --calldata 0x... -d "..."
    ape run govern vote 1234... for --reason "good idea"
    ape run govern queue 1234... ; ape run govern execute 1234... ; ape run govern status 1234...
    ape run govern cancel 1234... --account guardian   (the proposal guardian, even while queued)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from communis.chain.governance import SUPPORT, Action, Governance
from communis.cli.base import CommunisGroup
from communis.cli.options import account_option, description_option, governor_option, signer

F = TypeVar("F", bound=Callable[..., Any])


def common(function: F) -> F:
    """``--governor`` and ``--account``: what every subcommand takes."""
    return governor_option(account_option(function))


def _show(gov: Governance, proposal_id: int) -> None:
    click.echo(gov.status(proposal_id).render())


def _submit(
    governor_address: str | None,
    alias: str | None,
    actions_of: Callable[[Governance], list[Action]],
    description: str,
) -> None:
    gov = Governance.connect(governor_address)
    actions = actions_of(gov)
    account = signer(alias)
    for action in actions:
        click.echo(f"action: {action.label}")
    proposal_id = gov.propose(actions, description, sender=account)
    click.echo(f"proposed by {account.address}")
    _show(gov, proposal_id)


def _step(
    governor_address: str | None, proposal_id: int, step: Callable[[Governance], Any]
) -> None:
    """Do ``step`` on the proposal, then show where it stands."""
    gov = Governance.connect(governor_address)
    step(gov)
    _show(gov, proposal_id)


@click.group(cls=CommunisGroup, short_help="Propose, vote, queue, execute and inspect proposals")
def cli() -> None:
    """Governance of Communis through InfluenceGovernor and the timelock."""


@cli.group(cls=CommunisGroup)
def propose() -> None:
    """Submit a proposal (one action per command)."""


@propose.command("raw")
@common
@description_option
@click.option("--target", "targets", multiple=True, required=True, help="repeatable")
@click.option("--value", "values", multiple=True, type=int, help="wei, repeatable [default: 0]")
@click.option("--calldata", "calldatas", multiple=True, required=True, help="0x hex, repeatable")
def propose_raw(
    governor_address: str | None,
    alias: str | None,
    description: str,
    targets: tuple[str, ...],
    values: tuple[int, ...],
    calldatas: tuple[str, ...],
) -> None:
    """Targets, values and calldata as given."""
    if len(calldatas) != len(targets) or (values and len(values) != len(targets)):
        raise click.BadParameter("give as many --calldata (and --value, if any) as --target")
    values = values or (0,) * len(targets)
    calls = list(zip(targets, values, calldatas, strict=True))
    _submit(
        governor_address, alias, lambda _: [Governance.raw(*call) for call in calls], description
    )


@propose.command("set-parameter")
@common
@description_option
@click.argument("contract")
@click.argument("function")
@click.argument("args", nargs=-1)
def propose_set_parameter(
    governor_address: str | None,
    alias: str | None,
    description: str,
    contract: str,
    function: str,
    args: tuple[str, ...],
) -> None:
    """Call CONTRACT.FUNCTION(ARGS...): CONTRACT is a journal name (InfluenceGovernor,
    GuardianRegistry, Influence, CommunityToken, ...) or ContractType@0xaddress."""
    _submit(
        governor_address,
        alias,
        lambda gov: [gov.set_parameter(contract, function, list(args))],
        description,
    )


def _guardian_command(name: str, help_text: str, action: Callable[..., Action]) -> None:
    """``ape run govern propose NAME ACCOUNT``: a proposal of one GuardianRegistry call."""

    @propose.command(name, help=help_text)
    @common
    @description_option
    @click.argument("account")
    def command(
        governor_address: str | None, alias: str | None, description: str, account: str
    ) -> None:
        _submit(governor_address, alias, lambda gov: [action(gov, account)], description)


_guardian_command(
    "grant-guardian",
    "Make ACCOUNT a guardian (GuardianRegistry.grantGuardian).",
    Governance.grant_guardian,
)
_guardian_command(
    "revoke-guardian",
    "Remove ACCOUNT from the guardians (GuardianRegistry.revokeGuardian).",
    Governance.revoke_guardian,
)


@cli.command()
@common
@click.argument("proposal_id", type=int)
@click.argument("support", type=click.Choice(list(SUPPORT), case_sensitive=False))
@click.option("--reason", default="", help="Reason recorded with the vote")
def vote(
    governor_address: str | None, alias: str | None, proposal_id: int, support: str, reason: str
) -> None:
    """Vote for, against or abstain on PROPOSAL_ID."""

    def cast(gov: Governance) -> None:
        account = signer(alias)
        weight = gov.vote(proposal_id, support, sender=account, reason=reason)
        click.echo(f"{account.address} voted {support} with weight {weight}")

    _step(governor_address, proposal_id, cast)


_STEPS: dict[str, tuple[str, Callable[..., Any]]] = {
    "queue": ("Queue a succeeded PROPOSAL_ID in the timelock.", Governance.queue),
    "execute": ("Execute a queued PROPOSAL_ID after the timelock delay.", Governance.execute),
    "cancel": (
        "Cancel PROPOSAL_ID (the proposal guardian, even while queued; the proposer while "
        "pending).",
        Governance.cancel,
    ),
}


def _step_command(name: str, help_text: str, method: Callable[..., Any]) -> None:
    """``ape run govern NAME PROPOSAL_ID``: one ``Governance`` step on the proposal."""

    @cli.command(name, help=help_text)
    @common
    @click.argument("proposal_id", type=int)
    def command(governor_address: str | None, alias: str | None, proposal_id: int) -> None:
        _step(governor_address, proposal_id, lambda g: method(g, proposal_id, sender=signer(alias)))


for _name, (_help, _method) in _STEPS.items():
    _step_command(_name, _help, _method)


@cli.command()
@common
@click.argument("proposal_id", type=int, required=False)
def status(governor_address: str | None, alias: str | None, proposal_id: int | None) -> None:
    """State and numbers of PROPOSAL_ID (every proposal when omitted)."""
    gov = Governance.connect(governor_address)
    ids = [proposal_id] if proposal_id is not None else list(gov.proposals())
    if not ids:
        click.echo("no proposals yet")
    for index, current in enumerate(ids):
        if index:
            click.echo("")
        _show(gov, current)
