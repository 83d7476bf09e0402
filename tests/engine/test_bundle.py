"""Epoch bundles: contents, byte-identical rebuilds, chaining epochs, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from communis.engine.bundle import (
    BundleError,
    build_bundle,
    load_previous,
    load_totals,
    read_totals,
)
from communis.engine.growth import to_stored
from communis.engine.merkle import MerkleTree
from communis.engine.policy import policy_hash
from tests.helpers.ledger import jsonl, policy, sample_rows, write

pytestmark = pytest.mark.offchain

FILES = ["ledger.jsonl", "policy.json", "report.md", "totals.json", "tree.json"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_bundle_contents(tmp_path: Path) -> None:
    ledger = write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1)))
    build = build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    folder = tmp_path / "out" / "1"
    assert sorted(p.name for p in folder.iterdir()) == FILES
    assert (folder / "ledger.jsonl").read_bytes() == ledger.read_bytes()
    totals = read_totals(folder)
    assert totals["epoch"] == 1 and totals["root"] == build.root
    assert totals["policyHash"] == "0x" + policy_hash(policy()).hex()
    assert totals["epochTotals"]["tokens"] == str(policy().token_budget)
    assert int(totals["cumulativeTotals"]["influenceStored"]) == sum(
        to_stored(a, 1, 4) for a in build.scores.influence.amounts.values()
    )
    assert MerkleTree.load(folder / "tree.json").root_hex == build.root
    assert build.root in (folder / "report.md").read_text()


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    ledger = write(tmp_path / "in" / "epoch-1.jsonl", jsonl(sample_rows(1, count=300)))
    build_bundle(ledger, policy(), 4, tmp_path / "a" / "1")
    copy = write(tmp_path / "elsewhere" / "renamed.jsonl", ledger.read_bytes())
    build_bundle(copy, policy(), 4, tmp_path / "b" / "1", workers=2)
    assert _files(tmp_path / "a" / "1") == _files(tmp_path / "b" / "1")


def test_epochs_chain_cumulatively(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build_bundle(write(tmp_path / "1.jsonl", jsonl(sample_rows(1))), policy(), 4, out / "1")
    second = build_bundle(
        write(tmp_path / "2.jsonl", jsonl(sample_rows(2))),
        policy(),
        4,
        out / "2",
        previous=out / "1",
    )
    totals = read_totals(out / "2")
    assert totals["previousRoot"] == first.root and totals["previousEpoch"] == 1
    assert int(totals["cumulativeTotals"]["tokens"]) == 2 * policy().token_budget
    table, root = load_previous(out / "2")
    assert root == second.root
    for account, (tokens, _) in first.table.entries.items():
        assert table.entries[account][0] >= tokens


def test_existing_bundle_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    ledger = write(tmp_path / "1.jsonl", jsonl(sample_rows(1)))
    build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    with pytest.raises(BundleError, match="already exists"):
        build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    build_bundle(
        ledger, policy(role_weights=(1, 1, 1, 1)), 4, tmp_path / "out" / "1", overwrite=True
    )
    assert (
        json.loads((tmp_path / "out" / "1" / "policy.json").read_text())["roleWeights"] == [1] * 4
    )


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = write(tmp_path / "1.jsonl", jsonl(sample_rows(1)))

    def explode(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(MerkleTree, "save", explode)
    with pytest.raises(OSError, match="disk full"):
        build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    assert list((tmp_path / "out").iterdir()) == []


def test_totals_read_typed_and_written_back_exactly(tmp_path: Path) -> None:
    ledger = write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1)))
    build = build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    folder = tmp_path / "out" / "1"
    totals = load_totals(folder)
    assert totals == build.totals()
    assert totals.to_json() == read_totals(folder)
    assert totals.cumulative_totals.tokens == build.table.total_tokens
    assert totals.previous_root is None and totals.ledger.file == "ledger.jsonl"
    raw = read_totals(folder)
    raw["epochTotals"]["tokens"] = 5  # a number where the format has a decimal string
    (folder / "totals.json").write_text(json.dumps(raw))
    with pytest.raises(BundleError, match=r"totals.json: epochTotals.tokens must be a decimal"):
        load_totals(folder)
