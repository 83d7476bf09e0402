"""`make demo`'s job end to end, as a newcomer runs it: `ape run demo` on the in-process EVM
must finish with every step checked and write the report. (It starts its own chain, so it runs
once, not per network; `make demo NETWORK=ethereum:local:foundry` covers anvil.)"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_the_whole_story(tmp_path):
    out = tmp_path / "demo"
    result = subprocess.run(
        ["ape", "run", "demo", "--network", "ethereum:local:test", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "250"},  # rich: no line wrapping
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "demo: every step did what it claimed" in result.stdout
    for claim in (
        "verify: mismatch",
        "upheld: proposer lost its 1,000 CMN bond",
        "voting power 0",
        "the whale cannot propose",
        "weights creator/curator/guardian/participant = 5/6/4/1",
    ):
        assert claim in result.stdout

    run = json.loads((out / "report" / "run.json").read_text())
    assert [e["epoch"] for e in run["epochs"]] == [0, 1, 2]
    assert (out / "report" / "index.html").stat().st_size > 10_000
    assert len(list((out / "report").glob("*.png"))) >= 10
