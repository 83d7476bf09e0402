"""The persistent node's start and stop (communis.node, behind `make node`), and the one-line
errors of the `ape run` commands for a wrong network: a node whose chain id is not the one ape
would sign for, a public network without a URL, no node at all, time travel on a live chain."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from communis.node import NodeError, NodeFiles, running, start, stop
from tests.helpers.anvil import anvil, free_port

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]


def test_node_starts_once_and_stops(tmp_path: Path) -> None:
    files = NodeFiles(tmp_path / ".node")
    port = free_port()
    info = start(files, port=port)
    try:
        assert running(files) == info.pid and not info.resumed
        assert info.network == f"ethereum:localnet:http://127.0.0.1:{port}"
        with pytest.raises(NodeError, match="already running"):
            start(files, port=port)
        with pytest.raises(NodeError, match="something already answers"):
            start(NodeFiles(tmp_path / "other"), port=port)
    finally:
        assert stop(files) == info.pid
    assert stop(files) is None and running(files) is None
    assert files.state.is_file()  # written on the way out
    again = start(files, port=port)
    try:
        assert again.resumed
    finally:
        stop(files)


def ape_run(*args: str) -> subprocess.CompletedProcess[str]:
    anvil_bin = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin"
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{anvil_bin}:{os.environ.get('PATH', '')}",
        "SOLCX_BINARY_PATH": str(ROOT / ".solcx"),
    }
    return subprocess.run(
        ["ape", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def one_line_error(result: subprocess.CompletedProcess[str], *texts: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for text in texts:
        assert text in lines[0], lines[0]


def test_a_node_with_another_chain_id_is_refused_before_sending() -> None:
    with anvil(chain_id=31337) as node:
        result = ape_run("chain", "advance", "1d", "--network", f"ethereum:local:{node.url}")
        block = node.rpc("eth_blockNumber")
    one_line_error(result, "has chain id 31337, but ape would sign for chain 1337", "localnet")
    assert block == "0x0"  # nothing was sent, nothing mined


def test_time_travel_is_refused_on_a_live_chain() -> None:
    with anvil(chain_id=11155111) as node:  # a Sepolia stand-in
        result = ape_run("chain", "advance", "1d", "--network", f"ethereum:sepolia:{node.url}")
        block = node.rpc("eth_blockNumber")
    one_line_error(result, "refusing to move time on chain 11155111")
    assert block == "0x0"


def test_unreachable_networks_are_one_line() -> None:
    one_line_error(
        ape_run("chain", "advance", "1d", "--network", "ethereum:sepolia"),
        "Missing URI",
        "--network ethereum:sepolia:$SEPOLIA_RPC_URL",
    )
    url = f"http://127.0.0.1:{free_port()}"
    one_line_error(
        ape_run("chain", "advance", "1d", "--network", f"ethereum:localnet:{url}"),
        "start the local node first: `make node`",
    )


def test_a_command_that_starts_anvil_stays_quiet_when_it_stops_it() -> None:
    """ape stops the anvil it started when the process exits, after the command: its "Stopping
    'anvil' process." line must stay hidden like every other INFO line."""
    result = ape_run("chain", "advance", "1s", "--network", "ethereum:local:foundry")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1s later" in result.stdout
    assert "INFO" not in result.stdout + result.stderr, result.stdout + result.stderr
