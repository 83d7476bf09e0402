"""Verifying an attested ledger: every row, batch, signature, membership and budget, with every
problem named (file, line, attester, reason); nothing stops at the first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from communis.engine.address import to_checksum
from communis.engine.attest.attesters import AttesterSet
from communis.engine.attest.errors import AttestationError, SignatureError
from communis.engine.attest.files import ATTESTATIONS_FILE, Attestations, SignedBatch
from communis.engine.attest.hashing import Batch, Domain, HashTree, row_leaves
from communis.engine.attest.keys import recover_signer
from communis.engine.attest.problems import AttestationReport, Problem
from communis.engine.ledger import LedgerError, Row, iter_numbered_rows
from communis.engine.merkle import MerkleError
from communis.engine.parallel import gc_paused
from communis.engine.roles import ROLES

ContractSignatureCheck = Callable[[str, bytes, bytes], bool]
"""``check(attester, digest, signature)``: whether a contract attester's ERC-1271
``isValidSignature`` accepts ``signature`` for ``digest`` (the chain layer supplies it)."""


def _recovers(digest: bytes, signature: bytes) -> str | None:
    try:
        return recover_signer(digest, signature)
    except SignatureError:
        return None


def _diagnose_signature(
    sb: SignedBatch, domain: Domain, declared: Domain, epoch: int, signer: str
) -> tuple[str, str]:
    """Why a well-formed signature recovering ``signer`` is not the attester's for this batch."""
    b = sb.batch
    attester = to_checksum(b.attester)
    if declared != domain and _recovers(b.digest(declared), sb.signature) == attester:
        return (
            "signature-other-deployment",
            f"signed in the domain of chain {declared.chain_id}, registry "
            f"{declared.verifying_contract}, not this deployment's (chain {domain.chain_id}, "
            f"registry {domain.verifying_contract}): a replay",
        )
    for other in range(max(0, epoch - 8), epoch + 9):
        if other == b.epoch:
            continue
        moved = Batch(b.attester, other, b.rows_root, b.points, b.row_count)
        if _recovers(moved.digest(domain), sb.signature) == attester:
            return ("signature-other-epoch", f"the signature is for epoch {other}, not {b.epoch}")
    return (
        "signature-mismatch",
        f"the signature is not the attester's signature of this batch (it recovers {signer}): "
        "another epoch, root, points, row count or deployment",
    )


def verify_attestations(
    ledger: Path,
    attestations: Attestations,
    attesters: AttesterSet,
    domain: Domain,
    *,
    expected_attesters_hash: str | None = None,
    contract_signatures: ContractSignatureCheck | None = None,
) -> AttestationReport:
    """Check an attested ledger against this deployment's ``domain`` and attester set.

    Every row must be covered by exactly one batch; every batch must be signed, in ``domain``,
    by an account that was an attester in the ledger's epoch, with its points within the
    attester's budget, its rows root, row count and points those of its rows, one batch per
    attester; refs must be unique; every epoch field must be the ledger's. Each problem found is
    reported (file, line, attester, reason); nothing stops at the first.
    ``expected_attesters_hash``: the committed hash of the attester set (``RootProposed
    .attestersHash``), compared with the set's replayed log hash.
    """
    with gc_paused():
        return _verify(
            Path(ledger),
            attestations,
            _Deployment(attesters, domain, expected_attesters_hash, contract_signatures),
        )


def check_coverage(ledger: Path, attestations: Attestations) -> AttestationReport:
    """What can be checked without the deployment: every row in exactly one batch, each batch's
    rows root, row count and points those of its rows, the epochs, unique references and the
    ledger root. Signatures, membership and budgets need the deployment
    (:func:`verify_attestations`)."""
    with gc_paused():
        return _verify(Path(ledger), attestations, None)


@dataclass(frozen=True, slots=True)
class _Deployment:
    attesters: AttesterSet
    domain: Domain
    expected_attesters_hash: str | None
    contract_signatures: ContractSignatureCheck | None


