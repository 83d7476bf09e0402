"""The deployed Communis system on the connected network, read from its deployment journal.

A community operator's own ape script needs only::

    from communis.chain.system import System

    system = System.load()
    print(system.token.totalSupply())
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from communis.chain.next_steps import reset_message
from communis.deploy.journal import Journal
from communis.errors import CommunisError

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


class NotDeployedError(CommunisError, RuntimeError):
    """The system is not (fully) deployed on this network."""


def _has_code(address: str) -> bool:
    import ape

    return bool(ape.chain.provider.get_code(address))


class _Named:
    """``system.<attribute>``: the deployed contract of that journal name (``System.get``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, system: System, owner: type[System]) -> ContractInstance:
        return system.get(self.name)


@dataclass(frozen=True)
class System:
    chain_id: int
    journal: Journal
    contracts: dict[str, ContractInstance]

    @classmethod
    def load(cls, deployments: Path | None = None) -> System:
        """Contract instances for every deployed step of ``deployments/<chainId>.json``."""
        import ape

        chain_id = ape.chain.chain_id
        directory = deployments or Path(ape.project.path) / "deployments"
        journal = Journal.open(directory, chain_id)
        if not journal.contracts():
            raise NotDeployedError(
                f"nothing deployed on chain {chain_id} according to {journal.path}: "
                "run `ape run deploy` first"
            )
        deployed = journal.contracts()
        missing = sorted(name for name, address in deployed.items() if not _has_code(address))
        if missing:
            raise NotDeployedError(reset_message(journal.path, chain_id, missing))
        contracts = {
            step.name: ape.project.get_contract(step.contract).at(deployed[step.name])
            for step in journal.steps
            if step.name in deployed
        }
        return cls(chain_id=chain_id, journal=journal, contracts=contracts)

    def get(self, name: str) -> ContractInstance:
        try:
            return self.contracts[name]
        except KeyError:
            raise NotDeployedError(
                f"{name} is not deployed on chain {self.chain_id} (see {self.journal.path})"
            ) from None

    token = _Named("CommunityToken")
    influence = _Named("Influence")
    timelock = _Named("CommunisTimelock")
    governor = _Named("InfluenceGovernor")
    guardians = _Named("GuardianRegistry")
    rewards = _Named("ContributionRewards")
    attesters = _Named("AttesterRegistry")
