"""The ContributionRewards deployment steps, run by the journaled deployer after the token and
governance steps: the whole system wired, handed over, and governed only by the timelock."""

from __future__ import annotations

from pathlib import Path

import ape

from communis.chain.system import System
from communis.deploy.config import load
from communis.deploy.deployer import Deployer
from communis.deploy.governance_steps import GovernanceParams, governance_steps, handover_steps
from communis.deploy.journal import Journal
from communis.deploy.plan import token_steps
from communis.deploy.rewards_steps import RewardsParams, rewards_handover_steps, rewards_steps
from communis.engine.policy import DEFAULT_POLICY, policy_hash

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_wire_and_hand_over(project, deployer, chain, tmp_path, proposer):
    plan = [
        *token_steps(load(ROOT / "config" / "deploy.toml").token),
        *governance_steps(GovernanceParams(genesis=chain.pending_timestamp)),
        *rewards_steps(RewardsParams(proposers=(proposer.address,))),
        *handover_steps(),
        *rewards_handover_steps(),
    ]
    log: list = []
    Deployer(project, deployer, Journal.open(tmp_path, chain.chain_id), on_step=log.append).run(
        plan
    )
    assert len(log) == len(plan)

    system = System.load(tmp_path)
    rewards = system.get("ContributionRewards")
    token, influence = system.get("CommunityToken"), system.get("Influence")
    timelock, registry = system.get("CommunisTimelock"), system.get("GuardianRegistry")
    assert rewards.token() == token.address
    assert rewards.influence() == influence.address
    assert rewards.treasury() == timelock.address
    assert rewards.guardianRegistry() == registry.address
    assert bytes(rewards.policyHash()) == policy_hash(DEFAULT_POLICY)
    assert token.hasRole(token.MINTER_ROLE(), rewards)
    assert influence.hasRole(influence.AWARDER_ROLE(), rewards)
    assert rewards.hasRole(rewards.PROPOSER_ROLE(), proposer)
    for role in (rewards.DEFAULT_ADMIN_ROLE(), rewards.GOVERNOR_ROLE()):
        assert rewards.hasRole(role, timelock)
        assert not rewards.hasRole(role, deployer)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.setChallengerRewardBps(0, sender=deployer)

    # Rerunning the plan sends nothing.
    log.clear()
    Deployer(project, deployer, Journal.open(tmp_path, chain.chain_id), on_step=log.append).run(
        plan
    )
    assert {r.action for r in log} == {"skipped"}
