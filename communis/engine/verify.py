"""Verify an epoch: recompute it from its bundle and compare with a root (e.g. the on-chain one).

The recomputation uses only the bundle's ledger and inputs the caller vouches for: the policy in
force (or the policy hash the root was proposed under), the half-life, and the trusted root of the
previous epoch, to which the previous bundle's cumulative table must hash (on chain: ``rootOf``).
Everything the bundle *claims* (its ``tree.json``, its totals, its hashes, its previous root) is
compared with the recomputation, never trusted.

When the root under test is the root of the bundle's ``tree.json`` (the usual fraud: a padded
tree published next to an honest ledger), :attr:`VerifyResult.differences` names every account
whose leaf differs, appears only in the claimed tree (fake accounts) or is missing from it.

Given the deployment's attester set (read from the chain, or a snapshot whose log hash is the
committed one), every batch and row of the bundle's ``attestations.json`` is checked
(:func:`communis.engine.attest.verify.verify_attestations`) and the epoch is recomputed **only
from the rows of valid batches**: a root that counts a padded row disagrees with the recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from communis.engine.attest.attesters import AttesterSet
from communis.engine.attest.errors import AttestationError
from communis.engine.attest.files import read_attestations
from communis.engine.attest.hashing import Domain
from communis.engine.attest.problems import AttestationReport
from communis.engine.attest.verify import ContractSignatureCheck, verify_attestations
from communis.engine.bundle import (
    ATTESTATIONS,
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
from communis.engine.commitment import ledger_commitment
from communis.engine.cumulative import CumulativeTable
from communis.engine.jsonlimits import load_json_file
from communis.engine.ledger import Ledger, read_ledger
from communis.engine.merkle import Leaf, MerkleError, MerkleTree
from communis.engine.policy import Policy, policy_hash
from communis.engine.totals import Totals

NO_ROOT = "none (the recomputation owes nobody anything)"
""":attr:`VerifyResult.expected_root` when the ledger's counted rows build no tree."""


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
    attestations: AttestationReport | None = None
    """What the attestation check found (``None``: not checked, e.g. a draft)."""

    @property
    def ok(self) -> bool:
        attested = self.attestations is None or self.attestations.ok
        return not self.problems and not self.differences and attested


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """What a ``RootProposed`` event committed to, with the deployment it happened on: the
    trusted inputs of an offline verification (``proposal.json``, JSON names in camelCase)."""

    chain_id: int
    attester_registry: str
    epoch: int
    first_epoch: int
    root: str
    ledger_root: str
    """The commitment over the covered epochs' ledger roots."""
    policy_hash: str
    attesters_hash: str
    ledger_uri: str = ""

    @property
    def domain(self) -> Domain:
        return Domain(self.chain_id, self.attester_registry)

    def commitment_problem(self, ledger_roots: dict[int, str]) -> str | None:
        """Why the proposal's ``ledgerRoot`` is not the commitment over ``ledger_roots`` (epoch ->
        that epoch's attested ledger root, from the bundles of the covered epochs), or None.

        The commitment is :func:`communis.engine.commitment.ledger_commitment` over the covered
        epochs, what the tools propose and ``proveUnattestedBatch`` checks."""
        covered = range(self.first_epoch, self.epoch + 1)
        missing = [e for e in covered if e not in ledger_roots]
        if missing:
            return (
                f"cannot check the proposal's ledgerRoot: no bundle of epoch(s) {missing} next to "
                "this one (the proposal covers epochs "
                f"{self.first_epoch}..{self.epoch})"
            )
        entries = [(e, bytes.fromhex(ledger_roots[e].removeprefix("0x"))) for e in covered]
        root = "0x" + ledger_commitment(entries).root.hex()
        if root != self.ledger_root.lower():
            return (
                f"the proposal's ledgerRoot {self.ledger_root} is not the commitment over the "
                f"covered epochs' attested ledger roots ({root})"
            )
        return None

    @classmethod
    def load(cls, path: Path) -> ProposalRecord:
        path = Path(path)
        try:
            data = load_json_file(path)
        except (OSError, ValueError) as exc:
            raise BundleError(f"{path}: cannot read the proposal record: {exc}") from None
        if not isinstance(data, dict):
            raise BundleError(f"{path}: a proposal record is a JSON object")
        values: dict[str, Any] = {}
        for f in cls.__dataclass_fields__.values():
            head, *rest = f.name.split("_")
            name = head + "".join(w.title() for w in rest)
            name = "ledgerURI" if name == "ledgerUri" else name
            value = data.get(name, f.default)
            if f.type == "int":
                ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else:
                ok = isinstance(value, str) and (name == "ledgerURI" or value.startswith("0x"))
            if not ok:
                raise BundleError(f"{path}: field {name!r} is missing or malformed: {value!r}")
            values[f.name] = value
        return cls(**values)


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
    attesters: AttesterSet | None = None,
    domain: Domain | None = None,
    expected_attesters_hash: str | None = None,
    contract_signatures: ContractSignatureCheck | None = None,
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

    ``attesters`` (with ``domain``, default the set's own registry and chain, and the committed
    ``expected_attesters_hash``): check ``attestations.json`` against the deployment and
    recompute only from the rows of valid batches. Without it the attestations are not checked
    (a draft, or a caller that checks them itself).
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
    report = None
    if attesters is not None:
        report, ledger = _attested_ledger(
            bundle,
            totals,
            ledger,
            attesters,
            domain or Domain(attesters.chain_id, attesters.registry),
            expected_attesters_hash,
            contract_signatures,
            problems,
        )
    for key, written_hash, actual in (
        ("sha256", totals.ledger.sha256, ledger.sha256),
        ("keccak256", totals.ledger.keccak256, ledger.keccak),
    ):
        if written_hash != actual:
            problems.append(f"ledger {key} {actual} differs from totals.json")

    prev_table, prev_root = _anchored_previous(
        bundle, totals, epoch, previous, previous_root, first_epoch, problems
    )
    given = None if root is None else _as_hex(root)
    try:
        build = compute_epoch(ledger, policy, half_life, prev_table, prev_root)
    except BundleError as exc:  # e.g. the rows that count owe nobody anything: no tree at all
        problems.append(f"the recomputation has no tree: {exc}")
        return VerifyResult(epoch, NO_ROOT, given, None, (), tuple(problems), None, report)
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
    if given is not None and given != expected_root:
        problems.append(f"root {given} is not the recomputed root {expected_root}")
        if given != bundle_root:
            problems.append("the root under test is not the bundle's tree either")
    found = (given, bundle_root, differences, tuple(problems))
    return VerifyResult(epoch, expected_root, *found, build, report)


