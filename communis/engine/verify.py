"""Verify an epoch: recompute it from its bundle and compare with a root (e.g. the on-chain one).

The recomputation uses only the bundle's ledger and inputs the caller vouches for: the policy in
force (or the policy hash the root was proposed under), the half-life, and the trusted root of the
previous epoch, to which the previous bundle's cumulative table must hash (on chain: ``rootOf``).
Everything the bundle *claims* (its ``tree.json``, its totals, its hashes, its previous root) is
compared with the recomputation, never trusted.

When the root under test is the root of the bundle's ``tree.json`` (the usual fraud: a padded
tree published next to an honest ledger), :attr:`VerifyResult.differences` names every account
whose leaf differs, appears only in the claimed tree (fake accounts) or is missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from communis.engine.bundle import (
    POLICY,
    TOTALS,
    TREE,
    BundleError,
    EpochBuild,
    compute_epoch,
    ledger_path,
    load_previous,
    read_totals,
)
from communis.engine.cumulative import CumulativeTable
from communis.engine.ledger import read_ledger
from communis.engine.merkle import Leaf, MerkleError, MerkleTree
from communis.engine.policy import Policy, policy_hash
from communis.engine.totals import Totals


@dataclass(frozen=True, slots=True)
class Difference:
    """One account whose leaf in the claimed tree is not the recomputed one."""

    account: str
    expected: Leaf | None
    """The recomputed leaf (``None``: the account should not be in the tree at all)."""
    claimed: Leaf | None
    """The leaf in the claimed tree (``None``: missing from it)."""

    @property
    def kind(self) -> str:
        if self.expected is None:
            return "not owed (fake account)"
        if self.claimed is None:
            return "missing"
        return "wrong amounts"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of :func:`verify_bundle`; ``ok`` only if nothing at all disagrees."""

    epoch: int
    expected_root: str
    """The root recomputed from the ledger."""
    root: str | None
    """The root under test (e.g. on chain); ``None`` if none was given."""
    bundle_root: str | None
    """The root of the bundle's ``tree.json`` (``None`` if unreadable)."""
    differences: tuple[Difference, ...] = ()
    problems: tuple[str, ...] = field(default=())
    build: EpochBuild | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not self.differences


def _as_hex(root: bytes | str) -> str:
    if isinstance(root, bytes):
        return "0x" + root.hex()
    text = root.strip().lower()
    return text if text.startswith("0x") else "0x" + text


def diff_trees(expected: MerkleTree, claimed: MerkleTree) -> tuple[Difference, ...]:
    """Accounts whose leaves differ between two trees, sorted by address."""
    want = {leaf.account.lower(): leaf for leaf in expected.values}
    have = {leaf.account.lower(): leaf for leaf in claimed.values}
    out = []
    for key in sorted(want.keys() | have.keys()):
        a, b = want.get(key), have.get(key)
        if a != b:
            account = (a or b).account  # type: ignore[union-attr]  # a != b: one is a Leaf
            out.append(Difference(account=account, expected=a, claimed=b))
    return tuple(out)


def _anchored_previous(
    bundle: Path,
    totals: Totals,
    epoch: int,
    previous: Path | None,
    previous_root: bytes | str | None,
    first_epoch: int,
    problems: list[str],
) -> tuple[CumulativeTable | None, str | None]:
    """The previous epoch's table, checked against the trusted ``previous_root``."""
    claimed = totals.previous_root
    if previous_root is None:
        if epoch != first_epoch:
            raise BundleError(
                f"{bundle}: epoch {epoch} is not the first epoch ({first_epoch}): give the "
                f"trusted root of epoch {epoch - 1} (rootOf({epoch - 1}) on chain, "
                "--previous-root offline) so that its table is not taken on trust"
            )
        if claimed is not None or previous is not None:
            problems.append(
                f"epoch {epoch} is the first epoch, but the bundle builds on previous root "
                f"{claimed}: its previous table must be empty"
            )
        return None, None
    anchor = _as_hex(previous_root)
    if claimed != anchor:
        problems.append(
            f"bundle says the previousRoot is {claimed}, the trusted root of epoch "
            f"{epoch - 1} is {anchor}"
        )
    if previous is None:
        raise BundleError(
            f"{bundle}: epoch {epoch} is cumulative on epoch {epoch - 1}: pass the previous "
            "epoch's bundle (checked against the trusted root)"
        )
    prev_table, prev_root = load_previous(previous)
    if prev_root != anchor:
        problems.append(
            f"the previous bundle {previous} has root {prev_root}, not the trusted root "
            f"{anchor} of epoch {epoch - 1}: its cumulative table is not the finalized one"
        )
    return prev_table, prev_root


