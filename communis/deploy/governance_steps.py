"""Deployment steps (:class:`communis.deploy.steps.StepSpec`) for the governance side of Communis.

``build_plan(config) + governance_steps(params) + [ContributionRewards steps] + handover_steps()``
deploys and wires Influence, CommunisTimelock, InfluenceGovernor and GuardianRegistry:

1. deploy Influence (admin: deployer, for wiring), CommunisTimelock (deployer as temporary
   admin; no proposer yet; executor: anyone), InfluenceGovernor, GuardianRegistry (owner: the
   deployer, which adds the initial guardians);
2. the timelock gives the governor PROPOSER_ROLE and CANCELLER_ROLE (its only proposer and
   canceller);
3. Influence and CommunityToken make the timelock an admin (DEFAULT_ADMIN_ROLE);
4. (ContributionRewards, deployed by its own steps, gets AWARDER_ROLE on Influence and
   MINTER_ROLE on the token from the deployer, which is still admin);
5. :func:`handover_steps`: the deployer hands the GuardianRegistry to the timelock and renounces
   its admin roles on Influence, the token and the timelock. From then on only governance can
   change anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from communis.deploy.steps import DEPLOYER, Ref, StepSpec
from communis.engine.units import UNIT

ZERO_ADDRESS = "0x" + "00" * 20
# Roles as 0x hex: the journal records step arguments as JSON.
DEFAULT_ADMIN_ROLE = "0x" + "00" * 32
PROPOSER_ROLE = "0x" + keccak(text="PROPOSER_ROLE").hex()
CANCELLER_ROLE = "0x" + keccak(text="CANCELLER_ROLE").hex()
AWARDER_ROLE = "0x" + keccak(text="AWARDER_ROLE").hex()
MINTER_ROLE = "0x" + keccak(text="MINTER_ROLE").hex()

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY


@dataclass(frozen=True)
class GovernanceParams:
    """Starting values; after deployment the timelock owns every one of them."""

    genesis: int  # start of epoch 0, unix seconds
    epoch_duration: int = WEEK
    half_life_epochs: int = 26  # 26 weekly epochs: the minimum half-life
    timelock_delay: int = 2 * DAY
    voting_delay: int = DAY
    voting_period: int = WEEK
    proposal_threshold: int = 100 * UNIT  # influence, decayed to the time of proposing
    quorum_percent: int = 10
    minimum_voters: int = 3  # distinct For/Abstain voters a proposal needs for quorum
    vote_extension: int = 2 * DAY
    proposal_guardian: str = ZERO_ADDRESS  # zero: proposers may cancel their own
    proposal_guardian_sunset: int = 0  # unix seconds from which the guardian cannot cancel
    guardian_application_threshold: int = 50 * UNIT  # influence, decayed to the time of applying
    guardians: tuple[Any, ...] = ()  # initial guardians (addresses or DEPLOYER)


def governance_steps(params: GovernanceParams, *, token: str = "CommunityToken") -> list[StepSpec]:
    """Deploy and wire the governance contracts (the deployer stays admin until handover)."""
    return [
        StepSpec(
            "Influence",
            "deploy",
            "Influence",
            (DEPLOYER, params.genesis, params.epoch_duration, params.half_life_epochs),
        ),
        StepSpec(
            "CommunisTimelock",
            "deploy",
            "CommunisTimelock",
            (params.timelock_delay, [], [ZERO_ADDRESS], DEPLOYER),
        ),
        StepSpec(
            "InfluenceGovernor",
            "deploy",
            "InfluenceGovernor",
            (
                Ref("Influence"),
                Ref("CommunisTimelock"),
                params.voting_delay,
                params.voting_period,
                params.proposal_threshold,
                params.quorum_percent,
                params.minimum_voters,
                params.vote_extension,
                params.proposal_guardian,
                params.proposal_guardian_sunset,
            ),
        ),
        StepSpec(
            "GuardianRegistry",
            "deploy",
            "GuardianRegistry",
            (Ref("Influence"), DEPLOYER, params.guardian_application_threshold),
        ),
        *(
            StepSpec(
                f"guardians.{i}",
                "call",
                "GuardianRegistry",
                (guardian,),
                function="grantGuardian",
                target="GuardianRegistry",
            )
            for i, guardian in enumerate(params.guardians)
        ),
        _grant("timelock.proposer", "CommunisTimelock", PROPOSER_ROLE, "InfluenceGovernor"),
        _grant("timelock.canceller", "CommunisTimelock", CANCELLER_ROLE, "InfluenceGovernor"),
        _grant("influence.admin", "Influence", DEFAULT_ADMIN_ROLE, "CommunisTimelock"),
        _grant(
            "token.admin", token, DEFAULT_ADMIN_ROLE, "CommunisTimelock", contract="CommunityToken"
        ),
    ]


def handover_steps(*, token: str = "CommunityToken") -> list[StepSpec]:
    """The deployer gives up every admin role; run these last."""
    return [
        StepSpec(
            "guardians.owner",
            "call",
            "GuardianRegistry",
            (Ref("CommunisTimelock"),),
            function="transferOwnership",
            target="GuardianRegistry",
        ),
        _renounce("influence.renounce", "Influence"),
        _renounce("token.renounce", token, contract="CommunityToken"),
        _renounce("timelock.renounce", "CommunisTimelock"),
    ]


def _grant(
    name: str, target: str, role: str, grantee: str, *, contract: str | None = None
) -> StepSpec:
    return StepSpec(
        name, "call", contract or target, (role, Ref(grantee)), function="grantRole", target=target
    )


def _renounce(name: str, target: str, *, contract: str | None = None) -> StepSpec:
    return StepSpec(
        name,
        "call",
        contract or target,
        (DEFAULT_ADMIN_ROLE, DEPLOYER),
        function="renounceRole",
        target=target,
    )
