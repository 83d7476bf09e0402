"""The epoch bundle: everything needed to check an epoch, in one folder, ready to publish.

```
<out>/<epoch>/
  ledger.jsonl | ledger.csv   the ledger, byte for byte as given (its hashes are in totals.json)
  policy.json                 the policy it was scored with (canonical JSON)
  tree.json                   the cumulative tree, OpenZeppelin ``standard-v1`` dump
  totals.json                 epoch, root, hashes, epoch and cumulative totals (see below)
  attestations.json           the attesters' signed batches, byte for byte as given (absent only
                              in a draft built without any); totals.json has their ledgerRoot
  report.md                   a short human-readable summary
```

A bundle is built only from a ledger whose every row is covered by an attester's batch
(``attestations.json`` beside the ledger, :func:`communis.engine.attest.attestations_path`),
unless it is built as a draft: then ``totals.json`` says ``"attested": false``. The build checks
what needs no chain (coverage, rows roots, the ledger root); signatures, membership and budgets
are the verifier's, against the deployment (:mod:`communis.engine.verify`).

Every file is a pure function of (ledger bytes, policy, half-life, previous bundle): sorted keys,
fixed separators, no timestamps or paths, so two machines produce byte-identical bundles and a
guardian can show a root is wrong. A bundle is written to a temporary sibling folder and renamed
into place, so a failed build leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from communis.engine.attest import (
    ATTESTATIONS_FILE,
    AttesterSet,
    Domain,
    attestations_path,
    check_coverage,
    read_attestations,
    verify_attestations,
)
from communis.engine.cumulative import CumulativeTable
from communis.engine.growth import growth
from communis.engine.jsonlimits import load_json_file
from communis.engine.ledger import FORMATS, Ledger, format_points, read_ledger
from communis.engine.merkle import MerkleTree
from communis.engine.parallel import gc_paused
from communis.engine.policy import Policy, policy_hash
from communis.engine.roles import ROLES
from communis.engine.scoring import EpochScores, score_epoch
from communis.engine.totals import (
    BUNDLE_FORMAT,
    ZERO_ROOT,
    CumulativeTotals,
    EpochTotals,
    LedgerInfo,
    Totals,
)
from communis.engine.totals import BundleError as BundleError
from communis.engine.units import format_amount

TOTALS = "totals.json"
ATTESTATIONS = ATTESTATIONS_FILE
TREE = "tree.json"
POLICY = "policy.json"
REPORT = "report.md"

__all__ = [
    "ATTESTATIONS",
    "BUNDLE_FORMAT",
    "POLICY",
    "REPORT",
    "TOTALS",
    "TREE",
    "BundleError",
    "EpochBuild",
    "build_bundle",
    "canonical_json",
    "compute_epoch",
    "find_previous",
    "ledger_file_name",
    "ledger_path",
    "load_previous",
    "load_totals",
    "read_totals",
    "render_report",
    "replace_tree",
    "write_bundle",
    "write_totals",
]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class EpochBuild:
    """An epoch computed in memory (what a bundle records)."""

    ledger: Ledger
    policy: Policy
    half_life: int
    scores: EpochScores
    previous: CumulativeTable
    previous_root: str | None
    table: CumulativeTable
    tree: MerkleTree
    attestations: Path | None = None
    """The attestations file the bundle carries (copied as ``attestations.json``)."""
    ledger_root: str = ZERO_ROOT
    attested: bool = False

    @property
    def epoch(self) -> int:
        return self.ledger.epoch

    @property
    def root(self) -> str:
        return self.tree.root_hex

    def epoch_influence_stored(self) -> int:
        return self.table.total_influence_stored - self.previous.total_influence_stored

    def totals(self) -> Totals:
        """What ``totals.json`` records."""
        tokens, influence = self.scores.tokens, self.scores.influence
        return Totals(
            epoch=self.epoch,
            half_life=self.half_life,
            growth=growth(self.epoch, self.half_life),
            root=self.root,
            previous_epoch=self.previous.epoch,
            previous_root=self.previous_root,
            accounts=len(self.tree),
            contributors=sum(1 for score in self.scores.scores.values() if score > 0),
            ledger=LedgerInfo(
                file=ledger_file_name(self.ledger.format),
                format=self.ledger.format,
                rows=self.ledger.rows,
                sha256=self.ledger.sha256,
                keccak256=self.ledger.keccak,
            ),
            policy_hash="0x" + policy_hash(self.policy).hex(),
            epoch_totals=EpochTotals(
                tokens=tokens.total,
                tokens_unemitted=tokens.unemitted,
                influence=influence.total,
                influence_unemitted=influence.unemitted,
                influence_stored=self.epoch_influence_stored(),
                capped_accounts=len(tokens.capped),
            ),
            cumulative_totals=CumulativeTotals(
                tokens=self.table.total_tokens,
                influence_stored=self.table.total_influence_stored,
            ),
            ledger_root=self.ledger_root,
            attested=self.attested,
        )


def ledger_file_name(fmt: str) -> str:
    return f"ledger.{fmt}"


def ledger_path(bundle: Path, totals: Totals) -> Path:
    """The bundle's own ledger file named by ``totals.json``: one of the names a bundle is written
    with, a regular file directly inside ``bundle``; anything else (an absolute path, ``..``, a
    link out of the folder) would let a bundle be checked against a ledger it does not carry."""
    name = totals.ledger.file
    allowed = sorted(ledger_file_name(fmt) for fmt in FORMATS)
    where = Path(bundle) / TOTALS
    if name not in allowed:
        raise BundleError(
            f"{where}: ledger file {name!r} is not one of {', '.join(allowed)} inside the bundle"
        )
    path = Path(bundle) / str(name)
    if path.is_symlink() or path.resolve().parent != Path(bundle).resolve():
        raise BundleError(f"{where}: ledger file {name!r} points outside the bundle")
    return path


def canonical_json(data: Any) -> str:
    """Sorted keys, two-space indent, ASCII only, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def compute_epoch(
    ledger: Ledger,
    policy: Policy,
    half_life: int,
    previous: CumulativeTable | None = None,
    previous_root: str | None = None,
    *,
    progress: Progress | None = None,
    workers: int | None = None,
) -> EpochBuild:
    """Score ``ledger`` under ``policy``, add it to ``previous`` and build the tree."""
    with gc_paused():
        return _compute_epoch(ledger, policy, half_life, previous, previous_root, progress, workers)


