"""Attack: deeply nested or huge JSON in a bundle, a policy or a ledger line must end in a clear
error naming the file, never in a RecursionError or an exhausted memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.engine.bundle import TOTALS, TREE, BundleError
from communis.engine.ledger import LedgerError, read_ledger
from communis.engine.merkle import MerkleError, MerkleTree
from communis.engine.policy import Policy, PolicyError
from communis.engine.verify import verify_bundle
from tests.helpers.attack_bundles import HALF_LIFE, epochs
from tests.helpers.ledger import policy, write

__all__ = ["epochs"]

pytestmark = pytest.mark.offchain

DEEP = "[" * 200_000 + "]" * 200_000


def test_attack_deeply_nested_totals_is_a_clear_error(epochs: Path) -> None:
    (epochs / "0" / TOTALS).write_text('{"bundleFormat": ' + DEEP + "}")
    with pytest.raises(BundleError, match=r"totals\.json.*nested"):
        verify_bundle(epochs / "0", half_life=HALF_LIFE, policy=policy())


def test_attack_deeply_nested_tree_is_a_clear_error(epochs: Path) -> None:
    (epochs / "0" / TREE).write_text('{"format": "standard-v1", "tree": ' + DEEP + "}")
    with pytest.raises(MerkleError, match="nested"):
        MerkleTree.load(epochs / "0" / TREE)
    result = verify_bundle(epochs / "0", half_life=HALF_LIFE, policy=policy())
    assert any("nested" in p for p in result.problems)


def test_attack_deeply_nested_policy_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "policy.json", '{"roleWeights": ' + DEEP + "}")
    with pytest.raises(PolicyError, match=r"policy\.json.*nested"):
        Policy.load(path)


def test_attack_deeply_nested_ledger_line_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "ledger.jsonl", '{"epoch": 0, "ref": ' + DEEP + "}\n")
    with pytest.raises(LedgerError, match="nested"):
        read_ledger(path)


def test_attack_huge_json_is_refused_before_parsing(tmp_path: Path) -> None:
    from communis.engine.jsonlimits import JsonLimitError, load_json_text

    with pytest.raises(JsonLimitError, match="larger than"):
        load_json_text(" " * 2048, where="x.json", max_bytes=1024)
    path = write(tmp_path / "ledger.jsonl", '{"epoch": 0, "ref": "' + "x" * 100_000 + '"}\n')
    with pytest.raises(LedgerError, match="longer than"):
        read_ledger(path)


def test_attack_unclosed_brackets_are_a_clear_error(epochs: Path) -> None:
    (epochs / "0" / TOTALS).write_text('{"bundleFormat": ' + "[" * 200_000)
    with pytest.raises(BundleError, match="nested"):
        verify_bundle(epochs / "0", half_life=HALF_LIFE, policy=policy())
