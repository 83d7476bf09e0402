"""The governance deployment steps run by the journaled deployer, then governed end to end."""

from __future__ import annotations

from pathlib import Path

from communis.chain.governance.governor import Governance
from communis.deploy.config import load
from communis.deploy.deployer import Deployer
from communis.deploy.governance_steps import (
    DEFAULT_ADMIN_ROLE,
    GovernanceParams,
    governance_steps,
    handover_steps,
)
from communis.deploy.journal import Journal
from communis.deploy.plan import token_steps
from tests.helpers.constants import UNIT

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_wire_and_hand_over(project, deployer, chain, tmp_path, accounts):
    params = GovernanceParams(genesis=chain.pending_timestamp, proposal_threshold=UNIT)
    plan = [
        *token_steps(load(ROOT / "config" / "deploy.toml").token),
        *governance_steps(params),
        *handover_steps(),
    ]
    journal = Journal.open(tmp_path, chain.chain_id)
    log: list = []
    Deployer(project, deployer, journal, on_step=log.append).run(plan)
    assert len(log) == len(plan)

    gov = Governance.connect(deployments=tmp_path)
    governor, influence = gov.governor, gov.contract("Influence")
    timelock, token = gov.contract("CommunisTimelock"), gov.contract("CommunityToken")
    registry = gov.contract("GuardianRegistry")
    assert governor.token() == influence.address
    assert governor.timelock() == timelock.address
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), governor)
    assert timelock.hasRole(timelock.CANCELLER_ROLE(), governor)
    assert timelock.hasRole(timelock.EXECUTOR_ROLE(), "0x" + "00" * 20)
    assert registry.owner() == timelock.address
    for contract in (influence, token, timelock):
        assert contract.hasRole(DEFAULT_ADMIN_ROLE, timelock)
        assert not contract.hasRole(DEFAULT_ADMIN_ROLE, deployer)

    # Rerunning the plan sends nothing.
    log.clear()
    Deployer(project, deployer, Journal.open(tmp_path, chain.chain_id), on_step=log.append).run(
        plan
    )
    assert {r.action for r in log} == {"skipped"}