def _compute_epoch(
    ledger: Ledger,
    policy: Policy,
    half_life: int,
    previous: CumulativeTable | None,
    previous_root: str | None,
    progress: Progress | None,
    workers: int | None,
) -> EpochBuild:
    note = progress or (lambda _: None)
    previous = previous or CumulativeTable.empty()
    note("scoring")
    scores = score_epoch(ledger.points, policy)
    note("cumulative table")
    table = previous.add_epoch(
        ledger.epoch, scores.tokens.amounts, scores.influence.amounts, half_life
    )
    leaves = table.leaves()
    if not leaves:
        raise BundleError(f"epoch {ledger.epoch}: nobody is owed anything, there is no tree")
    note("merkle tree")
    tree = MerkleTree.build(leaves, workers=workers)
    return EpochBuild(ledger, policy, half_life, scores, previous, previous_root, table, tree)


def read_totals(bundle: Path) -> dict[str, Any]:
    """``totals.json`` as it stands in the file (a JSON object of this bundle format)."""
    path = Path(bundle) / TOTALS
    try:
        totals = load_json_file(path)
    except (OSError, ValueError) as exc:
        raise BundleError(f"{path}: cannot read the bundle totals: {exc}") from exc
    if not isinstance(totals, dict) or totals.get("bundleFormat") != BUNDLE_FORMAT:
        raise BundleError(f"{path}: not a {BUNDLE_FORMAT} bundle")
    return totals


def load_totals(bundle: Path) -> Totals:
    """``totals.json`` as a :class:`Totals`."""
    return Totals.from_json(read_totals(bundle), str(Path(bundle) / TOTALS))