def _deployment_problems(
    att_file: str, attestations: Attestations, d: _Deployment
) -> list[Problem]:
    out: list[Problem] = []
    declared, domain, attesters = attestations.domain, d.domain, d.attesters
    if declared.chain_id != domain.chain_id:
        out.append(
            Problem(
                att_file,
                0,
                None,
                "wrong-chain",
                f"attestations for chain id {declared.chain_id}, this deployment is on "
                f"chain id {domain.chain_id}",
            )
        )
    if to_checksum(declared.verifying_contract) != to_checksum(domain.verifying_contract):
        out.append(
            Problem(
                att_file,
                0,
                None,
                "wrong-contract",
                f"attestations for registry {declared.verifying_contract}, this "
                f"deployment's registry is {domain.verifying_contract}",
            )
        )
    if (declared.name, declared.version) != (domain.name, domain.version):
        out.append(
            Problem(
                att_file,
                0,
                None,
                "wrong-domain",
                f"domain {declared.name!r} version {declared.version!r}, expected "
                f"{domain.name!r} version {domain.version!r}",
            )
        )
    if attesters.chain_id != domain.chain_id or to_checksum(attesters.registry) != to_checksum(
        domain.verifying_contract
    ):
        out.append(
            Problem(
                "attesters",
                0,
                None,
                "attester-set",
                f"the attester set is registry {attesters.registry} on chain "
                f"{attesters.chain_id}, not this deployment's",
            )
        )
    expected = d.expected_attesters_hash
    if expected is not None and attesters.log_hash.lower() != expected.lower():
        out.append(
            Problem(
                "attesters",
                0,
                None,
                "attester-set",
                f"the attester set's change log hashes to {attesters.log_hash}, the committed "
                f"attesters hash is {expected}",
            )
        )
    return out


def _signature_problem(
    sb: SignedBatch, declared: Domain, epoch: int, d: _Deployment
) -> tuple[str, str] | None:
    """Why ``sb``'s signature is not its attester's for the batch in this deployment (None: it
    is)."""
    b = sb.batch
    attester = to_checksum(b.attester)
    digest = b.digest(d.domain)
    if attester in d.attesters.contracts:
        if d.contract_signatures is None:
            return (
                "contract-signature-unchecked",
                "a contract attester (ERC-1271): its signature can only be checked against the "
                "chain",
            )
        if not d.contract_signatures(attester, digest, sb.signature):
            return (
                "contract-signature-invalid",
                "the attester contract's isValidSignature rejects the signature",
            )
        return None
    try:
        signer = recover_signer(digest, sb.signature)
    except SignatureError as exc:
        return ("signature-malformed", f"malformed signature: {exc}")
    if signer != attester:
        return _diagnose_signature(sb, d.domain, declared, epoch, signer)
    return None


