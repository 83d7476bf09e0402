"""Signing a ledger: an attester's batch over chosen rows, merged into its attestations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from communis.engine.address import to_checksum
from communis.engine.attest.errors import AttestationError
from communis.engine.attest.files import (
    ATTESTATIONS_FILE,
    Attestations,
    SignedBatch,
    with_batches,
)
from communis.engine.attest.hashing import Domain, line_ranges, make_batch
from communis.engine.attest.keys import BatchSigner
from communis.engine.ledger import Row, iter_numbered_rows, read_ledger


def attest(
    rows: Sequence[tuple[int, Row]],
    signers: Mapping[str, tuple[BatchSigner, Iterable[int]]]
    | Iterable[tuple[BatchSigner, Iterable[int]]],
    domain: Domain,
    epoch: int,
) -> Attestations:
    """Sign the ledger: each ``(key, lines)`` gives one attester's batch over those ledger lines.

    ``rows`` are ``(line, row)`` pairs as :func:`~communis.engine.ledger.iter_numbered_rows`
    gives them. Batches are written sorted by attester.
    """
    by_line = dict(rows)
    items = signers.values() if isinstance(signers, Mapping) else signers
    signed = []
    for key, lines in items:
        wanted = sorted(set(lines))
        missing = [line for line in wanted if line not in by_line]
        if missing:
            raise AttestationError(f"ledger lines {missing[:5]} are not rows of the ledger")
        batch = make_batch(key.address, epoch, [by_line[line] for line in wanted])
        signed.append(SignedBatch(batch, tuple(line_ranges(wanted)), key.sign_batch(batch, domain)))
    return with_batches(domain, epoch, signed)


def parse_line_ranges(text: str) -> list[tuple[int, int]]:
    """``"1-120,130"`` as inclusive ranges ``[(1, 120), (130, 130)]`` (1-based ledger lines)."""
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?", part)
        first = int(match.group(1)) if match else 0
        last = int(match.group(2) or first) if match else 0
        if not match or first < 1 or last < first:
            raise AttestationError(
                f"lines {text!r}: {part.strip()!r} is not a line number or a range FIRST-LAST "
                "of 1-based ledger lines"
            )
        out.append((first, last))
    return out


@dataclass(frozen=True, slots=True)
class AttestResult:
    """What :func:`attest_ledger` signed and the attestations file it makes."""

    attestations: Attestations
    signed: SignedBatch
    replaced: SignedBatch | None
    """The attester's earlier batch of the epoch, which the new one replaces."""


def attest_ledger(
    ledger: Path,
    signer: BatchSigner,
    domain: Domain,
    epoch: int,
    *,
    lines: Sequence[tuple[int, int]] | None = None,
    ref_prefixes: Sequence[str] = (),
    existing: Attestations | None = None,
) -> AttestResult:
    """Sign, as ``signer``, the rows of ``ledger`` on ``lines`` (all rows if not given) whose
    evidence reference starts with one of ``ref_prefixes`` (if any are given), and merge the
    batch into ``existing`` (the ledger's attestations so far, if any).

    The ledger is validated whole first (one epoch, ``epoch``; no reference twice): an attester
    signs nothing of a ledger that is invalid. One batch per attester per epoch: an earlier batch
    of the same attester is replaced. Raises :class:`AttestationError` naming the line when a
    listed line is not a row, when a row is already another attester's, when ``existing`` is of
    another deployment or epoch, or when nothing is selected; nothing is signed then.
    """
    ledger = Path(ledger)
    read_ledger(ledger, epoch=epoch)  # the whole-ledger checks, with the line of the first problem
    rows = list(iter_numbered_rows(ledger))
    by_line = dict(rows)
    if lines is None:
        chosen = [line for line, _ in rows]
    else:
        chosen = []
        last = rows[-1][0]
        for first, stop in lines:
            if stop > last:
                raise AttestationError(
                    f"{ledger}: line {max(first, last + 1)} is past the last row (line {last})"
                )
            for line in range(first, stop + 1):
                if line not in by_line:
                    raise AttestationError(f"{ledger}:{line}: not a ledger row (a header?)")
                chosen.append(line)
    if ref_prefixes:
        wanted = tuple(ref_prefixes)
        chosen = [line for line in chosen if by_line[line].ref.startswith(wanted)]
    chosen = sorted(set(chosen))
    if not chosen:
        what = f" with a reference starting {' or '.join(map(repr, ref_prefixes))}"
        what = what if ref_prefixes else ""
        raise AttestationError(f"{ledger}: no row selected{what}: nothing to sign")
    attester = to_checksum(signer.address)
    kept: list[SignedBatch] = []
    replaced = None
    if existing is not None:
        where = str(existing.path or ATTESTATIONS_FILE)
        if existing.domain != domain:
            d = existing.domain
            raise AttestationError(
                f"{where}: signed for chain {d.chain_id}, registry {d.verifying_contract}; this "
                f"batch is for chain {domain.chain_id}, registry {domain.verifying_contract}"
            )
        if existing.epoch != epoch:
            raise AttestationError(f"{where}: attestations of epoch {existing.epoch}, not {epoch}")
        for other in existing.batches:
            if to_checksum(other.batch.attester) == attester:
                replaced = other
            else:
                kept.append(other)
        taken = {line: other for other in kept for line in other.line_numbers()}
        for line in chosen:
            holder = taken.get(line)
            if holder is not None:
                raise AttestationError(
                    f"{ledger}:{line}: already attested by {holder.batch.attester} ({where}:"
                    f"{holder.file_line}); a row goes into one batch"
                )
    batch = make_batch(attester, epoch, [by_line[line] for line in chosen])
    signature = signer.sign_batch(batch, domain)
    signed = SignedBatch(batch, tuple(line_ranges(chosen)), signature)
    path = existing.path if existing is not None else None
    merged = with_batches(domain, epoch, [*kept, signed], path)
    return AttestResult(merged, signed, replaced)
