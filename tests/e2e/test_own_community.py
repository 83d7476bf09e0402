"""README's "Run your own community", run as a newcomer runs it.

The commands come from the README section itself (its ``bash`` blocks, in order), the ledger from
its ``json`` block (a community of six written as a ledger) and the attester the deploy config
appoints from its ``toml`` block. They run as separate ``ape run``
processes against a persistent node started the way ``make node`` starts it
(``communis.node.start``, on a free port, with ``--network ethereum:localnet:<its URL>``), in a
scratch copy of the project so the repository's own journal and bundles are left alone. Each
step's output is checked for what a user reads there; a line ``# error: TEXT`` after a command
means that command must fail with TEXT. The wall time of each step goes to
``reports/own-community-times.txt``.

Then the node's persistence: stopped and started again, it resumes the chain (and its clock);
with its state gone, the commands say the chain was reset and what to do.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from communis.node import NodeFiles, start, stop
from tests.helpers.anvil import free_port
from tests.helpers.scripts import environment

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Run your own community"
TIMES = ROOT / "reports" / "own-community-times.txt"
LINKED = ("contracts", "scripts", "config", "ape-config.yaml", "node_modules", ".solcx")

# What each step must print (the start of the command -> texts in its output).
EXPECTED: dict[str, tuple[str, ...]] = {
    "ape run deploy": (
        "Attacks at community.toml",
        "ContributionRewards",
        "next: run `ape run attest LEDGER --epoch 0 --account ATTESTER --network",
    ),
    "ape run attest": (
        "attester 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955 signed 6 rows (137 points) of epoch 0",
        "community/epoch-0.attestations.json: 1 batches cover 6 of 6 rows",
        "next: run `ape run epoch build community/epoch-0.jsonl --network",
    ),
    "ape run epoch build": (
        "epoch 0: 6 rows, 6 accounts, 100,000 CMN and 10,000 influence; root 0x",
        "bundle: epochs/31337/0 (every row attested, ledger root 0x",
        "warning: epoch 0 is still running (the chain is in epoch 0)",
        "next: after",
        "run `ape run epoch propose epochs/31337/0 --network",
        "`ape run chain advance --to epoch-end --network",
    ),
    "ape run chain advance --to epoch-end": ("the end of epoch 0", "epoch 1 running"),
    "ape run epoch propose": (
        "sent proposeRoot: root 0x",
        "for epoch 0, cumulative 100,000 CMN and",
        "bond 1,000 CMN; challenge window closes",
        "run `ape run epoch finalize 0 --network",
        "  or: run `ape run epoch challenge 0 --account GUARDIAN",
    ),
    "ape run epoch verify": (
        "OK: the on-chain root is the recomputed one",
        "run `ape run epoch finalize 0 --network",
    ),
    "ape run chain advance --to window-end": ("the close of epoch 0's challenge window",),
    "ape run epoch finalize": (
        "sent finalize: epoch 0 finalized with root 0x",
        "the proposer's bond of 1,000 CMN is back",
        "next: run `ape run epoch claim epochs/31337/0 --network",
    ),
    "ape run epoch claim": (
        "claimed for 6 of 6 accounts in 1 transactions: 100,000 CMN and",
        "next: run `ape run status ACCOUNT --network",
    ),
    "ape run status": (
        "tokens  20,000 CMN",  # the cap: 20% of the 100,000 CMN budget
        "delegate  itself",
        "influence now",
        "unclaimed  0 CMN",
        "(claimable now)",
    ),
    "ape run govern propose set-policy --curator-weight": (
        "curator-weight  3 -> 6",
        "state  Pending",
        "next: after",
        "ape run chain advance --to vote-start",
    ),
    "ape run chain advance --to vote-start": ("the vote on",),
    "ape run govern vote": ("voted for with", "next: after"),
    "ape run chain advance --to vote-end": ("the end of the vote on",),
    "ape run govern queue": ("state  Queued", "ape run govern execute"),
    "ape run chain advance --to timelock": ("timelock delay",),
    "ape run govern execute": ("state  Executed",),
    "ape run epoch status": (
        "weights    creator 5, curator 6, guardian 4, participant 1",
        "pending      none",
        "run `ape run epoch propose",
    ),
    "ape run epoch simulate": ("Attacks at the settings in force on", "corrupt-attester"),
    "ape run chain report": ("This report covers epoch 0", "report: reports/community/index.html"),
}


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return text[start:end]


def blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def steps(section: str) -> list[tuple[str, str | None]]:
    """(command, expected error or None) from the bash blocks, comments dropped."""
    found: list[tuple[str, str | None]] = []
    for block in blocks(section, "bash"):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if line.startswith("# error:"):
                # "# error: A ... B ...": the output contains B (the part between the dots).
                expected = line.removeprefix("# error:").strip()
                parts = [p.strip() for p in expected.split("...") if p.strip()]
                last, _ = found.pop()
                found.append((last, parts[1] if len(parts) > 1 else parts[0]))
            elif command and not command.startswith("#"):
                found.append((command, None))
    return found


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    """A scratch project: the repository's sources linked, its build copied, nothing else."""
    work = tmp_path / "community"
    work.mkdir()
    for name in LINKED:
        (work / name).symlink_to(ROOT / name)
    if (ROOT / ".build").is_dir():
        shutil.copytree(ROOT / ".build", work / ".build")
    return work


