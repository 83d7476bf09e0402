"""Attested ledgers: attesters' EIP-712 signatures over Merkle roots of ledger rows.

An attester (an account governance appoints in ``AttesterRegistry``) vouches for the rows of an
epoch's ledger by signing, once per epoch, the EIP-712 struct::

    AttestationBatch(address attester,uint256 epoch,bytes32 rowsRoot,uint256 points,
                     uint256 rowCount)

(one line in the type string) in the registry's domain (name ``Communis Attesters``, version
``1``, chain id, the registry's address). ``rowsRoot`` is the root of a ``StandardMerkleTree``
over the attester's rows; a row leaf is ``keccak256(keccak256(abi.encode(uint256 epoch,
address account, uint8 role, uint256 points, bytes32 keccak256(ref))))`` (``role`` its index in
``ROLES``, ``points`` in 10^-18 point). The ledger root, the commitment of the whole attested
ledger, is the root of the tree over batch leaves ``keccak256(keccak256(abi.encode(address
attester, uint256 epoch, bytes32 rowsRoot, uint256 points, uint256 rowCount, bytes32
keccak256(signature))))``. ``contracts/utils/Attestations.sol`` computes the same bytes;
docs/attestations.md explains the choices.

On disk, an attested ledger is the ledger file unchanged plus ``attestations.json``
(:func:`write_attestations`): the domain, the epoch, the ledger root and one batch per line
(attester, epoch, the ledger lines it covers as inclusive ranges, row count, points, rows root,
signature). The attester set is the registry's change log (:class:`AttesterSet`), read from the
chain or from a snapshot file (``attesters.json``) whose replayed hash chain must equal the
registry's ``logHash()`` a proposal committed to.

:func:`verify_attestations` checks everything and names every problem (file, line, attester,
reason); it never stops at the first one. Nothing here talks to a chain: signatures of contract
attesters (ERC-1271) are checked through a callback the caller supplies.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import coincurve

from communis.engine.address import ADDRESS_RE, to_checksum
from communis.engine.jsonlimits import JsonLimitError, load_json_text
from communis.engine.keccak import keccak
from communis.engine.ledger import LedgerError, Row, iter_numbered_rows, read_ledger
from communis.engine.merkle import MerkleError, proof_of, tree_of_hashes
from communis.engine.parallel import gc_paused
from communis.engine.roles import ROLES
from communis.errors import CommunisError

DOMAIN_NAME = "Communis Attesters"
DOMAIN_VERSION = "1"
DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
BATCH_TYPE = (
    "AttestationBatch(address attester,uint256 epoch,bytes32 rowsRoot,uint256 points,"
    "uint256 rowCount)"
)
ATTESTATIONS_FORMAT = "communis-attestations-v1"
ATTESTERS_FORMAT = "communis-attesters-v2"
ATTESTATIONS_FILE = "attestations.json"
SIGNATURE_LENGTH = 65
MAX_ATTESTATIONS_BYTES = 64 << 20
"""An attestations file lists batches, not rows: far below this."""

_DOMAIN_TYPEHASH = keccak(DOMAIN_TYPE.encode())
_BATCH_TYPEHASH = keccak(BATCH_TYPE.encode())
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HALF_N = _SECP256K1_N // 2
_UINT256 = 1 << 256
_PAD12 = b"\x00" * 12
_ROLE_WORD = {role: i.to_bytes(32, "big") for i, role in enumerate(ROLES)}
_HEX32_RE = re.compile(r"0x[0-9a-fA-F]{64}\Z")
_HEX_RE = re.compile(r"0x(?:[0-9a-fA-F]{2})*\Z")

ContractSignatureCheck = Callable[[str, bytes, bytes], bool]
"""``check(attester, digest, signature)``: whether a contract attester's ERC-1271
``isValidSignature`` accepts ``signature`` for ``digest`` (the chain layer supplies it)."""


class AttestationError(CommunisError, ValueError):
    """An attestations or attester-set file cannot be read, or a batch cannot be built."""


class SignatureError(AttestationError):
    """A signature is malformed (length, ``v``, ``s`` range) or recovers no signer."""


# -- typed data ------------------------------------------------------------------------------


def _address_word(address: str) -> bytes:
    if not isinstance(address, str) or not ADDRESS_RE.match(address):
        raise AttestationError(f"not a 0x-prefixed 20-byte hex address: {address!r}")
    return _PAD12 + bytes.fromhex(address[2:])


def _uint_word(value: int, what: str) -> bytes:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _UINT256:
        raise AttestationError(f"{what} must be an integer in uint256 range, not {value!r}")
    return value.to_bytes(32, "big")


@dataclass(frozen=True, slots=True)
class Domain:
    """The EIP-712 domain of one AttesterRegistry deployment."""

    chain_id: int
    verifying_contract: str
    """The registry's address (EIP-55)."""
    name: str = DOMAIN_NAME
    version: str = DOMAIN_VERSION

    def separator(self) -> bytes:
        """``_domainSeparatorV4()`` of the registry."""
        return keccak(
            _DOMAIN_TYPEHASH
            + keccak(self.name.encode())
            + keccak(self.version.encode())
            + _uint_word(self.chain_id, "chain id")
            + _address_word(self.verifying_contract)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }

    def as_eip712(self) -> dict[str, Any]:
        """The domain as ``eth_account.messages.encode_typed_data`` and wallets take it."""
        return self.as_json()