def write_totals(bundle: Path, totals: Totals) -> None:
    (Path(bundle) / TOTALS).write_text(canonical_json(totals.to_json()), encoding="utf-8")


def replace_tree(bundle: Path, tree: MerkleTree) -> None:
    """Put ``tree`` into ``bundle`` in place of its own and point ``totals.json`` at its root
    (everything else unchanged): how a forged bundle is made, to show that verify catches it."""
    tree.save(Path(bundle) / TREE)
    write_totals(bundle, replace(load_totals(bundle), root=tree.root_hex))


def load_previous(bundle: Path, *, validate: bool = True) -> tuple[CumulativeTable, str]:
    """The cumulative table and root committed to by an earlier bundle."""
    totals = load_totals(bundle)
    with gc_paused():
        tree = MerkleTree.load(Path(bundle) / TREE, validate=validate)
    if tree.root_hex != totals.root:
        raise BundleError(f"{bundle}: tree.json root differs from totals.json root")
    return CumulativeTable.from_tree(tree, totals.epoch), tree.root_hex


def find_previous(out_root: Path, epoch: int) -> Path | None:
    """The bundle under ``out_root`` with the largest epoch below ``epoch``, if any."""
    if not out_root.is_dir():
        return None
    best: tuple[int, Path] | None = None
    for child in out_root.iterdir():
        if child.is_dir() and child.name.isdigit() and (child / TOTALS).is_file():
            number = int(child.name)
            if number < epoch and (best is None or number > best[0]):
                best = (number, child)
    return best[1] if best else None


def build_bundle(
    ledger_path: Path,
    policy: Policy,
    half_life: int,
    out_dir: Path,
    *,
    previous: Path | None = None,
    epoch: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    attestations: Path | None = None,
    draft: bool = False,
    attesters: AttesterSet | None = None,
    domain: Domain | None = None,
) -> EpochBuild:
    """Validate the ledger and its attestations, compute the epoch and write its bundle to
    ``out_dir``.

    ``previous`` is the bundle of the preceding epoch (none for the first epoch).
    ``attestations``: the ledger's attestations file (default: beside the ledger,
    :func:`~communis.engine.attest.attestations_path`); every row must be in one of its batches
    and every batch must match its rows, unless ``draft``: a draft bundle is built from whatever
    is attested (even nothing) and says ``"attested": false``. With the deployment's
    ``attesters`` (and ``domain``, default the set's registry), the signatures, membership and
    budgets are checked too, as the verifier will (:func:`~communis.engine.attest
    .verify_attestations`). Nothing is written unless every step succeeds.
    """
    note = progress or (lambda _: None)
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise BundleError(f"{out_dir} already exists (pass overwrite to replace it)")
    note("reading ledger")
    ledger = read_ledger(Path(ledger_path), epoch=epoch)
    note("checking attestations")
    deployment = None
    if attesters is not None:
        deployment = (attesters, domain or Domain(attesters.chain_id, attesters.registry))
    signed, ledger_root = _attestations_of(ledger, attestations, draft, deployment)
    table, root = (None, None) if previous is None else load_previous(previous)
    build = compute_epoch(ledger, policy, half_life, table, root, progress=note, workers=workers)
    build = replace(build, attestations=signed, ledger_root=ledger_root, attested=not draft)
    note("writing bundle")
    with gc_paused():
        write_bundle(build, out_dir, overwrite=overwrite)
    return build


