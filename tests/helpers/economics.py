"""What a model-versus-chain test needs: the economics model's parameters read from a deployed
ContributionRewards, and the token balance changes it compares with the model's predictions
(``communis.economics.attacks.attacker_net``, ``communis.economics.bonds.bond_flows``,
``fraud_stake``). A disagreement is a failing test: the contracts are the truth the model must
follow."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from communis.deploy.config import DeployConfig, load
from communis.economics.params import Parameters
from communis.engine.policy import Policy
from tests.helpers.system import config_text


@cache
def system_config() -> DeployConfig:
    """The test system's deployment config (tests/helpers/system.py), read as `ape run deploy`
    reads it: its governor settings and epochs are what the model's Parameters need (the bond
    flows do not depend on them). The accounts in it are placeholders."""
    someone = "0x" + "01" * 20
    with TemporaryDirectory() as folder:
        path = Path(folder) / "deploy.toml"
        path.write_text(config_text(proposer=someone, guardian=someone, treasury=someone))
        return load(path)


def model_of(rewards: Any) -> Parameters:
    """The model's parameters for ``rewards`` as it stands: its policy in force and challenger
    reward, read from the contract."""
    config = system_config()
    return Parameters.from_policy(
        Policy.from_abi(rewards.policy()),
        challenger_reward_bps=int(rewards.challengerRewardBps()),
        governance=config.governance,
        epoch_duration=config.influence.epoch_duration,
        half_life_epochs=config.influence.half_life_epochs,
    )


class Balances:
    """Token balances of some accounts now; :meth:`change` is what each gained (> 0) or lost
    (< 0) since."""

    def __init__(self, token: Any, *accounts: Any) -> None:
        self.token = token
        self.before = {str(a): int(token.balanceOf(a)) for a in accounts}

    def change(self, account: Any) -> int:
        return int(self.token.balanceOf(account)) - self.before[str(account)]
