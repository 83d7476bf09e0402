"""``ape run govern <subcommand> --network <choice> [--account <alias>] [--governor 0x...]``

Propose, vote, queue, execute and inspect InfluenceGovernor proposals. Addresses come from the
deployment journal (deployments/<chainId>.json) unless --governor is given. Every subcommand
prints the proposal's state and the numbers behind it (for, against, abstain, quorum, deadline,
eta), then what to do next and when. The logic lives in :mod:`communis.chain.governance`; this
module only parses the command line.

    ape run govern propose set-policy --curator-weight 6 -d "Raise the curators' weight"
    ape run govern propose set-parameter InfluenceGovernor setProposalThreshold 20e18 -d "..."
    ape run govern propose grant-guardian TEST::3 -d "Appoint account 3"
    ape run govern propose raw --target GuardianRegistry --calldata 0x... -d "..."
    ape run govern vote "Raise the curators' weight" for --reason "good idea"
    ape run govern queue a1b2c3d4 ; ape run govern execute a1b2c3d4 ; ape run govern status
    ape run govern cancel a1b2c3d4 --account guardian   (the proposal guardian, even while queued)

A proposal is named by its short id (``status`` shows it), its full id, or its description.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from communis.chain.governance import (
    SUPPORT,
    Action,
    Governance,
    policy_options,
    short_id,
)
from communis.chain.next_steps import NextStep, after_gov, after_gov_execute
from communis.cli.base import CommunisGroup, next_steps_text
from communis.cli.options import account_option, description_option, governor_option, signer
from communis.engine.units import format_influence

F = TypeVar("F", bound=Callable[..., Any])
PROPOSAL = click.argument("proposal")


def common(function: F) -> F:
    """``--governor`` and ``--account``: what every subcommand takes."""
    return governor_option(account_option(function))


def _show(gov: Governance, proposal_id: int, *, raw: bool = False) -> None:
    click.echo(gov.status(proposal_id).render(raw=raw))


def _next(steps: Sequence[NextStep]) -> None:
    """The ``next:`` line(s), with this command's network and the chain's time."""
    click.echo(next_steps_text(steps))


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
    snapshot = int(gov.governor.proposalSnapshot(proposal_id))
    _next(after_gov("propose", short_id(proposal_id), snapshot))


@click.group(cls=CommunisGroup, short_help="Propose, vote, queue, execute and inspect proposals")
def cli() -> None:
    """Governance of Communis through InfluenceGovernor and the timelock."""


@cli.group(cls=CommunisGroup)
def propose() -> None:
    """Submit a proposal (one action per command)."""


@propose.command("raw")
@common
@description_option
@click.option(
    "--target", "targets", multiple=True, required=True, help="address or contract name, repeatable"
)
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
    """Targets (addresses or contract names such as GuardianRegistry), values and calldata."""
    if len(calldatas) != len(targets) or (values and len(values) != len(targets)):
        raise click.BadParameter("give as many --calldata (and --value, if any) as --target")
    values = values or (0,) * len(targets)
    calls = list(zip(targets, values, calldatas, strict=True))
    _submit(governor_address, alias, lambda gov: [gov.raw(*call) for call in calls], description)


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
    GuardianRegistry, Influence, CommunityToken, ...) or ContractType@0xaddress; an address
    argument may be a contract name or an account alias too."""
    _submit(
        governor_address,
        alias,
        lambda gov: [gov.set_parameter(contract, function, list(args))],
        description,
    )


_POLICY_HELP = {
    "amount": "whole tokens (or influence), e.g. 100000",
    "duration": "e.g. 2d, 12h, 1w",
    "bps": "basis points (500 = 5%)",
    "bool": "true or false",
    "int": "a whole number",
}


def _policy_options(function: F) -> F:
    """One ``--<field>`` option per policy field (``--curator-weight``, ``--token-budget``, ...)."""
    for option, (kind, _, _) in reversed(policy_options().items()):
        function = click.option(
            f"--{option}",
            f"policy__{option.replace('-', '_')}",
            default=None,
            metavar="VALUE",
            help=_POLICY_HELP[kind],
        )(function)
    return function


