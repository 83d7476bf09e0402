"""The Merkle tree against OpenZeppelin's @openzeppelin/merkle-tree (run with node)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from communis.engine.merkle import (
    Leaf,
    MerkleError,
    MerkleTree,
    leaf_hash,
    node_hash,
    split_proof,
    verify_proof,
)
from tests.helpers.ledger import OZ_SCRIPT, random_accounts

pytestmark = pytest.mark.offchain

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _leaves(count: int, seed: int = 3) -> list[Leaf]:
    rng = random.Random(seed)
    leaves = [
        Leaf(a, rng.randrange(10**24), rng.choice([0, rng.randrange(10**40)]))
        for a in random_accounts(count, seed)
    ]
    return sorted(leaves, key=lambda leaf: leaf.account.lower())


def _node(*args: str) -> dict:
    assert NODE is not None
    out = subprocess.run(
        [NODE, str(OZ_SCRIPT), *args], check=True, capture_output=True, text=True, timeout=300
    )
    return json.loads(out.stdout)


@needs_node
@pytest.mark.parametrize("count", [1, 2, 3, 7, 64, 333])
def test_openzeppelin_loads_our_dump_with_same_root_and_proofs(tmp_path: Path, count: int) -> None:
    tree = MerkleTree.build(_leaves(count))
    path = tmp_path / "tree.json"
    tree.save(path)
    oz = _node("load", str(path))
    assert oz["root"] == tree.root_hex
    for leaf in tree.values:
        assert oz["proofs"][leaf.account] == ["0x" + p.hex() for p in tree.proof(leaf.account)]


@needs_node
def test_openzeppelin_builds_the_same_root_from_the_values(tmp_path: Path) -> None:
    leaves = _leaves(100, seed=9)
    values = tmp_path / "values.json"
    values.write_text(json.dumps([leaf.as_json() for leaf in leaves]))
    assert _node("build", str(values), "1")["root"] == MerkleTree.build(leaves).root_hex


def test_hashes_follow_the_standard_encoding() -> None:
    from eth_abi import encode
    from eth_utils import keccak

    leaf = Leaf(random_accounts(1)[0], 5, 7)
    encoded = encode(["address", "uint256", "uint256"], [leaf.account, 5, 7])
    assert leaf.encode() == encoded
    assert leaf_hash(leaf) == keccak(keccak(encoded))
    a, b = keccak(b"a"), keccak(b"b")
    assert node_hash(a, b) == node_hash(b, a) == keccak(min(a, b) + max(a, b))


def test_every_proof_verifies_and_bulk_proofs_match() -> None:
    for count in (1, 2, 5, 31, 32, 33, 100):
        tree = MerkleTree.build(_leaves(count))
        packed = dict(tree.iter_packed_proofs(chunk=7))
        assert sorted(packed) == list(range(count))
        for i, leaf in enumerate(tree.values):
            proof = tree.proof_at(i)
            assert verify_proof(tree.root, leaf, proof)
            assert split_proof(packed[i]) == proof
            assert not verify_proof(tree.root, Leaf(leaf.account, leaf.tokens + 1, 0), proof)


def test_two_processes_build_the_same_tree() -> None:
    leaves = _leaves(500)
    assert MerkleTree.build(leaves, workers=2).nodes == MerkleTree.build(leaves, workers=1).nodes


def test_dumps_is_canonical_json_and_loads_back(tmp_path: Path) -> None:
    tree = MerkleTree.build(_leaves(20))
    text = tree.dumps()
    assert text == json.dumps(tree.dump(), sort_keys=True, separators=(",", ":")) + "\n"
    assert "".join(tree.iter_dump(chunk=3)) == text
    tree.save(tmp_path / "tree.json")
    assert (tmp_path / "tree.json").read_bytes() == text.encode("ascii")
    again = MerkleTree.loads(text)
    assert again.nodes == tree.nodes and again.values == tree.values
    assert again.proof(tree.values[3].account.lower()) == tree.proof(tree.values[3].account)


def test_tampered_dumps_are_rejected() -> None:
    tree = MerkleTree.build(_leaves(10))
    data = tree.dump()
    data["values"][0]["value"][1] = str(int(data["values"][0]["value"][1]) + 1)
    with pytest.raises(MerkleError, match="does not match"):
        MerkleTree.from_dump(data)
    data = tree.dump()
    data["tree"][1] = "0x" + "00" * 32
    with pytest.raises(MerkleError):
        MerkleTree.from_dump(data)
    for bad in ({"format": "simple-v1"}, {**tree.dump(), "leafEncoding": ["address"]}, []):
        with pytest.raises(MerkleError):
            MerkleTree.from_dump(bad)


def test_duplicate_accounts_and_empty_trees_are_refused() -> None:
    leaf = _leaves(1)[0]
    with pytest.raises(MerkleError):
        MerkleTree.build([leaf, Leaf(leaf.account, 1, 1)])
    with pytest.raises(MerkleError):
        MerkleTree.build([])
    with pytest.raises(KeyError):
        MerkleTree.build([leaf]).proof(random_accounts(2, seed=99)[1])


@pytest.mark.parametrize(
    "order", ["given", "reversed", "shuffled"], ids=["sorted", "reversed", "shuffled"]
)
def test_duplicate_accounts_are_found_in_any_order_and_hex_case(order: str) -> None:
    leaves = _leaves(40)
    twin = Leaf(leaves[17].account.lower(), 5, 5)  # same account, other spelling
    values = [*leaves, twin]
    if order == "reversed":
        values.reverse()
    elif order == "shuffled":
        random.Random(1).shuffle(values)
    with pytest.raises(MerkleError, match="unique"):
        MerkleTree.build(values)
    assert MerkleTree.build(leaves[::-1]).root == MerkleTree.build(leaves).root


def test_a_malformed_leaf_is_named() -> None:
    leaves = _leaves(5)
    bad = [*leaves[:2], Leaf("0x1234", 1, 1), *leaves[2:]]
    with pytest.raises(MerkleError, match="0x1234"):
        MerkleTree.build(bad)
    negative = [*leaves[:2], Leaf(leaves[2].account, -1, 1)]
    with pytest.raises(MerkleError, match="uint256"):
        MerkleTree.build(negative)
