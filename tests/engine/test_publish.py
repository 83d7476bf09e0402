"""Publishing bundles: the ledger URI rule, the CID of a bundle folder (checked against an
independent UnixFS/dag-pb encoding anchored on kubo's empty-folder CID), CAR round trips, and
verifying a bundle fetched over https:// or read from a CAR, against the committed CID."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from communis.cli.main import main
from communis.demo.sample import write_sample
from communis.engine.attest import AttesterSet
from communis.publish import (
    PublishError,
    check_ledger_uri,
    fetch_bundle,
    folder_cid,
    pack_bundle,
    unpack_car,
)
from tests.helpers.https import https_server

__all__ = ["https_server"]  # the fixture

pytestmark = pytest.mark.offchain

CID = "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"
SEPOLIA = 11155111


# -- the ledger URI rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [f"ipfs://{CID}", f"ipfs://{CID}/epochs/3", "https://guild.example/epochs/3/",
     "ipfs://QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"],
)  # fmt: skip
def test_resolvable_uris_are_accepted_everywhere(uri: str) -> None:
    assert check_ledger_uri(uri, SEPOLIA) == uri
    assert check_ledger_uri(uri, 31337) == uri


@pytest.mark.parametrize(
    ("uri", "match"),
    [
        ("epochs/31337/3", "is a local path: nobody but the proposer can read it on chain"),
        ("/home/me/epochs/3", "is a local path"),
        ("file://reports/demo/epochs/0", "is a file:// URI"),
        ("http://guild.example/epochs/3", "scheme 'http' is not accepted"),
        ("ipfs://not-a-cid", "is not an IPFS CID"),
        ("https:///epochs/3", "an https URI needs a host"),
        ("", "empty"),
        (" ipfs://x", "surrounded by spaces"),
    ],
)
def test_unresolvable_uris_are_refused_on_real_chains(uri: str, match: str) -> None:
    with pytest.raises(PublishError, match=match):
        check_ledger_uri(uri, SEPOLIA)


def test_local_paths_are_fine_on_local_chains() -> None:
    assert check_ledger_uri("file://reports/demo/epochs/0", 31337).startswith("file://")
    assert check_ledger_uri("epochs/1337/0", 1337) == "epochs/1337/0"
    with pytest.raises(PublishError, match="is not an IPFS CID"):
        check_ledger_uri("ipfs://nope", 31337)


# -- the CID, computed independently ---------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _cid(codec: int, data: bytes) -> bytes:
    return bytes([1, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()


def _text(cid: bytes) -> str:
    return "b" + base64.b32encode(cid).decode().lower().rstrip("=")


def _node(links: list[tuple[bytes, str, int]], unixfs: bytes) -> bytes:
    """A dag-pb node: links (hash, name, tsize) first, then the UnixFS data (dag-pb spec)."""
    body = b"".join(
        _field(2, _field(1, h) + _field(2, name.encode()) + _field(3, size))
        for h, name, size in links
    )
    return body + _field(1, unixfs)


def _file(data: bytes) -> tuple[bytes, int]:
    """(CID, DAG size) of a file as ``ipfs add --cid-version 1`` stores it: one raw leaf up to
    256 KiB, else raw 256 KiB leaves under one dag-pb File node (up to 174 of them)."""
    chunk = 256 * 1024
    if len(data) <= chunk:
        return _cid(0x55, data), len(data)
    parts = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    assert len(parts) <= 174
    unixfs = _field(1, 2) + _field(3, len(data)) + b"".join(_field(4, len(p)) for p in parts)
    node = _node([(_cid(0x55, p), "", len(p)) for p in parts], unixfs)
    return _cid(0x70, node), len(node) + len(data)


def reference_cid(folder: Path) -> str:
    """The CIDv1 of a flat folder, encoded here from the UnixFS and dag-pb specs."""
    links = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name.encode()):
        cid, size = _file(path.read_bytes())
        links.append((cid, path.name, size))
    return _text(_cid(0x70, _node(links, _field(1, 1))))


def test_reference_encoder_gives_kubos_empty_folder() -> None:
    assert _text(_cid(0x70, _node([], _field(1, 1)))) == CID


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    sample = tmp_path / "sample"
    write_sample(sample, count=30, epochs=(0,))
    code = main(["build", str(sample / "ledgers" / "epoch-0.jsonl"), "--policy",
                 str(sample / "policy.json"), "--half-life", "4", "--out",
                 str(tmp_path / "epochs")])  # fmt: skip
    assert code == 0
    return tmp_path / "epochs" / "0"


def test_pack_gives_the_folder_cid(bundle: Path, tmp_path: Path) -> None:
    car = tmp_path / "0.car"
    cid = pack_bundle(bundle, car)
    assert cid == reference_cid(bundle) and car.stat().st_size > 0
    assert folder_cid(bundle) == cid


def test_pack_cid_of_a_file_of_several_chunks(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "totals.json").write_text("{}")
    (folder / "ledger.jsonl").write_bytes(bytes(range(256)) * 4000)  # 1 MB: four chunks
    assert pack_bundle(folder, tmp_path / "big.car") == reference_cid(folder)


def test_pack_refuses_what_is_not_a_bundle(bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="not a bundle folder"):
        pack_bundle(tmp_path, tmp_path / "x.car")
    with pytest.raises(PublishError, match="outside the bundle"):
        pack_bundle(bundle, bundle / "bundle.car")
    os.symlink(bundle / "totals.json", bundle / "link.json")
    with pytest.raises(PublishError, match="not a regular file or folder"):
        pack_bundle(bundle, tmp_path / "x.car")


def test_pack_command_and_car_round_trip(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", str(bundle)]) == 0
    uri = capsys.readouterr().out.strip()
    car = bundle.with_name("0.car")
    assert uri == f"ipfs://{reference_cid(bundle)}" and car.is_file()
    out = tmp_path / "unpacked"
    assert unpack_car(car, out) == uri.removeprefix("ipfs://")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in bundle.iterdir())
    for path in bundle.iterdir():
        assert (out / path.name).read_bytes() == path.read_bytes()


def test_a_corrupted_car_is_refused(bundle: Path, tmp_path: Path) -> None:
    car = tmp_path / "0.car"
    pack_bundle(bundle, car)
    data = bytearray(car.read_bytes())
    data[-40] ^= 0xFF  # inside the last block
    car.write_bytes(bytes(data))
    with pytest.raises(PublishError, match="cannot unpack"):
        unpack_car(car, tmp_path / "out")


# -- verify from a CAR or over https --------------------------------------------------------


def _verify_args(sample: Path) -> list[str]:
    attesters = AttesterSet.load(sample / "attesters.json")
    return ["--policy", str(sample / "policy.json"), "--half-life", "4", "--attesters",
            str(sample / "attesters.json"), "--attesters-hash", attesters.log_hash,
            "--chain-id", str(attesters.chain_id), "--registry", attesters.registry]  # fmt: skip


def test_verify_a_car_against_the_committed_cid(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "sample"
    car = tmp_path / "0.car"
    cid = pack_bundle(bundle, car)
    assert main(["verify", str(car), "--cid", cid, *_verify_args(sample)]) == 0
    assert "OK" in capsys.readouterr().err
    assert main(["verify", str(bundle), "--cid", cid, *_verify_args(sample)]) == 0
    other = reference_cid(sample / "ledgers")
    assert main(["verify", str(car), "--cid", other, *_verify_args(sample)]) == 2
    assert f"the CAR's root is {cid}, not the committed {other}" in capsys.readouterr().err
    (bundle / "report.md").write_text("edited\n")
    assert main(["verify", str(bundle), "--cid", cid, *_verify_args(sample)]) == 2
    assert f"not the committed {cid}" in capsys.readouterr().err


def test_verify_a_bundle_fetched_over_https(
    bundle: Path, tmp_path: Path, https_server: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, site = https_server
    shutil.copytree(bundle, site / "epochs" / "0")
    sample = tmp_path / "sample"
    cid = folder_cid(bundle)
    assert main(["verify", f"{base}/epochs/0", "--cid", cid, *_verify_args(sample)]) == 0
    assert "OK" in capsys.readouterr().err
    fetched = fetch_bundle(f"{base}/epochs/0/", tmp_path / "fetched")
    assert sorted(p.name for p in fetched.iterdir()) == sorted(p.name for p in bundle.iterdir())
    # A server that changed one byte of the ledger: the CID check catches it before anything.
    ledger = site / "epochs" / "0" / "ledger.jsonl"
    ledger.write_bytes(ledger.read_bytes().replace(b"forum/", b"forum-", 1))
    assert main(["verify", f"{base}/epochs/0", "--cid", cid, *_verify_args(sample)]) == 2
    assert f"not the committed {cid}" in capsys.readouterr().err
    # Without a CID, the recomputation and the attestations catch it.
    assert main(["verify", f"{base}/epochs/0", *_verify_args(sample)]) == 1
    assert "attestation problem" in capsys.readouterr().out
    with pytest.raises(PublishError, match="HTTP 404"):
        fetch_bundle(f"{base}/epochs/9/", tmp_path / "missing")
    with pytest.raises(PublishError, match="only https:// bundle URLs"):
        fetch_bundle(base.replace("https", "http") + "/epochs/0", tmp_path / "plain")
