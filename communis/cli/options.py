"""Options and loaders the Communis commands share, declared once.

- :data:`account_option` (``--account ALIAS``) and :func:`signer`: the account that signs, with
  the rules of :func:`communis.chain.accounts.load_account` (test accounts on local chains only);
- :data:`rewards_option`, :data:`governor_option`: contract addresses that override the
  deployment journal, and :func:`deployed`, which loads the contracts (``System.load``);
- :data:`deployments_option`, :func:`config_option`, :func:`out_option`: the folder of
  deployment journals, a deployment config, the folder a command writes into;
- :data:`description_option`: a governance proposal's description.

Options only parse; the signer and the contracts are loaded inside the command, once it is
connected to the network (``CommunisCommand``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from communis.errors import CommunisError

F = TypeVar("F", bound=Callable[..., Any])

account_option: Callable[[F], F] = click.option(
    "--account",
    "alias",
    default=None,
    help="ape account alias [default: TEST::0, local chains only]",
)


def _address_option(contract: str, flag: str) -> Callable[[F], F]:
    """``--FLAG ADDRESS`` of ``contract``, passed to the command as ``FLAG_address``."""
    where = "[default: from the deployment journal]"
    return click.option(f"--{flag}", f"{flag}_address", default=None, help=f"{contract} {where}")


rewards_option = _address_option("ContributionRewards address", "rewards")
governor_option = _address_option("InfluenceGovernor address", "governor")


def config_option(default: str, help: str | None = None) -> Callable[[F], F]:
    """``--config FILE`` (a deployment config), passed to the command as ``config_path``."""
    kind = click.Path(path_type=Path, dir_okay=False)
    return click.option(
        "--config", "config_path", type=kind, default=Path(default), show_default=True, help=help
    )


def out_option(default: str, help: str) -> Callable[[F], F]:
    """``--out DIR``: the folder a command writes into."""
    kind = click.Path(path_type=Path, file_okay=False)
    return click.option("--out", type=kind, default=Path(default), show_default=True, help=help)


deployments_option: Callable[[F], F] = click.option(
    "--deployments",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="journal folder [default: deployments/]",
)
description_option: Callable[[F], F] = click.option(
    "-d", "--description", required=True, help="What the proposal does and why"
)

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


class NoGovernorError(CommunisError, RuntimeError):
    """The command needs a governor and none is known."""


def signer(alias: str | None) -> AccountAPI:
    """The account ``--account`` names, on the connected chain."""
    import ape

    from communis.chain.accounts import load_account

    return load_account(alias, ape.chain.chain_id)


@dataclass(frozen=True)
class Deployed:
    """The contracts a command works on: from ``--rewards``/``--governor`` or the journal."""

    rewards: ContractInstance
    governor: ContractInstance | None

    def need_governor(self) -> ContractInstance:
        if self.governor is None:
            raise NoGovernorError("no governor known: pass --governor ADDRESS (or --direct)")
        return self.governor


def deployed(rewards_address: str | None, governor_address: str | None = None) -> Deployed:
    """ContributionRewards (and InfluenceGovernor, if deployed) on the connected chain."""
    import ape

    from communis.chain.system import NotDeployedError, System

    governor = ape.project.InfluenceGovernor.at(governor_address) if governor_address else None
    if rewards_address:
        return Deployed(ape.project.ContributionRewards.at(rewards_address), governor)
    try:
        system = System.load()
        rewards = system.get("ContributionRewards")
    except NotDeployedError as err:
        raise NotDeployedError(f"{err} (or pass --rewards ADDRESS)") from None
    return Deployed(rewards, governor or system.contracts.get("InfluenceGovernor"))
