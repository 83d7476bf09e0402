"""The attester set: the registry's change log, its hash chain, and ``attesters.json``."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from communis.engine.address import to_checksum
from communis.engine.attest.errors import AttestationError
from communis.engine.attest.fields import (
    address_field,
    checked_address,
    dump_document,
    hex_field,
    int_field,
    read_document,
)
from communis.engine.attest.hashing import address_word
from communis.engine.keccak import keccak

ATTESTERS_FORMAT = "communis-attesters-v2"


@dataclass(frozen=True, slots=True)
class AttesterChange:
    """One entry of the registry's change log: from ``from_epoch`` on, ``attester``'s budget is
    ``budget`` (10^-18 point; 0: removed). ``appoint``, ``setBudget`` and ``remove`` each append
    one."""

    attester: str
    from_epoch: int
    budget: int

    def encoded(self) -> bytes:
        """``abi.encode(address attester, uint48 fromEpoch, uint208 budget)``."""
        if not isinstance(self.from_epoch, int) or not 0 <= self.from_epoch < 1 << 48:
            raise AttestationError(f"fromEpoch must fit uint48, not {self.from_epoch!r}")
        if not isinstance(self.budget, int) or not 0 <= self.budget < 1 << 208:
            raise AttestationError(f"a budget must fit uint208, not {self.budget!r}")
        return (
            address_word(self.attester)
            + self.from_epoch.to_bytes(32, "big")
            + self.budget.to_bytes(32, "big")
        )


ZERO_HASH = b"\x00" * 32


def next_log_hash(previous: bytes, change: AttesterChange) -> bytes:
    """``AttesterRegistry``'s hash chain: ``keccak256(abi.encode(bytes32 previous, address
    attester, uint48 fromEpoch, uint208 budget))``."""
    if len(previous) != 32:
        raise AttestationError("a log hash is 32 bytes")
    return keccak(previous + change.encoded())


def log_hash(changes: Iterable[AttesterChange]) -> bytes:
    """The registry's ``logHash()`` after ``changes`` (zero for none)."""
    current = ZERO_HASH
    for change in changes:
        current = next_log_hash(current, change)
    return current


BudgetAt = Callable[[str, int], int]
"""``budget_at(attester, epoch)``: what ``AttesterRegistry.budgetAt`` answers."""