@dataclass(frozen=True, slots=True)
class Batch:
    """What an attester signs: its rows of one epoch, summarised."""

    attester: str
    epoch: int
    rows_root: bytes
    points: int
    """Sum of the rows' points, in 10^-18 point."""
    row_count: int

    def struct_hash(self) -> bytes:
        """``Attestations.batchStructHash``: ``hashStruct(AttestationBatch)``."""
        if len(self.rows_root) != 32:
            raise AttestationError("a rows root is 32 bytes")
        return keccak(
            _BATCH_TYPEHASH
            + _address_word(self.attester)
            + _uint_word(self.epoch, "epoch")
            + self.rows_root
            + _uint_word(self.points, "points")
            + _uint_word(self.row_count, "row count")
        )

    def digest(self, domain: Domain) -> bytes:
        """The digest the attester signs (``AttesterRegistry.batchDigest``)."""
        return keccak(b"\x19\x01" + domain.separator() + self.struct_hash())

    def leaf(self, signature: bytes) -> bytes:
        """The batch's leaf in the ledger tree (``Attestations.batchLeaf``)."""
        encoded = (
            _address_word(self.attester)
            + _uint_word(self.epoch, "epoch")
            + self.rows_root
            + _uint_word(self.points, "points")
            + _uint_word(self.row_count, "row count")
            + keccak(signature)
        )
        return keccak(keccak(encoded))

    def as_eip712(self) -> dict[str, Any]:
        """The message as ``eth_account.messages.encode_typed_data`` takes it."""
        return {
            "attester": self.attester,
            "epoch": self.epoch,
            "rowsRoot": self.rows_root,
            "points": self.points,
            "rowCount": self.row_count,
        }


EIP712_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "AttestationBatch": [
        {"name": "attester", "type": "address"},
        {"name": "epoch", "type": "uint256"},
        {"name": "rowsRoot", "type": "bytes32"},
        {"name": "points", "type": "uint256"},
        {"name": "rowCount", "type": "uint256"},
    ],
}
"""The typed data of a batch as a wallet (``eth_signTypedData_v4``) shows it."""


def typed_data(batch: Batch, domain: Domain) -> dict[str, Any]:
    """The full EIP-712 typed-data document of ``batch`` (for wallets and ``eth_account``)."""
    return {
        "types": EIP712_TYPES,
        "primaryType": "AttestationBatch",
        "domain": domain.as_eip712(),
        "message": batch.as_eip712(),
    }


# -- rows and trees --------------------------------------------------------------------------


def row_leaf(row: Row) -> bytes:
    """The row's leaf in its attester's rows tree (``Attestations.rowLeaf``)."""
    return keccak(keccak(_row_encoding(row)))


def _row_encoding(row: Row) -> bytes:
    return (
        _uint_word(row.epoch, "epoch")
        + _address_word(row.account)
        + _ROLE_WORD[row.role]
        + _uint_word(row.points, "points")
        + keccak(row.ref.encode("utf-8"))
    )


def _row_leaves(rows: Sequence[Row]) -> list[bytes]:
    """:func:`row_leaf` of every row (the hot loop of verification, inlined)."""
    k = keccak
    pad = _PAD12
    fromhex = bytes.fromhex
    role_word = _ROLE_WORD
    try:
        return [
            k(
                k(
                    row.epoch.to_bytes(32, "big")
                    + pad
                    + fromhex(row.account[2:])
                    + role_word[row.role]
                    + row.points.to_bytes(32, "big")
                    + k(row.ref.encode("utf-8"))
                )
            )
            for row in rows
        ]
    except (OverflowError, ValueError, KeyError, AttributeError, TypeError):
        for row in rows:  # find the culprit for the message
            _row_encoding(row)
        raise


@dataclass(frozen=True, slots=True)
class HashTree:
    """A StandardMerkleTree over leaf hashes: the rows of a batch, or the batches of a ledger."""

    nodes: list[bytes]
    positions: list[int]
    """Tree index of each leaf, in the order the leaves were given."""

    @classmethod
    def of(cls, leaves: list[bytes]) -> HashTree:
        nodes, positions = tree_of_hashes(list(leaves))
        return cls(nodes, positions)

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    def proof(self, index: int) -> list[bytes]:
        """Proof of the ``index``-th leaf (as ``MerkleProof.verify`` takes it)."""
        return proof_of(self.nodes, self.positions[index])


def rows_root(rows: Sequence[Row]) -> bytes:
    """The root of the rows tree of ``rows``."""
    if not rows:
        raise AttestationError("a batch needs at least one row")
    return HashTree.of(_row_leaves(rows)).root


