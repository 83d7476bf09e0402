"""Checking a proposal's bundle against the chain: what its ``RootProposed`` event committed to,
recomputed from the bundle."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communis.chain.epochs.contract import EpochOpError
from communis.chain.epochs.fraud_proof import find_unattested_batch
from communis.chain.epochs.state import root_key
from communis.chain.epochs.verify import verify
from communis.chain.watch.bundles import BundleUnavailable, locate_bundle, needed_epochs, stage
from communis.chain.watch.decisions import Check, Finding
from communis.engine.bundle import TOTALS, BundleError, load_totals
from communis.errors import CommunisError
from communis.publish import PublishError

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


@dataclass(frozen=True)
class Posted:
    """A ``RootProposed`` event: what a proposal committed to, where its bundle is, and the
    block it was mined in."""

    epoch: int
    first_epoch: int
    root: str
    ledger_root: str
    proposer: str
    ledger_uri: str
    bond: int
    deadline: int
    block: int

    @property
    def key(self) -> str:
        return root_key(self.epoch, self.root, self.ledger_root)

    @classmethod
    def from_log(cls, log: Any) -> Posted:
        return cls(
            epoch=int(log.epoch),
            first_epoch=int(log.firstEpoch),
            root=as_hex(log.root),
            ledger_root=as_hex(log.ledgerRoot),
            proposer=str(log.proposer),
            ledger_uri=str(log.ledgerURI),
            bond=int(log.bond),
            deadline=int(log.challengeDeadline),
            block=int(log.block_number),
        )


@dataclass
class Checked:
    """The result of checking one proposal's bundle, and the staged bundle folder."""

    check: Check
    bundle: Path | None
    at: float


def as_hex(value: Any) -> str:
    """A bytes32 the contract returned, as 0x hex."""
    return "0x" + bytes(value).hex()


def short(value: str) -> str:
    """A root or hash for a log line: its first 10 hex digits."""
    return value[:12] + "…" if len(value) > 14 else value


def obtain_bundle(
    rewards: ContractInstance,
    posted: Posted,
    bundles: Path | None,
    scratch: Path,
    *,
    recompute: bool = True,
) -> Path | Check:
    """``posted``'s bundle staged with the earlier epochs' bundles that checking it needs (all
    of :func:`needed_epochs` to recompute it, else only the covered ones), or the
    :class:`Check` that says why there is none."""
    try:
        folder = locate_bundle(posted.ledger_uri, posted.epoch, bundles, scratch)
    except (BundleUnavailable, PublishError) as err:
        return Check(Finding.UNAVAILABLE, str(err))
    try:
        totals = load_totals(folder)
    except BundleError as err:
        return Check(Finding.WRONG, f"its bundle cannot be read: {err}")
    if totals.epoch != posted.epoch:
        return Check(Finding.WRONG, f"{posted.ledger_uri} is epoch {totals.epoch}'s bundle")
    if not totals.attested:
        return Check(Finding.WRONG, "its bundle is a draft: its rows are not attested")
    local = urllib.parse.urlsplit(posted.ledger_uri).scheme in ("", "file")
    sources = ((folder.parent,) if local else ()) + ((bundles,) if bundles else ())
    staged = stage(folder, posted.epoch, sources, scratch)
    needed = (
        needed_epochs(rewards, posted.epoch, posted.first_epoch)
        if recompute
        else range(posted.first_epoch, posted.epoch)
    )
    missing = [e for e in needed if not (staged.parent / str(e) / TOTALS).is_file()]
    if missing:
        where = f"{bundles}" if bundles else "--bundles DIR"
        return Check(
            Finding.UNAVAILABLE,
            f"checking epoch {posted.epoch} needs the bundles of epochs {missing}: put copies "
            f"into {where}",
        )
    return staged


def check_proposal(
    rewards: ContractInstance,
    posted: Posted,
    bundles: Path | None,
    scratch: Path,
    *,
    from_block: int = 0,
    recompute: bool = True,
) -> tuple[Check, Path | None]:
    """Obtain ``posted``'s bundle and check it against the chain (the attester set and the
    proposal's event read from ``from_block``); returns the finding and the staged bundle folder
    (None if it could not be obtained). An error reading the chain is UNAVAILABLE (checked
    again later), never WRONG: a watcher does not challenge what it failed to read. Without
    ``recompute`` (a disputed root: no longer on chain to compare with) it only looks for an
    unattested batch: UNATTESTED, or WRONG for "none to prove"."""
    staged = obtain_bundle(rewards, posted, bundles, scratch, recompute=recompute)
    if isinstance(staged, Check):
        return staged, None
    result = None
    if recompute:
        try:
            result = verify(rewards, staged, from_block=from_block)
        except EpochOpError as err:  # what the chain says could not be read: retried
            return Check(Finding.UNAVAILABLE, f"cannot check it yet: {err}"), staged
        except CommunisError as err:  # the bundle's content
            return Check(Finding.WRONG, f"its bundle cannot be verified: {err}"), staged
        if result.ok:
            return Check(Finding.OK), staged
    try:
        found = find_unattested_batch(rewards, staged, posted.first_epoch, posted.ledger_root)
    except CommunisError:
        found = None
    if found is not None:
        return Check(
            Finding.UNATTESTED,
            f"{found.attester}'s batch of epoch {found.epoch} (attestations line "
            f"{found.file_line}) is {found.status.name.replace('_', ' ').lower()}",
        ), staged
    if result is None:
        return Check(Finding.WRONG, "no unattested batch to prove in its ledger"), staged
    first = result.problems[0] if result.problems else "the recomputed root differs"
    more = len(result.problems) - 1
    fakes = len(result.differences)
    detail = first + (f" (and {more} more problems)" if more > 0 else "")
    if fakes:
        detail += f"; {fakes} accounts differ"
    return Check(Finding.WRONG, detail), staged
