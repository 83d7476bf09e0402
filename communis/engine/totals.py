"""``totals.json``: what an epoch bundle commits to, as one typed record.

Every layer reads a bundle's totals through :class:`Totals` (the engine when it verifies, the
chain layer when it proposes, the command line when it prints); only this module knows the JSON
names. Amounts are decimal strings in the file (JavaScript readers lose precision on large
numbers) and integers here; :meth:`Totals.to_json` gives back the file's content exactly.

Each field declares its JSON name and kind once (``_json``); writing and reading both follow
the declaration, nested records included.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal, TypeVar

from communis.errors import CommunisError

BUNDLE_FORMAT = "communis-epoch-v1"

Kind = Literal["count", "amount", "text", "record"]
T = TypeVar("T")


class BundleError(CommunisError, ValueError):
    """A bundle cannot be written or read."""


def _json(name: str, kind: Kind, *, optional: bool = False) -> dict[str, Any]:
    """A field's JSON name and kind (its ``metadata``)."""
    return {"json": name, "kind": kind, "optional": optional}


@dataclass(frozen=True, slots=True)
class LedgerInfo:
    """The bundle's ledger file and its hashes."""

    file: str = field(metadata=_json("file", "text"))
    format: str = field(metadata=_json("format", "text"))
    rows: int = field(metadata=_json("rows", "count"))
    sha256: str = field(metadata=_json("sha256", "text"))
    keccak256: str = field(metadata=_json("keccak256", "text"))


@dataclass(frozen=True, slots=True)
class EpochTotals:
    """What the epoch itself emitted (plain units; ``influence_stored`` in stored units)."""

    tokens: int = field(metadata=_json("tokens", "amount"))
    tokens_unemitted: int = field(metadata=_json("tokensUnemitted", "amount"))
    influence: int = field(metadata=_json("influence", "amount"))
    influence_unemitted: int = field(metadata=_json("influenceUnemitted", "amount"))
    influence_stored: int = field(metadata=_json("influenceStored", "amount"))
    capped_accounts: int = field(metadata=_json("cappedAccounts", "count"))


@dataclass(frozen=True, slots=True)
class CumulativeTotals:
    """The whole cumulative table: what ``proposeRoot`` commits to next to the root."""

    tokens: int = field(metadata=_json("tokens", "amount"))
    influence_stored: int = field(metadata=_json("influenceStored", "amount"))


@dataclass(frozen=True, slots=True)
class Totals:
    epoch: int = field(metadata=_json("epoch", "count"))
    half_life: int = field(metadata=_json("halfLife", "count"))
    growth: int = field(metadata=_json("growth", "amount"))
    root: str = field(metadata=_json("root", "text"))
    previous_epoch: int | None = field(metadata=_json("previousEpoch", "count", optional=True))
    previous_root: str | None = field(metadata=_json("previousRoot", "text", optional=True))
    accounts: int = field(metadata=_json("accounts", "count"))
    contributors: int = field(metadata=_json("contributors", "count"))
    ledger: LedgerInfo = field(metadata=_json("ledger", "record"))
    policy_hash: str = field(metadata=_json("policyHash", "text"))
    epoch_totals: EpochTotals = field(metadata=_json("epochTotals", "record"))
    cumulative: CumulativeTotals = field(metadata=_json("cumulativeTotals", "record"))

    def to_json(self) -> dict[str, Any]:
        """The content of ``totals.json``."""
        return {"bundleFormat": BUNDLE_FORMAT, **_to_json(self)}

    @classmethod
    def from_json(cls, data: Any, where: str) -> Totals:
        """Parse ``totals.json`` (``where`` names it in errors)."""
        if not isinstance(data, dict) or data.get("bundleFormat") != BUNDLE_FORMAT:
            raise BundleError(f"{where}: not a {BUNDLE_FORMAT} bundle")
        return _from_json(cls, data, where, "")


_RECORDS: dict[str, type[Any]] = {
    "ledger": LedgerInfo,
    "epochTotals": EpochTotals,
    "cumulativeTotals": CumulativeTotals,
}


def _to_json(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        kind = f.metadata["kind"]
        if kind == "record":
            value = _to_json(value)
        elif kind == "amount":
            value = str(value)
        out[f.metadata["json"]] = value
    return out


def _from_json(cls: type[T], data: Any, where: str, path: str) -> T:
    if not isinstance(data, dict):
        raise BundleError(f"{where}: {path or 'the file'} must be a JSON object, got {data!r}")
    assert is_dataclass(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):
        name, kind = f.metadata["json"], f.metadata["kind"]
        value, shown = data.get(name), f"{path}{name}"
        if kind == "record":
            values[f.name] = _from_json(_RECORDS[name], value, where, f"{shown}.")
        elif value is None and f.metadata["optional"]:
            values[f.name] = None
        else:
            values[f.name] = _scalar(kind, value, f"{where}: {shown}")
    return cls(**values)


def _scalar(kind: Kind, value: Any, what: str) -> Any:
    if kind == "count":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise BundleError(f"{what} must be a non-negative integer, got {value!r}")
    if kind == "amount":
        if isinstance(value, str) and value.isascii() and value.isdigit():
            return int(value)
        raise BundleError(f"{what} must be a decimal string, got {value!r}")
    if isinstance(value, str):
        return value
    raise BundleError(f"{what} must be a string, got {value!r}")