def line_ranges(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Line numbers as sorted inclusive ranges: ``[1, 2, 3, 7]`` -> ``[(1, 3), (7, 7)]``."""
    out: list[tuple[int, int]] = []
    for line in sorted(lines):
        if out and line == out[-1][1] + 1:
            out[-1] = (out[-1][0], line)
        elif not out or line > out[-1][1]:
            out.append((line, line))
    return out


def make_batch(attester: str, epoch: int, rows: Sequence[Row]) -> Batch:
    """The batch an attester signs for ``rows`` of ``epoch``."""
    if not rows:
        raise AttestationError(f"attester {attester} has no rows to attest in epoch {epoch}")
    for row in rows:
        if row.epoch != epoch:
            raise AttestationError(f"a row of epoch {row.epoch} cannot go into a batch of {epoch}")
    return Batch(
        attester=to_checksum(attester),
        epoch=epoch,
        rows_root=rows_root(rows),
        points=sum(row.points for row in rows),
        row_count=len(rows),
    )


# -- signatures ------------------------------------------------------------------------------


class SigningKey:
    """A secp256k1 private key that never shows itself (not in ``repr``, ``str`` or errors)."""

    __slots__ = ("_key", "address")

    def __init__(self, secret: bytes | str) -> None:
        if isinstance(secret, str):
            text = secret[2:] if secret.startswith("0x") else secret
            try:
                secret = bytes.fromhex(text)
            except ValueError:
                raise AttestationError("a private key is 32 bytes of hex") from None
        if len(secret) != 32 or not 0 < int.from_bytes(secret, "big") < _SECP256K1_N:
            raise AttestationError("a private key is 32 bytes, between 1 and the curve order")
        self._key = coincurve.PrivateKey(secret)
        self.address = _address_of(self._key.public_key)

    def __repr__(self) -> str:
        return f"SigningKey(address={self.address})"

    __str__ = __repr__

    def sign_digest(self, digest: bytes) -> bytes:
        """A 65-byte ``r || s || v`` signature (``v`` 27 or 28, low ``s``) of ``digest``."""
        raw = self._key.sign_recoverable(digest, hasher=None)
        return raw[:64] + bytes([raw[64] + 27])

    def sign_batch(self, batch: Batch, domain: Domain) -> bytes:
        """This key's signature of ``batch`` in ``domain`` (it must be the batch's attester)."""
        return sign_batch(batch, domain, self)

    @classmethod
    def from_keystore(cls, path: Path, passphrase: str) -> SigningKey:
        """The key of an encrypted JSON keystore (Web3 Secret Storage, as ``geth`` and ``ape
        accounts`` write them). The passphrase and the key appear in no message."""
        from eth_account import Account

        path = Path(path)
        try:
            document = load_json_text(path.read_bytes(), where=str(path), max_bytes=1 << 20)
        except OSError as exc:
            raise AttestationError(f"{path}: cannot read the keystore: {exc.strerror}") from None
        except JsonLimitError as exc:
            raise AttestationError(str(exc)) from None
        if not isinstance(document, dict) or "crypto" not in {k.lower() for k in document}:
            raise AttestationError(f"{path}: not an encrypted JSON keystore (no 'crypto' field)")
        try:
            secret = Account.decrypt(document, passphrase)
        except ValueError as exc:
            reason = "wrong passphrase" if "MAC" in str(exc) else "cannot decrypt it"
            raise AttestationError(f"{path}: {reason}") from None
        except (KeyError, TypeError):
            raise AttestationError(f"{path}: not a keystore this tool can read") from None
        return cls(bytes(secret))


class BatchSigner(Protocol):
    """Whatever can sign a batch as an attester: a :class:`SigningKey`, or a wallet or ape
    account signing the EIP-712 document :func:`typed_data` (the chain layer's wrapper)."""

    @property
    def address(self) -> str: ...

    def sign_batch(self, batch: Batch, domain: Domain) -> bytes: ...


def _address_of(public_key: coincurve.PublicKey) -> str:
    return to_checksum("0x" + keccak(public_key.format(compressed=False)[1:])[-20:].hex())


def sign_batch(batch: Batch, domain: Domain, key: SigningKey) -> bytes:
    """``key``'s signature of ``batch`` in ``domain``; ``key`` must be the batch's attester."""
    if key.address != to_checksum(batch.attester):
        raise AttestationError(
            f"the key is {key.address}'s, but the batch is attester {batch.attester}'s"
        )
    return key.sign_digest(batch.digest(domain))


def recover_signer(digest: bytes, signature: bytes) -> str:
    """The address whose key made ``signature`` of ``digest``, with OpenZeppelin ECDSA's rules.

    Raises :class:`SignatureError` exactly where ``ECDSA.tryRecover`` reports an error: a length
    other than 65 bytes, an ``s`` in the upper half of the curve order, a ``v`` other than 27 or
    28, or values that recover no key.
    """
    if len(signature) != SIGNATURE_LENGTH:
        raise SignatureError(
            f"a signature is {SIGNATURE_LENGTH} bytes (r, s, v), this one is {len(signature)}"
        )
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if s > _HALF_N:
        raise SignatureError("s is in the upper half of the curve order (a malleable signature)")
    if v not in (27, 28):
        raise SignatureError(f"v is {v}, not 27 or 28")
    if not (0 < r < _SECP256K1_N and s > 0):
        raise SignatureError("r or s is out of range: the signature recovers no key")
    try:
        public = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([v - 27]), digest, hasher=None
        )
    except (ValueError, TypeError):
        raise SignatureError("the signature recovers no key") from None
    return _address_of(public)


