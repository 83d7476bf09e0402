"""Attested ledgers: the typed-data hashing matches eth-account, an honest ledger verifies, and
every bad input is named (file, line, attester, reason)."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from communis.engine.attest import (
    ATTESTATIONS_FILE,
    AttestationError,
    AttestationVerifyError,
    AttesterSet,
    Domain,
    SignatureError,
    SignedBatch,
    make_batch,
    read_attestations,
    recover_signer,
    require_valid,
    row_leaf,
    sign_batch,
    typed_data,
    verify_attestations,
    write_attestations,
)
from communis.engine.keccak import keccak
from communis.engine.merkle import process_proof
from tests.helpers.attest import (
    CHAIN_ID,
    DOMAIN,
    POINT,
    REGISTRY,
    attester_set,
    key,
    ledger_file,
    numbered,
    split_attest,
)
from tests.helpers.ledger import jsonl, sample_rows, write

pytestmark = pytest.mark.offchain

EPOCH = 5
OTHER_REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
BIG = 10**9 * POINT


@pytest.fixture
def keys():
    return [key(1), key(2), key(3)]


@pytest.fixture
def signed(tmp_path: Path, keys):
    """(ledger, attestations path, attester set): three attesters, 30 rows, all honest."""
    ledger = ledger_file(tmp_path, EPOCH)
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, keys, EPOCH, out=path)
    return ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH])


def check(ledger: Path, path: Path, attesters: AttesterSet, domain: Domain = DOMAIN, **kw):
    return verify_attestations(ledger, read_attestations(path), attesters, domain, **kw)


def codes(report) -> set[str]:
    return {p.code for p in report.problems}


def rewrite(path: Path, change) -> None:
    """Apply ``change(batches)`` to the batch dicts of an attestations file, keep the layout."""
    data = json.loads(path.read_text())
    change(data["batches"])
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    edited = read_attestations(tmp)
    write_attestations(dataclasses.replace(edited, ledger_root=edited.ledger_tree().root), path)


# -- hashing -------------------------------------------------------------------------------


def test_digest_is_eip712_of_eth_account(keys) -> None:
    batch = make_batch(keys[0].address, EPOCH, _rows(5))
    message = encode_typed_data(full_message=typed_data(batch, DOMAIN))
    assert message.header == DOMAIN.separator()
    assert message.body == batch.struct_hash()
    assert batch.digest(DOMAIN) == keccak(b"\x19" + message.version + message.header + message.body)


def _rows(count: int):
    with tempfile.TemporaryDirectory() as tmp:
        return [row for _, row in numbered(ledger_file(Path(tmp), EPOCH, count))]


def test_signature_recovers_with_eth_account(keys) -> None:
    batch = make_batch(keys[1].address, EPOCH, _rows(7))
    signature = sign_batch(batch, DOMAIN, keys[1])
    message = encode_typed_data(full_message=typed_data(batch, DOMAIN))
    assert Account.recover_message(message, signature=signature) == keys[1].address
    assert recover_signer(batch.digest(DOMAIN), signature) == keys[1].address


def test_signing_key_never_shows_the_secret(keys) -> None:
    secret = (0xA77E57 * 1000 + 1).to_bytes(32, "big").hex()
    assert secret not in repr(keys[0]) and secret not in str(keys[0])
    with pytest.raises(AttestationError, match="the key is") as exc:
        sign_batch(make_batch(keys[1].address, EPOCH, _rows(2)), DOMAIN, keys[0])
    assert secret not in str(exc.value)


def test_row_proof_reaches_the_batch_root(keys) -> None:
    from communis.engine.attest import HashTree

    rows = _rows(9)
    tree = HashTree.of([row_leaf(r) for r in rows])
    assert tree.root == make_batch(keys[0].address, EPOCH, rows).rows_root
    for i, r in enumerate(rows):
        assert process_proof(row_leaf(r), tree.proof(i)) == tree.root


# -- the honest case -----------------------------------------------------------------------


def test_honest_ledger_verifies(signed) -> None:
    ledger, path, attesters = signed
    report = require_valid(check(ledger, path, attesters))
    assert report.rows == 30 and report.batches == 3
    assert report.ledger_root == "0x" + read_attestations(path).ledger_root.hex()
    assert "OK" in report.summary()


def test_file_round_trip_and_batch_lines(signed) -> None:
    _, path, _ = signed
    attestations = read_attestations(path)
    text = path.read_text().splitlines()
    for sb in attestations.batches:
        assert sb.batch.attester in text[sb.file_line - 1]


def test_attester_set_round_trip(tmp_path: Path, keys) -> None:
    attesters = attester_set({keys[0]: 7 * POINT}, [EPOCH, EPOCH + 1], contracts=[OTHER_REGISTRY])
    log_hash = attesters.save(tmp_path / "attesters.json")
    loaded = AttesterSet.load(tmp_path / "attesters.json")
    assert loaded == attesters and loaded.log_hash == log_hash
    assert loaded.budget_at(keys[0].address, EPOCH + 1) == 7 * POINT
    assert loaded.budget_at(keys[0].address, EPOCH + 2) == 0  # removed after EPOCH + 1
    assert loaded.contracts == {OTHER_REGISTRY} and not loaded.is_attester_at(keys[1].address, 5)


# -- bad input, each by name ---------------------------------------------------------------


def test_truncated_signature(signed) -> None:
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[0].update(signature=b[0]["signature"][:-2]))
    report = check(ledger, path, attesters)
    (problem,) = report.problems
    assert problem.code == "signature-malformed" and "64" in problem.reason
    assert problem.file == str(path) and problem.line > 0 and problem.attester


@pytest.mark.parametrize(
    ("tweak", "reason"),
    [
        (lambda s: s[:-2] + "1d", "v is 29"),
        (lambda s: s[:66] + "f" * 64 + s[-2:], "upper half"),
        (lambda s: s + "00", "66"),
        (lambda s: "0x" + "00" * 64 + s[-2:], "recovers no key"),
    ],
    ids=["bad-v", "high-s", "too-long", "zero-r"],
)
def test_malformed_signature(signed, tweak, reason) -> None:
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[1].update(signature=tweak(b[1]["signature"])))
    report = check(ledger, path, attesters)
    assert [p.code for p in report.problems] == ["signature-malformed"]
    assert reason in report.problems[0].reason


def test_high_s_rejected_like_openzeppelin(keys) -> None:
    batch = make_batch(keys[0].address, EPOCH, _rows(3))
    signature = sign_batch(batch, DOMAIN, keys[0])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(signature[32:64], "big")
    flipped = signature[:32] + (n - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    with pytest.raises(SignatureError, match="upper half"):
        recover_signer(batch.digest(DOMAIN), flipped)


def test_other_chain_id(tmp_path: Path, keys) -> None:
    ledger = ledger_file(tmp_path, EPOCH)
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, keys, EPOCH, domain=Domain(1, REGISTRY), out=path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    assert codes(report) == {"wrong-chain", "signature-other-deployment"}
    assert sum(p.code == "signature-other-deployment" for p in report.problems) == 3
    assert "chain id 1" in next(p.reason for p in report.problems if p.code == "wrong-chain")


def test_other_verifying_contract_replay(tmp_path: Path, keys) -> None:
    """Attestations made for another deployment on the same chain are replayed here."""
    ledger = ledger_file(tmp_path, EPOCH)
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, keys, EPOCH, domain=Domain(CHAIN_ID, OTHER_REGISTRY), out=path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    assert codes(report) == {"wrong-contract", "signature-other-deployment"}
    assert all("replay" in p.reason for p in report.problems if p.line)


def test_replay_with_domain_field_rewritten(tmp_path: Path, keys) -> None:
    """The replayed file claims this deployment's domain: its signatures still fail."""
    ledger = ledger_file(tmp_path, EPOCH)
    path = tmp_path / ATTESTATIONS_FILE
    foreign = split_attest(ledger, keys, EPOCH, domain=Domain(CHAIN_ID, OTHER_REGISTRY))
    write_attestations(dataclasses.replace(foreign, domain=DOMAIN), path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    assert codes(report) == {"signature-mismatch"}


def test_signature_for_another_epoch(tmp_path: Path, keys) -> None:
    ledger = ledger_file(tmp_path, EPOCH)
    path = tmp_path / ATTESTATIONS_FILE
    honest = split_attest(ledger, keys, EPOCH)
    first = honest.batches[0]
    old = dataclasses.replace(first.batch, epoch=EPOCH - 2)
    forged = dataclasses.replace(first, signature=sign_batch(old, DOMAIN, _key_of(keys, old)))
    replayed = dataclasses.replace(honest, batches=(forged, *honest.batches[1:]))
    write_attestations(dataclasses.replace(replayed, ledger_root=replayed.ledger_tree().root), path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    (problem,) = report.problems
    assert problem.code == "signature-other-epoch" and f"epoch {EPOCH - 2}" in problem.reason


def _key_of(keys, batch):
    return next(k for k in keys if k.address == batch.attester)


def test_epoch_field_inconsistent(signed) -> None:
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[2].update(epoch=EPOCH + 1))
    report = check(ledger, path, attesters)
    assert "epoch-mismatch" in codes(report)
    assert "signature-other-epoch" in codes(report)


def test_ledger_row_of_another_epoch(tmp_path: Path, keys) -> None:
    rows = sample_rows(EPOCH, 10)
    rows[4]["epoch"] = EPOCH + 1
    ledger = write(tmp_path / "ledger.jsonl", jsonl(rows))
    path = tmp_path / ATTESTATIONS_FILE
    with pytest.raises(AttestationError, match="cannot go into a batch"):
        split_attest(ledger, keys, EPOCH, out=path)


def test_batch_root_not_matching_rows(signed) -> None:
    """The proposer edits a signed row afterwards (more points for one account)."""
    ledger, path, attesters = signed
    lines = ledger.read_text().splitlines(keepends=True)
    row = json.loads(lines[3])
    row["points"] = "9999"
    lines[3] = json.dumps(row) + "\n"
    ledger.write_text("".join(lines))
    report = check(ledger, path, attesters)
    assert codes(report) == {"root-mismatch", "count-mismatch"}


def test_attester_not_registered_in_that_epoch(signed, keys) -> None:
    ledger, path, _ = signed
    attesters = attester_set({keys[0]: BIG, keys[1]: BIG}, [EPOCH])
    report = check(ledger, path, attesters)
    (problem,) = report.problems
    assert problem.code == "not-attester" and problem.attester == keys[2].address
    later = attester_set(dict.fromkeys(keys, BIG), [EPOCH + 1])
    assert {p.code for p in check(ledger, path, later).problems} == {"not-attester"}


def test_attester_over_budget(signed, keys) -> None:
    ledger, path, _ = signed
    attesters = attester_set({keys[0]: BIG, keys[1]: POINT, keys[2]: BIG}, [EPOCH])
    report = check(ledger, path, attesters)
    (problem,) = report.problems
    assert problem.code == "over-budget" and problem.attester == keys[1].address


def test_row_counted_twice_same_ref(tmp_path: Path, keys) -> None:
    rows = sample_rows(EPOCH, 12)
    rows[9]["ref"] = rows[2]["ref"]
    ledger = write(tmp_path / "ledger.jsonl", jsonl(rows))
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, keys, EPOCH, out=path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    (problem,) = report.problems
    assert problem.code == "duplicate-ref" and problem.line == 10 and "line 3" in problem.reason


def test_row_in_two_batches(tmp_path: Path, keys) -> None:
    from communis.engine.attest import attest

    ledger = ledger_file(tmp_path, EPOCH, 10)
    rows = numbered(ledger)
    path = tmp_path / ATTESTATIONS_FILE
    both = attest(rows, [(keys[0], range(1, 7)), (keys[1], range(6, 11))], DOMAIN, EPOCH)
    write_attestations(both, path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    assert [(p.code, p.line, p.attester) for p in report.problems] == [
        ("row-in-two-batches", 6, max(keys[0].address, keys[1].address, key=str.lower))
    ]


def test_padded_rows_nobody_signed(tmp_path: Path, keys) -> None:
    """The issue's fraud: invented rows appended to an attested ledger."""
    ledger = ledger_file(tmp_path, EPOCH, 20)
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, keys, EPOCH, out=path)
    padding = [
        {**r, "ref": f"invented/{i}", "role": "creator", "points": "400"}
        for i, r in enumerate(sample_rows(EPOCH, 12, seed=99))
    ]
    with ledger.open("a") as handle:
        handle.write(jsonl(padding))
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    assert [p.line for p in report.problems] == list(range(21, 33))
    assert codes(report) == {"unattested-row"}


def test_padded_rows_signed_by_an_outsider(tmp_path: Path, keys) -> None:
    ledger = ledger_file(tmp_path, EPOCH, 20)
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, [*keys, key(66)], EPOCH, out=path)
    report = check(ledger, path, attester_set(dict.fromkeys(keys, BIG), [EPOCH]))
    assert codes(report) == {"not-attester"} and report.problems[0].attester == key(66).address


