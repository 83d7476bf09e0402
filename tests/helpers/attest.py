"""Shared builders for attested-ledger tests: keys, a domain, a ledger and its attestations."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from communis.engine.attest import (
    Attestations,
    AttesterSet,
    Domain,
    SigningKey,
    attest,
    attestations_path,
    write_attestations,
)
from communis.engine.ledger import Row, iter_numbered_rows
from tests.helpers.ledger import jsonl, sample_rows, write

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 1337
DOMAIN = Domain(CHAIN_ID, REGISTRY)
POINT = 10**18


def secret(n: int) -> str:
    """The hex private key of test key ``n`` (n >= 1)."""
    return "0x" + (0xA77E57 * 1000 + n).to_bytes(32, "big").hex()


def key(n: int) -> SigningKey:
    """A deterministic test key (n >= 1)."""
    return SigningKey(secret(n))


def attester_set(
    budgets: Mapping[SigningKey | str, int],
    epochs: Sequence[int],
    *,
    contracts: Sequence[str] = (),
    chain_id: int = CHAIN_ID,
    registry: str = REGISTRY,
) -> AttesterSet:
    """Every attester of ``budgets`` has its budget in exactly the ``epochs`` listed: appointed
    (or set) from each listed epoch, removed from the epoch after one not followed by another."""
    addresses = {
        (k.address if isinstance(k, SigningKey) else k): budget for k, budget in budgets.items()
    }
    listed = sorted(set(epochs))
    changes = []
    for epoch in listed:
        changes += [(a, epoch, budget) for a, budget in addresses.items()]
        if epoch + 1 not in listed:
            changes += [(a, epoch + 1, 0) for a in addresses]
    return AttesterSet.of(chain_id, registry, changes, contracts)


def ledger_file(tmp: Path, epoch: int, count: int = 30, rows: list[dict] | None = None) -> Path:
    return write(
        tmp / "ledger.jsonl", jsonl(rows if rows is not None else sample_rows(epoch, count))
    )


def numbered(path: Path) -> list[tuple[int, Row]]:
    return list(iter_numbered_rows(path, whole_ledger_checks=False))


def split_attest(
    ledger: Path,
    keys: Sequence[SigningKey],
    epoch: int,
    *,
    domain: Domain = DOMAIN,
    out: Path | None = None,
) -> Attestations:
    """Each key signs a contiguous share of the rows; written to ``out`` when given."""
    rows = numbered(ledger)
    share = -(-len(rows) // len(keys))
    signers = [
        (k, [line for line, _ in rows[i * share : (i + 1) * share]]) for i, k in enumerate(keys)
    ]
    result = attest(rows, [(k, lines) for k, lines in signers if lines], domain, epoch)
    if out is not None:
        write_attestations(result, out)
    return result


def attested(ledger: Path, signer: SigningKey | None = None, *, domain: Domain = DOMAIN) -> Path:
    """``ledger`` with every row signed by one attester (test key 1), its attestations written
    beside it where ``build_bundle`` looks for them; returns ``ledger``."""
    rows = numbered(ledger)
    signer = signer or key(1)
    result = attest(rows, [(signer, [line for line, _ in rows])], domain, rows[0][1].epoch)
    write_attestations(result, attestations_path(ledger))
    return ledger


def verify_options(
    folder: Path, epochs: Sequence[int], signer: SigningKey | None = None
) -> list[str]:
    """`communis verify` options for ledgers signed by :func:`attested`: an attester set of
    ``signer`` (test key 1) for ``epochs``, written to ``folder``, and the deployment."""
    attesters = attester_set({signer or key(1): 10**30}, epochs)
    path = Path(folder) / "attesters.json"
    attesters.save(path)
    return ["--attesters", str(path), "--attesters-hash", attesters.log_hash,
            "--chain-id", str(CHAIN_ID), "--registry", REGISTRY]  # fmt: skip


MEMBER_ROLES = ("creator", "curator", "guardian", "participant", "creator")


def members_ledger(folder: Path, epoch: int, members: Sequence, domain: Domain) -> Path:
    """An attested ledger of ``epoch`` in ``folder`` (``ledger-<epoch>.jsonl``): one row per
    member (ape accounts), roles in :data:`MEMBER_ROLES` order, points growing with the member
    and the epoch."""
    path = Path(folder) / f"ledger-{epoch}.jsonl"
    rows = [
        {"epoch": epoch, "account": m.address, "role": role, "points": str(10 + 7 * i + epoch),
         "ref": f"e{epoch}-{i}"}
        for i, (m, role) in enumerate(zip(members, MEMBER_ROLES, strict=True))
    ]  # fmt: skip
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return attested(path, domain=domain)
