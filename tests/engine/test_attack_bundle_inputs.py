"""Attacks on what offline verify reads from the bundle under test: a ledger file outside the
bundle, and a policy and half-life of the proposer's choosing."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.cli.main import main
from communis.engine.bundle import BundleError, build_bundle
from communis.engine.policy import policy_hash
from communis.engine.verify import verify_bundle
from tests.helpers.attack_bundles import HALF_LIFE, epochs, save_totals, totals_of
from tests.helpers.attest import verify_options
from tests.helpers.ledger import policy, write

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


def test_attack_bundle_policy_and_half_life_not_trusted_offline(
    epochs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A proposer scores with a policy of its own (all weight to its role) and a different
    half-life, and publishes that policy in the bundle: offline verify must not take either
    from the bundle under test."""
    bundle = epochs / "0"
    rigged = policy(role_weights=(1, 0, 0, 0))
    rigged.save(tmp_path / "rigged.json")
    forged = build_bundle(
        bundle / "ledger.jsonl", rigged, HALF_LIFE + 1, tmp_path / "rigged" / "0"
    ).root
    assert main(["verify", str(tmp_path / "rigged" / "0"), "--root", forged]) == 2
    assert "--half-life" in capsys.readouterr().err
    policy().save(tmp_path / "policy.json")
    deployment = verify_options(tmp_path, [0])
    args = ["verify", str(tmp_path / "rigged" / "0"), "--root", forged, *deployment]
    assert main([*args, "--policy", str(tmp_path / "policy.json"), "--half-life", "5"]) == 1
    assert main([*args, "--policy-hash", "0x" + policy_hash(policy()).hex(), "--half-life",
                 str(HALF_LIFE + 1)]) == 1  # fmt: skip
    good = ["verify", str(bundle), "--root", totals_of(bundle)["root"], "--half-life", "4",
            *deployment]  # fmt: skip
    assert main([*good, "--policy-hash", "0x" + policy_hash(policy()).hex()]) == 0
