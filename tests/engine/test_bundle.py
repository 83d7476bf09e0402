"""Epoch bundles: contents, byte-identical rebuilds, chaining epochs, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from communis.engine.attest import (
    ATTESTATIONS_FILE,
    attest,
    attestations_path,
    read_attestations,
    write_attestations,
)
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
from tests.helpers.attest import DOMAIN, attested, key, numbered
from tests.helpers.ledger import jsonl, policy, sample_rows, write

pytestmark = pytest.mark.offchain

FILES = [
    "attestations.json",
    "ledger.jsonl",
    "policy.json",
    "report.md",
    "totals.json",
    "tree.json",
]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_bundle_contents(tmp_path: Path) -> None:
    ledger = attested(write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1))))
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
    signed = attestations_path(ledger)
    assert (folder / ATTESTATIONS_FILE).read_bytes() == signed.read_bytes()
    assert totals["attested"] is True
    assert totals["ledgerRoot"] == "0x" + read_attestations(signed).ledger_root.hex()


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    ledger = attested(write(tmp_path / "in" / "epoch-1.jsonl", jsonl(sample_rows(1, count=300))))
    build_bundle(ledger, policy(), 4, tmp_path / "a" / "1")
    copy = write(tmp_path / "elsewhere" / "renamed.jsonl", ledger.read_bytes())
    write(attestations_path(copy), attestations_path(ledger).read_bytes())
    build_bundle(copy, policy(), 4, tmp_path / "b" / "1", workers=2)
    assert _files(tmp_path / "a" / "1") == _files(tmp_path / "b" / "1")


def test_epochs_chain_cumulatively(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build_bundle(
        attested(write(tmp_path / "1.jsonl", jsonl(sample_rows(1)))), policy(), 4, out / "1"
    )
    second = build_bundle(
        attested(write(tmp_path / "2.jsonl", jsonl(sample_rows(2)))),
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
    ledger = attested(write(tmp_path / "1.jsonl", jsonl(sample_rows(1))))
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
    ledger = attested(write(tmp_path / "1.jsonl", jsonl(sample_rows(1))))

    def explode(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(MerkleTree, "save", explode)
    with pytest.raises(OSError, match="disk full"):
        build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    assert list((tmp_path / "out").iterdir()) == []


def test_totals_read_typed_and_written_back_exactly(tmp_path: Path) -> None:
    ledger = attested(write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1))))
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


def test_unsigned_ledger_is_refused_unless_draft(tmp_path: Path) -> None:
    ledger = write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1)))
    with pytest.raises(BundleError, match=r"epoch-1.jsonl: no attestations \(.*epoch-1.attestat"):
        build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    assert not (tmp_path / "out").exists()
    build_bundle(ledger, policy(), 4, tmp_path / "out" / "1", draft=True)
    totals = load_totals(tmp_path / "out" / "1")
    assert not totals.attested and totals.ledger_root == "0x" + "00" * 32
    assert "Draft" in (tmp_path / "out" / "1" / "report.md").read_text()
    assert not (tmp_path / "out" / "1" / ATTESTATIONS_FILE).exists()


def test_rows_not_covered_are_named_and_refused(tmp_path: Path) -> None:
    """Two rows appended after signing: the build names both lines and writes nothing."""
    ledger = attested(write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1, count=10))))
    padded = sample_rows(1, count=12)
    write(ledger, jsonl(padded))
    count = len(numbered(ledger))
    with pytest.raises(BundleError, match="not every row is attested") as caught:
        build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    message = str(caught.value)
    assert f"{ledger}:{count}: no attester signed this row [unattested-row]" in message
    assert not (tmp_path / "out").exists()
    draft = build_bundle(ledger, policy(), 4, tmp_path / "out" / "1", draft=True)
    assert not draft.attested and draft.ledger_root != "0x" + "00" * 32


def test_attestations_of_another_epoch_are_refused(tmp_path: Path) -> None:
    ledger = write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1, count=5)))
    elsewhere = write(tmp_path / "epoch-2.jsonl", jsonl(sample_rows(2, count=5)))
    rows = numbered(elsewhere)
    other = attest(rows, [(key(1), [n for n, _ in rows])], DOMAIN, 2)
    write_attestations(other, attestations_path(ledger))
    with pytest.raises(BundleError, match=r"attestations of epoch 2, the ledger .* is epoch 1"):
        build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")


def test_bundle_without_the_attestation_fields_still_loads(tmp_path: Path) -> None:
    """A bundle written before ledgerRoot and attested existed loads as an unattested one."""
    ledger = attested(write(tmp_path / "epoch-1.jsonl", jsonl(sample_rows(1))))
    build_bundle(ledger, policy(), 4, tmp_path / "out" / "1")
    folder = tmp_path / "out" / "1"
    raw = read_totals(folder)
    del raw["ledgerRoot"], raw["attested"]
    (folder / "totals.json").write_text(json.dumps(raw))
    totals = load_totals(folder)
    assert not totals.attested and totals.ledger_root == "0x" + "00" * 32
    raw["attested"] = "yes"
    (folder / "totals.json").write_text(json.dumps(raw))
    with pytest.raises(BundleError, match=r"totals\.json: attested must be true or false"):
        load_totals(folder)