@dataclass(frozen=True, slots=True)
class AttesterSet:
    """Who was an attester, with which budget, in which epochs: the registry's change log,
    replayed.

    ``attesters.json`` (format ``communis-attesters-v2``)::

        {"format": "communis-attesters-v2", "chainId": 1337, "registry": "0x...",
         "contracts": ["0x..."],
         "changes": [["0xAttester...", 0, "500000000000000000000"], ...],
         "logHash": "0x..."}

    ``changes`` are the registry's appoint/setBudget/remove calls in order, each ``[attester,
    fromEpoch, budget]`` (budget a decimal string of 10^-18 point, 0 for a removal);
    ``contracts`` lists the attesters that sign through ERC-1271. :attr:`log_hash` replays the
    hash chain of the changes: the value ``AttesterRegistry.logHash()`` had after the last one,
    which a proposal commits to (``RootProposed.attestersHash``). The file's own ``logHash`` is
    only a check of the file; the verifier compares the replayed one with the committed one.
    """

    chain_id: int
    registry: str
    changes: tuple[AttesterChange, ...]
    contracts: frozenset[str] = frozenset()
    log_hash: str = field(init=False, default="")
    """``0x`` hex of the hash chain over :attr:`changes`."""
    _history: dict[str, tuple[list[int], list[int]]] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        history: dict[str, tuple[list[int], list[int]]] = {}
        current = ZERO_HASH
        for index, change in enumerate(self.changes):
            where = f"change {index} ({change.attester}, from epoch {change.from_epoch})"
            try:
                current = next_log_hash(current, change)
            except AttestationError as exc:
                raise AttestationError(f"{where}: {exc}") from None
            address = to_checksum(change.attester)
            epochs, budgets = history.setdefault(address, ([], []))
            if epochs and change.from_epoch < epochs[-1]:
                raise AttestationError(
                    f"{where}: the attester's previous change applies from epoch {epochs[-1]}; "
                    "the registry never changes an earlier epoch"
                )
            if epochs and epochs[-1] == change.from_epoch:
                budgets[-1] = change.budget
            else:
                epochs.append(change.from_epoch)
                budgets.append(change.budget)
        object.__setattr__(self, "log_hash", "0x" + current.hex())
        object.__setattr__(self, "_history", history)

    @classmethod
    def of(
        cls,
        chain_id: int,
        registry: str,
        changes: Iterable[tuple[str, int, int]],
        contracts: Iterable[str] = (),
    ) -> AttesterSet:
        """A set from ``(attester, from_epoch, budget)`` changes in log order."""
        return cls(
            chain_id,
            to_checksum(registry),
            tuple(AttesterChange(to_checksum(a), e, b) for a, e, b in changes),
            frozenset(to_checksum(c) for c in contracts),
        )

    @classmethod
    def from_chain(
        cls,
        chain_id: int,
        registry: str,
        changes: Iterable[tuple[str, int, int]],
        *,
        log_hash: bytes | str,
        budget_at: BudgetAt | None = None,
        contracts: Iterable[str] = (),
    ) -> AttesterSet:
        """The set from what a chain client read: the changes from the registry's events (in
        log order), its ``logHash()`` and, to cross-check the replay, its ``budgetAt``.

        Raises :class:`AttestationError` when the events do not hash to ``log_hash`` (a missed
        or reordered event) or when ``budget_at`` answers differently from the replay at the
        epoch of a change (events from another registry).
        """
        found = cls.of(chain_id, registry, changes, contracts)
        want = log_hash if isinstance(log_hash, str) else "0x" + log_hash.hex()
        if found.log_hash.lower() != want.lower():
            raise AttestationError(
                f"registry {found.registry}: the {len(found.changes)} changes read from its "
                f"events hash to {found.log_hash}, its logHash() is {want}: events are missing "
                "or out of order"
            )
        if budget_at is not None:
            for change in found.changes:
                replayed = found.budget_at(change.attester, change.from_epoch)
                answered = budget_at(change.attester, change.from_epoch)
                if answered != replayed:
                    raise AttestationError(
                        f"registry {found.registry}: budgetAt({change.attester}, "
                        f"{change.from_epoch}) is {answered}, the replayed log gives {replayed}"
                    )
        return found

    def budget_at(self, attester: str, epoch: int) -> int:
        """What ``budgetAt(attester, epoch)`` answers: the budget of the latest change of
        ``attester`` applying from ``epoch`` or earlier (0 before its first)."""
        entry = self._history.get(to_checksum(attester))
        if entry is None:
            return 0
        epochs, budgets = entry
        index = bisect_right(epochs, epoch) - 1
        return budgets[index] if index >= 0 else 0

    def is_attester_at(self, attester: str, epoch: int) -> bool:
        return self.budget_at(attester, epoch) > 0

    def dumps(self) -> str:
        head = {
            "format": ATTESTERS_FORMAT,
            "chainId": self.chain_id,
            "registry": self.registry,
            "contracts": sorted(self.contracts),
            "logHash": self.log_hash,
        }
        changes = [[c.attester, c.from_epoch, str(c.budget)] for c in self.changes]
        return dump_document(head, "changes", changes)

    def save(self, path: Path) -> str:
        """Write ``attesters.json``; returns the log hash (``0x`` hex)."""
        Path(path).write_text(self.dumps(), encoding="utf-8")
        return self.log_hash

    @classmethod
    def load(cls, path: Path) -> AttesterSet:
        path = Path(path)
        where = str(path)
        _, data = read_document(path, ATTESTERS_FORMAT, "an attester set")
        chain_id = int_field(data, "chainId", where)
        registry = address_field(data, "registry", where)
        contracts = data.get("contracts", [])
        items = data.get("changes")
        if not isinstance(contracts, list) or not isinstance(items, list):
            raise AttestationError(f"{where}: 'contracts' and 'changes' must be lists")
        changes = []
        for index, item in enumerate(items):
            at = f"{where}: change {index}"
            if not (isinstance(item, list) and len(item) == 3):
                raise AttestationError(f"{at}: must be [attester, fromEpoch, budget]")
            attester, from_epoch, budget = item
            address = checked_address(attester, at)
            if not (
                isinstance(from_epoch, int)
                and not isinstance(from_epoch, bool)
                and 0 <= from_epoch < 1 << 48
            ):
                raise AttestationError(f"{at}: fromEpoch {from_epoch!r} must be a uint48 integer")
            if not (isinstance(budget, str) and budget.isascii() and budget.isdigit()):
                raise AttestationError(
                    f"{at}: budget {budget!r} must be a decimal string (10^-18 point; 0: removed)"
                )
            changes.append(AttesterChange(address, from_epoch, int(budget)))
        try:
            found = cls(
                chain_id,
                registry,
                tuple(changes),
                frozenset(checked_address(a, f"{where}: contracts") for a in contracts),
            )
        except AttestationError as exc:
            raise AttestationError(f"{where}: {exc}") from None
        written = hex_field(data, "logHash", where, 32)
        if "0x" + written.hex() != found.log_hash:
            raise AttestationError(
                f"{where}: field 'logHash' is 0x{written.hex()}, the changes hash to "
                f"{found.log_hash}"
            )
        return found
