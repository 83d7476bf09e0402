"""What verifying an attested ledger reports: each problem with a stable code."""

from __future__ import annotations

from dataclasses import dataclass, field

from communis.errors import CommunisError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an attested ledger."""

    file: str
    line: int
    """1-based line in ``file``; 0 for the file as a whole."""
    attester: str | None
    code: str
    """Stable name of the problem (see :data:`PROBLEM_CODES`)."""
    reason: str

    def __str__(self) -> str:
        who = f" attester {self.attester}:" if self.attester else ""
        return f"{self.file}:{self.line}:{who} {self.reason} [{self.code}]"


PROBLEM_CODES: dict[str, str] = {
    "ledger-invalid": "the ledger file itself is invalid (its own error is quoted)",
    "wrong-chain": "the attestations are for another chain id",
    "wrong-contract": "the attestations are for another registry (another deployment)",
    "wrong-domain": "the domain name or version is not the registry's",
    "attester-set": "the attester set is for another deployment or its hash is not the expected",
    "signature-malformed": "a signature is not 65 bytes, has a bad v, a high s, or recovers no key",
    "signature-other-epoch": "the signature is the attester's, but for another epoch",
    "signature-other-deployment": "the signature is the attester's, but in another domain",
    "signature-mismatch": "the signature is not the attester's signature of this batch",
    "contract-signature-unchecked": "an ERC-1271 attester's signature needs the chain to check",
    "contract-signature-invalid": "an ERC-1271 attester rejected the signature",
    "epoch-mismatch": "an epoch field disagrees with the ledger's epoch",
    "not-attester": "the signer was not an attester in that epoch",
    "over-budget": "the attester's points exceed its budget for the epoch",
    "second-batch": "an attester signed more than one batch for the epoch",
    "root-mismatch": "a batch's rows root does not match its rows",
    "count-mismatch": "a batch's row count or points do not match its rows",
    "line-not-a-row": "a batch lists a line that is not a row of the ledger",
    "row-in-two-batches": "a row is listed by two batches (or twice in one)",
    "duplicate-ref": "two rows carry the same evidence reference",
    "unattested-row": "a row is covered by no batch",
    "ledger-root-mismatch": "the ledger root written in the file is not the root of its batches",
}


@dataclass(slots=True)
class AttestationReport:
    """What :func:`verify_attestations` found."""

    epoch: int
    rows: int
    batches: int
    ledger_root: str
    """The recomputed ledger root (``0x`` hex); empty when there are no batches."""
    attesters_hash: str
    """The log hash of the attester set used."""
    problems: list[Problem] = field(default_factory=list)
    points_by_attester: dict[str, int] = field(default_factory=dict)
    deployment_checked: bool = True
    """False for :func:`check_coverage`: signatures, membership and budgets were not checked."""
    attested_points: dict[str, list[int]] = field(default_factory=dict)
    """account -> points per role (``ROLES`` order) of the rows covered by a batch without any
    problem: what the rewards may be computed from."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok and not self.deployment_checked:
            return (
                f"{self.rows} rows of epoch {self.epoch}, each in one of {self.batches} batches "
                f"whose roots match (signatures not checked); ledger root {self.ledger_root}"
            )
        if self.ok:
            return (
                f"OK: {self.rows} rows of epoch {self.epoch} in {self.batches} batches, every row "
                f"signed by an attester of the epoch within its budget; ledger root "
                f"{self.ledger_root}"
            )
        head = f"{len(self.problems)} problem(s) in the attested ledger of epoch {self.epoch}:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class AttestationVerifyError(CommunisError):
    """Raised by :func:`require_valid`: the message lists every problem."""

    def __init__(self, report: AttestationReport) -> None:
        self.report = report
        super().__init__(report.summary())


def require_valid(report: AttestationReport) -> AttestationReport:
    if not report.ok:
        raise AttestationVerifyError(report)
    return report
