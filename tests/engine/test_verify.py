"""verify: an honest bundle passes; a padded tree, a wrong root or a wrong policy is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from communis.engine.bundle import build_bundle
from communis.engine.merkle import Leaf, MerkleTree
from communis.engine.verify import verify_bundle
from tests.helpers.attest import attested
from tests.helpers.ledger import jsonl, policy, random_accounts, sample_rows, write

pytestmark = pytest.mark.offchain


@pytest.fixture
def epochs(tmp_path: Path) -> Path:
    out = tmp_path / "epochs"
    build_bundle(
        attested(write(tmp_path / "1.jsonl", jsonl(sample_rows(1)))), policy(), 4, out / "1"
    )
    build_bundle(
        attested(write(tmp_path / "2.jsonl", jsonl(sample_rows(2)))),
        policy(),
        4,
        out / "2",
        previous=out / "1",
    )
    return out


def _root(bundle: Path) -> str:
    return json.loads((bundle / "totals.json").read_text())["root"]


def _verify(bundle: Path, **given: object):
    """verify_bundle with what a verifier reads from the chain (first epoch: 1)."""
    given.setdefault("half_life", 4)
    if "expected_policy_hash" not in given:
        given.setdefault("policy", policy())
    if bundle.name == "2":
        given.setdefault("previous", bundle.parent / "1")
        given.setdefault("previous_root", _root(bundle.parent / "1"))
    return verify_bundle(bundle, first_epoch=1, **given)


def test_honest_bundles_verify(epochs: Path) -> None:
    first = _verify(epochs / "1", root=_root(epochs / "1"))
    assert first.ok, first.problems
    second = _verify(epochs / "2", root=_root(epochs / "2"))
    assert second.ok, second.problems
    assert second.expected_root == _root(epochs / "2")


def test_padded_tree_names_the_fake_accounts(epochs: Path) -> None:
    bundle = epochs / "2"
    honest = MerkleTree.load(bundle / "tree.json")
    fakes = random_accounts(3, seed=666)
    padded = list(honest.values) + [Leaf(a, 10**24, 10**24) for a in fakes]
    fraud = MerkleTree.build(sorted(padded, key=lambda leaf: leaf.account.lower()))
    fraud.save(bundle / "tree.json")
    result = _verify(bundle, root=fraud.root_hex)
    assert not result.ok
    assert result.bundle_root == fraud.root_hex != result.expected_root
    assert sorted(d.account for d in result.differences) == sorted(fakes)
    assert {d.kind for d in result.differences} == {"not owed (fake account)"}


def test_inflated_leaf_is_named(epochs: Path) -> None:
    bundle = epochs / "1"
    honest = MerkleTree.load(bundle / "tree.json")
    victim = honest.values[0]
    values = [Leaf(victim.account, victim.tokens * 2, victim.influence), *honest.values[1:]]
    MerkleTree.build(values).save(bundle / "tree.json")
    result = _verify(bundle)
    assert [d.account for d in result.differences] == [victim.account]
    assert result.differences[0].kind == "wrong amounts"


def test_wrong_root_is_reported(epochs: Path) -> None:
    result = _verify(epochs / "1", root="0x" + "11" * 32)
    assert not result.ok and not result.differences
    assert any("not the recomputed root" in p for p in result.problems)


def test_policy_in_force_differs(epochs: Path) -> None:
    result = _verify(
        epochs / "1", root=_root(epochs / "1"), policy=policy(role_weights=(1, 1, 1, 1))
    )
    assert not result.ok
    assert any("policy" in p for p in result.problems)
    assert result.differences  # amounts recomputed under the policy in force differ


def test_edited_ledger_is_caught(epochs: Path) -> None:
    ledger = epochs / "1" / "ledger.jsonl"
    ledger.write_text(ledger.read_text().replace('"points": "1', '"points": "9', 1))
    result = _verify(epochs / "1", root=_root(epochs / "1"))
    assert not result.ok
    assert any("sha256" in p for p in result.problems)


def test_policy_hash_on_chain_is_checked(epochs: Path) -> None:
    from communis.engine.policy import policy_hash

    good = _verify(epochs / "1", expected_policy_hash=policy_hash(policy()))
    assert good.ok, good.problems
    bad = _verify(epochs / "1", expected_policy_hash="0x" + "00" * 32)
    assert any("policy hash" in p for p in bad.problems)
