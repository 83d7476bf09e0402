"""Deployment artifacts and explorer verification, read by clients the project did not write:
`ape run deploy` on anvil (Sepolia's chain id, a keystore account) writes hardhat-deploy style
artifacts; ethers v6 and web3.py (without ape) load them and read the same values; Sourcify's
lib-sourcify verifies every deployed contract as a perfect match from the written inputs; and
`ape run verify` writes the standard-json inputs and constructor arguments explorers take."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from eth_account import Account

from communis.engine.jsonsafe import MAX_SAFE_INTEGER, unsafe_integers
from tests.helpers.anvil import ROOT, anvil
from tests.helpers.testnet import SEPOLIA, deploy, journal, write_keystore

pytestmark = pytest.mark.offchain

JS = ROOT / "tests" / "helpers" / "js"
CONTRACTS = {
    "CommunityToken",
    "Influence",
    "CommunisTimelock",
    "InfluenceGovernor",
    "GuardianRegistry",
    "AttesterRegistry",
    "ContributionRewards",
}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """A finished deployment on its own anvil: (node, journal folder, artifacts folder)."""
    root = tmp_path_factory.mktemp("artifacts")
    data = root / "ape-data"
    key = Account.create()
    write_keystore(data, key.key)
    journals = root / "deployments"
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", key.address, hex(10**20))
        code, output = deploy(node, data, journals)
        assert code == 0, output
        yield node, journals, journals / str(SEPOLIA)


def node_json(script: str, *args: str) -> dict:
    done = subprocess.run(
        ["node", str(JS / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # libraries may log before it


def web3_views(url: str, folder: Path) -> dict:
    """What web3.py alone (no ape) reads through the artifacts: the same shape as
    read_artifacts.cjs prints."""
    from web3 import HTTPProvider, Web3

    w3 = Web3(HTTPProvider(url))
    results = {}
    for path in sorted(folder.glob("*.json")):
        artifact = json.loads(path.read_text())
        contract = w3.eth.contract(address=artifact["address"], abi=artifact["abi"])
        receipt = w3.eth.get_transaction_receipt(artifact["transactionHash"])
        views = {}
        for entry in artifact["abi"]:
            if (
                entry["type"] != "function"
                or entry["stateMutability"] not in ("view", "pure")
                or entry["inputs"]
                or len(entry["outputs"]) != 1
                or entry["outputs"][0]["type"].startswith("tuple")
                or entry["outputs"][0]["type"].endswith("]")
            ):
                continue
            value = contract.functions[entry["name"]]().call()
            if isinstance(value, bool):
                value = str(value).lower()
            elif isinstance(value, bytes):
                value = "0x" + value.hex()
            views[entry["name"]] = str(value)
        results[path.stem] = {
            "address": contract.address,
            "receipt": {
                "contractAddress": receipt["contractAddress"],
                "blockNumber": receipt["blockNumber"],
                "blockHash": "0x" + bytes(receipt["blockHash"]).hex(),
            },
            "views": views,
        }
    return results


def test_artifacts_follow_hardhat_deploy_layout(deployed):
    _, journals, folder = deployed
    steps = {s["name"]: s for s in journal(journals)["steps"] if s["kind"] == "deploy"}
    assert {p.stem for p in folder.glob("*.json")} == CONTRACTS == set(steps)
    assert (folder / ".chainId").read_text() == str(SEPOLIA)
    for name, step in steps.items():
        text = (folder / f"{name}.json").read_text()
        artifact = json.loads(text)
        assert artifact["address"] == step["address"]
        assert artifact["transactionHash"] == step["tx_hash"]
        assert artifact["receipt"]["blockNumber"] == step["block"]
        assert artifact["args"] == step["args"]
        assert unsafe_integers(artifact) == []
        solc_input = folder / "solcInputs" / f"{artifact['solcInputHash']}.json"
        assert "0x" + hashlib.sha256(solc_input.read_bytes()).hexdigest() == step["input_hash"]
        sources = json.loads(solc_input.read_bytes())["sources"]
        assert artifact["sourceName"] in sources
        assert not [s for s in sources if ".cache" in s]
        assert all(s.startswith(("contracts/", "@openzeppelin/contracts/")) for s in sources)
        assert set(json.loads(artifact["metadata"])["sources"]) <= set(sources)


def test_big_integers_are_decimal_strings_in_journal_and_artifacts(deployed):
    _, journals, folder = deployed
    recorded = journal(journals)
    assert unsafe_integers(recorded) == []
    token = next(s for s in recorded["steps"] if s["name"] == "CommunityToken")
    cap = token["args"][2]
    assert isinstance(cap, str) and int(cap) > MAX_SAFE_INTEGER
    for path in folder.rglob("*.json"):
        assert unsafe_integers(json.loads(path.read_text())) == [], path


def test_ethers_and_web3py_load_the_artifacts_and_agree(deployed):
    node, _, folder = deployed
    from_ethers = node_json("read_artifacts.cjs", node.url, str(folder))
    from_web3 = web3_views(node.url, folder)
    assert set(from_ethers) == CONTRACTS
    for name, read in from_ethers.items():
        assert read["unsafeNumbers"] == [], name
        assert read["code"], name
        assert read["receipt"] == from_web3[name]["receipt"], name
        assert read["address"] == from_web3[name]["address"]
        assert read["views"] == from_web3[name]["views"], name
        assert read["views"], name
    token = from_ethers["CommunityToken"]["views"]
    artifact = json.loads((folder / "CommunityToken.json").read_text())
    assert token["cap"] == artifact["args"][2]
    assert token["name"] == artifact["args"][0]
    assert from_ethers["Influence"]["views"]["CLOCK_MODE"] == "mode=timestamp"


def test_every_contract_is_a_perfect_match_on_lib_sourcify(deployed):
    node, _, folder = deployed
    results = node_json("sourcify_verify.cjs", node.url, str(SEPOLIA), str(folder))
    assert set(results) == CONTRACTS
    for name, status in results.items():
        assert status == {"runtimeMatch": "perfect", "creationMatch": "perfect"}, (name, status)


def test_verify_command_writes_inputs_and_constructor_args(deployed, tmp_path):
    node, journals, folder = deployed
    out = tmp_path / "verification"
    env = {k: v for k, v in os.environ.items() if k != "ETHERSCAN_API_KEY"}
    command = ["ape", "run", "verify", "--network", f"ethereum:sepolia:{node.url}"]
    command += ["--deployments", str(journals), "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in CONTRACTS:
        artifact = json.loads((folder / f"{name}.json").read_text())
        text = (out / f"{name}.input.json").read_bytes()
        assert hashlib.sha256(text).hexdigest() == artifact["solcInputHash"]
        args = (out / f"{name}.args").read_text().strip()
        assert args == artifact["constructorArguments"]
        creation = node.rpc("eth_getTransactionByHash", artifact["transactionHash"])["input"]
        assert creation == artifact["bytecode"] + args[2:]
        assert f"{name} {artifact['address']}" in done.stdout

    done = subprocess.run(
        [*command, "NoSuchContract"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "no deployed contract 'NoSuchContract'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
