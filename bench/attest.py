"""Attested-ledger figures: offline verification of a ledger whose every row is covered by an
attester's signed batch (ten attesters, contiguous shares), from the files on disk to the report.

    attest.verify.100k_rows_s   median of 3: 100,000-row ledger + attestations.json -> report
    attest.verify.1m_rows_s     one run, 1,000,000 rows (same shape)

Signing is not timed (attesters sign once per epoch, each its own share). Timings are
wall-clock on whatever else the machine is doing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.engine import write_ledger

ATTESTERS = 10
EPOCH = 1
RUNS = 3


def _attested(tmp: Path, rows: int) -> tuple[Path, Path, object, object]:
    from communis.engine.attest import (
        ATTESTATIONS_FILE,
        AttesterSet,
        Domain,
        SigningKey,
        attest,
        write_attestations,
    )
    from communis.engine.ledger import iter_numbered_rows

    ledger = tmp / "ledger.jsonl"
    write_ledger(ledger, rows, max(1, rows // 5), epoch=EPOCH)
    numbered = list(iter_numbered_rows(ledger))
    keys = [SigningKey((0xBE7C4 + i).to_bytes(32, "big")) for i in range(ATTESTERS)]
    share = -(-len(numbered) // ATTESTERS)
    signers = [
        (k, [line for line, _ in numbered[i * share : (i + 1) * share]]) for i, k in enumerate(keys)
    ]
    domain = Domain(1337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    path = tmp / ATTESTATIONS_FILE
    write_attestations(attest(numbered, signers, domain, EPOCH), path)
    budget = 10**40
    attesters = AttesterSet.of(
        1337, domain.verifying_contract, [(k.address, EPOCH, budget) for k in keys]
    )
    return ledger, path, attesters, domain


def _verify_once(ledger: Path, path: Path, attesters, domain) -> float:  # type: ignore[no-untyped-def]
    from communis.engine.attest import read_attestations, require_valid, verify_attestations

    started = time.perf_counter()
    require_valid(verify_attestations(ledger, read_attestations(path), attesters, domain))
    return time.perf_counter() - started


def collect() -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="communis-attest-") as tmp:
        args = _attested(Path(tmp), 100_000)
        figures["attest.verify.100k_rows_s"] = round(
            statistics.median(_verify_once(*args) for _ in range(RUNS)), 2
        )
    with tempfile.TemporaryDirectory(prefix="communis-attest-") as tmp:
        args = _attested(Path(tmp), 1_000_000)
        figures["attest.verify.1m_rows_s"] = round(_verify_once(*args), 2)
    return figures
