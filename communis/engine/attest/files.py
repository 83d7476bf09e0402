"""``attestations.json``: the signed batches of one epoch's ledger, written and read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from communis.engine.attest.attesters import ZERO_HASH
from communis.engine.attest.errors import AttestationError
from communis.engine.attest.fields import (
    address_field,
    dump_document,
    hex_field,
    int_field,
    read_document,
)
from communis.engine.attest.hashing import UINT256_BOUND, Batch, Domain, HashTree

ATTESTATIONS_FORMAT = "communis-attestations-v1"
ATTESTATIONS_FILE = "attestations.json"


@dataclass(frozen=True, slots=True)
class SignedBatch:
    """A batch with its signature and the ledger lines it covers."""

    batch: Batch
    lines: tuple[tuple[int, int], ...]
    """Inclusive ``(first, last)`` ranges of ledger lines (1-based)."""
    signature: bytes
    file_line: int = 0
    """Line of ``attestations.json`` where the batch is written (0 when built in memory)."""

    def leaf(self) -> bytes:
        return self.batch.leaf(self.signature)

    def line_numbers(self) -> Iterator[int]:
        for first, last in self.lines:
            yield from range(first, last + 1)

    def as_json(self) -> dict[str, Any]:
        b = self.batch
        return {
            "attester": b.attester,
            "epoch": b.epoch,
            "lines": [list(r) for r in self.lines],
            "rowCount": b.row_count,
            "points": str(b.points),
            "rowsRoot": "0x" + b.rows_root.hex(),
            "signature": "0x" + self.signature.hex(),
        }


@dataclass(frozen=True, slots=True)
class Attestations:
    """The content of ``attestations.json``: the signed batches of one epoch's ledger."""

    domain: Domain
    epoch: int
    batches: tuple[SignedBatch, ...]
    ledger_root: bytes
    """The root written in the file (recomputed and compared by the verifier)."""
    path: Path | None = None

    def ledger_tree(self) -> HashTree:
        """The tree over the batch leaves, in file order."""
        if not self.batches:
            raise AttestationError("an attested ledger needs at least one batch")
        return HashTree.of([b.leaf() for b in self.batches])

    def dumps(self) -> str:
        """The file text: the header fields, then one batch per line."""
        head = {
            "format": ATTESTATIONS_FORMAT,
            "domain": self.domain.as_json(),
            "epoch": self.epoch,
            "ledgerRoot": "0x" + self.ledger_root.hex(),
        }
        return dump_document(head, "batches", (b.as_json() for b in self.batches))


def with_batches(
    domain: Domain, epoch: int, batches: Iterable[SignedBatch], path: Path | None = None
) -> Attestations:
    """Attestations of ``batches``, sorted by attester, with their ledger root computed."""
    ordered = tuple(
        sorted((replace(b, file_line=0) for b in batches), key=lambda b: b.batch.attester.lower())
    )
    draft = Attestations(domain, epoch, ordered, ZERO_HASH)
    return Attestations(domain, epoch, ordered, draft.ledger_tree().root, path)


def attestations_path(ledger: Path) -> Path:
    """Where the attestations of ``ledger`` are kept: ``attestations.json`` beside a ledger named
    ``ledger.<ext>`` (a bundle's), ``<name>.attestations.json`` beside any other (several
    ledgers may share a folder, e.g. ``epoch-3.jsonl`` and ``epoch-3.attestations.json``)."""
    ledger = Path(ledger)
    if ledger.stem == "ledger":
        return ledger.with_name(ATTESTATIONS_FILE)
    return ledger.with_name(f"{ledger.stem}.{ATTESTATIONS_FILE}")


def write_attestations(attestations: Attestations, path: Path) -> None:
    Path(path).write_text(attestations.dumps(), encoding="utf-8")


def _batch_lines(text: str) -> list[int]:
    """Line numbers where each batch object starts (the ``"attester"`` keys after ``"batches"``)."""
    start = text.find('"batches"')
    if start < 0:
        return []
    first_line = text.count("\n", 0, start) + 1
    out = []
    for match in re.finditer(r'"attester"\s*:', text[start:]):
        out.append(first_line + text.count("\n", start, start + match.start()))
    return out


def read_attestations(path: Path) -> Attestations:
    """Read ``attestations.json``; raises :class:`AttestationError` when it is not one.

    Only the shape is checked here (fields present, hex and integers well formed; signatures of
    any length are kept for the verifier to name); :func:`verify_attestations` judges content.
    """
    path = Path(path)
    where = str(path)
    raw, data = read_document(path, ATTESTATIONS_FORMAT, "an attestations file")
    dom = data.get("domain")
    if not isinstance(dom, dict) or not isinstance(dom.get("name"), str):
        raise AttestationError(f"{where}: field 'domain' must be an EIP-712 domain object")
    version = dom.get("version")
    domain = Domain(
        chain_id=int_field(dom, "chainId", f"{where}: domain"),
        verifying_contract=address_field(dom, "verifyingContract", f"{where}: domain"),
        name=dom["name"],
        version=version if isinstance(version, str) else "",
    )
    epoch = int_field(data, "epoch", where)
    ledger_root = hex_field(data, "ledgerRoot", where, 32)
    items = data.get("batches")
    if not isinstance(items, list) or not items:
        raise AttestationError(f"{where}: field 'batches' must be a non-empty list")
    starts = _batch_lines(raw.decode("utf-8", errors="replace"))
    batches = []
    for i, item in enumerate(items):
        line = starts[i] if len(starts) == len(items) else 0
        at = f"{where}:{line}: batch {i}"
        if not isinstance(item, dict):
            raise AttestationError(f"{at}: must be an object")
        ranges = item.get("lines")
        if not isinstance(ranges, list) or not all(
            isinstance(r, list)
            and len(r) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in r)
            and r[0] <= r[1]
            for r in ranges
        ):
            raise AttestationError(f"{at}: 'lines' must be a list of [first, last] line ranges")
        points = item.get("points")
        if not (isinstance(points, str) and points.isdigit() and int(points) < UINT256_BOUND):
            raise AttestationError(f"{at}: 'points' must be an integer string (10^-18 point)")
        batch = Batch(
            attester=address_field(item, "attester", at),
            epoch=int_field(item, "epoch", at),
            rows_root=hex_field(item, "rowsRoot", at, 32),
            points=int(points),
            row_count=int_field(item, "rowCount", at),
        )
        signature = hex_field(item, "signature", at, None)
        batches.append(SignedBatch(batch, tuple((r[0], r[1]) for r in ranges), signature, line))
    return Attestations(domain, epoch, tuple(batches), ledger_root, path)
