"""The deployment journal: ``deployments/<chainId>.json``.

Each step of a deployment plan is written to the journal *before* its transaction is broadcast
(signed raw transaction, hash and nonce) and again after its receipt (address, block, gas). A run
killed at any point can therefore be resumed: a step already ``done`` is skipped (after checking
the code at its address), a step ``sent`` is settled from its receipt, or its exact raw
transaction is re-broadcast (same nonce: it can never be mined twice).

Deploy steps also record the compiler's long version and the hash of the standard-json input
(:mod:`communis.deploy.verification`), so that the contract can later be verified on a block
explorer from a reproduced input. Integers above 2^53 (the token cap, budgets) are written as
decimal strings, so that any JSON reader gets every digit.

This module is pure data and file handling; the chain side lives in :mod:`communis.deploy.deployer`.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from communis.engine.jsonlimits import load_json_file
from communis.engine.jsonsafe import json_safe
from communis.errors import CommunisError

FORMAT = "communis-deployments-v1"
MAX_JOURNAL_BYTES = 16 << 20

Status = Literal["pending", "sent", "done"]
Kind = Literal["deploy", "call"]


class JournalError(CommunisError, RuntimeError):
    """The journal cannot be used as it is; the message says why and what to do."""


@dataclass
class Step:
    """One transaction of a deployment plan and what became of it."""

    name: str
    kind: Kind
    contract: str
    args: list[Any]
    function: str | None = None
    target: str | None = None
    status: Status = "pending"
    sender: str | None = None
    nonce: int | None = None
    tx_hash: str | None = None
    raw_tx: str | None = None
    address: str | None = None
    block: int | None = None
    gas_used: int | None = None
    compiler: str | None = None
    input_hash: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, where: str) -> Step:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise JournalError(f"{where}: unknown field(s) {', '.join(unknown)}")
        try:
            step = cls(**data)
        except TypeError as err:
            raise JournalError(f"{where}: {err}") from err
        if step.status not in ("pending", "sent", "done"):
            raise JournalError(f"{where}: field 'status' has unknown value {step.status!r}")
        return step


@dataclass
class Journal:
    """All steps of one chain's deployment, persisted atomically after every change."""

    path: Path
    chain_id: int
    config: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def open(cls, directory: Path, chain_id: int) -> Journal:
        """Load ``directory/<chain_id>.json`` or start an empty journal for that chain."""
        path = directory / f"{chain_id}.json"
        if not path.exists():
            return cls(path=path, chain_id=chain_id)
        try:
            data = load_json_file(path, max_bytes=MAX_JOURNAL_BYTES)
        except ValueError as err:
            raise JournalError(f"{path}: not valid JSON ({err}); restore it from git") from err
        if data.get("format") != FORMAT:
            raise JournalError(f"{path}: field 'format' is {data.get('format')!r}, want {FORMAT!r}")
        if data.get("chainId") != chain_id:
            raise JournalError(
                f"{path}: field 'chainId' is {data.get('chainId')!r} but the connected chain is "
                f"{chain_id}"
            )
        steps = [
            Step.from_json(s, where=f"{path}: steps[{i}]") for i, s in enumerate(data["steps"])
        ]
        return cls(path=path, chain_id=chain_id, config=data.get("config", {}), steps=steps)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def address_of(self, name: str) -> str:
        step = self.step(name)
        if step is None or step.address is None or step.status != "done":
            raise JournalError(f"{self.path}: step {name!r} has no deployed address yet")
        return step.address

    def contracts(self) -> dict[str, str]:
        """Deployed contract addresses by step name."""
        return {
            s.name: s.address
            for s in self.steps
            if s.kind == "deploy" and s.status == "done" and s.address
        }

    def save(self) -> None:
        """Write atomically (temp file + rename), so a kill never leaves half a journal."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT,
            "chainId": self.chain_id,
            "config": self.config,
            "steps": [s.to_json() for s in self.steps],
        }
        text = json.dumps(json_safe(data), indent=2, sort_keys=False) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
