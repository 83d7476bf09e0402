"""The engine core stays off-chain: importing it loads neither ape nor web3."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.engine.helpers import ROOT

pytestmark = pytest.mark.offchain

CORE = ["address", "bundle", "cli", "cumulative", "growth", "keccak", "ledger", "merkle",
        "parallel", "policy", "roles", "sample", "scoring", "verify"]  # fmt: skip


def test_core_imports_neither_ape_nor_web3() -> None:
    code = (
        "import sys\n"
        + "".join(f"import communis.{name}\n" for name in CORE)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('ape', 'web3'))\n"
        + "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
