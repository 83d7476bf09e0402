"""Faults in the tooling, each on its own anvil: the node killed in the middle of a deployment and
of a batch claim (restarted with its saved state), a journal from another chain or another node,
and an RPC that accepts connections but never answers. Each gives a clear error, leaves no
partial state behind, and a rerun completes without sending anything twice.

(Missing/wrong passphrase, insufficient funds and the public test mnemonic are covered in
test_testnet_path.py; a deployer process killed mid-step in test_testnet_path.py as well.)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers.anvil import ROOT, anvil, free_port
from tests.helpers.testnet import (
    KILL_AT,
    SEPOLIA,
    assert_resumed,
    deploy,
    deploy_on_fresh_node,
    deploy_until_step_in_flight,
)

pytestmark = pytest.mark.offchain

DRIVER = ROOT / "tests" / "helpers" / "claim_driver.py"


def kill_node(node) -> None:
    node.process.send_signal(signal.SIGKILL)
    node.process.wait(timeout=10)


def stop(process: subprocess.Popen, timeout: float = 60) -> str:
    """Wait for a process that lost its node to give up (or kill it); returns its output."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def wait_for_state_dump(state: Path, node, address: str, nonce: int, timeout: float = 30) -> None:
    """Wait until the node's periodic dump holds ``address``'s nonce ``nonce`` (one more second
    of margin: the dump runs every second)."""
    deadline = time.monotonic() + timeout
    target = hex(nonce)
    while time.monotonic() < deadline:
        if state.exists():
            try:
                accounts = json.loads(state.read_text()).get("accounts", {})
            except (json.JSONDecodeError, UnicodeDecodeError):  # mid-write
                accounts = {}
            entry = accounts.get(address.lower()) or accounts.get(address) or {}
            if entry.get("nonce") in (nonce, target):
                return
        time.sleep(0.2)
    raise AssertionError(f"the node never dumped nonce {nonce} of {address} to {state}")