def test_second_batch_of_one_attester(tmp_path: Path, keys) -> None:
    ledger = ledger_file(tmp_path, EPOCH, 10)
    path = tmp_path / ATTESTATIONS_FILE
    split_attest(ledger, [keys[0], keys[0]], EPOCH, out=path)
    report = check(ledger, path, attester_set({keys[0]: BIG}, [EPOCH]))
    assert codes(report) == {"second-batch"}


def test_line_that_is_not_a_row(signed) -> None:
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[2]["lines"].append([500, 501]))
    report = check(ledger, path, attesters)
    assert codes(report) == {"line-not-a-row"}


def test_ledger_root_not_the_batches_root(signed) -> None:
    ledger, path, attesters = signed
    attestations = read_attestations(path)
    write_attestations(dataclasses.replace(attestations, ledger_root=b"\x01" * 32), path)
    assert codes(check(ledger, path, attesters)) == {"ledger-root-mismatch"}


def test_attester_set_of_another_deployment_or_hash(signed, keys) -> None:
    ledger, path, _ = signed
    other = attester_set(dict.fromkeys(keys, BIG), [EPOCH], registry=OTHER_REGISTRY)
    assert codes(check(ledger, path, other)) == {"attester-set"}
    same = attester_set(dict.fromkeys(keys, BIG), [EPOCH])
    report = check(ledger, path, same, expected_attesters_hash="0x" + "ab" * 32)
    assert codes(report) == {"attester-set"}


