"""A real anvil node on 127.0.0.1 for tests that need their own chain (e.g. a Sepolia stand-in)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NPM_ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def anvil_binary() -> str:
    return shutil.which("anvil") or str(NPM_ANVIL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Anvil:
    url: str
    process: subprocess.Popen

    def rpc(self, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        request = urllib.request.Request(
            self.url, body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            reply = json.loads(response.read())
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def nonce(self, address: str, block: str = "latest") -> int:
        return int(self.rpc("eth_getTransactionCount", address, block), 16)

    def code(self, address: str) -> str:
        return self.rpc("eth_getCode", address, "latest")


@contextmanager
def anvil(
    *, chain_id: int, mining: bool = True, extra: tuple[str, ...] = (), port: int | None = None
) -> Iterator[Anvil]:
    """An anvil on 127.0.0.1; ``extra`` adds arguments (e.g. ``--state PATH``), ``port`` reuses
    a port (a restarted node at the same URL)."""
    port = port or free_port()
    args = [anvil_binary(), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id)]
    if not mining:
        args.append("--no-mining")
    args.extend(extra)
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    node = Anvil(url=f"http://127.0.0.1:{port}", process=process)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                node.rpc("eth_chainId")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"anvil did not start on port {port}") from None
                time.sleep(0.1)
        yield node
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
