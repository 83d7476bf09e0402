"""A :class:`~communis.report.model.RunReport` of one's own community, from its epoch bundles.

The bundles (``ape run epoch build`` or ``communis build``) hold everything the epochs paid: the
ledger (who did what, in which role), the policy it was scored under and the cumulative tree.
:func:`run_from_bundles` rescores each ledger with the engine (the same amounts the root pays),
splits each account's reward between its roles in proportion to its weighted points, and takes
the influence each account earned (claimed or not) from the cumulative tree, decayed to the end of
the epoch. What only the chain knows (governance proposals, slashed bonds, the treasury, the
quorum) is passed in by ``ape run chain report``; offline, a quorum percent may be given.

Pure Python: no ape, no web3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from communis.engine.bundle import POLICY, TOTALS, TREE, ledger_path, load_totals
from communis.engine.growth import to_influence
from communis.engine.ledger import read_ledger
from communis.engine.merkle import MerkleTree
from communis.engine.policy import Policy
from communis.engine.roles import ROLES
from communis.engine.scoring import score_epoch
from communis.errors import CommunisError
from communis.report.model import BondSlash, EpochReport, Proposal, Reward, RunReport


class BundlesError(CommunisError, ValueError):
    """The bundles given cannot make a report; the message names the folder."""


def role_rewards(
    points: Mapping[str, Sequence[int]],
    weights: Sequence[int],
    tokens: Mapping[str, int],
    influence: Mapping[str, int],
) -> list[Reward]:
    """Each account's tokens and influence split between its roles in proportion to its
    weighted points in each role (floor, so a split never pays more than the account got)."""
    rewards: list[Reward] = []
    for account, per_role in points.items():
        weighted = [w * p for w, p in zip(weights, per_role, strict=True)]
        total = sum(weighted)
        if total == 0:
            continue
        t, i = tokens.get(account, 0), influence.get(account, 0)
        for role, part in zip(ROLES, weighted, strict=True):
            if part:
                rewards.append(Reward(account, role, t * part // total, i * part // total))
    return rewards


def find_bundles(paths: Iterable[Path]) -> list[Path]:
    """Bundle folders: each path is a bundle (it has ``totals.json``) or a folder of bundles
    (``epochs/<chainId>/``, its numbered subfolders); sorted by epoch, no epoch twice."""
    found: dict[int, Path] = {}
    for path in paths:
        path = Path(path)
        if (path / TOTALS).is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(
                (c for c in path.iterdir() if c.is_dir() and (c / TOTALS).is_file()),
                key=lambda c: (len(c.name), c.name),
            )
        else:
            raise BundlesError(f"{path}: not a bundle folder nor a folder of bundles")
        for bundle in candidates:
            epoch = load_totals(bundle).epoch
            if epoch in found and found[epoch].resolve() != bundle.resolve():
                raise BundlesError(f"epoch {epoch} is given twice: {found[epoch]} and {bundle}")
            found[epoch] = bundle
    if not found:
        raise BundlesError(
            "no epoch bundles found (a bundle folder has totals.json; "
            "`ape run epoch build` writes them to epochs/<chainId>/<epoch>/)"
        )
    return [found[e] for e in sorted(found)]


def epoch_from_bundle(
    bundle: Path,
    *,
    quorum_percent: int | None = None,
    treasury: int = 0,
    slashed: Sequence[BondSlash] = (),
    accounts: Iterable[str] = (),
) -> EpochReport:
    """One epoch of the report from its bundle (``accounts``: others to list with their
    influence, e.g. members of earlier epochs who earned nothing this time)."""
    totals = load_totals(bundle)
    ledger = read_ledger(ledger_path(bundle, totals))
    policy = Policy.load(Path(bundle) / POLICY)
    scores = score_epoch(ledger.points, policy)
    tree = MerkleTree.load(Path(bundle) / TREE, validate=False)
    earned = {leaf.account: leaf.influence for leaf in tree.values}
    balances = {
        account: to_influence(earned.get(account, 0), totals.epoch, totals.half_life)
        for account in sorted(set(earned) | set(accounts))
    }
    total = sum(balances.values())
    return EpochReport(
        epoch=totals.epoch,
        token_budget=policy.token_budget,
        influence_budget=policy.influence_budget,
        tokens_emitted=scores.tokens.total,
        influence_emitted=scores.influence.total,
        rewards=tuple(
            role_rewards(
                ledger.points, policy.role_weights, scores.tokens.amounts, scores.influence.amounts
            )
        ),
        influence_balances=balances,
        quorum=0 if quorum_percent is None else total * quorum_percent // 100,
        treasury_balance=treasury,
        bonds_slashed=tuple(slashed),
    )


def run_from_bundles(
    bundles: Sequence[Path],
    *,
    title: str = "Our community",
    network: str = "",
    quorum_percent: int | None = None,
    proposals: Sequence[Proposal] = (),
    slashed: Mapping[int, Sequence[BondSlash]] | None = None,
    treasury: Mapping[int, int] | None = None,
    notes: Sequence[str] = (),
    token_symbol: str = "CMN",
) -> RunReport:
    """The report of the epochs of ``bundles`` (see :func:`find_bundles`)."""
    epochs: list[EpochReport] = []
    seen: set[str] = set()
    for bundle in find_bundles(bundles):
        epoch = load_totals(bundle).epoch
        report = epoch_from_bundle(
            bundle,
            quorum_percent=quorum_percent,
            treasury=(treasury or {}).get(epoch, 0),
            slashed=(slashed or {}).get(epoch, ()),
            accounts=seen,
        )
        seen |= set(report.influence_balances)
        epochs.append(report)
    return RunReport(
        epochs=tuple(epochs),
        proposals=tuple(proposals),
        notes=tuple(notes),
        title=title,
        network=network,
        token_symbol=token_symbol,
    )