def _verify(
    ledger: Path, attestations: Attestations, deployment: _Deployment | None
) -> AttestationReport:
    att_file = str(attestations.path or ATTESTATIONS_FILE)
    led_file = str(ledger)
    problems: list[Problem] = []
    add = problems.append
    report = AttestationReport(
        epoch=attestations.epoch,
        rows=0,
        batches=len(attestations.batches),
        ledger_root="",
        attesters_hash=deployment.attesters.log_hash if deployment else "",
        problems=problems,
        deployment_checked=deployment is not None,
    )
    declared = attestations.domain
    if deployment is not None:
        problems += _deployment_problems(att_file, attestations, deployment)

    # -- the ledger rows --------------------------------------------------------------------
    rows: dict[int, Row] = {}
    epoch = attestations.epoch
    try:
        refs: dict[str, int] = {}
        for line, row in iter_numbered_rows(ledger, whole_ledger_checks=False):
            rows[line] = row
            if row.epoch != epoch:
                add(
                    Problem(
                        led_file,
                        line,
                        None,
                        "epoch-mismatch",
                        f"row of epoch {row.epoch}, the attested ledger is epoch {epoch}",
                    )
                )
            first = refs.setdefault(row.ref, line)
            if first != line:
                add(
                    Problem(
                        led_file,
                        line,
                        None,
                        "duplicate-ref",
                        f"evidence reference {row.ref!r} is also on line {first}: a row "
                        "counted twice",
                    )
                )
    except LedgerError as exc:
        add(Problem(led_file, exc.line, None, "ledger-invalid", str(exc)))
        return report
    report.rows = len(rows)

    # -- batches ----------------------------------------------------------------------------
    covered: dict[int, SignedBatch] = {}
    last_line = max(rows, default=0)
    # An honest file lists every row once: a file listing far more lines than the ledger has
    # rows is refused as a whole rather than walked line by line.
    visits_left = 2 * len(rows) + 1024
    seen_attesters: dict[str, SignedBatch] = {}
    faulty: set[str] = set()
    """Attesters with a problem in their batch: their rows do not count."""
    for sb in attestations.batches:
        b = sb.batch
        attester = to_checksum(b.attester)
        at = sb.file_line

        def problem(code: str, reason: str, line: int = at, who: str = attester) -> None:
            faulty.add(who)
            add(Problem(att_file, line, who, code, reason))

        if b.epoch != epoch:
            problem("epoch-mismatch", f"batch of epoch {b.epoch} in the attested ledger of {epoch}")
        previous = seen_attesters.setdefault(attester, sb)
        if previous is not sb:
            problem(
                "second-batch",
                f"a second batch of this attester for epoch {b.epoch} (the first is on "
                f"line {previous.file_line}): one signature per attester per epoch",
            )

        # Rows of the batch: existence, overlap, then root, count and points.
        batch_rows: list[Row] = []
        listed_lines: list[int] = []
        for first, last in sb.lines:
            if last > last_line:
                problem(
                    "line-not-a-row",
                    f"lists ledger lines {max(first, last_line + 1)}..{last}, past the last row "
                    f"(line {last_line})",
                )
            stop = min(last, last_line)
            visits_left -= max(0, stop - first + 1)
            if visits_left < 0:
                break
            listed_lines.extend(range(first, stop + 1))
        if visits_left < 0:
            problem(
                "row-in-two-batches",
                f"the batches list more than twice as many lines as the ledger has rows "
                f"({len(rows)}); the rest of the file is not examined",
            )
            break
        for line in listed_lines:
            listed = rows.get(line)
            if listed is None:
                problem("line-not-a-row", f"lists ledger line {line}, which is not a row")
                continue
            other = covered.get(line)
            if other is None:
                covered[line] = sb
            else:
                where = (
                    "this batch lists it twice"
                    if other is sb
                    else f"attester {other.batch.attester}'s batch ({att_file}:{other.file_line})"
                )
                add(
                    Problem(
                        led_file,
                        line,
                        attester,
                        "row-in-two-batches",
                        f"row already counted: {where}",
                    )
                )
            batch_rows.append(listed)
        if len(batch_rows) != b.row_count or sum(r.points for r in batch_rows) != b.points:
            problem(
                "count-mismatch",
                f"the batch says {b.row_count} rows and {b.points} points, its lines hold "
                f"{len(batch_rows)} rows and {sum(r.points for r in batch_rows)} points",
            )
        if batch_rows:
            root = HashTree.of(row_leaves(batch_rows)).root
            if root != b.rows_root:
                problem(
                    "root-mismatch",
                    f"rows root 0x{b.rows_root.hex()} is not the root of its rows (0x{root.hex()})",
                )
        report.points_by_attester[attester] = report.points_by_attester.get(attester, 0) + b.points

        # Signature and membership.
        if deployment is not None:
            found = _signature_problem(sb, declared, epoch, deployment)
            if found is not None:
                problem(*found)
            if not deployment.attesters.is_attester_at(attester, b.epoch):
                problem("not-attester", f"not an attester in epoch {b.epoch}")

    # -- budgets, coverage, ledger root -----------------------------------------------------
    for attester, points in report.points_by_attester.items() if deployment else ():
        budget = deployment.attesters.budget_at(attester, epoch) if deployment else 0
        if budget and points > budget:
            first_batch = seen_attesters[attester]
            faulty.add(attester)
            add(
                Problem(
                    att_file,
                    first_batch.file_line,
                    attester,
                    "over-budget",
                    f"{points} points attested, the budget for epoch {epoch} is {budget}",
                )
            )
    for line in rows:
        if line not in covered:
            add(Problem(led_file, line, None, "unattested-row", "no attester signed this row"))
    if attestations.batches:
        try:
            root = attestations.ledger_tree().root
        except (AttestationError, MerkleError) as exc:
            add(Problem(att_file, 0, None, "ledger-root-mismatch", str(exc)))
        else:
            report.ledger_root = "0x" + root.hex()
            if root != attestations.ledger_root:
                add(
                    Problem(
                        att_file,
                        0,
                        None,
                        "ledger-root-mismatch",
                        f"ledgerRoot 0x{attestations.ledger_root.hex()} is not the root of "
                        f"the batches (0x{root.hex()})",
                    )
                )
    report.attested_points = _attested_points(rows, covered, faulty)
    problems.sort(key=lambda p: (p.file, p.line, p.code))
    return report


def _attested_points(
    rows: Mapping[int, Row], covered: Mapping[int, SignedBatch], faulty: set[str]
) -> dict[str, list[int]]:
    """account -> points per role of the rows in a batch with no problem."""
    out: dict[str, list[int]] = {}
    index = {role: i for i, role in enumerate(ROLES)}
    for line, row in rows.items():
        sb = covered.get(line)
        if sb is None or to_checksum(sb.batch.attester) in faulty:
            continue
        per_role = out.get(row.account)
        if per_role is None:
            per_role = out[row.account] = [0] * len(ROLES)
        per_role[index[row.role]] += row.points
    return out
