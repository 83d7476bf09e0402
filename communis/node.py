"""A local chain that persists: anvil in the background with its state in a git-ignored folder.

``make node`` runs ``python -m communis.node start`` and ``make node-stop`` runs ``... stop``::

    .node/state.json   anvil's state (``--state``): written every few seconds and on exit,
                       loaded on the next start, so deployments and balances survive a restart
    .node/anvil.pid    the process id of the running node
    .node/anvil.log    its output

Every ``ape run`` command reaches it as ``--network ethereum:localnet`` (a network named in
``ape-config.yaml``: chain id 31337 at http://127.0.0.1:8545; another port:
``ethereum:localnet:http://127.0.0.1:PORT``), so the deployment journal
``deployments/31337.json`` stays valid from one command to the next.

anvil does not keep the chain's clock across a restart: time moved forward with
``ape run chain advance`` would jump back to the wall clock, and a block older than its parent
breaks every deadline. ``start`` therefore moves the clock forward to just after the newest
block before handing the node over.

This module imports no ape (it runs before anything is compiled) and only starts and stops the
process it recorded in ``anvil.pid``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.errors import CommunisError

CHAIN_ID = 31337
DEFAULT_PORT = 8545
NETWORK = "ethereum:localnet"
"""The ape network of the node (``ape-config.yaml``, ``networks.custom``)."""
STATE_INTERVAL = 5
"""Seconds between two dumps of the state (it is also dumped on a clean stop)."""
ROOT = Path(__file__).resolve().parents[1]
NPM_ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


class NodeError(CommunisError, RuntimeError):
    """The node cannot be started or stopped; the message says why and what to do."""


class _InFolder:
    """One file of a :class:`NodeFiles` folder, read as an attribute."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, files: NodeFiles, owner: type | None = None) -> Path:
        return files.folder / self.name


@dataclass(frozen=True)
class NodeFiles:
    """Where a node keeps its state, pid, log and port."""

    folder: Path
    state = _InFolder("state.json")
    pid = _InFolder("anvil.pid")
    log = _InFolder("anvil.log")
    port = _InFolder("anvil.port")


@dataclass(frozen=True)
class NodeInfo:
    """A running node: its process, URL, and whether it resumed a saved state."""

    pid: int
    url: str
    resumed: bool
    head: int
    """The newest block's number."""
    clock_moved: int
    """Seconds the clock was moved forward to continue after the newest block (0 if none)."""

    @property
    def network(self) -> str:
        """What to pass as ``--network`` to reach this node."""
        default = f"http://127.0.0.1:{DEFAULT_PORT}"
        return NETWORK if self.url == default else f"{NETWORK}:{self.url}"


def anvil_binary() -> str:
    """anvil from npm (``make setup``), else the one on PATH."""
    if NPM_ANVIL.exists():
        return str(NPM_ANVIL)
    found = shutil.which("anvil")
    if found is None:
        raise NodeError("anvil not found: run `make setup` (it installs anvil from npm)")
    return found


def rpc(url: str, method: str, *params: Any, timeout: float = 5.0) -> Any:
    """One JSON-RPC call; raises OSError when nothing answers."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise NodeError(f"{method}: {reply['error'].get('message', reply['error'])}")
    return reply["result"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def running(files: NodeFiles) -> int | None:
    """The pid of the node recorded in ``files`` if that process is alive."""
    pid = _read_int(files.pid)
    return pid if pid is not None and _alive(pid) else None


def _answers(url: str) -> bool:
    try:
        rpc(url, "eth_chainId", timeout=1.0)
    except (OSError, NodeError):
        return False
    return True


def _head(url: str) -> tuple[int, int]:
    block = rpc(url, "eth_getBlockByNumber", "latest", False)
    return int(block["number"], 16), int(block["timestamp"], 16)


def start(
    files: NodeFiles,
    *,
    port: int = DEFAULT_PORT,
    chain_id: int = CHAIN_ID,
    timeout: float = 30.0,
    now: float | None = None,
) -> NodeInfo:
    """Start anvil in the background on 127.0.0.1:``port`` with its state in ``files.folder``.

    Refuses if this folder's node is already running, or if something else answers on the port
    (a second node there would not be the one whose state is kept here)."""
    url = f"http://127.0.0.1:{port}"
    pid = running(files)
    if pid is not None:
        recorded = _read_int(files.port) or port
        raise NodeError(
            f"the node of {files.folder} is already running (pid {pid}, "
            f"http://127.0.0.1:{recorded}): stop it first with `make node-stop`"
        )
    if _answers(url):
        raise NodeError(
            f"something already answers on {url} (another anvil?): stop it, or start this node "
            "on another port (`make node NODE_PORT=8546`)"
        )
    files.folder.mkdir(parents=True, exist_ok=True)
    resumed = files.state.exists()
    args = [
        anvil_binary(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(chain_id),
        "--state",
        str(files.state),
        "--state-interval",
        str(STATE_INTERVAL),
    ]
    with files.log.open("ab") as log:
        process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    files.pid.write_text(f"{process.pid}\n")
    files.port.write_text(f"{port}\n")
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(files)
            raise NodeError(f"anvil did not start on {url}: see {files.log}")
        time.sleep(0.1)
    head, stamp = _head(url)
    moved = 0
    wall = int(now if now is not None else time.time())
    if stamp >= wall:
        # Continue after the newest block: anvil restarts its clock from the wall clock.
        moved = stamp - wall + 1
        rpc(url, "evm_increaseTime", moved)
    return NodeInfo(pid=process.pid, url=url, resumed=resumed, head=head, clock_moved=moved)


def stop(files: NodeFiles, *, timeout: float = 30.0) -> int | None:
    """Stop the node recorded in ``files`` (SIGTERM: anvil writes its state, then exits).
    Returns its pid, or None if none was running."""
    pid = running(files)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
        if _alive(pid):
            raise NodeError(f"anvil (pid {pid}) did not stop within {timeout:.0f} s")
    for path in (files.pid, files.port):
        path.unlink(missing_ok=True)
    return pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m communis.node", description="A local anvil whose state persists."
    )
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--dir", type=Path, default=Path(".node"), help="state folder")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    files = NodeFiles(args.dir)
    try:
        if args.action == "start":
            info = start(files, port=args.port)
            state = "resumed its saved state" if info.resumed else "new chain"
            print(
                f"node running: {info.url} (pid {info.pid}, chain {CHAIN_ID}, {state}, "
                f"block {info.head}); state in {files.state}, log {files.log}"
            )
            print(f"use it with: ape run <command> --network {info.network}")
            print("stop it with: make node-stop")
        elif args.action == "stop":
            pid = stop(files)
            print(f"node stopped (pid {pid}); state kept in {files.state}" if pid else "no node")
        else:
            pid = running(files)
            port = _read_int(files.port) or args.port
            print(f"node running: http://127.0.0.1:{port} (pid {pid})" if pid else "no node")
    except NodeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