def resume_clock(node) -> None:
    """anvil saves blocks but not its time offset: after the setup's time travel, a restarted
    node would mine blocks older than its head (a real node never does; Influence's timestamp
    checkpoints rightly refuse it). Move the clock past the head."""
    head = int(node.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    behind = head - int(time.time()) + 1
    if behind > 0:
        node.rpc("evm_increaseTime", behind)


def settle_pending(node, address: str) -> None:
    """A restarted node may bring back a pending transaction in its pool: mine it."""
    if node.nonce(address, "pending") > node.nonce(address):
        node.rpc("evm_mine")


# --- the node dies in the middle of a deployment -------------------------------------------------


def test_node_killed_mid_deployment_resumes_from_the_journal(keystore, tmp_path):
    data, address = keystore
    journals = tmp_path / "deployments"
    state = tmp_path / "anvil-state.json"
    port = free_port()
    persist = ("--state", str(state), "--state-interval", "1")
    with anvil(chain_id=SEPOLIA, mining=False, extra=persist, port=port) as node:
        node.rpc("anvil_setBalance", address, hex(10**20))
        process, before, sent = deploy_until_step_in_flight(node, data, journals)
        wait_for_state_dump(state, node, address, KILL_AT)
        kill_node(node)  # the RPC node dies with step KILL_AT in flight
        output = stop(process)
        assert process.returncode != 0, output

    with anvil(chain_id=SEPOLIA, extra=("--state", str(state)), port=port) as node:
        assert node.nonce(address) == KILL_AT  # the mined steps survived the restart
        for step in before:
            if step["kind"] == "deploy":
                assert node.code(step["address"]) not in ("0x", "")
        settle_pending(node, address)
        assert_resumed(node, data, journals, address, before, sent)


# --- journals that do not belong to the connected chain -----------------------------------------


def test_journal_of_another_chain_is_refused_and_nothing_sent(keystore, tmp_path):
    data, address = keystore
    journals = tmp_path / "deployments"
    journals.mkdir()
    foreign = {"format": "communis-deploy-journal/1", "chainId": 1, "steps": []}
    from communis.deploy.journal import FORMAT

    foreign["format"] = FORMAT
    path = journals / f"{SEPOLIA}.json"
    path.write_text(json.dumps(foreign))
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", address, hex(10**20))
        code, output = deploy(node, data, journals)
        assert node.nonce(address, "pending") == 0
    assert code != 0
    assert f"'chainId' is 1 but the connected chain is {SEPOLIA}" in output
    assert json.loads(path.read_text()) == foreign  # untouched


def test_journal_of_another_node_is_refused_and_nothing_sent(keystore, tmp_path):
    """Same chain id, but the RPC points at a node without the journaled contracts (wrong RPC
    URL, or a fork): refuse instead of deploying a second system."""
    data, address = keystore
    journals = tmp_path / "deployments"
    deploy_on_fresh_node(data, journals, address)
    recorded = (journals / f"{SEPOLIA}.json").read_text()
    with anvil(chain_id=SEPOLIA) as other:
        other.rpc("anvil_setBalance", address, hex(10**20))
        code, output = deploy(other, data, journals)
        assert other.nonce(address, "pending") == 0
    assert code != 0
    assert "has no code there. Wrong network or RPC?" in output
    assert (journals / f"{SEPOLIA}.json").read_text() == recorded


# --- an RPC that never answers -----------------------------------------------------------------


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers; closes itself after
    ``lifetime`` seconds at the latest (bounded, whatever the client does)."""

    def __init__(self, lifetime: float) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.deadline = time.monotonic() + lifetime
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while time.monotonic() < self.deadline:
            try:
                conn, _ = self.sock.accept()
                self.connections.append(conn)  # read nothing, answer nothing
            except (TimeoutError, OSError):
                continue
        self.close()

    def close(self) -> None:
        self.deadline = 0
        for conn in self.connections:
            conn.close()
        self.sock.close()

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        self.thread.join(timeout=5)


def test_rpc_that_never_answers_fails_without_partial_state(keystore, tmp_path):
    """ape 0.8.51 gives HTTP RPCs a 30-minute timeout (ape_ethereum.provider._create_web3) and
    connects before Communis code runs, so the server here gives up first (after 20 s): the
    deploy must then fail naming the RPC, and leave no journal behind."""
    data, _ = keystore
    journals = tmp_path / "deployments"
    env = {k: v for k, v in os.environ.items() if not k.startswith("APE_ACCOUNTS_")}
    env["APE_DATA_FOLDER"] = str(data)
    env["APE_ACCOUNTS_sepolia-deployer_PASSPHRASE"] = "correct horse battery staple"
    with SilentServer(lifetime=20) as server:
        url = f"http://127.0.0.1:{server.port}"
        started = time.monotonic()
        result = subprocess.run(
            [
                shutil.which("ape") or str(Path(sys.executable).parent / "ape"),
                "run",
                "deploy",
                "--network",
                f"ethereum:sepolia:{url}",
                "--account",
                "sepolia-deployer",
                "--deployments",
                str(journals),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        elapsed = time.monotonic() - started
        assert server.connections, "the deploy never tried the RPC"
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert f"No (supported) node found on '{url}'" in output, output
    assert not journals.exists()  # no partial state
    assert elapsed < 150


# --- the node dies in the middle of a batch claim ------------------------------------------------

CLAIMER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # test account 1: sends the batches
LOCAL = 1337  # the chain id ape signs for on its local network


def driver(command: str, node, workdir: Path, *, wait: bool = True):
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), command, node.url, str(workdir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if not wait:
        return process
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    return output


def wait_for_nonce(node, address: str, nonce: int, *, block: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while node.nonce(address, block) < nonce:
        if time.monotonic() > deadline:
            raise AssertionError(f"{address} never reached nonce {nonce} ({block})")
        time.sleep(0.1)


def call(node, to: str, signature: str, *args: str) -> int:
    from eth_abi import encode
    from eth_utils import keccak

    data = keccak(text=signature)[:4] + encode(["address"] * len(args), list(args))
    return int(node.rpc("eth_call", {"to": to, "data": "0x" + data.hex()}, "latest"), 16)


def test_node_killed_mid_batch_claim_rerun_pays_everyone_once(tmp_path):
    from tests.helpers.claim_driver import ACCOUNTS, BATCH

    state = tmp_path / "anvil-state.json"
    port = free_port()
    persist = ("--state", str(state), "--state-interval", "1")
    with anvil(chain_id=LOCAL, extra=persist, port=port) as node:
        driver("setup", node, tmp_path)
        system = json.loads((tmp_path / "system.json").read_text())
        node.rpc("evm_setAutomine", False)
        process = driver("claim", node, tmp_path, wait=False)
        wait_for_nonce(node, CLAIMER, 1, block="pending")  # first batch in the pool
        node.rpc("evm_mine")
        wait_for_nonce(node, CLAIMER, 2, block="pending")  # second batch sent, not mined
        wait_for_state_dump(state, node, CLAIMER, 1)
        kill_node(node)
        output = stop(process)
        assert process.returncode != 0, output

    with anvil(chain_id=LOCAL, extra=("--state", str(state)), port=port) as node:
        assert node.nonce(CLAIMER) == 1  # exactly the first batch was mined before the crash
        resume_clock(node)
        settle_pending(node, CLAIMER)
        paid_before = node.nonce(CLAIMER)
        output = driver("claim", node, tmp_path)
        batches = sum(line.startswith("batch ") for line in output.splitlines())
        remaining = ACCOUNTS - paid_before * BATCH
        assert batches == -(-remaining // BATCH), output  # only what was left, in batches
        for account, (tokens, _) in system["leaves"].items():
            assert call(node, system["token"], "balanceOf(address)", account) == tokens
        total = sum(tokens for tokens, _ in system["leaves"].values())
        assert call(node, system["token"], "totalSupply()") == 10**24 + total
        # A third run finds nothing owed and sends nothing.
        nonce = node.nonce(CLAIMER)
        output = driver("claim", node, tmp_path)
        assert "claimed in 0 batch(es)" in output
        assert node.nonce(CLAIMER) == nonce
