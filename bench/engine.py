"""Engine figures: our Merkle tree vs @openzeppelin/merkle-tree on the
same 100k values, a million-account tree (CPU time and peak memory, each measured in a fresh
subprocess), and a million-row ledger to a finished epoch bundle.

    merkle.100k.build_s.communis    median of 3, StandardMerkleTree-compatible build, 100k leaves
    merkle.100k.build_s.ozjs        median of 3, StandardMerkleTree.of in node on the same values
    merkle.100k.same_root           1 if both roots are equal
    merkle.1m.build_s               1,000,000 leaves: build + dumps() (the tree.json text), CPU
                                    seconds of a serial run, median of 3 (each in a fresh
                                    subprocess; CPU, not wall: the figure should depend as little
                                    as possible on what else the machine runs); .min: the best
    merkle.1m.peak_mb               peak RSS (MiB, inputs included) of a subprocess that builds
                                    the 1M tree and saves tree.json, which is what a bundle does
                                    (save() streams the text)
    merkle.1m.dumps_peak_mb         the same for build + dumps(), which holds the whole text
    ledger.1m_rows.epoch_build_s    1,000,000-row JSONL ledger -> bundle, CPU seconds, median of
                                    3 builds of the same ledger (rows drawn Zipf-like from 200k
                                    members, ~120k of them active); .min: the best

Proofs are not timed: bundles store tree.json and proofs are derived from it on demand.
"""

from __future__ import annotations

import json
import operator
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OZ_SCRIPT = Path(__file__).resolve().parent / "oz_merkle.js"
RUNS = 3
SEED = 2026


def _lower_account(leaf: Any) -> str:
    return str(leaf.account).lower()


def _leaves(count: int, *, checksummed: bool) -> list:
    from communis.engine.address import to_checksum
    from communis.engine.merkle import Leaf

    rng = random.Random(SEED)
    out = []
    for _ in range(count):
        address = "0x" + rng.randbytes(20).hex()
        out.append(
            Leaf(
                to_checksum(address) if checksummed else address,
                rng.randrange(10**24),
                rng.randrange(10**30),
            )
        )
    out.sort(key=operator.attrgetter("account") if not checksummed else _lower_account)
    return out


def _merkle_100k() -> dict[str, float]:
    from communis.engine.merkle import MerkleTree

    leaves = _leaves(100_000, checksummed=True)
    seconds = []
    root = ""
    for _ in range(RUNS):
        started = time.perf_counter()
        root = MerkleTree.build(leaves).root_hex
        seconds.append(time.perf_counter() - started)
    figures = {"merkle.100k.build_s.communis": round(statistics.median(seconds), 3)}
    node = shutil.which("node")
    if node is None:
        print("bench.engine: node not found, skipping the ozjs figures", file=sys.stderr)
        return figures
    with tempfile.TemporaryDirectory(prefix="communis-oz-") as tmp:
        values = Path(tmp) / "values.json"
        values.write_text(json.dumps([leaf.as_json() for leaf in leaves]), encoding="utf-8")
        out = subprocess.run(
            [node, str(OZ_SCRIPT), "build", str(values), str(RUNS)],
            check=True,
            capture_output=True,
            text=True,
        )
    oz = json.loads(out.stdout)
    figures["merkle.100k.build_s.ozjs"] = round(statistics.median(oz["seconds"]), 3)
    figures["merkle.100k.same_root"] = int(oz["root"] == root)
    return figures


def _cpu_seconds() -> float:
    """CPU time of this process and its reaped children."""
    usage = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    return sum(u.ru_utime + u.ru_stime for u in usage)


