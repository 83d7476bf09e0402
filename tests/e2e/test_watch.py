"""`ape run epoch watch` as a long-lived process against anvil (started as `make node` starts
it, with its state kept): while it runs, a padded tree over an honest attested ledger is proposed
and challenged, the node is stopped and started again with its state, a padded ledger with a
batch signed by a non-attester is proposed and proven on chain (the bond slashed, no vote), the
honest root is verified and finalized after its window, the expired dispute settled; SIGTERM
ends it with exit status 0 and a final line. Nothing is sent twice. The wall time of each step
goes to ``reports/watch-times.txt``, the watcher's log to ``reports/watch-log.txt``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_abi.abi import decode, encode
from eth_utils import keccak

from communis.node import NodeFiles, rpc, start, stop
from tests.helpers.anvil import free_port
from tests.helpers.scripts import environment

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "helpers" / "watch_driver.py"
TIMES = ROOT / "reports" / "watch-times.txt"
LOG = ROOT / "reports" / "watch-log.txt"
REACT = 120  # seconds the watcher gets to notice and act (a loaded machine is slow)


def view(url: str, to: str, signature: str, args: list, out: list[str]) -> tuple:
    """A read-only call, ABI-encoded by hand (the test keeps no ape connection to the node)."""
    _, _, rest = signature.partition("(")
    types = [t for t in rest.rstrip(")").split(",") if t]
    data = keccak(text=signature)[:4] + encode(types, args)
    raw = rpc(url, "eth_call", {"to": to, "data": "0x" + data.hex()}, "latest")
    return decode(out, bytes.fromhex(raw[2:]))


def clock(url: str) -> int:
    """The newest block's timestamp."""
    return int(rpc(url, "eth_getBlockByNumber", "latest", False)["timestamp"], 16)


def move_clock(url: str, timestamp: int) -> None:
    """Mine a block at ``timestamp`` (or one second after the head, if that is later)."""
    rpc(url, "evm_setNextBlockTimestamp", max(timestamp, clock(url) + 1))
    rpc(url, "evm_mine")