# -- the attester set ------------------------------------------------------------------------


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
            _address_word(self.attester)
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
        lines = ["{"]
        lines += [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
        lines.append(' "changes": [')
        lines.append(",\n".join(f"  {json.dumps(c)}" for c in changes))
        lines += [" ]", "}"]
        return "\n".join(lines) + "\n"

    def save(self, path: Path) -> str:
        """Write ``attesters.json``; returns the log hash (``0x`` hex)."""
        Path(path).write_text(self.dumps(), encoding="utf-8")
        return self.log_hash

    @classmethod
    def load(cls, path: Path) -> AttesterSet:
        path = Path(path)
        where = str(path)
        _, data = _read_document(path, ATTESTERS_FORMAT, "an attester set")
        chain_id = _int_field(data, "chainId", where)
        registry = _address_field(data, "registry", where)
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
            address = _checked_address(attester, at)
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
                frozenset(_checked_address(a, f"{where}: contracts") for a in contracts),
            )
        except AttestationError as exc:
            raise AttestationError(f"{where}: {exc}") from None
        written = _hex_field(data, "logHash", where, 32)
        if "0x" + written.hex() != found.log_hash:
            raise AttestationError(
                f"{where}: field 'logHash' is 0x{written.hex()}, the changes hash to "
                f"{found.log_hash}"
            )
        return found


