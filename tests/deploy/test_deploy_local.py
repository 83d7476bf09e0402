"""The whole deployment plan against the connected network (both EVMs): every contract
deployed and wired, every admin role handed to the timelock, a rerun sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.chain.system import NotDeployedError, System
from communis.deploy.config import load
from communis.deploy.deployer import Deployer
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from tests.helpers.attest import attested

ROOT = Path(__file__).resolve().parents[2]
ADMIN = b"\x00" * 32


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
    bond = config.rewards.policy.proposer_bond  # the deployer is the shipped config's proposer
    assert token.totalSupply() == config.token.genesis_supply
    assert token.balanceOf(timelock) == config.token.genesis_supply - bond
    assert token.balanceOf(deployer) == bond
    assert governor.token() == influence.address
    assert governor.timelock() == timelock.address
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), governor)
    assert token.hasRole(token.MINTER_ROLE(), rewards)
    assert influence.hasRole(influence.AWARDER_ROLE(), rewards)
    assert rewards.hasRole(rewards.PROPOSER_ROLE(), deployer)
    assert guardians.owner() == timelock.address
    attesters = system.attesters
    assert attesters.owner() == timelock.address
    assert rewards.attesterRegistry() == attesters.address
    assert attesters.clock() == influence.address
    assert rewards.policy().openProposing and rewards.policy().disputePeriod == 14 * 86400
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


def test_loading_a_journal_of_a_forgotten_chain_says_so(project, deployer, chain, tmp_path, plan):
    journal = run(project, deployer, chain, tmp_path, plan, [])
    journal.steps[0].address = "0x000000000000000000000000000000000000dEaD"  # no code
    journal.save()
    with pytest.raises(
        NotDeployedError,
        match=r"this chain was reset \(.*lists CommunityToken.*but chain \d+ has no code",
    ):
        System.load(tmp_path)


def test_local_journal_of_a_forgotten_chain_starts_over(project, deployer, chain, tmp_path, plan):
    journal = run(project, deployer, chain, tmp_path, plan, [])
    journal.steps[0].address = "0x000000000000000000000000000000000000dEaD"  # no code
    journal.save()
    log: list = []
    run(project, deployer, chain, tmp_path, plan, log)
    assert "skipped" not in {r.action for r in log}
    assert (tmp_path / f"{chain.chain_id}.stale.json").exists()


def test_shipped_config_starts_epoch_zero(project, deployer, chain, tmp_path, alice):
    """config/deploy.toml with only an attester added (its [attesters] table: the shipped file
    appoints none, and rows count only when an attester signed them), through the real plan and
    deployer: its proposer can bond, so epoch 0 is proposed, verified against the chain's
    attester set, finalized and claimed."""
    import json

    from communis.chain import epochs
    from communis.engine.attest import Domain
    from tests.helpers.attest import key

    text = (ROOT / "config" / "deploy.toml").read_text()
    path = tmp_path / "deploy.toml"
    path.write_text(text + f'\n[attesters]\n"{key(1).address}" = "1000000"\n')
    plan = build_plan(load(path), now=chain.pending_timestamp)
    run(project, deployer, chain, tmp_path, plan, [])
    system = System.load(tmp_path)
    rewards, token, influence = system.rewards, system.token, system.influence
    assert system.attesters.isAttester(key(1).address)
    ledger = tmp_path / "ledger-0.jsonl"
    row = {"epoch": 0, "account": alice.address, "role": "creator", "points": "7", "ref": "r0"}
    ledger.write_text(json.dumps(row) + "\n", encoding="utf-8")
    domain = Domain(chain.chain_id, system.attesters.address)
    build = epochs.build(rewards, attested(ledger, domain=domain), tmp_path / "epochs")
    end = int(influence.genesis()) + int(influence.epochDuration())
    chain.pending_timestamp = max(chain.pending_timestamp, end)
    chain.mine()
    epochs.propose(rewards, tmp_path / "epochs" / "0", deployer)
    result = epochs.verify(rewards, tmp_path / "epochs" / "0")
    assert result.ok and result.attestations is not None and result.attestations.ok
    chain.pending_timestamp = int(rewards.pendingProposal().challengeDeadline)
    chain.mine()
    epochs.finalize(rewards, 0, alice)
    epochs.claim_one(rewards, tmp_path / "epochs" / "0", alice.address, alice)
    leaf = build.tree.leaf(alice.address)
    assert token.balanceOf(alice) == leaf.tokens > 0
    assert influence.storedBalanceOf(alice) == leaf.influence


def test_initial_guardians_are_named_and_bonded(project, deployer, chain, tmp_path, alice, bob):
    """Guardians named in the config are in the registry from the start, hold a challenger bond
    from the genesis allocation, and the registry is the timelock's after the handover."""
    text = (ROOT / "config" / "deploy.toml").read_text()
    path = tmp_path / "deploy.toml"
    path.write_text(
        text.replace("guardians = []", f'guardians = ["{alice.address}"]').replace(
            'proposers = ["deployer"]', f'proposers = ["deployer", "{bob.address}"]'
        )
    )
    config = load(path)
    run(project, deployer, chain, tmp_path, build_plan(config, now=chain.pending_timestamp), [])
    system = System.load(tmp_path)
    policy = config.rewards.policy
    assert system.guardians.isGuardian(alice)
    assert system.rewards.isGuardian(alice)
    assert system.guardians.owner() == system.timelock.address
    assert system.token.balanceOf(alice) == policy.challenger_bond
    assert system.token.balanceOf(bob) == policy.proposer_bond
    assert system.token.balanceOf(system.timelock) == (
        config.token.genesis_supply - 2 * policy.proposer_bond - policy.challenger_bond
    )
