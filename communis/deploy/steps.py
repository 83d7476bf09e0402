"""The vocabulary of a deployment plan: steps, and references resolved when a step runs.

Arguments may refer to the address of an earlier step (:class:`Ref`) or to the deploying
account (:data:`DEPLOYER`); :mod:`communis.deploy.deployer` resolves them when the step runs and
records the resolved values in the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from communis.deploy.journal import Kind


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