def one_million(mode: str) -> None:
    """Subprocess entry: build a 1M-leaf tree, then ``dumps`` it or ``save`` it; print JSON."""
    from communis.engine.merkle import MerkleTree

    leaves = _leaves(1_000_000, checksummed=False)
    cpu_before = _cpu_seconds()
    tree = MerkleTree.build(leaves)
    if mode == "dumps":
        size = len(tree.dumps())
    else:
        with tempfile.TemporaryDirectory(prefix="communis-1m-") as tmp:
            path = Path(tmp) / "tree.json"
            tree.save(path)
            size = path.stat().st_size
    cpu = _cpu_seconds() - cpu_before
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"cpu_s": cpu, "bytes": size, "peak_kib": peak_kib, "root": tree.root_hex}))


def _one_million(mode: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", f"from bench.engine import one_million; one_million({mode!r})"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def _merkle_1m() -> dict[str, float]:
    timed = [_one_million("dumps") for _ in range(RUNS)]
    saved = _one_million("save")
    if {t["root"] for t in timed} != {saved["root"]} or {t["bytes"] for t in timed} != {
        saved["bytes"]
    }:
        raise RuntimeError("dumps() and save() disagree on the 1M tree")
    cpu = [float(t["cpu_s"]) for t in timed]  # type: ignore[arg-type]
    return {
        "merkle.1m.build_s": round(statistics.median(cpu), 2),
        "merkle.1m.build_s.min": round(min(cpu), 2),
        "merkle.1m.peak_mb": round(float(saved["peak_kib"]) / 1024, 1),  # type: ignore[arg-type]
        "merkle.1m.dumps_peak_mb": round(
            max(float(t["peak_kib"]) for t in timed) / 1024,  # type: ignore[arg-type]
            1,
        ),
    }


def write_ledger(path: Path, rows: int, accounts: int, epoch: int = 1) -> None:
    """A synthetic long-tailed ledger (deterministic) for benchmarks."""
    from communis.engine.address import to_checksum
    from communis.engine.roles import ROLES

    rng = random.Random(SEED)
    people = [to_checksum("0x" + rng.randbytes(20).hex()) for _ in range(accounts)]
    weights = [1 / (rank + 1) for rank in range(accounts)]
    chosen = rng.choices(people, weights=weights, k=rows)
    with path.open("w", encoding="utf-8") as out:
        for i, who in enumerate(chosen):
            role = ROLES[i % 4]
            points = f"{rng.randrange(1, 1000)}.{rng.randrange(100):02d}"
            out.write(
                f'{{"epoch": {epoch}, "account": "{who}", "role": "{role}", '
                f'"points": "{points}", "ref": "evidence/{epoch}/{i}"}}\n'
            )


def ledger_build(ledger: str, out: str) -> None:
    """Subprocess entry: build the bundle of ``ledger`` into ``out``; print the CPU seconds."""
    from communis.engine.bundle import build_bundle
    from communis.engine.policy import Policy

    policy = Policy(10**24, 10**24, (5, 3, 4, 1), 100, 86_400, 10**21, 10**20)
    started = _cpu_seconds()
    build_bundle(Path(ledger), policy, 12, Path(out), draft=True)
    print(json.dumps({"cpu_s": _cpu_seconds() - started}))


def _ledger_1m() -> dict[str, float]:
    seconds = []
    with tempfile.TemporaryDirectory(prefix="communis-ledger-") as tmp:
        ledger = Path(tmp) / "epoch-1.jsonl"
        write_ledger(ledger, 1_000_000, 200_000)
        for run in range(RUNS):
            out = Path(tmp) / "epochs" / str(run)
            call = f"ledger_build({str(ledger)!r}, {str(out)!r})"
            code = f"from bench.engine import ledger_build; {call}"
            done = subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
            )
            seconds.append(float(json.loads(done.stdout)["cpu_s"]))
    return {
        "ledger.1m_rows.epoch_build_s": round(statistics.median(seconds), 2),
        "ledger.1m_rows.epoch_build_s.min": round(min(seconds), 2),
    }


def collect() -> dict[str, float]:
    figures: dict[str, float] = {}
    figures.update(_merkle_100k())
    figures.update(_merkle_1m())
    figures.update(_ledger_1m())
    return figures