def test_contract_attester_needs_the_chain(tmp_path: Path, keys) -> None:
    """An ERC-1271 attester: offline its signature is not taken on trust."""
    wallet = "0x" + "c0" * 20
    ledger = ledger_file(tmp_path, EPOCH, 6)
    rows = numbered(ledger)
    batch = make_batch(wallet, EPOCH, [r for _, r in rows])
    signature = keys[0].sign_digest(batch.digest(DOMAIN))
    from communis.engine.attest import Attestations, line_ranges

    sb = SignedBatch(batch, tuple(line_ranges(line for line, _ in rows)), signature)
    draft = Attestations(DOMAIN, EPOCH, (sb,), b"")
    path = tmp_path / ATTESTATIONS_FILE
    write_attestations(dataclasses.replace(draft, ledger_root=draft.ledger_tree().root), path)
    attesters = attester_set({batch.attester: BIG}, [EPOCH], contracts=[batch.attester])
    assert codes(check(ledger, path, attesters)) == {"contract-signature-unchecked"}
    owner = keys[0].address
    ok = check(ledger, path, attesters,
               contract_signatures=lambda a, d, s: recover_signer(d, s) == owner)  # fmt: skip
    assert ok.ok
    bad = check(ledger, path, attesters, contract_signatures=lambda a, d, s: False)
    assert codes(bad) == {"contract-signature-invalid"}