# -- attestations on disk --------------------------------------------------------------------


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
        lines = ["{"]
        lines += [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
        lines.append(' "batches": [')
        body = [f"  {json.dumps(b.as_json())}" for b in self.batches]
        lines.append(",\n".join(body))
        lines += [" ]", "}"]
        return "\n".join(lines) + "\n"


def attest(
    rows: Sequence[tuple[int, Row]],
    signers: Mapping[str, tuple[BatchSigner, Iterable[int]]]
    | Iterable[tuple[BatchSigner, Iterable[int]]],
    domain: Domain,
    epoch: int,
) -> Attestations:
    """Sign the ledger: each ``(key, lines)`` gives one attester's batch over those ledger lines.

    ``rows`` are ``(line, row)`` pairs as :func:`~communis.engine.ledger.iter_numbered_rows`
    gives them. Batches are written sorted by attester.
    """
    by_line = dict(rows)
    items = signers.values() if isinstance(signers, Mapping) else signers
    signed = []
    for key, lines in items:
        wanted = sorted(set(lines))
        missing = [line for line in wanted if line not in by_line]
        if missing:
            raise AttestationError(f"ledger lines {missing[:5]} are not rows of the ledger")
        batch = make_batch(key.address, epoch, [by_line[line] for line in wanted])
        signed.append(SignedBatch(batch, tuple(line_ranges(wanted)), key.sign_batch(batch, domain)))
    return with_batches(domain, epoch, signed)


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


def parse_line_ranges(text: str) -> list[tuple[int, int]]:
    """``"1-120,130"`` as inclusive ranges ``[(1, 120), (130, 130)]`` (1-based ledger lines)."""
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?", part)
        first = int(match.group(1)) if match else 0
        last = int(match.group(2) or first) if match else 0
        if not match or first < 1 or last < first:
            raise AttestationError(
                f"lines {text!r}: {part.strip()!r} is not a line number or a range FIRST-LAST "
                "of 1-based ledger lines"
            )
        out.append((first, last))
    return out


@dataclass(frozen=True, slots=True)
class AttestResult:
    """What :func:`attest_ledger` signed and the attestations file it makes."""

    attestations: Attestations
    signed: SignedBatch
    replaced: SignedBatch | None
    """The attester's earlier batch of the epoch, which the new one replaces."""


def attest_ledger(
    ledger: Path,
    signer: BatchSigner,
    domain: Domain,
    epoch: int,
    *,
    lines: Sequence[tuple[int, int]] | None = None,
    ref_prefixes: Sequence[str] = (),
    existing: Attestations | None = None,
) -> AttestResult:
    """Sign, as ``signer``, the rows of ``ledger`` on ``lines`` (all rows if not given) whose
    evidence reference starts with one of ``ref_prefixes`` (if any are given), and merge the
    batch into ``existing`` (the ledger's attestations so far, if any).

    The ledger is validated whole first (one epoch, ``epoch``; no reference twice): an attester
    signs nothing of a ledger that is invalid. One batch per attester per epoch: an earlier batch
    of the same attester is replaced. Raises :class:`AttestationError` naming the line when a
    listed line is not a row, when a row is already another attester's, when ``existing`` is of
    another deployment or epoch, or when nothing is selected; nothing is signed then.
    """
    ledger = Path(ledger)
    read_ledger(ledger, epoch=epoch)  # the whole-ledger checks, with the line of the first problem
    rows = list(iter_numbered_rows(ledger))
    by_line = dict(rows)
    if lines is None:
        chosen = [line for line, _ in rows]
    else:
        chosen = []
        last = rows[-1][0]
        for first, stop in lines:
            if stop > last:
                raise AttestationError(
                    f"{ledger}: line {max(first, last + 1)} is past the last row (line {last})"
                )
            for line in range(first, stop + 1):
                if line not in by_line:
                    raise AttestationError(f"{ledger}:{line}: not a ledger row (a header?)")
                chosen.append(line)
    if ref_prefixes:
        wanted = tuple(ref_prefixes)
        chosen = [line for line in chosen if by_line[line].ref.startswith(wanted)]
    chosen = sorted(set(chosen))
    if not chosen:
        what = f" with a reference starting {' or '.join(map(repr, ref_prefixes))}"
        what = what if ref_prefixes else ""
        raise AttestationError(f"{ledger}: no row selected{what}: nothing to sign")
    attester = to_checksum(signer.address)
    kept: list[SignedBatch] = []
    replaced = None
    if existing is not None:
        where = str(existing.path or ATTESTATIONS_FILE)
        if existing.domain != domain:
            d = existing.domain
            raise AttestationError(
                f"{where}: signed for chain {d.chain_id}, registry {d.verifying_contract}; this "
                f"batch is for chain {domain.chain_id}, registry {domain.verifying_contract}"
            )
        if existing.epoch != epoch:
            raise AttestationError(f"{where}: attestations of epoch {existing.epoch}, not {epoch}")
        for other in existing.batches:
            if to_checksum(other.batch.attester) == attester:
                replaced = other
            else:
                kept.append(other)
        taken = {line: other for other in kept for line in other.line_numbers()}
        for line in chosen:
            holder = taken.get(line)
            if holder is not None:
                raise AttestationError(
                    f"{ledger}:{line}: already attested by {holder.batch.attester} ({where}:"
                    f"{holder.file_line}); a row goes into one batch"
                )
    batch = make_batch(attester, epoch, [by_line[line] for line in chosen])
    signature = signer.sign_batch(batch, domain)
    signed = SignedBatch(batch, tuple(line_ranges(chosen)), signature)
    path = existing.path if existing is not None else None
    merged = with_batches(domain, epoch, [*kept, signed], path)
    return AttestResult(merged, signed, replaced)


def write_attestations(attestations: Attestations, path: Path) -> None:
    Path(path).write_text(attestations.dumps(), encoding="utf-8")


def _load_json(raw: bytes, path: Path) -> Any:
    try:
        return load_json_text(raw, where=str(path), max_bytes=MAX_ATTESTATIONS_BYTES)
    except JsonLimitError as exc:
        raise AttestationError(str(exc)) from None


def _read_document(path: Path, expected_format: str, what: str) -> tuple[bytes, dict[str, Any]]:
    """The bytes of ``path`` and the JSON object they hold, whose ``format`` must be
    ``expected_format`` (``what``: its name in the error when it is not one)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AttestationError(f"{path}: cannot read: {exc.strerror}") from None
    data = _load_json(raw, path)
    if not isinstance(data, dict) or data.get("format") != expected_format:
        raise AttestationError(f"{path}: not {what} (format {expected_format})")
    return raw, data


def _checked_address(value: object, where: str) -> str:
    if not isinstance(value, str) or not ADDRESS_RE.match(value):
        raise AttestationError(f"{where}: {value!r} is not a 0x-prefixed 20-byte hex address")
    return to_checksum(value)


def _address_field(data: Mapping[str, Any], name: str, where: str) -> str:
    return _checked_address(data.get(name), f"{where}: field '{name}'")


def _int_field(data: Mapping[str, Any], name: str, where: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _UINT256:
        raise AttestationError(f"{where}: field '{name}' must be a non-negative integer: {value!r}")
    return value


def _hex_field(data: Mapping[str, Any], name: str, where: str, size: int | None) -> bytes:
    value = data.get(name)
    pattern = _HEX32_RE if size == 32 else _HEX_RE
    if not isinstance(value, str) or not pattern.match(value):
        shape = "32 bytes" if size == 32 else "bytes"
        raise AttestationError(f"{where}: field '{name}' must be 0x-prefixed hex ({shape})")
    return bytes.fromhex(value[2:])


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
    raw, data = _read_document(path, ATTESTATIONS_FORMAT, "an attestations file")
    dom = data.get("domain")
    if not isinstance(dom, dict) or not isinstance(dom.get("name"), str):
        raise AttestationError(f"{where}: field 'domain' must be an EIP-712 domain object")
    version = dom.get("version")
    domain = Domain(
        chain_id=_int_field(dom, "chainId", f"{where}: domain"),
        verifying_contract=_address_field(dom, "verifyingContract", f"{where}: domain"),
        name=dom["name"],
        version=version if isinstance(version, str) else "",
    )
    epoch = _int_field(data, "epoch", where)
    ledger_root = _hex_field(data, "ledgerRoot", where, 32)
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
        if not (isinstance(points, str) and points.isdigit() and int(points) < _UINT256):
            raise AttestationError(f"{at}: 'points' must be an integer string (10^-18 point)")
        batch = Batch(
            attester=_address_field(item, "attester", at),
            epoch=_int_field(item, "epoch", at),
            rows_root=_hex_field(item, "rowsRoot", at, 32),
            points=int(points),
            row_count=_int_field(item, "rowCount", at),
        )
        signature = _hex_field(item, "signature", at, None)
        batches.append(SignedBatch(batch, tuple((r[0], r[1]) for r in ranges), signature, line))
    return Attestations(domain, epoch, tuple(batches), ledger_root, path)


# -- verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an attested ledger."""

    file: str
    line: int
    """1-based line in ``file``; 0 for the file as a whole."""
    attester: str | None
    code: str
    """Stable name of the problem (see :data:`PROBLEM_CODES`)."""
    reason: str

    def __str__(self) -> str:
        who = f" attester {self.attester}:" if self.attester else ""
        return f"{self.file}:{self.line}:{who} {self.reason} [{self.code}]"


PROBLEM_CODES: dict[str, str] = {
    "ledger-invalid": "the ledger file itself is invalid (its own error is quoted)",
    "wrong-chain": "the attestations are for another chain id",
    "wrong-contract": "the attestations are for another registry (another deployment)",
    "wrong-domain": "the domain name or version is not the registry's",
    "attester-set": "the attester set is for another deployment or its hash is not the expected",
    "signature-malformed": "a signature is not 65 bytes, has a bad v, a high s, or recovers no key",
    "signature-other-epoch": "the signature is the attester's, but for another epoch",
    "signature-other-deployment": "the signature is the attester's, but in another domain",
    "signature-mismatch": "the signature is not the attester's signature of this batch",
    "contract-signature-unchecked": "an ERC-1271 attester's signature needs the chain to check",
    "contract-signature-invalid": "an ERC-1271 attester rejected the signature",
    "epoch-mismatch": "an epoch field disagrees with the ledger's epoch",
    "not-attester": "the signer was not an attester in that epoch",
    "over-budget": "the attester's points exceed its budget for the epoch",
    "second-batch": "an attester signed more than one batch for the epoch",
    "root-mismatch": "a batch's rows root does not match its rows",
    "count-mismatch": "a batch's row count or points do not match its rows",
    "line-not-a-row": "a batch lists a line that is not a row of the ledger",
    "row-in-two-batches": "a row is listed by two batches (or twice in one)",
    "duplicate-ref": "two rows carry the same evidence reference",
    "unattested-row": "a row is covered by no batch",
    "ledger-root-mismatch": "the ledger root written in the file is not the root of its batches",
}


@dataclass(slots=True)
class AttestationReport:
    """What :func:`verify_attestations` found."""

    epoch: int
    rows: int
    batches: int
    ledger_root: str
    """The recomputed ledger root (``0x`` hex); empty when there are no batches."""
    attesters_hash: str
    """The log hash of the attester set used."""
    problems: list[Problem] = field(default_factory=list)
    points_by_attester: dict[str, int] = field(default_factory=dict)
    deployment_checked: bool = True
    """False for :func:`check_coverage`: signatures, membership and budgets were not checked."""
    attested_points: dict[str, list[int]] = field(default_factory=dict)
    """account -> points per role (``ROLES`` order) of the rows covered by a batch without any
    problem: what the rewards may be computed from."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok and not self.deployment_checked:
            return (
                f"{self.rows} rows of epoch {self.epoch}, each in one of {self.batches} batches "
                f"whose roots match (signatures not checked); ledger root {self.ledger_root}"
            )
        if self.ok:
            return (
                f"OK: {self.rows} rows of epoch {self.epoch} in {self.batches} batches, every row "
                f"signed by an attester of the epoch within its budget; ledger root "
                f"{self.ledger_root}"
            )
        head = f"{len(self.problems)} problem(s) in the attested ledger of epoch {self.epoch}:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class AttestationVerifyError(CommunisError):
    """Raised by :func:`require_valid`: the message lists every problem."""

    def __init__(self, report: AttestationReport) -> None:
        self.report = report
        super().__init__(report.summary())


def require_valid(report: AttestationReport) -> AttestationReport:
    if not report.ok:
        raise AttestationVerifyError(report)
    return report


def _recovers(digest: bytes, signature: bytes) -> str | None:
    try:
        return recover_signer(digest, signature)
    except SignatureError:
        return None


def _diagnose_signature(
    sb: SignedBatch, domain: Domain, declared: Domain, epoch: int, signer: str
) -> tuple[str, str]:
    """Why a well-formed signature recovering ``signer`` is not the attester's for this batch."""
    b = sb.batch
    attester = to_checksum(b.attester)
    if declared != domain and _recovers(b.digest(declared), sb.signature) == attester:
        return (
            "signature-other-deployment",
            f"signed in the domain of chain {declared.chain_id}, registry "
            f"{declared.verifying_contract}, not this deployment's (chain {domain.chain_id}, "
            f"registry {domain.verifying_contract}): a replay",
        )
    for other in range(max(0, epoch - 8), epoch + 9):
        if other == b.epoch:
            continue
        moved = Batch(b.attester, other, b.rows_root, b.points, b.row_count)
        if _recovers(moved.digest(domain), sb.signature) == attester:
            return ("signature-other-epoch", f"the signature is for epoch {other}, not {b.epoch}")
    return (
        "signature-mismatch",
        f"the signature is not the attester's signature of this batch (it recovers {signer}): "
        "another epoch, root, points, row count or deployment",
    )


def verify_attestations(
    ledger: Path,
    attestations: Attestations,
    attesters: AttesterSet,
    domain: Domain,
    *,
    expected_attesters_hash: str | None = None,
    contract_signatures: ContractSignatureCheck | None = None,
) -> AttestationReport:
    """Check an attested ledger against this deployment's ``domain`` and attester set.

    Every row must be covered by exactly one batch; every batch must be signed, in ``domain``,
    by an account that was an attester in the ledger's epoch, with its points within the
    attester's budget, its rows root, row count and points those of its rows, one batch per
    attester; refs must be unique; every epoch field must be the ledger's. Each problem found is
    reported (file, line, attester, reason); nothing stops at the first.
    ``expected_attesters_hash``: the committed hash of the attester set (``RootProposed
    .attestersHash``), compared with the set's replayed log hash.
    """
    with gc_paused():
        return _verify(
            Path(ledger),
            attestations,
            _Deployment(attesters, domain, expected_attesters_hash, contract_signatures),
        )


def check_coverage(ledger: Path, attestations: Attestations) -> AttestationReport:
    """What can be checked without the deployment: every row in exactly one batch, each batch's
    rows root, row count and points those of its rows, the epochs, unique references and the
    ledger root. Signatures, membership and budgets need the deployment
    (:func:`verify_attestations`)."""
    with gc_paused():
        return _verify(Path(ledger), attestations, None)


@dataclass(frozen=True, slots=True)
class _Deployment:
    attesters: AttesterSet
    domain: Domain
    expected_attesters_hash: str | None
    contract_signatures: ContractSignatureCheck | None


def _deployment_problems(
    att_file: str, attestations: Attestations, d: _Deployment
) -> list[Problem]:
    out: list[Problem] = []
    declared, domain, attesters = attestations.domain, d.domain, d.attesters
    if declared.chain_id != domain.chain_id:
        out.append(
            Problem(
                att_file,
                0,
                None,
                "wrong-chain",
                f"attestations for chain id {declared.chain_id}, this deployment is on "
                f"chain id {domain.chain_id}",
            )
        )
    if to_checksum(declared.verifying_contract) != to_checksum(domain.verifying_contract):
        out.append(
            Problem(
                att_file,
                0,
                None,
                "wrong-contract",
                f"attestations for registry {declared.verifying_contract}, this "
                f"deployment's registry is {domain.verifying_contract}",
            )
        )
    if (declared.name, declared.version) != (domain.name, domain.version):
        out.append(
            Problem(
                att_file,
                0,
                None,
                "wrong-domain",
                f"domain {declared.name!r} version {declared.version!r}, expected "
                f"{domain.name!r} version {domain.version!r}",
            )
        )
    if attesters.chain_id != domain.chain_id or to_checksum(attesters.registry) != to_checksum(
        domain.verifying_contract
    ):
        out.append(
            Problem(
                "attesters",
                0,
                None,
                "attester-set",
                f"the attester set is registry {attesters.registry} on chain "
                f"{attesters.chain_id}, not this deployment's",
            )
        )
    expected = d.expected_attesters_hash
    if expected is not None and attesters.log_hash.lower() != expected.lower():
        out.append(
            Problem(
                "attesters",
                0,
                None,
                "attester-set",
                f"the attester set's change log hashes to {attesters.log_hash}, the committed "
                f"attesters hash is {expected}",
            )
        )
    return out


def _signature_problem(
    sb: SignedBatch, declared: Domain, epoch: int, d: _Deployment
) -> tuple[str, str] | None:
    """Why ``sb``'s signature is not its attester's for the batch in this deployment (None: it
    is)."""
    b = sb.batch
    attester = to_checksum(b.attester)
    digest = b.digest(d.domain)
    if attester in d.attesters.contracts:
        if d.contract_signatures is None:
            return (
                "contract-signature-unchecked",
                "a contract attester (ERC-1271): its signature can only be checked against the "
                "chain",
            )
        if not d.contract_signatures(attester, digest, sb.signature):
            return (
                "contract-signature-invalid",
                "the attester contract's isValidSignature rejects the signature",
            )
        return None
    try:
        signer = recover_signer(digest, sb.signature)
    except SignatureError as exc:
        return ("signature-malformed", f"malformed signature: {exc}")
    if signer != attester:
        return _diagnose_signature(sb, d.domain, declared, epoch, signer)
    return None


def _verify(
    ledger: Path, attestations: Attestations, deployment: _Deployment | None
) -> AttestationReport:
    att_file = str(attestations.path or ATTESTATIONS_FILE)
    led_file = str(ledger)
    problems: list[Problem] = []
    add = problems.append
    report = AttestationReport(
        epoch=attestations.epoch,
        rows=0,
        batches=len(attestations.batches),
        ledger_root="",
        attesters_hash=deployment.attesters.log_hash if deployment else "",
        problems=problems,
        deployment_checked=deployment is not None,
    )
    declared = attestations.domain
    if deployment is not None:
        problems += _deployment_problems(att_file, attestations, deployment)

    # -- the ledger rows --------------------------------------------------------------------
    rows: dict[int, Row] = {}
    epoch = attestations.epoch
    try:
        refs: dict[str, int] = {}
        for line, row in iter_numbered_rows(ledger, whole_ledger_checks=False):
            rows[line] = row
            if row.epoch != epoch:
                add(
                    Problem(
                        led_file,
                        line,
                        None,
                        "epoch-mismatch",
                        f"row of epoch {row.epoch}, the attested ledger is epoch {epoch}",
                    )
                )
            first = refs.setdefault(row.ref, line)
            if first != line:
                add(
                    Problem(
                        led_file,
                        line,
                        None,
                        "duplicate-ref",
                        f"evidence reference {row.ref!r} is also on line {first}: a row "
                        "counted twice",
                    )
                )
    except LedgerError as exc:
        add(Problem(led_file, exc.line, None, "ledger-invalid", str(exc)))
        return report
    report.rows = len(rows)

    # -- batches ----------------------------------------------------------------------------
    covered: dict[int, SignedBatch] = {}
    last_line = max(rows, default=0)
    # An honest file lists every row once: a file listing far more lines than the ledger has
    # rows is refused as a whole rather than walked line by line.
    visits_left = 2 * len(rows) + 1024
    seen_attesters: dict[str, SignedBatch] = {}
    faulty: set[str] = set()
    """Attesters with a problem in their batch: their rows do not count."""
    for sb in attestations.batches:
        b = sb.batch
        attester = to_checksum(b.attester)
        at = sb.file_line

        def problem(code: str, reason: str, line: int = at, who: str = attester) -> None:
            faulty.add(who)
            add(Problem(att_file, line, who, code, reason))

        if b.epoch != epoch:
            problem("epoch-mismatch", f"batch of epoch {b.epoch} in the attested ledger of {epoch}")
        previous = seen_attesters.setdefault(attester, sb)
        if previous is not sb:
            problem(
                "second-batch",
                f"a second batch of this attester for epoch {b.epoch} (the first is on "
                f"line {previous.file_line}): one signature per attester per epoch",
            )

        # Rows of the batch: existence, overlap, then root, count and points.
        batch_rows: list[Row] = []
        listed_lines: list[int] = []
        for first, last in sb.lines:
            if last > last_line:
                problem(
                    "line-not-a-row",
                    f"lists ledger lines {max(first, last_line + 1)}..{last}, past the last row "
                    f"(line {last_line})",
                )
            stop = min(last, last_line)
            visits_left -= max(0, stop - first + 1)
            if visits_left < 0:
                break
            listed_lines.extend(range(first, stop + 1))
        if visits_left < 0:
            problem(
                "row-in-two-batches",
                f"the batches list more than twice as many lines as the ledger has rows "
                f"({len(rows)}); the rest of the file is not examined",
            )
            break
        for line in listed_lines:
            listed = rows.get(line)
            if listed is None:
                problem("line-not-a-row", f"lists ledger line {line}, which is not a row")
                continue
            other = covered.get(line)
            if other is None:
                covered[line] = sb
            else:
                where = (
                    "this batch lists it twice"
                    if other is sb
                    else f"attester {other.batch.attester}'s batch ({att_file}:{other.file_line})"
                )
                add(
                    Problem(
                        led_file,
                        line,
                        attester,
                        "row-in-two-batches",
                        f"row already counted: {where}",
                    )
                )
            batch_rows.append(listed)
        if len(batch_rows) != b.row_count or sum(r.points for r in batch_rows) != b.points:
            problem(
                "count-mismatch",
                f"the batch says {b.row_count} rows and {b.points} points, its lines hold "
                f"{len(batch_rows)} rows and {sum(r.points for r in batch_rows)} points",
            )
        if batch_rows:
            root = HashTree.of(_row_leaves(batch_rows)).root
            if root != b.rows_root:
                problem(
                    "root-mismatch",
                    f"rows root 0x{b.rows_root.hex()} is not the root of its rows (0x{root.hex()})",
                )
        report.points_by_attester[attester] = report.points_by_attester.get(attester, 0) + b.points

        # Signature and membership.
        if deployment is not None:
            found = _signature_problem(sb, declared, epoch, deployment)
            if found is not None:
                problem(*found)
            if not deployment.attesters.is_attester_at(attester, b.epoch):
                problem("not-attester", f"not an attester in epoch {b.epoch}")

    # -- budgets, coverage, ledger root -----------------------------------------------------
    for attester, points in report.points_by_attester.items() if deployment else ():
        budget = deployment.attesters.budget_at(attester, epoch) if deployment else 0
        if budget and points > budget:
            first_batch = seen_attesters[attester]
            faulty.add(attester)
            add(
                Problem(
                    att_file,
                    first_batch.file_line,
                    attester,
                    "over-budget",
                    f"{points} points attested, the budget for epoch {epoch} is {budget}",
                )
            )
    for line in rows:
        if line not in covered:
            add(Problem(led_file, line, None, "unattested-row", "no attester signed this row"))
    if attestations.batches:
        try:
            root = attestations.ledger_tree().root
        except (AttestationError, MerkleError) as exc:
            add(Problem(att_file, 0, None, "ledger-root-mismatch", str(exc)))
        else:
            report.ledger_root = "0x" + root.hex()
            if root != attestations.ledger_root:
                add(
                    Problem(
                        att_file,
                        0,
                        None,
                        "ledger-root-mismatch",
                        f"ledgerRoot 0x{attestations.ledger_root.hex()} is not the root of "
                        f"the batches (0x{root.hex()})",
                    )
                )
    report.attested_points = _attested_points(rows, covered, faulty)
    problems.sort(key=lambda p: (p.file, p.line, p.code))
    return report


def _attested_points(
    rows: Mapping[int, Row], covered: Mapping[int, SignedBatch], faulty: set[str]
) -> dict[str, list[int]]:
    """account -> points per role of the rows in a batch with no problem."""
    out: dict[str, list[int]] = {}
    index = {role: i for i, role in enumerate(ROLES)}
    for line, row in rows.items():
        sb = covered.get(line)
        if sb is None or to_checksum(sb.batch.attester) in faulty:
            continue
        per_role = out.get(row.account)
        if per_role is None:
            per_role = out[row.account] = [0] * len(ROLES)
        per_role[index[row.role]] += row.points
    return out