def verify_bundle(
    bundle: Path,
    *,
    half_life: int,
    policy: Policy | None = None,
    expected_policy_hash: bytes | str | None = None,
    root: bytes | str | None = None,
    previous: Path | None = None,
    previous_root: bytes | str | None = None,
    first_epoch: int = 0,
    claimed_tree: Path | None = None,
) -> VerifyResult:
    """Recompute the epoch in ``bundle`` and compare it with ``root`` and the bundle itself.

    Nothing the recomputation depends on is taken from the bundle under test on its word:

    - ``half_life``: the half-life in force (``Influence.halfLife()``);
    - ``policy`` and/or ``expected_policy_hash``: the policy in force, or the hash the root was
      proposed under (then the bundle's ``policy.json`` is used if it has that hash); at least
      one is required;
    - ``previous_root``: the trusted root of epoch ``epoch - 1`` (``rootOf(epoch - 1)`` on
      chain), to which the previous bundle's table (``previous``) must hash. Required unless the
      bundle's epoch is ``first_epoch``, whose previous table is empty.

    ``claimed_tree``: another ``tree.json`` to name the differing accounts of (default: the
    bundle's).
    """
    bundle = Path(bundle)
    if policy is None and expected_policy_hash is None:
        raise BundleError(
            f"{bundle}: give the policy in force or the policy hash proposed on chain; the "
            "bundle's own policy.json is what is being checked"
        )
    problems: list[str] = []
    written = read_totals(bundle)
    totals = Totals.from_json(written, str(bundle / TOTALS))
    epoch = totals.epoch
    if half_life != totals.half_life:
        problems.append(f"bundle half-life {totals.half_life} is not the given {half_life}")
    bundle_policy = Policy.load(bundle / POLICY)
    if policy is None:
        policy = bundle_policy
    elif policy_hash(policy) != policy_hash(bundle_policy):
        problems.append("the bundle's policy.json is not the policy in force")
    used_hash = "0x" + policy_hash(policy).hex()
    if expected_policy_hash is not None and _as_hex(expected_policy_hash) != used_hash:
        problems.append(
            f"policy hash {_as_hex(expected_policy_hash)} is not the hash {used_hash} of the "
            "policy used"
        )
    ledger = read_ledger(ledger_path(bundle, totals), epoch=epoch)
    for key, written_hash, actual in (
        ("sha256", totals.ledger.sha256, ledger.sha256),
        ("keccak256", totals.ledger.keccak256, ledger.keccak),
    ):
        if written_hash != actual:
            problems.append(f"ledger {key} {actual} differs from totals.json")

    prev_table, prev_root = _anchored_previous(
        bundle, totals, epoch, previous, previous_root, first_epoch, problems
    )
    build = compute_epoch(ledger, policy, half_life, prev_table, prev_root)
    expected_root = build.root

    tree_path = Path(claimed_tree) if claimed_tree is not None else bundle / TREE
    differences: tuple[Difference, ...] = ()
    bundle_root: str | None = None
    try:
        claimed = MerkleTree.load(tree_path, validate=False)
        bundle_root = claimed.root_hex
        try:
            claimed.validate()
        except MerkleError as exc:
            problems.append(f"{tree_path.name} is not a consistent tree: {exc}")
        differences = diff_trees(build.tree, claimed)
    except (OSError, ValueError) as exc:
        problems.append(f"cannot read {tree_path}: {exc}")

    if bundle_root is not None and bundle_root != expected_root:
        problems.append(f"{tree_path.name} root {bundle_root} is not the recomputed root")
    if totals.root != expected_root:
        problems.append(f"totals.json root {totals.root} is not the recomputed root")
    recomputed_totals = build.totals().to_json()
    for key in ("epochTotals", "cumulativeTotals", "policyHash", "accounts"):
        if written.get(key) != recomputed_totals[key]:
            problems.append(f"totals.json {key} differs from the recomputation")
    given = None if root is None else _as_hex(root)
    if given is not None and given != expected_root:
        problems.append(f"root {given} is not the recomputed root {expected_root}")
        if given != bundle_root:
            problems.append("the root under test is not the bundle's tree either")
    found = (given, bundle_root, differences, tuple(problems))
    return VerifyResult(epoch, expected_root, *found, build)
