"""Shared builders for the engine tests: accounts, ledger rows and files, a policy."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from communis.engine.address import to_checksum
from communis.engine.policy import Policy
from communis.engine.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
OZ_SCRIPT = ROOT / "bench" / "oz_merkle.js"


def account(n: int) -> str:
    """A deterministic checksummed address for small integers (never zero)."""
    return to_checksum("0x" + (n + 1).to_bytes(20, "big").hex())


def random_accounts(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [to_checksum("0x" + rng.randbytes(20).hex()) for _ in range(count)]


def row(epoch: int, who: str, role: str, points: str, ref: str) -> dict[str, object]:
    return {"epoch": epoch, "account": who, "role": role, "points": points, "ref": ref}


def sample_rows(epoch: int, count: int = 60, accounts: int = 12, seed: int = 7) -> list[dict]:
    rng = random.Random(seed * 1000 + epoch)
    people = random_accounts(accounts, seed)
    return [
        row(
            epoch,
            rng.choice(people),
            rng.choice(ROLES),
            f"{rng.randrange(0, 500)}.{rng.randrange(0, 100):02d}",
            f"e{epoch}/evidence/{i}",
        )
        for i in range(count)
    ]


def jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def csv_text(rows: Iterable[dict]) -> str:
    lines = ["epoch,account,role,points,ref"]
    lines += [f"{r['epoch']},{r['account']},{r['role']},{r['points']},{r['ref']}" for r in rows]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def policy(**changes: Any) -> Policy:
    """The test policy with ``changes`` applied (values of any type, to test validation)."""
    base: dict[str, Any] = dict(
        token_budget=1_000_000 * 10**18,
        influence_budget=500_000 * 10**18,
        role_weights=(5, 3, 4, 1),
        account_cap_bps=2_500,
        challenge_window=3_600,
        proposer_bond=1_000 * 10**18,
        challenger_bond=500 * 10**18,
    )
    base.update(changes)
    return Policy(**base)
