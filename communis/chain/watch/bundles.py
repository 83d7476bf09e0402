"""Where a proposal's bundle is, as a local folder, and the earlier epochs' bundles checking it
needs."""

from __future__ import annotations

import tempfile
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from communis.chain.epochs.contract import ZERO32
from communis.engine.bundle import TOTALS
from communis.errors import CommunisError
from communis.publish import fetch_bundle, folder_cid, unpack_car

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


class BundleUnavailable(CommunisError, RuntimeError):
    """The bundle a proposal names cannot be obtained (yet); the message says where it looked."""


def locate_bundle(uri: str, epoch: int, bundles: Path | None, scratch: Path) -> Path:
    """The bundle folder that ``uri`` (a proposal's ledger URI) names, as a local folder: a local
    path as it is, an ``https://`` folder downloaded into ``scratch``, an ``ipfs://CID[/path]``
    from a copy under ``bundles`` (``CID.car``, ``CID/`` or ``<epoch>/``) whose CID is checked.
    Raises :class:`BundleUnavailable` (or ``PublishError``) if there is none."""
    parsed = urllib.parse.urlsplit(uri)
    scheme = parsed.scheme.lower()
    if scheme == "https":
        return fetch_bundle(uri, Path(tempfile.mkdtemp(prefix="fetched-", dir=scratch)) / "bundle")
    if scheme == "ipfs":
        folder = _ipfs_copy(parsed.netloc, epoch, bundles, scratch)
        sub = parsed.path.strip("/")
        return folder / sub if sub else folder
    if scheme in ("", "file"):
        path = Path(urllib.parse.unquote(parsed.path) if scheme == "file" else uri)
        if (path / TOTALS).is_file():
            return path
        raise BundleUnavailable(
            f"{uri}: no bundle folder there (a path on the proposer's machine?)"
        )
    raise BundleUnavailable(f"{uri}: cannot fetch {scheme}:// URIs (only https:// and ipfs://)")


def _ipfs_copy(cid: str, epoch: int, bundles: Path | None, scratch: Path) -> Path:
    """A local copy of the folder ``cid``: ``bundles/CID.car`` unpacked, or ``bundles/CID/`` or
    ``bundles/<epoch>/`` if its CID is ``cid``."""
    if bundles is None:
        raise BundleUnavailable(
            f"ipfs://{cid}: give --bundles DIR holding a copy ({cid}.car, {cid}/ or {epoch}/)"
        )
    car = bundles / f"{cid}.car"
    if car.is_file():
        out = Path(tempfile.mkdtemp(prefix="car-", dir=scratch)) / "bundle"
        if unpack_car(car, out) == cid:
            return out
    for folder in (bundles / cid, bundles / str(epoch)):
        if (folder / TOTALS).is_file() and folder_cid(folder) == cid:
            return folder
    raise BundleUnavailable(
        f"ipfs://{cid}: no copy with this CID in {bundles} ({cid}.car, {cid}/ or {epoch}/)"
    )


def stage(bundle: Path, epoch: int, sources: tuple[Path, ...], scratch: Path) -> Path:
    """A new folder under ``scratch`` holding ``bundle`` as ``<epoch>/`` and, beside it, every
    earlier epoch's bundle found in ``sources`` (the first one found of each epoch), all as links:
    the layout :func:`communis.chain.epochs.verify.verify` reads previous and covered epochs from.
    Returns the path of ``<epoch>/`` in it."""
    folder = Path(tempfile.mkdtemp(prefix=f"epoch-{epoch}-", dir=scratch))
    (folder / str(epoch)).symlink_to(bundle.resolve(), target_is_directory=True)
    for source in sources:
        if not source.is_dir():
            continue
        for child in sorted(source.iterdir()):
            earlier = child.name.isdigit() and int(child.name) < epoch
            if earlier and (child / TOTALS).is_file() and not (folder / child.name).exists():
                (folder / child.name).symlink_to(child.resolve(), target_is_directory=True)
    return folder / str(epoch)


def needed_epochs(rewards: ContractInstance, epoch: int, first_epoch: int) -> list[int]:
    """The earlier epochs whose bundles recomputing a root for ``epoch`` covering
    ``first_epoch..epoch`` needs: the covered ones, and the previous ones back to the newest
    epoch finalized with its own root (the trust anchor of
    :func:`communis.chain.epochs.verify.verify`)."""
    needed = set(range(first_epoch, epoch))
    n = epoch
    while n > 0:
        needed.add(n - 1)
        if bytes(rewards.rootOf(n - 1)) != ZERO32:
            break
        n -= 1
    return sorted(needed)
