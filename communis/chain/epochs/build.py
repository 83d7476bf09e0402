"""Building an epoch's bundle with the policy in force on chain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communis.chain.epochs.contract import EpochOpError, influence_of
from communis.chain.epochs.fraud_proof import check_batches
from communis.chain.epochs.state import onchain_policy
from communis.engine.bundle import build_bundle, find_previous

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


def build(
    rewards: ContractInstance,
    ledger: Path,
    out_root: Path,
    *,
    previous: Path | None = None,
    overwrite: bool = False,
    draft: bool = False,
    check_attesters: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Build the epoch bundle of ``ledger`` with the policy in force and Influence's half-life,
    cumulative on the latest bundle below it in ``out_root`` (or ``previous``).

    Every row must be in a batch of the ledger's attestations file, and the AttesterRegistry
    must judge every batch valid (appointed attester with budget, signature in this
    deployment's domain), checked before anything is written: a root built on anything else
    gets its proposer bond slashed. ``draft`` builds anyway, for a look at the numbers (the
    bundle cannot be proposed). ``check_attesters=False`` skips asking the registry: only to
    play a cheat (the demo's fraud scenes, ``--no-attester-check``)."""
    from communis.engine.attest.files import attestations_path
    from communis.engine.ledger import read_ledger

    policy = onchain_policy(rewards)
    half_life = int(influence_of(rewards).halfLife())
    epoch = read_ledger(Path(ledger)).epoch
    if previous is None:
        previous = find_previous(out_root, epoch)
    if epoch > 0 and previous is None:
        raise EpochOpError(
            f"epoch {epoch} is cumulative on epoch {epoch - 1}: build that first or pass --previous"
        )
    if check_attesters and not draft:
        files = [(epoch, attestations_path(Path(ledger)))]
        check_batches(rewards, files, what=f"build {ledger}", remedy=", or build a --draft")
    return build_bundle(
        Path(ledger),
        policy,
        half_life,
        out_root / str(epoch),
        previous=previous,
        overwrite=overwrite,
        progress=progress,
        draft=draft,
    )
