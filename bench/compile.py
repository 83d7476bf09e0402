"""`compile.cold_s`: compile every contract from an empty build folder (median of 3)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def _cold_compile_seconds() -> float:
    with tempfile.TemporaryDirectory(prefix="communis-compile-") as tmp:
        work = Path(tmp) / "project"
        shutil.copytree(
            ROOT,
            work,
            ignore=shutil.ignore_patterns(".git", ".build", ".venv", "node_modules", ".solcx"),
        )
        (work / "node_modules").symlink_to(ROOT / "node_modules")
        started = time.perf_counter()
        subprocess.run(
            ["ape", "compile", "--force"], cwd=work, check=True, capture_output=True, text=True
        )
        return time.perf_counter() - started


def collect() -> dict[str, float]:
    return {
        "compile.cold_s": round(statistics.median(_cold_compile_seconds() for _ in range(RUNS)), 2)
    }
