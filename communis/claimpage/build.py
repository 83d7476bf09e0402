"""Build the claim page: a self-contained static folder a member opens in a browser with a
wallet (EIP-1193, e.g. MetaMask). It loads nothing from the network but the wallet's RPC:

    index.html, claim.js, style.css          the page (package assets)
    ethers.umd.min.js, ethers.LICENSE        ethers v6, copied from node_modules at build time
    claims.js                                the bundle's epoch, root and every member's leaf and
                                             proof, plus the chain id, addresses and ABIs

Data is a script (``window.COMMUNIS_CLAIMS = ...``) rather than a JSON file, so the page also
works opened from ``file://``, where browsers refuse to fetch local files. Amounts are decimal
strings, so no digit is lost to JavaScript numbers.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.engine.bundle import TREE, read_totals
from communis.engine.merkle import MerkleTree
from communis.errors import CommunisError

ASSETS = Path(__file__).with_name("assets")
PAGE_FILES = ("index.html", "claim.js", "style.css")
CONTRACTS = ("ContributionRewards", "Influence", "CommunityToken")


class ClaimPageError(CommunisError, ValueError):
    """The page cannot be built from what was given."""


@dataclass(frozen=True)
class ClaimPage:
    out: Path
    epoch: int
    root: str
    members: int
    chain_id: int


def find_ethers(start: Path | None = None) -> Path:
    """ethers' UMD build in the nearest ``node_modules`` above ``start`` (or this package)."""
    for base in [*(Path(start or Path.cwd()).resolve().parents), Path(start or Path.cwd())]:
        candidate = base / "node_modules" / "ethers" / "dist" / "ethers.umd.min.js"
        if candidate.is_file():
            return candidate
    here = Path(__file__).resolve().parents[2] / "node_modules" / "ethers" / "dist"
    if (here / "ethers.umd.min.js").is_file():
        return here / "ethers.umd.min.js"
    raise ClaimPageError("ethers is not in node_modules: run `make setup` (npm ci) first")


def _artifact(folder: Path, name: str) -> dict[str, Any]:
    path = folder / f"{name}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ClaimPageError(f"{path}: cannot read the deployment artifact ({err})") from None
    if not isinstance(data.get("address"), str) or not isinstance(data.get("abi"), list):
        raise ClaimPageError(f"{path}: an artifact needs 'address' and 'abi'")
    return data


def build_claim_page(
    bundle: Path, artifacts: Path, out: Path, *, ethers: Path | None = None
) -> ClaimPage:
    """Write the page for ``bundle`` (an epoch folder with tree.json and totals.json) and the
    deployment in ``artifacts`` (``deployments/<chainId>/``) into ``out``."""
    totals = read_totals(bundle)
    tree = MerkleTree.load(Path(bundle) / TREE, validate=True)
    if tree.root_hex != totals.get("root"):
        raise ClaimPageError(f"{bundle}: tree.json root differs from totals.json root")
    chain_file = artifacts / ".chainId"
    try:
        chain_id = int(chain_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError) as err:
        raise ClaimPageError(f"{chain_file}: cannot read the chain id ({err})") from None
    contracts = {name: _artifact(artifacts, name) for name in CONTRACTS}
    members = {
        leaf.account: {
            "tokens": str(leaf.tokens),
            "influence": str(leaf.influence),
            "proof": ["0x" + node.hex() for node in tree.proof(leaf.account)],
        }
        for leaf in tree.values
    }
    epoch = int(totals["epoch"])
    data = {
        "epoch": epoch,
        "root": tree.root_hex,
        "chainId": chain_id,
        "contracts": {n: {"address": c["address"], "abi": c["abi"]} for n, c in contracts.items()},
        "members": members,
    }
    out.mkdir(parents=True, exist_ok=True)
    for name in PAGE_FILES:
        shutil.copyfile(ASSETS / name, out / name)
    source = ethers or find_ethers()
    shutil.copyfile(source, out / "ethers.umd.min.js")
    license_file = source.parents[1] / "LICENSE.md"
    if license_file.is_file():
        shutil.copyfile(license_file, out / "ethers.LICENSE")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    (out / "claims.js").write_text(f"window.COMMUNIS_CLAIMS = {text};\n", encoding="utf-8")
    return ClaimPage(
        out=out, epoch=epoch, root=tree.root_hex, members=len(members), chain_id=chain_id
    )
