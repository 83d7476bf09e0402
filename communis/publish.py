"""Publishing a bundle where any guardian can fetch it: ledger URIs, IPFS CIDs, CAR files.

- :func:`check_ledger_uri` is the rule for the ``ledgerURI`` a proposal publishes: on a chain
  other than a local test chain it must be ``ipfs://CID[/path]`` or ``https://host/...``; a
  relative path, an absolute path or ``file://`` resolves only on the proposer's machine and is
  refused with the reason. The chain layer calls it before ``proposeRoot``.
- :func:`pack_bundle` packs a bundle folder into a CAR file and returns its root CID, the one
  ``ipfs add -r --cid-version 1 FOLDER`` prints (through the npm ``ipfs-car`` package and
  ``toolchain/ipfs_car.mjs``): pin the CAR anywhere and publish ``ipfs://<cid>``.
- :func:`unpack_car` unpacks a CAR (every block checked against its CID by ``ipfs-car``) and
  :func:`fetch_bundle` downloads a bundle from an ``https://`` URI; both land in a local folder
  that :func:`folder_cid` checks against the CID a proposal committed to.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from communis.engine.bundle import (
    ATTESTATIONS,
    POLICY,
    REPORT,
    TREE,
    BundleError,
    ledger_file_name,
    load_totals,
)
from communis.engine.ledger import FORMATS
from communis.errors import CommunisError

LOCAL_CHAIN_IDS = frozenset({1337, 31337})
"""eth-tester's and anvil's chain ids: a URI only the proposer can resolve is fine there."""

ROOT = Path(__file__).resolve().parent.parent
PACKER = ROOT / "toolchain" / "ipfs_car.mjs"
IPFS_CAR = ROOT / "node_modules" / "ipfs-car" / "bin.js"
MAX_FETCH_BYTES = 2 << 30
"""No file of a bundle is larger (a 1M-row ledger is about 150 MB)."""

_CID_RE = re.compile(r"(?:Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,})\Z")
_TOTALS = "totals.json"


class PublishError(CommunisError, ValueError):
    """A ledger URI is not acceptable, or a bundle cannot be packed, fetched or checked."""


def check_ledger_uri(uri: str, chain_id: int) -> str:
    """``uri`` if a guardian elsewhere can resolve it on chain ``chain_id``; else raise.

    Accepted everywhere: ``ipfs://<CID>[/path]`` (content-addressed: what is fetched is what was
    proposed) and ``https://host/path`` (fetched and then checked against the committed ledger
    root). On a local test chain (:data:`LOCAL_CHAIN_IDS`) any non-empty URI is accepted.
    """
    text = uri.strip()
    if not text or text != uri:
        raise PublishError(f"ledger URI {uri!r}: empty or surrounded by spaces")
    parsed = urllib.parse.urlsplit(text)
    scheme = parsed.scheme.lower()
    if scheme == "ipfs":
        cid = parsed.netloc
        if not _CID_RE.match(cid):
            raise PublishError(
                f"ledger URI {uri!r}: {cid!r} is not an IPFS CID (ipfs://bafy...); "
                "`communis pack BUNDLE` prints the bundle's"
            )
        return text
    if scheme == "https":
        if not parsed.hostname:
            raise PublishError(f"ledger URI {uri!r}: an https URI needs a host")
        return text
    if chain_id in LOCAL_CHAIN_IDS:
        return text
    if scheme == "file" or not scheme:
        kind = "a file:// URI" if scheme == "file" else "a local path"
        raise PublishError(
            f"ledger URI {uri!r} is {kind}: nobody but the proposer can read it on chain "
            f"{chain_id}. Publish the bundle (`communis pack BUNDLE` gives its ipfs:// URI, or "
            "serve the folder over https://) and propose that URI"
        )
    raise PublishError(
        f"ledger URI {uri!r}: scheme {scheme!r} is not accepted on chain {chain_id}; use "
        "ipfs://CID or https://"
    )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise PublishError("node is not on PATH: install Node.js 18+ (ipfs-car runs on it)")
    if not IPFS_CAR.is_file():
        raise PublishError("ipfs-car is not in node_modules: run `make setup` (npm ci) first")
    return node


def _run(args: list[str], what: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise PublishError(f"{what}: {reason}")
    return done.stdout


def _bundle_folder(bundle: Path) -> Path:
    bundle = Path(bundle)
    if not (bundle / _TOTALS).is_file():
        raise PublishError(f"{bundle}: not a bundle folder (no {_TOTALS})")
    return bundle


def pack_bundle(bundle: Path, out: Path) -> str:
    """Pack ``bundle`` into the CAR file ``out``; returns the folder's CID (CIDv1, base32)."""
    bundle = _bundle_folder(bundle)
    out = Path(out)
    if out.resolve().is_relative_to(bundle.resolve()):
        raise PublishError(f"{out}: write the CAR outside the bundle (it would change the CID)")
    out.parent.mkdir(parents=True, exist_ok=True)
    cid = _run([_node(), str(PACKER), "pack", str(bundle), str(out)], f"{bundle}: cannot pack")
    return cid.strip()


