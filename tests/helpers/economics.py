"""What a model-versus-chain test needs: the economics model's parameters read from a deployed
ContributionRewards, and the token balance changes it compares with the model's predictions
(``communis.economics.attacks.attacker_net``, ``communis.economics.bonds.bond_flows``,
``fraud_stake``). A disagreement is a failing test: the contracts are the truth the model must
follow."""

from __future__ import annotations

from typing import Any

from communis.deploy.config import GovernanceParams
from communis.economics.params import Parameters
from communis.engine.policy import Policy
from tests.helpers.constants import (
    APPLICATION_THRESHOLD,
    HALF_LIFE,
    MINIMUM_VOTERS,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    TIMELOCK_DELAY,
    VOTE_EXTENSION,
    VOTING_DELAY,
    VOTING_PERIOD,
    WEEK,
)

# The governor settings of the test system (tests/helpers/system.py); the bond flows do not
# depend on them, the model's Parameters need them.
GOVERNANCE = GovernanceParams(
    timelock_delay=TIMELOCK_DELAY,
    voting_delay=VOTING_DELAY,
    voting_period=VOTING_PERIOD,
    proposal_threshold=PROPOSAL_THRESHOLD,
    quorum_percent=QUORUM_PERCENT,
    minimum_voters=MINIMUM_VOTERS,
    vote_extension=VOTE_EXTENSION,
    proposal_guardian="none",
    guardian_application_threshold=APPLICATION_THRESHOLD,
)


def model_of(rewards: Any) -> Parameters:
    """The model's parameters for ``rewards`` as it stands: its policy in force and challenger
    reward, read from the contract."""
    return Parameters.from_policy(
        Policy.from_abi(rewards.policy()),
        challenger_reward_bps=int(rewards.challengerRewardBps()),
        governance=GOVERNANCE,
        epoch_duration=WEEK,
        half_life_epochs=HALF_LIFE,
    )


class Balances:
    """Token balances of some accounts now; :meth:`change` is what each gained (> 0) or lost
    (< 0) since."""

    def __init__(self, token: Any, *accounts: Any) -> None:
        self.token = token
        self.before = {str(a): int(token.balanceOf(a)) for a in accounts}

    def change(self, account: Any) -> int:
        return int(self.token.balanceOf(account)) - self.before[str(account)]
