"""What the cheats of the story build: ledgers extended with rows of their own, and what verify
flags in them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from communis.chain.epochs.verify import verify
from communis.demo.story.state import Story, check
from communis.demo.story.steps import build_epoch
from communis.engine.address import to_checksum
from communis.engine.attest.files import attestations_path, read_attestations, write_attestations
from communis.engine.attest.keys import SigningKey
from communis.engine.attest.sign import attest_ledger
from communis.engine.keccak import keccak


def invented(label: str, count: int) -> list[str]:
    """``count`` fresh addresses nobody holds a key for (derived from ``label``)."""
    return [
        to_checksum("0x" + keccak(f"communis-demo/{label}/{i}".encode())[:20].hex())
        for i in range(count)
    ]


def extended_bundle(
    story: Story, epoch: int, folder: str, signer: Any, accounts: list[str], points: int, ref: str
) -> Path:
    """The bundle of ``epoch``'s honest ledger with one creator row of ``points`` per account
    appended (evidence ``<ref>-<n>``), signed by ``signer`` (the other rows keep the attesters'
    batches), built into ``work/<folder>/epochs`` as the cheat builds it (no attester check)."""
    rows = [
        {
            "epoch": epoch,
            "account": a,
            "role": "creator",
            "points": str(points),
            "ref": f"{ref}-{i}",
        }
        for i, a in enumerate(accounts)
    ]
    ledger = story.work / folder / "ledgers" / f"epoch-{epoch}.jsonl"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    honest_rows = story.ledger(epoch).read_text(encoding="utf-8")
    first = honest_rows.count("\n") + 1
    ledger.write_text(honest_rows + "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    signed = attest_ledger(
        ledger,
        SigningKey(signer.private_key),
        story.signing_domain,
        epoch,
        lines=[(first, first + len(rows) - 1)],
        existing=read_attestations(attestations_path(story.ledger(epoch))),
    )
    write_attestations(signed.attestations, attestations_path(ledger))
    out_root = story.work / folder / "epochs"
    build_epoch(story, ledger, out_root, previous=story.bundle(epoch - 1), cheat=True)
    return out_root / str(epoch)


def flagged(story: Story, bundle: Path, epoch: int, code: str) -> list[str]:
    """The attesters whose batches ``verify`` reports with ``code`` (it must find the bundle
    wrong)."""
    result = verify(story.sys.rewards, bundle, previous=story.bundle(epoch - 1))
    check(not result.ok, f"verify rejects the root of {bundle}")
    found = result.attestations
    return [p.attester or "" for p in found.problems if p.code == code] if found else []
