"""The deployment plan: which contracts to deploy and which calls wire them, in order.

Arguments may refer to the address of an earlier step (:class:`Ref`) or to the deploying
account (:data:`DEPLOYER`); :mod:`communis.chain.deployer` resolves them when the step runs and
records the resolved values in the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from communis.deploy_config import DeployConfig
from communis.journal import Kind


@dataclass(frozen=True)
class Ref:
    """The address deployed by the step called ``step``."""

    step: str


@dataclass(frozen=True)
class _Deployer:
    """The account running the deployment."""


DEPLOYER = _Deployer()


@dataclass(frozen=True)
class StepSpec:
    name: str
    kind: Kind
    contract: str
    args: tuple[Any, ...]
    function: str | None = None
    target: str | None = None


def build_plan(config: DeployConfig) -> list[StepSpec]:
    """Every step of a Communis deployment, in the order they must run."""
    token = config.token
    holder: Any = DEPLOYER if token.genesis_holder == "deployer" else token.genesis_holder
    return [
        StepSpec(
            name="CommunityToken",
            kind="deploy",
            contract="CommunityToken",
            args=(token.name, token.symbol, token.cap, DEPLOYER, holder, token.genesis_supply),
        ),
    ]
