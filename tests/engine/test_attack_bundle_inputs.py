"""Attacks on what offline verify reads from the bundle under test: a ledger file outside the
bundle, and a policy and half-life of the proposer's choosing."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.engine.bundle import BundleError
from communis.engine.verify import verify_bundle
from tests.engine.attack_bundles import HALF_LIFE, epochs, save_totals, totals_of
from tests.engine.helpers import policy, write

__all__ = ["epochs"]

pytestmark = pytest.mark.offchain


def test_attack_ledger_path_outside_the_bundle_is_refused(epochs: Path, tmp_path: Path) -> None:
    bundle = epochs / "0"
    outside = write(tmp_path / "elsewhere" / "ledger.jsonl", (bundle / "ledger.jsonl").read_bytes())
    for name in (str(outside), "../../elsewhere/ledger.jsonl"):
        totals = totals_of(bundle)
        totals["ledger"]["file"] = name
        save_totals(bundle, totals)
        with pytest.raises(BundleError, match="ledger file"):
            verify_bundle(bundle, root=totals["root"], half_life=HALF_LIFE, policy=policy())
