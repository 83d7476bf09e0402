"""``totals.json``: what an epoch bundle commits to, as one typed record.

Every layer reads a bundle's totals through :class:`Totals` (the engine when it verifies, the
chain layer when it proposes, the command line when it prints); only this module knows the JSON
names. Amounts are decimal strings in the file (JavaScript readers lose precision on large
numbers) and integers here; :meth:`Totals.to_json` gives back the file's content exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from communis.errors import CommunisError

BUNDLE_FORMAT = "communis-epoch-v1"


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

    tokens: int
    tokens_unemitted: int
    influence: int
    influence_unemitted: int
    influence_stored: int
    capped_accounts: int


@dataclass(frozen=True, slots=True)
class CumulativeTotals:
    """The whole cumulative table: what ``proposeRoot`` commits to next to the root."""

    tokens: int
    influence_stored: int


@dataclass(frozen=True, slots=True)
class Totals:
    epoch: int
    half_life: int
    growth: int
    root: str
    previous_epoch: int | None
    previous_root: str | None
    accounts: int
    contributors: int
    ledger: LedgerInfo
    policy_hash: str
    epoch_totals: EpochTotals
    cumulative: CumulativeTotals

    def to_json(self) -> dict[str, Any]:
        """The content of ``totals.json``."""
        e, c, ledger = self.epoch_totals, self.cumulative, self.ledger
        return {
            "bundleFormat": BUNDLE_FORMAT,
            "epoch": self.epoch,
            "halfLife": self.half_life,
            "growth": str(self.growth),
            "root": self.root,
            "previousEpoch": self.previous_epoch,
            "previousRoot": self.previous_root,
            "accounts": self.accounts,
            "contributors": self.contributors,
            "ledger": {
                "file": ledger.file,
                "format": ledger.format,
                "rows": ledger.rows,
                "sha256": ledger.sha256,
                "keccak256": ledger.keccak256,
            },
            "policyHash": self.policy_hash,
            "epochTotals": {
                "tokens": str(e.tokens),
                "tokensUnemitted": str(e.tokens_unemitted),
                "influence": str(e.influence),
                "influenceUnemitted": str(e.influence_unemitted),
                "influenceStored": str(e.influence_stored),
                "cappedAccounts": e.capped_accounts,
            },
            "cumulativeTotals": {
                "tokens": str(c.tokens),
                "influenceStored": str(c.influence_stored),
            },
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> Totals:
        """Parse ``totals.json`` (``where`` names it in errors)."""
        read = _Reader(where)
        top = read.table(data, "")
        if top.get("bundleFormat") != BUNDLE_FORMAT:
            raise BundleError(f"{where}: not a {BUNDLE_FORMAT} bundle")
        ledger = read.table(top.get("ledger"), "ledger")
        epoch = read.table(top.get("epochTotals"), "epochTotals")
        cumulative = read.table(top.get("cumulativeTotals"), "cumulativeTotals")
        return cls(
            epoch=read.count(top, "epoch"),
            half_life=read.count(top, "halfLife"),
            growth=read.amount(top, "growth"),
            root=read.text(top, "root"),
            previous_epoch=read.count(top, "previousEpoch", optional=True),
            previous_root=read.text(top, "previousRoot", optional=True),
            accounts=read.count(top, "accounts"),
            contributors=read.count(top, "contributors"),
            ledger=LedgerInfo(
                file=read.text(ledger, "ledger.file"),
                format=read.text(ledger, "ledger.format"),
                rows=read.count(ledger, "ledger.rows"),
                sha256=read.text(ledger, "ledger.sha256"),
                keccak256=read.text(ledger, "ledger.keccak256"),
            ),
            policy_hash=read.text(top, "policyHash"),
            epoch_totals=EpochTotals(
                tokens=read.amount(epoch, "epochTotals.tokens"),
                tokens_unemitted=read.amount(epoch, "epochTotals.tokensUnemitted"),
                influence=read.amount(epoch, "epochTotals.influence"),
                influence_unemitted=read.amount(epoch, "epochTotals.influenceUnemitted"),
                influence_stored=read.amount(epoch, "epochTotals.influenceStored"),
                capped_accounts=read.count(epoch, "epochTotals.cappedAccounts"),
            ),
            cumulative=CumulativeTotals(
                tokens=read.amount(cumulative, "cumulativeTotals.tokens"),
                influence_stored=read.amount(cumulative, "cumulativeTotals.influenceStored"),
            ),
        )


@dataclass(frozen=True, slots=True)
class _Reader:
    """Typed field access with errors naming the file and the field."""

    where: str

    def _fail(self, name: str, expected: str, value: Any) -> BundleError:
        return BundleError(f"{self.where}: {name} must be {expected}, got {value!r}")

    def table(self, value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._fail(name or "the file", "a JSON object", value)
        return value

    @staticmethod
    def _value(table: dict[str, Any], name: str) -> Any:
        return table.get(name.rsplit(".", 1)[-1])

    def count(self, table: dict[str, Any], name: str, *, optional: bool = False) -> Any:
        value = self._value(table, name)
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._fail(name, "a non-negative integer", value)
        return value

    def amount(self, table: dict[str, Any], name: str) -> int:
        value = self._value(table, name)
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise self._fail(name, "a decimal string", value)
        return int(value)

    def text(self, table: dict[str, Any], name: str, *, optional: bool = False) -> Any:
        value = self._value(table, name)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self._fail(name, "a string", value)
        return value
