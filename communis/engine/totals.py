"""``totals.json``: what an epoch bundle commits to, as one typed record.

Every layer reads a bundle's totals through :class:`Totals` (the engine when it verifies, the
chain layer when it proposes, the command line when it prints); only this module knows the file's
layout. Amounts are decimal strings in the file (JavaScript readers lose precision on large
numbers) and integers here; :meth:`Totals.to_json` gives back the file's content exactly.

The layout follows the declarations: a field's JSON name is its name in camelCase, its type says
how it is written (``Amount``: a decimal string; ``int``: a JSON number; ``bool``; ``str``; a
nested record: an object; ``| None``: may be null). A field with a default may be absent (bundles
written before it existed load with the default).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from communis.errors import CommunisError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BUNDLE_FORMAT = "communis-epoch-v1"
ZERO_ROOT = "0x" + "00" * 32
"""The ledger root of a bundle without attestations."""

Amount = int
"""An amount in smallest units: a decimal string in JSON."""

T = TypeVar("T", bound="DataclassInstance")


class BundleError(CommunisError, ValueError):
    """A bundle cannot be written or read."""


@dataclass(frozen=True, slots=True)
class LedgerInfo:
    """The bundle's ledger file and its hashes."""

    file: str
    format: str
    rows: int
    sha256: str
    keccak256: str


@dataclass(frozen=True, slots=True)
class EpochTotals:
    """What the epoch itself emitted (plain units; ``influence_stored`` in stored units)."""

    tokens: Amount
    tokens_unemitted: Amount
    influence: Amount
    influence_unemitted: Amount
    influence_stored: Amount
    capped_accounts: int


@dataclass(frozen=True, slots=True)
class CumulativeTotals:
    """The whole cumulative table: what ``proposeRoot`` commits to next to the root."""

    tokens: Amount
    influence_stored: Amount


@dataclass(frozen=True, slots=True)
class Totals:
    epoch: int
    half_life: int
    growth: Amount
    root: str
    previous_epoch: int | None
    previous_root: str | None
    accounts: int
    contributors: int
    ledger: LedgerInfo
    policy_hash: str
    epoch_totals: EpochTotals
    cumulative_totals: CumulativeTotals
    ledger_root: str = ZERO_ROOT
    """This epoch's attested ledger root (``Attestations.ledger_tree``), 0x hex; zero without
    attestations."""
    attested: bool = False
    """Every row is covered by a batch of ``attestations.json``; false for a draft."""

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
    record.__name__: record for record in (LedgerInfo, EpochTotals, CumulativeTotals)
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _to_json(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.type in _RECORDS:
            value = _to_json(value)
        elif f.type == "Amount":
            value = str(value)
        out[_camel(f.name)] = value
    return out


def _from_json(cls: type[T], data: Any, where: str, path: str) -> T:
    if not isinstance(data, dict):
        raise BundleError(f"{where}: {path or 'the file'} must be a JSON object, got {data!r}")
    values: dict[str, Any] = {}
    for f in fields(cls):
        kind = str(f.type)
        name = _camel(f.name)
        value, shown = data.get(name), f"{path}{name}"
        if name not in data and f.default is not MISSING:
            values[f.name] = f.default
        elif kind in _RECORDS:
            values[f.name] = _from_json(_RECORDS[kind], value, where, f"{shown}.")
        elif value is None and kind.endswith("| None"):
            values[f.name] = None
        else:
            values[f.name] = _scalar(kind.removesuffix(" | None"), value, f"{where}: {shown}")
    return cls(**values)


def _scalar(kind: str, value: Any, what: str) -> Any:
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise BundleError(f"{what} must be true or false, got {value!r}")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise BundleError(f"{what} must be a non-negative integer, got {value!r}")
    if kind == "Amount":
        if isinstance(value, str) and value.isascii() and value.isdigit():
            return int(value)
        raise BundleError(f"{what} must be a decimal string, got {value!r}")
    if isinstance(value, str):
        return value
    raise BundleError(f"{what} must be a string, got {value!r}")