def test_readme_own_community_end_to_end(scratch_project: Path) -> None:
    project = scratch_project
    section = readme_section()
    (ledger,) = blocks(section, "json")
    assert len(ledger.strip().splitlines()) == 6  # a community of six
    (attesters,) = blocks(section, "toml")
    assert attesters.startswith("[attesters]\n")
    port = free_port()
    network = f"ethereum:localnet:http://127.0.0.1:{port}"
    files = NodeFiles(project / ".node")
    env = environment()
    times: list[tuple[str, float]] = []

    def run(command: str) -> subprocess.CompletedProcess[str]:
        argv = shlex.split(command.replace("--network ethereum:localnet", f"--network {network}"))
        started = time.perf_counter()
        result = subprocess.run(
            argv, cwd=project, env=env, capture_output=True, text=True, timeout=600
        )
        times.append((command, time.perf_counter() - started))
        return result

    commands = steps(section)
    assert [c for c, _ in commands][:1] == ["make node"]
    try:
        for command, error in commands:
            if command == "make node":
                started = time.perf_counter()
                info = start(files, port=port)
                times.append((command, time.perf_counter() - started))
                assert not info.resumed
                continue
            if command == "make node-stop":
                started = time.perf_counter()
                assert stop(files) == info.pid
                times.append((command, time.perf_counter() - started))
                continue
            if command.startswith("cp config/deploy.toml community.toml"):
                config = (ROOT / "config" / "deploy.toml").read_text()
                config = re.sub(r"(?m)^account_cap_bps = \d+", "account_cap_bps = 2000", config)
                config = re.sub(r"(?m)^quorum_percent = \d+", "quorum_percent = 25", config)
                (project / "community.toml").write_text(f"{config}\n{attesters}")
                (project / "community").mkdir()
                (project / "community" / "epoch-0.jsonl").write_text(ledger)
                continue
            result = run(command)
            output = result.stdout + result.stderr
            if error is not None:
                assert result.returncode == 2, f"{command} should fail:\n{output}"
                assert error in output, output
                assert "Traceback" not in output
                assert len(result.stderr.strip().splitlines()) == 1, result.stderr
                continue
            assert result.returncode == 0, f"{command}\n{output[-3000:]}"
            assert "INFO" not in output and "Confirmed 0x" not in output, output  # quiet
            assert "warning: " not in output or command.startswith(
                ("ape run epoch build", "ape run epoch simulate")
            )
            expected = next(
                (texts for prefix, texts in EXPECTED.items() if command.startswith(prefix)), None
            )
            assert expected is not None, f"no expectation for {command!r}"
            for text in expected:
                assert text in output, f"{command}: {text!r} missing from\n{output}"
        html = (project / "reports" / "community" / "index.html").read_text()
        for text in ("What happened", "Risks to watch", "Top earners", "Nakamoto coefficient"):
            assert text in html

        # With the node stopped, a command says to start it.
        out = run("ape run epoch status --network ethereum:localnet")
        assert out.returncode == 2 and "start the local node first: `make node`" in out.stderr

        # The node's state survives a restart, clock included.
        resumed = start(files, port=port)
        assert resumed.resumed and resumed.clock_moved > 0
        out = run("ape run epoch status --network ethereum:localnet")
        assert out.returncode == 0, out.stdout + out.stderr
        assert "creator 5, curator 6, guardian 4, participant 1" in out.stdout
        # A mistyped test account: one line, no traceback.
        out = run("ape run status TEST::99 --network ethereum:localnet")
        assert out.returncode == 2 and "TEST::0 to TEST::10" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        stop(files)

        # A chain started afresh: the journal's contracts are gone, and the command says so.
        files.state.unlink()
        start(files, port=port)
        out = run("ape run epoch status --network ethereum:localnet")
        assert out.returncode == 2
        assert "this chain was reset" in out.stderr and "make node" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    finally:
        stop(files)
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        TIMES.write_text("".join(f"{seconds:7.2f} s  {command}\n" for command, seconds in times))
