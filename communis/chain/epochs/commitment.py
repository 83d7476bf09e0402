"""What a proposal's ledger commitment covers: the epochs' bundles, their ledger roots, and the
commitment over them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from communis.chain.epochs.contract import EpochOpError, bytes32
from communis.engine.bundle import load_totals
from communis.engine.commitment import CommitmentError, LedgerCommitment, ledger_commitment

if TYPE_CHECKING:
    pass


def bundle_ledger_root(bundle: Path) -> bytes:
    """The attested ledger root ``bundle`` records (``Totals.ledger_root``): zero for a draft."""
    value = load_totals(bundle).ledger_root
    try:
        root = bytes32(value)
    except (TypeError, ValueError):
        root = b""
    if len(root) != 32:
        raise EpochOpError(f"{Path(bundle) / 'totals.json'}: ledgerRoot {value!r} is not 32 bytes")
    return root


def covered_bundles(bundle: Path, first: int) -> list[tuple[int, Path]]:
    """The bundles of the epochs a root for ``bundle``'s epoch covers when ``first`` is the
    first epoch without a finalized root: ``bundle`` and its sibling folders ``first..epoch``."""
    epoch = load_totals(bundle).epoch
    out: list[tuple[int, Path]] = []
    for e in range(first, epoch + 1):
        folder = Path(bundle) if e == epoch else Path(bundle).parent / str(e)
        if not (folder / "totals.json").is_file() or load_totals(folder).epoch != e:
            raise EpochOpError(
                f"a root for epoch {epoch} covers epochs {first}..{epoch} (the first epoch without "
                f"a finalized root is {first}): the bundle of epoch {e} is missing from "
                f"{Path(bundle).parent} (build every covered epoch into the same folder)"
            )
        out.append((e, folder))
    return out


def commitment_of(bundle: Path, first: int) -> LedgerCommitment:
    """The ledger commitment of a root for ``bundle``'s epoch covering epochs from ``first``:
    what ``proposeRoot`` takes as ``ledgerRoot``."""
    entries = [(e, bundle_ledger_root(folder)) for e, folder in covered_bundles(bundle, first)]
    try:
        return ledger_commitment(entries)
    except CommitmentError as err:
        raise EpochOpError(f"{bundle}: {err}") from None