def _attestations_of(
    ledger: Ledger,
    given: Path | None,
    draft: bool,
    deployment: tuple[AttesterSet, Domain] | None,
) -> tuple[Path | None, str]:
    """The attestations file of ``ledger`` and its ledger root; raises unless every row is in a
    batch that matches its rows, and with a ``deployment``, every batch is valid in it (a draft
    takes what there is)."""
    path = Path(given) if given is not None else attestations_path(ledger.path)
    if not path.is_file():
        if draft:
            return None, ZERO_ROOT
        raise BundleError(
            f"{ledger.path}: no attestations ({path} does not exist): no row is signed by an "
            "attester. Sign the rows with `communis attest`, or build a draft with --draft"
        )
    signed = read_attestations(path)
    if deployment is None:
        report = check_coverage(ledger.path, signed)
    else:
        report = verify_attestations(ledger.path, signed, *deployment)
    if report.epoch != ledger.epoch:
        raise BundleError(
            f"{path}: attestations of epoch {report.epoch}, the ledger {ledger.path} is epoch "
            f"{ledger.epoch}"
        )
    if not report.ok and not draft:
        raise BundleError(
            f"{ledger.path}: not every row is attested by a valid batch (build a draft with "
            "--draft): " + report.summary()
        )
    return path, report.ledger_root or ZERO_ROOT


def write_bundle(build: EpochBuild, out_dir: Path, *, overwrite: bool = False) -> None:
    """Write ``build`` as a bundle folder, atomically (temporary sibling, then rename)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise BundleError(f"{out_dir} already exists (pass overwrite to replace it)")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        shutil.copyfile(build.ledger.path, staging / ledger_file_name(build.ledger.format))
        if build.attestations is not None:
            shutil.copyfile(build.attestations, staging / ATTESTATIONS)
        (staging / POLICY).write_text(build.policy.dumps(), encoding="utf-8")
        build.tree.save(staging / TREE)
        write_totals(staging, build.totals())
        (staging / REPORT).write_text(render_report(build), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _amount(value: int) -> str:
    return format_amount(value, places=4)


def render_report(build: EpochBuild, top: int = 10) -> str:
    """``report.md``: totals, points by role and the top earners (deterministic)."""
    totals = build.totals()
    tokens, influence = build.scores.tokens, build.scores.influence
    role_points = build.ledger.total_points()
    lines = [
        f"# Epoch {build.epoch}",
        "",
        f"- Root: `{build.root}`",
        f"- Previous root: `{build.previous_root or 'none (first epoch)'}`",
        f"- Ledger: `{totals.ledger.file}`, {build.ledger.rows} rows, "
        f"sha256 `{build.ledger.sha256}`",
        f"- Policy hash: `{totals.policy_hash}`",
        f"- Attested ledger root: `{totals.ledger_root}`"
        if totals.attested
        else "- **Draft**: not every row is attested; this root must not be proposed",
        f"- Contributors this epoch: {totals.contributors}; accounts in the tree: "
        f"{totals.accounts}",
        f"- Tokens emitted: {_amount(tokens.total)} of {_amount(tokens.budget)} "
        f"(cap per account {_amount(tokens.cap)}, {len(tokens.capped)} capped)",
        f"- Influence awarded: {_amount(influence.total)} of {_amount(influence.budget)} "
        f"(stored units {totals.epoch_totals.influence_stored}, half-life "
        f"{build.half_life} epochs)",
        "",
        "## Points by role",
        "",
        "| role | weight | points | weighted share |",
        "|---|---:|---:|---:|",
    ]
    weighted = [w * p for w, p in zip(build.policy.role_weights, role_points, strict=True)]
    all_weighted = sum(weighted) or 1
    for role, weight, points, part in zip(
        ROLES, build.policy.role_weights, role_points, weighted, strict=True
    ):
        share = part * 10000 // all_weighted
        lines.append(
            f"| {role} | {weight} | {format_points(points)} | {share // 100}.{share % 100:02d}% |"
        )
    lines += [
        "",
        f"## Top {top} earners",
        "",
        "| account | tokens | influence | cumulative tokens |",
        "|---|---:|---:|---:|",
    ]
    ranked = sorted(tokens.amounts.items(), key=lambda item: (-item[1], item[0].lower()))
    for account, amount in ranked[:top]:
        cumulative = build.table.entries.get(account, (0, 0))[0]
        lines.append(
            f"| `{account}` | {_amount(amount)} | {_amount(influence.amounts.get(account, 0))} "
            f"| {_amount(cumulative)} |"
        )
    return "\n".join(lines) + "\n"