def folder_cid(folder: Path) -> str:
    """The CID ``ipfs add -r --cid-version 1`` gives ``folder`` (packed to a scratch CAR)."""
    with tempfile.TemporaryDirectory(prefix="communis-cid-") as tmp:
        return pack_bundle(folder, Path(tmp) / "bundle.car")


def unpack_car(car: Path, out: Path) -> str:
    """Unpack the CAR file ``car`` (one root: a bundle folder) into ``out``; returns the root
    CID. ``ipfs-car`` checks every block against its CID; the caller compares the root."""
    car = Path(car)
    node = _node()
    roots = _run([node, str(IPFS_CAR), "roots", str(car)], f"{car}: not a CAR file").split()
    if len(roots) != 1:
        raise PublishError(f"{car}: a bundle CAR has one root, this one has {len(roots)}")
    if Path(out).exists():
        raise PublishError(f"{out} already exists")
    _run([node, str(IPFS_CAR), "unpack", str(car), "--output", str(out)], f"{car}: cannot unpack")
    return roots[0]


def fetch_bundle(url: str, out: Path, *, timeout: float = 60.0) -> Path:
    """Download the bundle at ``url`` (an ``https://`` folder URL) into the new folder ``out``.

    ``totals.json`` names the ledger file; ``policy.json``, ``tree.json`` and the ledger must be
    there, ``attestations.json`` and ``report.md`` are fetched when present. Nothing fetched is
    trusted: the verifier recomputes from it and checks it against what the chain committed to.
    """
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise PublishError(f"{url}: only https:// bundle URLs are fetched")
    base = url if url.endswith("/") else url + "/"
    out = Path(out)
    out.mkdir(parents=True)
    _download(base + _TOTALS, out / _TOTALS, timeout, required=True)
    try:
        ledger_file = load_totals(out).ledger.file
    except BundleError as exc:
        raise PublishError(f"{base}{_TOTALS}: {exc}") from None
    if ledger_file not in {ledger_file_name(fmt) for fmt in FORMATS}:
        raise PublishError(f"{base}{_TOTALS}: ledger file {ledger_file!r} is not a bundle's")
    for name, required in (
        (ledger_file, True),
        (POLICY, True),
        (TREE, True),
        (ATTESTATIONS, False),
        (REPORT, False),
    ):
        _download(base + name, out / name, timeout, required=required)
    return out


def _download(url: str, path: Path, timeout: float, *, required: bool) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, path.open("wb") as sink:
            size = 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > MAX_FETCH_BYTES:
                    raise PublishError(f"{url}: larger than {MAX_FETCH_BYTES} bytes")
                sink.write(chunk)
    except urllib.error.HTTPError as exc:
        path.unlink(missing_ok=True)
        if exc.code == 404 and not required:
            return
        raise PublishError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        path.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise PublishError(f"{url}: cannot fetch: {reason}") from None
