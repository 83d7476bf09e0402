"""The bytes an attester signs and the ledger commits to: the EIP-712 domain and batch, row
leaves and the trees over them (``contracts/utils/Attestations.sol`` computes the same)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from communis.engine.address import ADDRESS_RE, to_checksum
from communis.engine.attest.errors import AttestationError
from communis.engine.keccak import keccak
from communis.engine.ledger import Row
from communis.engine.merkle import proof_of, tree_of_hashes
from communis.engine.roles import ROLES

DOMAIN_NAME = "Communis Attesters"
DOMAIN_VERSION = "1"
DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
BATCH_TYPE = (
    "AttestationBatch(address attester,uint256 epoch,bytes32 rowsRoot,uint256 points,"
    "uint256 rowCount)"
)

_DOMAIN_TYPEHASH = keccak(DOMAIN_TYPE.encode())
_BATCH_TYPEHASH = keccak(BATCH_TYPE.encode())
UINT256_BOUND = 1 << 256
"""One more than the largest uint256."""
_PAD12 = b"\x00" * 12
_ROLE_WORD = {role: i.to_bytes(32, "big") for i, role in enumerate(ROLES)}


def address_word(address: str) -> bytes:
    if not isinstance(address, str) or not ADDRESS_RE.match(address):
        raise AttestationError(f"not a 0x-prefixed 20-byte hex address: {address!r}")
    return _PAD12 + bytes.fromhex(address[2:])


def uint_word(value: int, what: str) -> bytes:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < UINT256_BOUND:
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
            + uint_word(self.chain_id, "chain id")
            + address_word(self.verifying_contract)
        )

    def as_json(self) -> dict[str, Any]:
        return _typed_fields(self, "EIP712Domain")

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
            + address_word(self.attester)
            + uint_word(self.epoch, "epoch")
            + self.rows_root
            + uint_word(self.points, "points")
            + uint_word(self.row_count, "row count")
        )

    def digest(self, domain: Domain) -> bytes:
        """The digest the attester signs (``AttesterRegistry.batchDigest``)."""
        return keccak(b"\x19\x01" + domain.separator() + self.struct_hash())

    def leaf(self, signature: bytes) -> bytes:
        """The batch's leaf in the ledger tree (``Attestations.batchLeaf``)."""
        encoded = (
            address_word(self.attester)
            + uint_word(self.epoch, "epoch")
            + self.rows_root
            + uint_word(self.points, "points")
            + uint_word(self.row_count, "row count")
            + keccak(signature)
        )
        return keccak(keccak(encoded))

    def as_eip712(self) -> dict[str, Any]:
        """The message as ``eth_account.messages.encode_typed_data`` takes it."""
        return _typed_fields(self, "AttestationBatch")


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


def _typed_fields(value: Domain | Batch, type_name: str) -> dict[str, Any]:
    """``value``'s fields named and ordered as :data:`EIP712_TYPES` lists them for
    ``type_name`` (``chainId`` is the attribute ``chain_id``)."""
    return {
        f["name"]: getattr(value, re.sub("([A-Z])", r"_\1", f["name"]).lower())
        for f in EIP712_TYPES[type_name]
    }


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
        uint_word(row.epoch, "epoch")
        + address_word(row.account)
        + _ROLE_WORD[row.role]
        + uint_word(row.points, "points")
        + keccak(row.ref.encode("utf-8"))
    )


def row_leaves(rows: Sequence[Row]) -> list[bytes]:
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
    return HashTree.of(row_leaves(rows)).root


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
