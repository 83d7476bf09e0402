"""The whole deployment plan against the connected network (both EVMs): every contract
deployed and wired, every admin role handed to the timelock, a rerun sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.chain.system import System
from communis.deploy.config import load
from communis.deploy.deployer import Deployer
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan

ROOT = Path(__file__).resolve().parents[2]
ADMIN = b"\x00" * 32


@pytest.fixture
def config():
    return load(ROOT / "config" / "deploy.toml")


@pytest.fixture
def plan(config, chain):
    return build_plan(config, now=chain.pending_timestamp)


def run(project, account, chain, directory, plan, log):
    journal = Journal.open(directory, chain.chain_id)
    return Deployer(project, account, journal, on_step=log.append).run(plan)


def test_deploy_wires_and_hands_over(project, deployer, chain, tmp_path, plan, config):
    log: list = []
    run(project, deployer, chain, tmp_path, plan, log)
    assert [r.action for r in log].count("skipped") == 0
    assert len(log) == len(plan)

    system = System.load(tmp_path)
    token, influence, timelock = system.token, system.influence, system.timelock
    governor, rewards, guardians = system.governor, system.rewards, system.guardians
    assert token.balanceOf(timelock) == token.totalSupply() == config.token.genesis_supply
    assert governor.token() == influence.address
    assert governor.timelock() == timelock.address
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), governor)
    assert token.hasRole(token.MINTER_ROLE(), rewards)
    assert influence.hasRole(influence.AWARDER_ROLE(), rewards)
    assert rewards.hasRole(rewards.PROPOSER_ROLE(), deployer)
    assert guardians.owner() == timelock.address
    assert influence.halfLife() == config.influence.half_life_epochs
    for contract in (token, influence, timelock, rewards):
        assert contract.hasRole(ADMIN, timelock)
        assert not contract.hasRole(ADMIN, deployer)
    assert not rewards.hasRole(rewards.GOVERNOR_ROLE(), deployer)


def test_rerun_sends_nothing(project, deployer, chain, tmp_path, plan):
    run(project, deployer, chain, tmp_path, plan, [])
    nonce = deployer.nonce
    log: list = []
    run(project, deployer, chain, tmp_path, plan, log)
    assert {r.action for r in log} == {"skipped"}
    assert deployer.nonce == nonce


def test_local_journal_of_a_forgotten_chain_starts_over(project, deployer, chain, tmp_path, plan):
    journal = run(project, deployer, chain, tmp_path, plan, [])
    journal.steps[0].address = "0x000000000000000000000000000000000000dEaD"  # no code
    journal.save()
    log: list = []
    run(project, deployer, chain, tmp_path, plan, log)
    assert "skipped" not in {r.action for r in log}
    assert (tmp_path / f"{chain.chain_id}.stale.json").exists()
