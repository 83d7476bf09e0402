"""Attesting through the command line: `communis attest` signs and merges without showing the
secret, `communis build` refuses unsigned or badly signed rows (nothing written), and `communis
verify` names every bad input (file, line, attester, reason) and exits 1.

The community is the sample one (a forum bot and two curators), small.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from communis.cli.main import main
from communis.demo.sample import (
    ATTESTERS,
    SAMPLE_DOMAIN,
    attester_key,
    attester_secret,
    sample_attesters,
    write_sample,
)
from communis.engine.attest.attesters import AttesterSet
from communis.engine.attest.files import (
    Attestations,
    attestations_path,
    read_attestations,
    with_batches,
    write_attestations,
)
from communis.engine.attest.hashing import Domain
from communis.engine.attest.keys import sign_batch
from communis.engine.attest.sign import attest_ledger
from communis.engine.verify import ProposalRecord
from tests.helpers.ledger import jsonl, random_accounts, row
from tests.helpers.testnet import KEYSTORE_SCRYPT_N

pytestmark = pytest.mark.offchain

EPOCH = 0
OTHER_REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
DEPLOYMENT = ["--chain-id", str(SAMPLE_DOMAIN.chain_id), "--registry",
              SAMPLE_DOMAIN.verifying_contract]  # fmt: skip
SIGN_FOR = ["--domain-chain-id", str(SAMPLE_DOMAIN.chain_id), "--registry",
            SAMPLE_DOMAIN.verifying_contract]  # fmt: skip
BOT, SHARES, EVENTS = (name for name, _, _ in ATTESTERS)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A 40-member sample community, epoch 0, signed by its three attesters."""
    out = tmp_path / "sample"
    write_sample(out, count=40, epochs=(EPOCH,))
    return out


def ledger_of(sample: Path) -> Path:
    return sample / "ledgers" / f"epoch-{EPOCH}.jsonl"


def build(sample: Path, out: Path, *extra: str) -> int:
    return main(["build", str(ledger_of(sample)), "--policy", str(sample / "policy.json"),
                 "--half-life", "4", "--out", str(out), *extra])  # fmt: skip


def verify(sample: Path, source: Path | str, *extra: str, attesters: Path | None = None) -> int:
    attesters = attesters or sample / "attesters.json"
    log_hash = AttesterSet.load(attesters).log_hash
    return main(["verify", str(source), "--policy", str(sample / "policy.json"), "--half-life",
                 "4", "--attesters", str(attesters), "--attesters-hash", log_hash, *DEPLOYMENT,
                 *extra])  # fmt: skip


@pytest.fixture
def bundle(sample: Path, tmp_path: Path) -> Path:
    assert build(sample, tmp_path / "epochs") == 0
    return tmp_path / "epochs" / str(EPOCH)