@propose.command("set-policy")
@common
@description_option
@_policy_options
def propose_set_policy(
    governor_address: str | None, alias: str | None, description: str, **fields: str | None
) -> None:
    """Change the reward policy: start from the policy in force and change only the fields
    given (amounts in whole tokens, durations such as 2d). Shows what changes; refuses a policy
    under which one account alone could reach quorum."""
    options = {name.removeprefix("policy__").replace("_", "-") for name in fields}
    changes = {
        option: value
        for option in options
        if (value := fields[f"policy__{option.replace('-', '_')}"]) is not None
    }
    if not changes:
        raise click.UsageError("give at least one field to change, e.g. --curator-weight 6")

    def actions(gov: Governance) -> list[Action]:
        action, diff = gov.set_policy(changes)
        click.echo("policy change (in force -> proposed):")
        width = max(len(c.option) for c in diff)
        for change in diff:
            click.echo(f"  {change.option:<{width}}  {change.before} -> {change.after}")
        return [action]

    _submit(governor_address, alias, actions, description)


def _guardian_command(name: str, help_text: str, method: str) -> None:
    """``ape run govern propose NAME ACCOUNT``: a proposal of one GuardianRegistry call."""

    @propose.command(name, help=help_text)
    @common
    @description_option
    @click.argument("account")
    def command(
        governor_address: str | None, alias: str | None, description: str, account: str
    ) -> None:
        _submit(governor_address, alias, lambda gov: [getattr(gov, method)(account)], description)


_guardian_command(
    "grant-guardian",
    "Make ACCOUNT (an address or an alias) a guardian (GuardianRegistry.grantGuardian).",
    "grant_guardian",
)
_guardian_command(
    "revoke-guardian",
    "Remove ACCOUNT from the guardians (GuardianRegistry.revokeGuardian).",
    "revoke_guardian",
)


@cli.command()
@common
@PROPOSAL
@click.argument("support", type=click.Choice(list(SUPPORT), case_sensitive=False))
@click.option("--reason", default="", help="Reason recorded with the vote")
def vote(
    governor_address: str | None, alias: str | None, proposal: str, support: str, reason: str
) -> None:
    """Vote for, against or abstain on PROPOSAL (short id, id or description)."""
    gov = Governance.connect(governor_address)
    proposal_id = gov.resolve(proposal)
    account = signer(alias)
    weight = gov.vote(proposal_id, support, sender=account, reason=reason)
    click.echo(f"{account.address} voted {support} with {format_influence(weight)}")
    _show(gov, proposal_id)
    deadline = int(gov.governor.proposalDeadline(proposal_id))
    _next(after_gov("vote", short_id(proposal_id), deadline))


def _step_command(name: str, help_text: str) -> None:
    """``ape run govern NAME PROPOSAL``: one ``Governance`` step on the proposal."""

    @cli.command(name, help=help_text)
    @common
    @PROPOSAL
    def command(governor_address: str | None, alias: str | None, proposal: str) -> None:
        gov = Governance.connect(governor_address)
        proposal_id = gov.resolve(proposal)
        getattr(gov, name)(proposal_id, sender=signer(alias))
        _show(gov, proposal_id)
        if name == "queue":
            eta = int(gov.governor.proposalEta(proposal_id))
            _next(after_gov("queue", short_id(proposal_id), eta))
        elif name == "execute":
            _next(after_gov_execute())


_step_command("queue", "Queue a succeeded PROPOSAL in the timelock.")
_step_command("execute", "Execute a queued PROPOSAL after the timelock delay (anyone).")
_step_command(
    "cancel",
    "Cancel PROPOSAL (the proposal guardian, even while queued; the proposer while pending).",
)


@cli.command()
@common
@click.argument("proposal", required=False)
@click.option("--raw", is_flag=True, help="Numbers as the contract returns them")
@click.option("--json", "as_json", is_flag=True, help="JSON, for scripts")
def status(
    governor_address: str | None,
    alias: str | None,
    proposal: str | None,
    raw: bool,
    as_json: bool,
) -> None:
    """State and numbers of PROPOSAL (one line per proposal when omitted)."""
    gov = Governance.connect(governor_address)
    if proposal is not None:
        found = gov.status(gov.resolve(proposal))
        click.echo(json.dumps(found.to_json(), indent=2) if as_json else found.render(raw=raw))
        return
    listed = gov.listed()
    if as_json:
        data = [gov.status(p.proposal_id).to_json() for p in listed]
        click.echo(json.dumps(data, indent=2))
        return
    if not listed:
        click.echo("no proposals yet")
    for item in listed:
        state = gov.status(item.proposal_id).state
        click.echo(f"{item.short}  {state:<9}  {item.description}")