def test_every_problem_is_listed_and_raised(signed, keys) -> None:
    ledger, path, _ = signed
    attesters = attester_set({keys[0]: POINT}, [EPOCH])
    report = check(ledger, path, attesters)
    assert codes(report) == {"over-budget", "not-attester"} and len(report.problems) == 3
    with pytest.raises(AttestationVerifyError) as exc:
        require_valid(report)
    assert str(exc.value).count("attester 0x") == 3


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[]", "not an attestations file"),
        ('{"format": "communis-attestations-v1"}', "domain"),
        ("{", "JSON"),
    ],
    ids=["not-an-object", "no-domain", "not-json"],
)
def test_unreadable_attestations_file(tmp_path: Path, text: str, match: str) -> None:
    path = write(tmp_path / ATTESTATIONS_FILE, text)
    with pytest.raises(AttestationError, match=match):
        read_attestations(path)


def test_bad_batch_field_named(signed) -> None:
    _, path, _ = signed
    data = json.loads(path.read_text())
    data["batches"][1]["rowsRoot"] = "0x12"
    path.write_text(json.dumps(data, indent=1))
    with pytest.raises(AttestationError, match=r"batch 1: field 'rowsRoot'"):
        read_attestations(path)


def test_row_listed_twice_by_one_batch(signed) -> None:
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[0]["lines"].append(b[0]["lines"][0]))
    report = check(ledger, path, attesters)
    assert "row-in-two-batches" in codes(report)
    assert any("lists it twice" in p.reason for p in report.problems)


def test_line_range_past_the_ledger_is_not_walked(signed) -> None:
    """A hostile range (a trillion lines) is named once, not iterated."""
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[0]["lines"].append([25, 10**12]))
    report = check(ledger, path, attesters)
    past = [p for p in report.problems if p.code == "line-not-a-row"]
    assert len(past) == 1 and "31.." in past[0].reason


def test_lines_listed_over_and_over_are_refused(signed) -> None:
    ledger, path, attesters = signed
    rewrite(path, lambda b: b[0].update(lines=[[1, 30]] * 10_000))
    report = check(ledger, path, attesters)
    assert any("twice as many lines" in p.reason for p in report.problems)
    assert len(report.problems) < 100