def output(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return (captured.out + captured.err).replace("\n", " ")


# -- communis attest -----------------------------------------------------------------------


def test_attest_signs_by_prefix_and_lines_and_merges(
    sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bot signs the forum rows, one curator two prefixes, the other by line numbers: the
    file is the one the sample generator signs, and the secrets never appear."""
    ledger = ledger_of(sample)
    expected = attestations_path(ledger).read_bytes()
    attestations_path(ledger).unlink()
    for name in (BOT, SHARES, EVENTS):
        monkeypatch.setenv(f"KEY_{name.upper().replace('-', '_')}", attester_secret(name))
    assert main(["attest", str(ledger), "--epoch", "0", *SIGN_FOR, "--ref-prefix", "forum/",
                 "--key-env", "KEY_FORUM_BOT"]) == 0  # fmt: skip
    shares = ["--ref-prefix", "share/", "--ref-prefix", "moderation/"]
    assert main(["attest", str(ledger), "--epoch", "0", *SIGN_FOR, *shares,
                 "--key-env", "KEY_CURATOR_SHARES"]) == 0  # fmt: skip
    events = [n for n, line in enumerate(ledger.read_text().splitlines(), 1) if '"event/' in line]
    lines = ",".join(map(str, events))
    assert main(["attest", str(ledger), "--epoch", "0", *SIGN_FOR, "--lines", lines,
                 "--key-env", "KEY_CURATOR_EVENTS"]) == 0  # fmt: skip
    text = output(capsys)
    assert attestations_path(ledger).read_bytes() == expected
    assert f"3 batches cover {len(ledger.read_text().splitlines())} of" in text
    for name in (BOT, SHARES, EVENTS):
        assert attester_secret(name)[2:] not in text.lower()


def test_attest_again_replaces_the_attesters_batch(
    sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = ledger_of(sample)
    monkeypatch.setenv("BOT_KEY", attester_secret(BOT))
    assert main(["attest", str(ledger), "--epoch", "0", *SIGN_FOR, "--ref-prefix", "forum/",
                 "--key-env", "BOT_KEY"]) == 0  # fmt: skip
    assert "replaced its earlier batch" in output(capsys)
    assert len(read_attestations(attestations_path(ledger)).batches) == 3


def test_attest_refuses_rows_of_another_attester_and_writes_nothing(
    sample: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = ledger_of(sample)
    before = attestations_path(ledger).read_bytes()
    monkeypatch.setenv("BOT_KEY", attester_secret(BOT))
    share = next(n for n, t in enumerate(ledger.read_text().splitlines(), 1) if '"share/' in t)
    assert main(["attest", str(ledger), "--epoch", "0", *SIGN_FOR, "--lines", f"1-{share}",
                 "--key-env", "BOT_KEY"]) == 2  # fmt: skip
    text = output(capsys)
    shares = attester_key(SHARES).address
    assert f"{ledger}:" in text and f"already attested by {shares}" in text
    assert attestations_path(ledger).read_bytes() == before


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--lines", "3-1"], "'3-1' is not a line number or a range"),
        (["--lines", "1-100000"], "is past the last row"),
        (["--ref-prefix", "nowhere/"], "no row selected with a reference starting 'nowhere/'"),
        (["--epoch", "1"], "epoch"),
        (["--registry", "0x1234"], "--registry '0x1234' is not a 0x-prefixed 20-byte hex"),
        (["--domain-chain-id", "1"], "signed for chain 31337"),
    ],
)
def test_attest_bad_input_is_one_line_and_writes_nothing(
    sample: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    match: str,
) -> None:
    ledger = ledger_of(sample)
    before = attestations_path(ledger).read_bytes()
    monkeypatch.setenv("BOT_KEY", attester_secret(BOT))
    base = {"--epoch": "0", "--domain-chain-id": "31337",
            "--registry": SAMPLE_DOMAIN.verifying_contract}  # fmt: skip
    given = dict(zip(args[::2], args[1::2], strict=True))
    options = [x for k, v in {**base, **given}.items() for x in (k, v)]
    assert main(["attest", str(ledger), *options, "--key-env", "BOT_KEY"]) == 2
    text = output(capsys)
    assert match in text and text.count("error:") == 1
    assert attestations_path(ledger).read_bytes() == before


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (None, "environment variable BOT_KEY is not set"),
        ("0x1234", "a private key is 32 bytes"),
        ("0x" + "zz" * 32, "a private key is 32 bytes of hex"),
    ],
)
def test_attest_bad_key_never_shows_it(
    sample: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str | None,
    match: str,
) -> None:
    if value is None:
        monkeypatch.delenv("BOT_KEY", raising=False)
    else:
        monkeypatch.setenv("BOT_KEY", value)
    assert main(["attest", str(ledger_of(sample)), "--epoch", "0", *SIGN_FOR,
                 "--key-env", "BOT_KEY"]) == 2  # fmt: skip
    text = output(capsys)
    assert match in text
    assert value is None or value[2:] not in text


@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")
def test_attest_with_a_keystore(
    sample: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An encrypted keystore (Web3 Secret Storage): the passphrase from the environment or
    asked; a wrong one is named and nothing is signed; neither secret is shown."""
    ledger = ledger_of(sample)
    keystore = tmp_path / "bot.json"
    keyfile = Account.encrypt(attester_secret(BOT), "correct horse", iterations=KEYSTORE_SCRYPT_N)
    keystore.write_text(json.dumps(keyfile))
    attestations_path(ledger).unlink()
    monkeypatch.setenv("PASS", "wrong")
    args = ["attest", str(ledger), "--epoch", "0", *SIGN_FOR, "--keystore", str(keystore)]
    assert main([*args, "--passphrase-env", "PASS"]) == 2
    assert f"{keystore}: wrong passphrase" in output(capsys)
    assert not attestations_path(ledger).exists()
    monkeypatch.setenv("PASS", "correct horse")
    assert main([*args, "--passphrase-env", "PASS", "--ref-prefix", "forum/"]) == 0
    text = output(capsys)
    assert "correct horse" not in text and attester_secret(BOT)[2:] not in text
    (batch,) = read_attestations(attestations_path(ledger)).batches
    assert batch.batch.attester == attester_key(BOT).address
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("correct horse\n"))
    assert main(args) == 0  # asked on the terminal
    assert "correct horse" not in output(capsys)


# -- communis build ------------------------------------------------------------------------


def test_build_refuses_padded_rows_and_the_draft_never_verifies(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The proposer pads the ledger with rows nobody signed: the build names them and writes
    nothing; a draft build marks the bundle, and verify recomputes only the attested rows."""
    ledger = ledger_of(sample)
    signed_rows = len(ledger.read_text().splitlines())
    fake = random_accounts(1, seed=99)[0]
    padding = [row(EPOCH, fake, "creator", "400", f"forum/fake-{i}") for i in range(12)]
    with ledger.open("a") as f:
        f.write(jsonl(padding))
    out = tmp_path / "epochs"
    assert build(sample, out) == 2
    text = output(capsys)
    assert f"{ledger}:{signed_rows + 1}: no attester signed this row [unattested-row]" in text
    assert not out.exists()
    assert build(sample, out, "--draft") == 0
    assert "DRAFT" in output(capsys)
    draft = out / str(EPOCH)
    assert json.loads((draft / "totals.json").read_text())["attested"] is False
    root = json.loads((draft / "totals.json").read_text())["root"]
    assert verify(sample, draft, "--root", root) == 1
    text = output(capsys)
    assert "a draft bundle" in text and f"differing account: {fake}" in text
    assert f"ledger.jsonl:{signed_rows + 12}: no attester signed this row" in text
    assert main(["verify", str(draft), "--policy", str(sample / "policy.json"), "--half-life",
                 "4", "--draft", "--root", root]) == 0  # fmt: skip
    assert "DRAFT (attestations not checked)" in output(capsys)


# -- bad input, each named by build --attesters (nothing written) and verify (exit 1) -------


def _resigned(attestations: Attestations, domain: Domain) -> Attestations:
    """Every batch signed again in ``domain``, the file still claiming ``attestations.domain``."""
    keys = {attester_key(name).address: attester_key(name) for name, _, _ in ATTESTERS}
    batches = [
        dataclasses.replace(b, signature=sign_batch(b.batch, domain, keys[b.batch.attester]))
        for b in attestations.batches
    ]
    return with_batches(attestations.domain, attestations.epoch, batches)


def _first_batch(attestations: Attestations, **change: object) -> Attestations:
    first, *rest = attestations.batches
    return with_batches(
        attestations.domain, attestations.epoch, [dataclasses.replace(first, **change), *rest]
    )


def _other_epoch(attestations: Attestations) -> Attestations:
    first = attestations.batches[0]
    moved = dataclasses.replace(first.batch, epoch=EPOCH + 3)
    key = attester_key(
        next(n for n, _, _ in ATTESTERS if attester_key(n).address == moved.attester)
    )
    return _first_batch(attestations, signature=sign_batch(moved, attestations.domain, key))


BAD: dict[str, tuple[Callable[[Attestations], Attestations], str, str]] = {
    "truncated-signature": (
        lambda a: _first_batch(a, signature=a.batches[0].signature[:64]),
        "signature-malformed",
        "a signature is 65 bytes (r, s, v), this one is 64",
    ),
    "malformed-signature": (
        lambda a: _first_batch(a, signature=a.batches[0].signature[:64] + bytes([29])),
        "signature-malformed",
        "v is 29, not 27 or 28",
    ),
    "other-chain-id": (
        lambda a: _resigned(
            dataclasses.replace(a, domain=Domain(1, a.domain.verifying_contract)),
            Domain(1, a.domain.verifying_contract),
        ),
        "signature-other-deployment",
        "signed in the domain of chain 1",
    ),
    "other-verifying-contract": (
        lambda a: _resigned(
            dataclasses.replace(a, domain=Domain(31337, OTHER_REGISTRY)),
            Domain(31337, OTHER_REGISTRY),
        ),
        "signature-other-deployment",
        f"registry {OTHER_REGISTRY}, not this deployment's",
    ),
    "replayed-with-our-domain": (
        lambda a: _resigned(a, Domain(31337, OTHER_REGISTRY)),
        "signature-mismatch",
        "is not the attester's signature of this batch",
    ),
    "signature-for-another-epoch": (
        _other_epoch,
        "signature-other-epoch",
        f"the signature is for epoch {EPOCH + 3}, not {EPOCH}",
    ),
    "root-not-its-rows": (
        lambda a: _first_batch(
            a, batch=dataclasses.replace(a.batches[0].batch, rows_root=b"\x01" * 32)
        ),
        "root-mismatch",
        "is not the root of its rows",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_attestations_named_by_build_and_verify(
    case: str, sample: Path, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, code, reason = BAD[case]
    ledger = ledger_of(sample)
    source = attestations_path(ledger)
    bad = change(read_attestations(source))
    write_attestations(bad, source)
    attester = bad.batches[0].batch.attester if code != "wrong-chain" else ""
    capsys.readouterr()

    # The build, checking against the deployment, names it and writes nothing.
    out = tmp_path / "rebuilt"
    assert build(sample, out, "--attesters", str(sample / "attesters.json"), *DEPLOYMENT) == 2
    text = output(capsys)
    assert f"{source}:" in text and f"[{code}]" in text and reason in text and attester in text
    assert not out.exists()

    # The same file in a published bundle: verify names it (file, line, attester) and exits 1.
    shutil.copyfile(source, bundle / "attestations.json")
    assert verify(sample, bundle) == 1
    text = output(capsys)
    line = next(
        b.file_line for b in read_attestations(source).batches if b.batch.attester == attester
    )
    named = f"attestation problem: {bundle / 'attestations.json'}:{line}: attester {attester}:"
    assert named in text and reason in text and f"[{code}]" in text


def test_attester_not_registered_in_that_epoch(
    sample: Path, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bot is appointed only from epoch 1: its epoch-0 batch is named, the rows it signed
    do not count (the recomputed root differs), and nothing is built."""
    honest = sample_attesters()
    late = AttesterSet.of(
        honest.chain_id,
        honest.registry,
        [(c.attester, 1 if c.attester == attester_key(BOT).address else 0, c.budget)
         for c in honest.changes],
    )  # fmt: skip
    path = tmp_path / "late-attesters.json"
    late.save(path)
    bot = attester_key(BOT).address
    assert verify(sample, bundle, attesters=path) == 1
    text = output(capsys)
    assert f"attester {bot}: not an attester in epoch 0 [not-attester]" in text
    assert "totals.json root" in text and "is not the recomputed root" in text
    out = tmp_path / "rebuilt"
    assert build(sample, out, "--attesters", str(path), *DEPLOYMENT) == 2
    assert "[not-attester]" in output(capsys) and not out.exists()


def test_attester_set_not_the_committed_one(
    sample: Path, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_hash = "0x" + "12" * 32
    assert main(["verify", str(bundle), "--policy", str(sample / "policy.json"), "--half-life",
                 "4", "--attesters", str(sample / "attesters.json"), "--attesters-hash", log_hash,
                 *DEPLOYMENT]) == 1  # fmt: skip
    text = output(capsys)
    assert f"the committed attesters hash is {log_hash}" in text and "[attester-set]" in text


def test_verify_needs_the_deployment_and_the_committed_hash(
    sample: Path, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["verify", str(bundle), "--policy", str(sample / "policy.json"), "--half-life", "4"]
    assert main(base) == 2
    assert "give --attesters" in output(capsys)
    assert main([*base, "--attesters", str(sample / "attesters.json"), *DEPLOYMENT]) == 2
    assert "give --attesters-hash or --proposal" in output(capsys)
    log_hash = AttesterSet.load(sample / "attesters.json").log_hash
    assert main([*base, "--attesters", str(sample / "attesters.json"), "--attesters-hash",
                 log_hash]) == 2  # fmt: skip
    assert "give --chain-id and --registry" in output(capsys)


def commitment(epoch: int, ledger_root: str) -> str:
    """The ledger commitment of a one-epoch proposal: the root of a one-leaf StandardMerkleTree,
    its leaf ``keccak256(keccak256(abi.encode(uint256 epoch, bytes32 ledgerRoot)))``."""
    encoded = encode(["uint256", "bytes32"], [epoch, bytes.fromhex(ledger_root[2:])])
    return "0x" + keccak(keccak(encoded)).hex()


def test_verify_with_a_proposal_record(
    sample: Path, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The proposal record gives the root, the hashes and the deployment; a root that differs
    from it is refused before anything is recomputed."""
    totals = json.loads((bundle / "totals.json").read_text())
    record = {
        "chainId": SAMPLE_DOMAIN.chain_id,
        "attesterRegistry": SAMPLE_DOMAIN.verifying_contract,
        "epoch": EPOCH,
        "firstEpoch": EPOCH,
        "root": totals["root"],
        "ledgerRoot": commitment(EPOCH, totals["ledgerRoot"]),
        "policyHash": totals["policyHash"],
        "attestersHash": AttesterSet.load(sample / "attesters.json").log_hash,
        "ledgerURI": "https://example.org/epochs/0/",
    }
    path = tmp_path / "proposal.json"
    path.write_text(json.dumps(record))
    base = ["verify", str(bundle), "--half-life", "4", "--attesters",
            str(sample / "attesters.json"), "--proposal", str(path)]  # fmt: skip
    assert main(base) == 0
    assert "OK" in output(capsys)
    assert main([*base, "--root", "0x" + "00" * 32]) == 2
    assert "--root 0x00" in output(capsys)
    path.write_text(json.dumps({**record, "attestersHash": "0x" + "34" * 32}))
    assert main(base) == 1
    assert "[attester-set]" in output(capsys)
    path.write_text(json.dumps({**record, "ledgerRoot": totals["ledgerRoot"]}))
    assert main(base) == 1
    assert "is not the commitment over the covered epochs' attested ledger roots" in output(capsys)
    path.write_text(json.dumps({**record, "chainId": "31337"}))
    assert main(base) == 2
    assert "field 'chainId' is missing or malformed" in output(capsys)


def test_over_budget_curator_is_named(
    sample: Path, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A curator whose budget is below what it signed: named by verify, its rows not counted."""
    honest = sample_attesters()
    shares = attester_key(SHARES).address
    tight = AttesterSet.of(
        honest.chain_id,
        honest.registry,
        [(c.attester, c.from_epoch, 10**18 if c.attester == shares else c.budget)
         for c in honest.changes],
    )  # fmt: skip
    path = tmp_path / "tight.json"
    tight.save(path)
    assert verify(sample, bundle, attesters=path) == 1
    text = output(capsys)
    assert f"attester {shares}:" in text and "the budget for epoch 0 is 1000000000000000000" in text
    assert "[over-budget]" in text


def test_attest_ledger_library_selects_and_merges(sample: Path) -> None:
    """The selection rules of the library the command calls: prefixes are OR-ed, lines and
    prefixes intersect, and a batch covers exactly the rows it lists."""
    ledger = ledger_of(sample)
    result = attest_ledger(
        ledger, attester_key(BOT), SAMPLE_DOMAIN, EPOCH, lines=[(1, 5)], ref_prefixes=("forum/",)
    )
    listed = list(result.signed.line_numbers())
    text = ledger.read_text().splitlines()
    assert listed and all(n <= 5 and '"forum/' in text[n - 1] for n in listed)
    assert len(result.attestations.batches) == 1 and result.replaced is None


def test_ledger_commitment_over_several_epochs() -> None:
    """A catch-up proposal covers epochs 2..3: its ledgerRoot is the two-leaf tree over both
    epochs' ledger roots (sorted pair, as OpenZeppelin's StandardMerkleTree)."""
    roots = {2: "0x" + "aa" * 32, 3: "0x" + "bb" * 32}
    leaves = sorted(bytes.fromhex(commitment(e, r)[2:]) for e, r in roots.items())
    want = "0x" + keccak(leaves[0] + leaves[1]).hex()
    record = ProposalRecord(31337, SAMPLE_DOMAIN.verifying_contract, 3, 2, "0x" + "01" * 32, want,
                            "0x" + "02" * 32, "0x" + "03" * 32)  # fmt: skip
    assert record.commitment_problem(roots) is None
    assert "no bundle of epoch(s) [2]" in str(record.commitment_problem({3: roots[3]}))
    swapped = {2: roots[3], 3: roots[2]}
    assert "is not the commitment" in str(record.commitment_problem(swapped))
