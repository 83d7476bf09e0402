"""Honest epoch bundles and the forgeries a dishonest proposer could publish next to them,
shared by the attack tests of offline verification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from communis.engine.bundle import TOTALS, TREE, build_bundle, canonical_json, replace_tree
from communis.engine.merkle import Leaf, MerkleTree
from communis.engine.policy import Policy
from tests.helpers.attest import attested
from tests.helpers.ledger import jsonl, sample_rows, write
from tests.helpers.ledger import policy as test_policy

HALF_LIFE = 4


@pytest.fixture
def epochs(tmp_path: Path) -> Path:
    """Two honest bundles, epochs 0 and 1, as a proposer publishes them."""
    out = tmp_path / "epochs"
    build_bundle(
        attested(write(tmp_path / "0.jsonl", jsonl(sample_rows(0)))),
        test_policy(),
        HALF_LIFE,
        out / "0",
    )
    build_bundle(
        attested(write(tmp_path / "1.jsonl", jsonl(sample_rows(1)))),
        test_policy(),
        HALF_LIFE,
        out / "1",
        previous=out / "0",
    )
    return out


def totals_of(bundle: Path) -> dict:
    return json.loads((bundle / TOTALS).read_text())


def save_totals(bundle: Path, totals: dict) -> None:
    (bundle / TOTALS).write_text(canonical_json(totals))


def forge_previous_table(previous: Path) -> tuple[str, str]:
    """Move the first member's whole entitlement to the second (totals unchanged) and republish
    the previous bundle under the forged root; returns (victim, accomplice)."""
    tree = MerkleTree.load(previous / TREE)
    leaves = list(tree.values)
    victim, accomplice = leaves[0], leaves[1]
    leaves[0] = Leaf(victim.account, 0, 0)
    leaves[1] = Leaf(
        accomplice.account,
        accomplice.tokens + victim.tokens,
        accomplice.influence + victim.influence,
    )
    replace_tree(previous, MerkleTree.build(leaves))
    return victim.account, accomplice.account


def rebuild_on(previous: Path, ledger: Path, out: Path, **given: Policy | int) -> str:
    """Build ``ledger``'s epoch on ``previous`` (forged or not) into ``out``; returns the root.
    ``given``: ``policy`` and ``half_life`` if not the tests' own."""
    used = given.get("policy", test_policy())
    half_life = given.get("half_life", HALF_LIFE)
    assert isinstance(used, Policy) and isinstance(half_life, int)
    build = build_bundle(ledger, used, half_life, out, previous=previous, overwrite=True)
    return build.root
