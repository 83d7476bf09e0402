"""The deployer against the connected network (both EVMs): deploy, rerun, journal contents."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.chain.deployer import Deployer
from communis.chain.plan import build_plan
from communis.chain.system import System
from communis.deploy_config import load
from communis.journal import Journal

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def plan():
    return build_plan(load(ROOT / "config" / "deploy.toml"))


def run(project, account, chain, directory, plan, log):
    journal = Journal.open(directory, chain.chain_id)
    return Deployer(project, account, journal, on_step=log.append).run(plan)


def test_deploy_then_rerun_skips(project, deployer, chain, tmp_path, plan):
    log: list = []
    journal = run(project, deployer, chain, tmp_path, plan, log)
    assert [r.action for r in log] == ["deployed"] * len(plan)
    nonce = deployer.nonce
    token = project.CommunityToken.at(journal.address_of("CommunityToken"))
    assert token.hasRole(token.DEFAULT_ADMIN_ROLE(), deployer)
    assert token.balanceOf(deployer) == token.totalSupply() > 0

    log.clear()
    run(project, deployer, chain, tmp_path, plan, log)
    assert [r.action for r in log] == ["skipped"] * len(plan)
    assert deployer.nonce == nonce  # nothing sent again


def test_system_loads_from_journal(project, deployer, chain, tmp_path, plan):
    run(project, deployer, chain, tmp_path, plan, [])
    system = System.load(tmp_path)
    assert system.chain_id == chain.chain_id
    assert system.token.symbol() == "CMN"


def test_local_journal_of_a_forgotten_chain_starts_over(project, deployer, chain, tmp_path, plan):
    journal = run(project, deployer, chain, tmp_path, plan, [])
    step = journal.steps[0]
    step.address = (
        "0x000000000000000000000000000000000000dEaD"  # no code: like a restarted local node
    )
    journal.save()
    log: list = []
    run(project, deployer, chain, tmp_path, plan, log)
    assert [r.action for r in log] == ["deployed"] * len(plan)
    assert (tmp_path / f"{chain.chain_id}.stale.json").exists()
