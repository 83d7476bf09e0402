"""Deployment steps (:class:`communis.deploy.steps.StepSpec`) for ContributionRewards.

The full order (each list after the previous one)::

    build_plan(config)            CommunityToken (deployer is admin)
    governance_steps(gov)         Influence, CommunisTimelock, InfluenceGovernor, GuardianRegistry
    rewards_steps(params)         this module: AttesterRegistry, ContributionRewards and wiring
    handover_steps()              deployer renounces its admin roles on Influence, token, timelock
    rewards_handover_steps()      deployer hands over the AttesterRegistry and renounces its roles
                                  on ContributionRewards

:func:`rewards_steps`:

1. deploy AttesterRegistry(clock = Influence, owner = the deployer, for the initial attesters)
   and appoint the attesters of ``[attesters]`` (from epoch 0 on);
2. deploy ContributionRewards(token, influence, governance = the deployer (for wiring),
   treasury = the timelock, guardian registry = the GuardianRegistry, attester registry, policy,
   challenger share);
3. the token gives it MINTER_ROLE and Influence gives it AWARDER_ROLE (the deployer is still
   their admin: these steps must run before :func:`handover_steps`);
4. it gives PROPOSER_ROLE to the initial proposers;
5. it makes the timelock DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE holder.

:func:`rewards_handover_steps` then transfers the AttesterRegistry to the timelock and removes the
deployer's GOVERNOR_ROLE and DEFAULT_ADMIN_ROLE: from then on only governance sets the policy,
decides disputes, grants proposers and appoints attesters. Guardians are managed in the
GuardianRegistry (owned by the timelock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from communis.deploy.steps import DEPLOYER, Ref, StepSpec
from communis.engine.policy import DEFAULT_POLICY, Policy

NAME = "ContributionRewards"
ATTESTERS = "AttesterRegistry"
DEFAULT_ADMIN_ROLE = "0x" + "00" * 32
GOVERNOR_ROLE = "0x" + keccak(text="GOVERNOR_ROLE").hex()
PROPOSER_ROLE = "0x" + keccak(text="PROPOSER_ROLE").hex()
MINTER_ROLE = "0x" + keccak(text="MINTER_ROLE").hex()
AWARDER_ROLE = "0x" + keccak(text="AWARDER_ROLE").hex()


@dataclass(frozen=True)
class RewardsParams:
    """Starting values; after the handover only governance changes them."""

    policy: Policy = DEFAULT_POLICY
    challenger_reward_bps: int = 5_000  # half of a slashed proposer bond to the challenger
    proposers: Sequence[Any] = field(default=(DEPLOYER,))  # addresses, or DEPLOYER
    attesters: Sequence[tuple[str, int]] = ()  # (address, points budget per epoch)


def policy_args(policy: Policy) -> list[Any]:
    """The constructor's Policy tuple, as JSON-friendly nested lists (the journal records it)."""
    tokens, influence, weights, *rest = policy.to_abi()
    return [tokens, influence, list(weights), *rest]


def rewards_steps(
    params: RewardsParams | None = None,
    *,
    token: str = "CommunityToken",
    influence: str = "Influence",
    timelock: str = "CommunisTimelock",
    registry: str = "GuardianRegistry",
) -> list[StepSpec]:
    """Deploy the AttesterRegistry and ContributionRewards and wire them (the deployer keeps its
    roles until the handover)."""
    params = params or RewardsParams()
    steps = [
        StepSpec(ATTESTERS, "deploy", ATTESTERS, (Ref(influence), DEPLOYER)),
        *(
            _call(f"attesters.{i}", ATTESTERS, "appoint", (address, budget))
            for i, (address, budget) in enumerate(params.attesters)
        ),
        StepSpec(
            NAME,
            "deploy",
            NAME,
            (
                Ref(token),
                Ref(influence),
                DEPLOYER,
                Ref(timelock),
                Ref(registry),
                Ref(ATTESTERS),
                policy_args(params.policy),
                params.challenger_reward_bps,
            ),
        ),
        _call("token.minter", token, "grantRole", (MINTER_ROLE, Ref(NAME)), "CommunityToken"),
        _call("influence.awarder", influence, "grantRole", (AWARDER_ROLE, Ref(NAME)), "Influence"),
    ]
    for i, proposer in enumerate(params.proposers):
        steps.append(_call(f"rewards.proposer.{i}", NAME, "grantRole", (PROPOSER_ROLE, proposer)))
    steps += [
        _call("rewards.admin", NAME, "grantRole", (DEFAULT_ADMIN_ROLE, Ref(timelock))),
        _call("rewards.governor", NAME, "grantRole", (GOVERNOR_ROLE, Ref(timelock))),
    ]
    return steps


def rewards_handover_steps(*, timelock: str = "CommunisTimelock") -> list[StepSpec]:
    """The deployer hands the AttesterRegistry to the timelock and gives up its roles on
    ContributionRewards; run after :func:`rewards_steps`."""
    return [
        _call("attesters.owner", ATTESTERS, "transferOwnership", (Ref(timelock),)),
        _call("rewards.governor.renounce", NAME, "renounceRole", (GOVERNOR_ROLE, DEPLOYER)),
        _call("rewards.renounce", NAME, "renounceRole", (DEFAULT_ADMIN_ROLE, DEPLOYER)),
    ]


def _call(
    name: str, target: str, function: str, args: tuple[Any, ...], contract: str | None = None
) -> StepSpec:
    return StepSpec(name, "call", contract or target, args, function=function, target=target)