class Log:
    """The watcher's output file, read as it grows."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8") if self.path.exists() else ""

    def wait_for(self, text: str, process: subprocess.Popen, timeout: float = REACT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.text.splitlines() if text in line]
            if found:
                return found[-1]
            assert process.poll() is None, f"the watcher exited:\n{self.text}"
            time.sleep(0.25)
        raise AssertionError(f"{text!r} never appeared in the watcher's log:\n{self.text}")

    def count(self, text: str) -> int:
        return sum(text in line for line in self.text.splitlines())


def test_watcher_challenges_proves_and_keeps_through_a_node_restart(tmp_path: Path) -> None:
    files = NodeFiles(tmp_path / ".node")
    port = free_port()
    env = environment()
    times: list[tuple[str, float]] = []
    watcher: subprocess.Popen | None = None
    log = Log(tmp_path / "watch.log")
    started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        times.append((name, now - started))
        started = now

    info = start(files, port=port)
    url, network = info.url, f"ethereum:localnet:{info.url}"
    work = tmp_path / "work"
    work.mkdir()
    try:
        setup = subprocess.run(
            [sys.executable, str(DRIVER), url, str(work)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert setup.returncode == 0, setup.stdout + setup.stderr
        system = json.loads((work / "system.json").read_text())
        rewards, token = system["rewards"], system["token"]
        step("deploy through the plan and build the bundles")

        def propose(bundle: Path, *extra: str) -> None:
            command = ["ape", "run", "epoch", "propose", str(bundle), "--rewards", rewards,
                       "--account", "TEST::3", "--network", network, *extra]  # fmt: skip
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, done.stdout + done.stderr
            assert "sent proposeRoot" in done.stdout

        def balance(account: str) -> int:
            return view(url, token, "balanceOf(address)", [account], ["uint256"])[0]

        def status(epoch: int) -> int:
            return view(url, rewards, "epochStatus(uint256)", [epoch], ["uint8"])[0]

        with log.path.open("w") as sink:
            watcher = subprocess.Popen(
                ["ape", "run", "epoch", "watch", "--rewards", rewards, "--account", "TEST::5",
                 "--network", network, "--poll", "0.5", "--bundles", str(work / "epochs")],
                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
        line = log.wait_for("watching ContributionRewards", watcher)
        assert "(a guardian;" in line and "keeper: finalize on, settle on" in line
        step("start the watcher")

        epoch_end = system["genesis"] + system["epoch_duration"]
        move_clock(url, epoch_end)
        propose(work / "padded-tree" / "0")
        log.wait_for("challenged by this watcher", watcher)
        assert status(0) == 0  # discarded: the epoch can be proposed again
        step("propose a padded tree; the watcher challenges it")

        # The node stops (its state saved) and starts again while the watcher runs.
        stop(files)
        log.wait_for("the node does not answer", watcher)
        resumed = start(files, port=port)
        assert resumed.resumed
        log.wait_for("the node answers again", watcher)
        step("restart the node")

        proposer, me = system["proposer"], system["watcher"]
        before = balance(proposer), balance(me)
        # Rows signed by no attester: the tool refuses unless the cheat skips its check.
        propose(work / "padded-ledger" / "0", "--no-attester-check")
        sent = log.wait_for("sent proveUnattestedBatch", watcher)
        assert "not attester" in sent
        log.wait_for("the root is banned", watcher)
        reward = system["proposer_bond"] // 2  # the test system's challenger reward: 50%
        assert balance(proposer) == before[0] - system["proposer_bond"]  # the bond slashed
        assert balance(me) == before[1] + reward
        step("propose a padded ledger; the watcher proves it")

        propose(work / "epochs" / "0")
        log.wait_for("verified: the root is the recomputed one", watcher)
        assert status(0) == 1
        move_clock(url, clock(url) + system["challenge_window"] + 1)
        log.wait_for("sent finalize", watcher)
        log.wait_for("finalized", watcher)
        assert status(0) == 4
        step("propose the honest root; verified, finalized after its window")

        move_clock(url, clock(url) + system["dispute_period"] + 1)
        log.wait_for("sent settleDispute", watcher)
        log.wait_for("a dispute ended (no verdict)", watcher)
        step("the dispute expires; the watcher settles it")

        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0, log.text
        last = log.text.strip().splitlines()[-1]
        assert "stopped on SIGTERM" in last
        assert "1 challenge" in last and "1 proveUnattestedBatch" in last, last
        step("SIGTERM")
        text = log.text
        assert log.count("sent challenge") == 1 and log.count("sent proveUnattestedBatch") == 1
        assert log.count("sent finalize") == 1 and log.count("sent settleDispute") == 1
        assert log.count("proposed by") == 3  # each event logged once, the restart included
        assert "Traceback" not in text and "unexpected error" not in text, text
    finally:
        if watcher is not None and watcher.poll() is None:
            watcher.kill()
            watcher.wait()
        stop(files)
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        TIMES.write_text("".join(f"{seconds:7.2f} s  {name}\n" for name, seconds in times))
        LOG.write_text(log.text)


def test_watch_refuses_test_keys_on_a_live_chain() -> None:
    """On a chain that is not local the watcher signs only with a keystore account: the public
    test mnemonic's accounts are refused before anything is read or sent, in one line."""
    from tests.helpers.anvil import anvil

    with anvil(chain_id=11155111) as node:
        for extra in ((), ("--account", "TEST::5")):
            done = subprocess.run(
                ["ape", "run", "epoch", "watch", "--rewards", "0x" + "11" * 20,
                 "--network", f"ethereum:sepolia:{node.url}", *extra],
                cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert done.returncode == 2, done.stdout + done.stderr
            assert "refusing test accounts on chain 11155111" in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
            assert "Traceback" not in done.stderr
