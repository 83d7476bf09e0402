"""The engine stays off-chain: importing any module of it loads neither ape nor web3."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers.ledger import ROOT

pytestmark = pytest.mark.offchain

# Every module of the engine package and its subpackages, found on disk (a new module is covered
# without listing it), plus the offline tools built on it.
ENGINE = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "communis" / "engine").rglob("*.py")
    if path.stem != "__init__"
)
OFFLINE = ["communis.cli.main", "communis.demo.sample", "communis.errors"]


def test_engine_has_modules() -> None:
    assert "communis.engine.merkle" in ENGINE and len(ENGINE) >= 10


@pytest.mark.parametrize("module", [*ENGINE, *OFFLINE])
def test_engine_module_imports_neither_ape_nor_web3(module: str) -> None:
    code = (
        "import sys\n"
        f"import {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('ape', 'web3'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
