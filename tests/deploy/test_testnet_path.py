"""The public-testnet path, proven locally: anvil with Sepolia's chain id over HTTP JSON-RPC,
a keystore account (not an unlocked node account), a deploy killed mid-way and resumed."""

from __future__ import annotations

import signal

import pytest
from eth_account import Account

from tests.helpers.anvil import ROOT, anvil
from tests.helpers.testnet import (
    ALIAS,
    KILL_AT,
    LIVE_GUARDIAN,
    SEPOLIA,
    assert_resumed,
    create_address,
    deploy,
    deploy_on_fresh_node,
    deploy_until_step_in_flight,
    journal,
    write_keystore,
)

pytestmark = pytest.mark.offchain


@pytest.mark.parametrize("fate", ["mined while the deployer was dead", "dropped from the mempool"])
def test_killed_deploy_resumes_without_deploying_twice(keystore, tmp_path, fate):
    data, address = keystore
    journals = tmp_path / "deployments"
    with anvil(chain_id=SEPOLIA, mining=False) as node:
        node.rpc("anvil_setBalance", address, hex(10**20))
        # Mine step by step, so the kill lands exactly while step KILL_AT is in flight.
        process, before, sent = deploy_until_step_in_flight(node, data, journals)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert sent["sender"] == address and sent["nonce"] == KILL_AT and sent["raw_tx"]
        assert node.nonce(address) == KILL_AT

        if fate == "dropped from the mempool":
            node.rpc("anvil_dropTransaction", sent["tx_hash"])
            assert node.nonce(address, "pending") == KILL_AT
        else:
            node.rpc("evm_mine")
            assert node.nonce(address) == KILL_AT + 1
        node.rpc("evm_setAutomine", True)

        steps = assert_resumed(node, data, journals, address, before, sent)
        assert steps[0]["address"] == create_address(address, 0)

        code, output = deploy(node, data, journals)
        assert code == 0, output
        assert "skipped" in output
        assert node.nonce(address) == len(steps)


def test_journal_records_what_verification_needs(keystore, tmp_path):
    data, address = keystore
    journals = tmp_path / "deployments"
    deploy_on_fresh_node(data, journals, address)
    recorded = journal(journals)
    assert recorded["chainId"] == SEPOLIA
    token = recorded["steps"][0]
    assert token["contract"] == "CommunityToken"
    assert token["compiler"].startswith("0.8.28+commit.")
    assert token["input_hash"].startswith("0x") and len(token["input_hash"]) == 66
    assert token["args"][3] == address  # admin = the deployer
    assert {"tx_hash", "nonce", "block", "gas_used", "address"} <= token.keys()
    assert "raw_tx" not in token


def test_attack_deployer_only_guardians_on_live_chain(keystore, tmp_path):
    """The shipped config names no initial guardian: deployed as is on a live chain, nobody but
    the deployer could challenge the first roots. It is refused before anything is sent."""
    data, address = keystore
    shipped = ROOT / "config" / "deploy.toml"
    only_deployer = tmp_path / "only-deployer.toml"
    only_deployer.write_text(
        shipped.read_text().replace("guardians = []", f'guardians = ["{address.lower()}"]')
    )
    guardian_is_deployer = tmp_path / "guardian-deployer.toml"
    guardian_is_deployer.write_text(
        shipped.read_text()
        .replace("guardians = []", f'guardians = ["{LIVE_GUARDIAN}"]')
        .replace('proposal_guardian = "none"', 'proposal_guardian = "deployer"')
        .replace('# proposal_guardian_term = "26w"', 'proposal_guardian_term = "26w"')
    )
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", address, hex(10**20))
        for config, message in (
            (shipped, "rewards.guardians: is empty"),
            (only_deployer, f"rewards.guardians: is only the deploying account {address}"),
            (guardian_is_deployer, "governance.proposal_guardian: 'deployer' is the deploying"),
        ):
            code, output = deploy(node, data, tmp_path / "d", config=config)
            assert code != 0
            assert message in output and str(config) in output
            assert node.nonce(address, "pending") == 0
    assert not (tmp_path / "d").exists()


def test_test_mnemonic_refused_on_live_chain(tmp_path, keystore):
    data, _ = keystore
    with anvil(chain_id=SEPOLIA) as node:
        code, output = deploy(node, data, tmp_path / "d", account="TEST::0")
    assert code != 0
    assert "public test mnemonic" in output
    assert not (tmp_path / "d").exists()


def test_test_mnemonic_key_imported_as_keystore_is_refused(tmp_path):
    data = tmp_path / "ape-data"
    Account.enable_unaudited_hdwallet_features()
    leaked = Account.from_mnemonic("test " * 11 + "junk", account_path="m/44'/60'/0'/0/3")
    write_keystore(data, leaked.key)
    with anvil(chain_id=SEPOLIA) as node:
        code, output = deploy(node, data, tmp_path / "d")
    assert code != 0
    assert "public test mnemonic" in output
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [(None, f"set APE_ACCOUNTS_{ALIAS}_PASSPHRASE"), ("wrong", "wrong passphrase")],
)
def test_missing_or_wrong_passphrase(keystore, tmp_path, passphrase, message):
    data, address = keystore
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", address, hex(10**20))
        code, output = deploy(node, data, tmp_path / "d", passphrase=passphrase)
        assert node.nonce(address) == 0
    assert code != 0
    assert message in output
    assert not (tmp_path / "d").exists()


def test_insufficient_funds_checked_before_sending(keystore, tmp_path):
    data, address = keystore
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", address, hex(10**12))
        code, output = deploy(node, data, tmp_path / "d")
        assert node.nonce(address, "pending") == 0
    assert code != 0
    assert "fund it and rerun (nothing was sent)" in output
    assert not (tmp_path / "d").exists()
