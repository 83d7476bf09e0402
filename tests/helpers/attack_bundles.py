"""Honest epoch bundles and the forgeries a dishonest proposer could publish next to them,
shared by the attack tests of offline verification."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from eth_utils import to_checksum_address

from communis.engine.bundle import TOTALS, TREE, build_bundle, canonical_json, replace_tree
from communis.engine.merkle import Leaf, MerkleTree
from communis.engine.policy import Policy
from tests.helpers.attest import attested
from tests.helpers.ledger import jsonl, sample_rows, write
from tests.helpers.ledger import policy as test_policy

HALF_LIFE = 4
FAKES = [f"0x{'0' * 35}f00d{i}" for i in range(3)]
"""The fake accounts :func:`pad` adds to a tree."""


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


def pad(honest: Path, out: Path) -> Path:
    """A proposer's fraud: the honest ledger published with a tree that moves half of the first
    account's tokens to fake accounts (totals unchanged, so the budget check passes)."""
    shutil.copytree(honest, out)
    tree = MerkleTree.load(honest / TREE)
    leaves = list(tree.values)
    victim = leaves[0]
    share = victim.tokens // 2 // len(FAKES)
    leaves[0] = Leaf(victim.account, victim.tokens - share * len(FAKES), victim.influence)
    leaves += [Leaf(to_checksum_address(f), share, 0) for f in FAKES]
    replace_tree(out, MerkleTree.build(sorted(leaves, key=lambda leaf: leaf.account)))
    return out


def attest_bundle(bundle: Path, domain, signers) -> str:
    """Sign ``bundle``'s ledger: ``signers`` is ``[(account, ledger lines)]``; writes
    attestations.json into the bundle and its root into totals.json (as the attested build
    does). Returns the ledger root."""
    from communis.engine.attest import ATTESTATIONS_FILE, SigningKey, attest, write_attestations
    from communis.engine.ledger import iter_numbered_rows

    totals = totals_of(bundle)
    ledger = bundle / totals["ledger"]["file"]
    rows = list(iter_numbered_rows(ledger, whole_ledger_checks=False))
    keys = [(SigningKey(account.private_key), lines) for account, lines in signers]
    attestations = attest(rows, keys, domain, totals["epoch"])
    write_attestations(attestations, bundle / ATTESTATIONS_FILE)
    totals["ledgerRoot"] = "0x" + attestations.ledger_root.hex()
    (bundle / TOTALS).write_text(json.dumps(totals), encoding="utf-8")
    return totals["ledgerRoot"]
