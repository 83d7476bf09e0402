"""Test-suite figures: the inner loop and the whole suite, warm (setup and the build made first,
untimed, as when a developer runs them again), on whatever else the machine is doing.

    tests.fast_s                `make test-fast`, wall seconds
    tests.full_s                `make test` (both EVMs; its sessions run side by side), wall s
    tests.full.<session>_s      each session of `make test` (toolchain/run_passes.py's report)
    tests.full.cpu_s            CPU seconds of `make test` and every process it waited for
    tests.full.passed, .failed, .skipped    its test counts

A failing suite still gives its figures (and ``tests.full.failed`` says so).
"""

from __future__ import annotations

import re
import resource
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = re.compile(r"^pass ([\w-]+): (\d+) s, exit")
TOTAL = re.compile(r"^test: (\d+) passed, (\d+) failed, (\d+) skipped$")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _make(*targets: str) -> tuple[float, float, str]:
    """Run ``make targets``; returns (wall seconds, CPU seconds, output)."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(["make", *targets], cwd=ROOT, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, _children_cpu() - cpu, done.stdout + done.stderr


def collect() -> dict[str, float]:
    _make("setup", ".build/.warm")
    fast, _, _ = _make("test-fast")
    full, cpu, output = _make("test")
    figures = {
        "tests.fast_s": round(fast, 1),
        "tests.full_s": round(full, 1),
        "tests.full.cpu_s": round(cpu, 1),
    }
    for line in output.splitlines():
        if match := SESSION.match(line):
            figures[f"tests.full.{match.group(1)}_s"] = float(match.group(2))
        elif match := TOTAL.match(line):
            for kind, value in zip(("passed", "failed", "skipped"), match.groups(), strict=True):
                figures[f"tests.full.{kind}"] = int(value)
    return figures
