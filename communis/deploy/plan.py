"""The whole Communis deployment plan, from config/deploy.toml, in the order it must run.

1. CommunityToken (the deployer is its admin for the wiring);
2. governance: Influence, CommunisTimelock, InfluenceGovernor, GuardianRegistry, and the
   timelock's proposer/canceller roles (:mod:`communis.deploy.governance_steps`);
3. AttesterRegistry (with the attesters of ``[attesters]``) and ContributionRewards, with
   MINTER_ROLE on the token and AWARDER_ROLE on Influence (:mod:`communis.deploy.rewards_steps`);
4. the initial proposers' and guardians' bonds paid out of the genesis allocation, the rest moved
   to the treasury (the timelock), if so configured;
5. the handover: the deployer hands the registries to the timelock and renounces every admin
   role. From then on only governance changes anything.
"""

from __future__ import annotations

from typing import Any

from communis.deploy import governance_steps, rewards_steps
from communis.deploy.config import DeployConfig, TokenParams, bonds_from_genesis
from communis.deploy.steps import DEPLOYER, Ref, StepSpec

TIMELOCK = "CommunisTimelock"


def _who(value: str) -> Any:
    """A config "deployer" becomes the deploying account; "none" the zero address."""
    if value == "deployer":
        return DEPLOYER
    if value == "none":
        return governance_steps.ZERO_ADDRESS
    return value


def token_steps(token: TokenParams) -> list[StepSpec]:
    # A "timelock" holder receives the genesis allocation once the timelock exists.
    holder = DEPLOYER if token.genesis_holder == "timelock" else _who(token.genesis_holder)
    return [
        StepSpec(
            name="CommunityToken",
            kind="deploy",
            contract="CommunityToken",
            args=(token.name, token.symbol, token.cap, DEPLOYER, holder, token.genesis_supply),
        ),
    ]


def _transfer(name: str, to: Any, amount: int) -> StepSpec:
    return StepSpec(
        name, "call", "CommunityToken", (to, amount), function="transfer", target="CommunityToken"
    )


def bond_steps(config: DeployConfig) -> list[StepSpec]:
    """Pay each initial proposer its proposer bond and each initial guardian its challenger
    bond out of the genesis allocation, while the deploying account still holds it (the
    deployer's own bonds simply stay with it). Without this the shipped config could never
    start: the treasury would hold every token and nobody could bond the first root."""
    if config.token.genesis_holder not in ("timelock", "deployer"):
        return []
    policy, steps = config.rewards.policy, []
    for kind, accounts, bond in (
        ("proposer", config.rewards.proposers, policy.proposer_bond),
        ("guardian", config.rewards.guardians, policy.challenger_bond),
    ):
        for i, account in enumerate(accounts):
            if account != "deployer" and bond > 0:
                steps.append(_transfer(f"token.bond.{kind}.{i}", account, bond))
    return steps


def build_plan(config: DeployConfig, *, now: int) -> list[StepSpec]:
    """Every step of a Communis deployment; ``now`` is the chain time for a "now" genesis."""
    influence, gov = config.influence, config.governance
    governance = governance_steps.GovernanceParams(
        genesis=influence.genesis if influence.genesis is not None else now,
        epoch_duration=influence.epoch_duration,
        half_life_epochs=influence.half_life_epochs,
        timelock_delay=gov.timelock_delay,
        voting_delay=gov.voting_delay,
        voting_period=gov.voting_period,
        proposal_threshold=gov.proposal_threshold,
        quorum_percent=gov.quorum_percent,
        minimum_voters=gov.minimum_voters,
        vote_extension=gov.vote_extension,
        proposal_guardian=_who(gov.proposal_guardian),
        proposal_guardian_sunset=now + gov.proposal_guardian_term
        if gov.proposal_guardian_term
        else 0,
        guardian_application_threshold=gov.guardian_application_threshold,
        guardians=tuple(_who(g) for g in config.rewards.guardians),
    )
    rewards = rewards_steps.RewardsParams(
        policy=config.rewards.policy,
        challenger_reward_bps=config.rewards.challenger_reward_bps,
        proposers=tuple(_who(p) for p in config.rewards.proposers),
        attesters=config.attesters.budgets,
    )
    steps = [
        *token_steps(config.token),
        *governance_steps.governance_steps(governance),
        *rewards_steps.rewards_steps(rewards),
    ]
    steps += bond_steps(config)
    treasury = config.token.genesis_supply - bonds_from_genesis(config.token, config.rewards)
    if config.token.genesis_holder == "timelock" and treasury > 0:
        steps.append(_transfer("token.genesis.treasury", Ref(TIMELOCK), treasury))
    return [*steps, *governance_steps.handover_steps(), *rewards_steps.rewards_handover_steps()]