def _attested_ledger(
    bundle: Path,
    totals: Totals,
    ledger: Ledger,
    attesters: AttesterSet,
    domain: Domain,
    expected_attesters_hash: str | None,
    contract_signatures: ContractSignatureCheck | None,
    problems: list[str],
) -> tuple[AttestationReport | None, Ledger]:
    """The attestation report of the bundle and the ledger reduced to its attested rows."""
    path = bundle / ATTESTATIONS
    if not totals.attested:
        problems.append(
            f'{bundle / TOTALS}: a draft bundle ("attested": false): its rows are not all '
            "attested and its root must not be proposed"
        )
    if not path.is_file():
        problems.append(f"{path}: missing: no row of the bundle is attested")
        return None, ledger
    try:
        attestations = read_attestations(path)
    except AttestationError as exc:
        problems.append(str(exc))
        return None, ledger
    report = verify_attestations(
        ledger.path,
        attestations,
        attesters,
        domain,
        expected_attesters_hash=expected_attesters_hash,
        contract_signatures=contract_signatures,
    )
    if report.ledger_root and report.ledger_root != totals.ledger_root:
        problems.append(
            f"totals.json ledgerRoot {totals.ledger_root} is not the root of the bundle's "
            f"attestations ({report.ledger_root})"
        )
    if not report.attested_points:
        problems.append("no row is in a valid batch: the epoch is recomputed from the whole ledger")
        return report, ledger
    return report, replace(ledger, points=report.attested_points)
