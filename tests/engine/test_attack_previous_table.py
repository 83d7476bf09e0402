"""Attack: a proposer forges the previous epoch's cumulative table it publishes next to an
honest-looking bundle (or drops it); verify anchors the previous table to a trusted root."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.cli.main import main
from communis.engine.bundle import BundleError, build_bundle
from communis.engine.verify import verify_bundle
from tests.helpers.attack_bundles import (
    HALF_LIFE,
    epochs,
    forge_previous_table,
    rebuild_on,
    totals_of,
)
from tests.helpers.attest import verify_options
from tests.helpers.ledger import policy

__all__ = ["epochs"]

pytestmark = pytest.mark.offchain


def test_attack_forged_previous_table_is_rejected(epochs: Path, tmp_path: Path) -> None:
    honest_previous_root = totals_of(epochs / "0")["root"]
    forge_previous_table(epochs / "0")
    # The proposer builds epoch 1 on the forged table: self-consistent, totals unchanged.
    forged_root = rebuild_on(epochs / "0", epochs / "1" / "ledger.jsonl", tmp_path / "forged")
    result = verify_bundle(
        tmp_path / "forged",
        root=forged_root,
        previous=epochs / "0",
        previous_root=honest_previous_root,
        half_life=HALF_LIFE,
        policy=policy(),
    )
    assert not result.ok
    assert any("trusted root" in p for p in result.problems), result.problems


def test_attack_null_previous_root_after_epoch_zero_is_rejected(
    epochs: Path, tmp_path: Path
) -> None:
    # Epoch 1 published as if it were the first epoch: the earlier entitlements vanish.
    bundle = build_bundle(
        epochs / "1" / "ledger.jsonl", policy(), HALF_LIFE, tmp_path / "fresh"
    ).root
    result = verify_bundle(
        tmp_path / "fresh",
        root=bundle,
        previous=epochs / "0",
        previous_root=totals_of(epochs / "0")["root"],
        half_life=HALF_LIFE,
        policy=policy(),
    )
    assert not result.ok
    assert any("previousRoot" in p or "previous" in p for p in result.problems)
    with pytest.raises(BundleError, match="first epoch"):
        verify_bundle(tmp_path / "fresh", root=bundle, half_life=HALF_LIFE, policy=policy())


def test_attack_forged_previous_table_offline_cli_needs_previous_root(
    epochs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy().save(tmp_path / "policy.json")
    honest_previous_root = totals_of(epochs / "0")["root"]
    forge_previous_table(epochs / "0")
    forged_root = rebuild_on(epochs / "0", epochs / "1" / "ledger.jsonl", epochs / "1")
    common = ["--policy", str(tmp_path / "policy.json"), "--half-life", str(HALF_LIFE),
              *verify_options(tmp_path, [0, 1])]  # fmt: skip
    # Without a trusted previous root the CLI refuses rather than trusting the folder.
    assert main(["verify", str(epochs / "1"), "--root", forged_root, *common]) == 2
    assert "--previous-root" in capsys.readouterr().err
    code = main(
        ["verify", str(epochs / "1"), "--root", forged_root, *common,
         "--previous-root", honest_previous_root]
    )  # fmt: skip
    assert code == 1
