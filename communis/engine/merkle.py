"""The rewards Merkle tree, bit-compatible with OpenZeppelin's ``StandardMerkleTree``.

A leaf is ``(address account, uint256 cumulativeTokens, uint256 cumulativeInfluence)``, hashed
as ``keccak256(keccak256(abi.encode(account, tokens, influence)))`` (double hashing prevents
second-preimage attacks with internal nodes). Internal nodes hash their sorted pair of children,
which is what ``MerkleProof.verify`` expects on chain.

Layout (the one ``@openzeppelin/merkle-tree`` uses, so that ``StandardMerkleTree.load`` accepts
our ``tree.json`` and gives the same proofs): the ``n`` leaf hashes are sorted ascending and the
``k``-th smallest is stored at ``tree[2n - 2 - k]``; ``tree[i] = hash(tree[2i+1], tree[2i+2])``
for ``i < n - 1``; ``tree[0]`` is the root. ``values`` keep the order they were given in (we
give them sorted by address) and record the ``treeIndex`` of their leaf.

Speed: nodes live in one flat list of 32-byte strings, hashed level by level with list
comprehensions (no per-node objects); leaf hashes are sorted with numpy; bulk proofs are gathered
with numpy from one contiguous buffer. See ``bench/engine.py`` for the figures.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from communis.engine.jsonlimits import MAX_TREE_BYTES, JsonLimitError, load_json_text
from communis.engine.keccak import keccak
from communis.engine.parallel import fork_call, gc_paused, workers_for
from communis.errors import CommunisError

LEAF_ENCODING: tuple[str, str, str] = ("address", "uint256", "uint256")
FORMAT = "standard-v1"
_UINT256 = 1 << 256
_PAD12 = b"\x00" * 12


class MerkleError(CommunisError, ValueError):
    """A tree cannot be built or a dump is not a valid tree of ours."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """One account's cumulative entitlement: tokens and influence in stored units."""

    account: str
    """EIP-55 checksummed address."""
    tokens: int
    influence: int

    def encode(self) -> bytes:
        """``abi.encode(address, uint256, uint256)`` of this leaf."""
        if not (0 <= self.tokens < _UINT256 and 0 <= self.influence < _UINT256):
            raise MerkleError(f"leaf amounts out of uint256 range for {self.account}")
        if len(self.account) != 42 or not self.account.startswith("0x"):
            raise MerkleError(f"not a 0x-prefixed 20-byte address: {self.account!r}")
        return (
            _PAD12
            + bytes.fromhex(self.account[2:])
            + self.tokens.to_bytes(32, "big")
            + self.influence.to_bytes(32, "big")
        )

    def as_json(self) -> list[str]:
        """The leaf as a ``standard-v1`` value: ``[address, "tokens", "influence"]``."""
        return [self.account, str(self.tokens), str(self.influence)]


def leaf_hash(leaf: Leaf) -> bytes:
    """``keccak256(keccak256(abi.encode(leaf)))``."""
    return keccak(keccak(leaf.encode()))


def node_hash(a: bytes, b: bytes) -> bytes:
    """Hash of a sorted pair, as OpenZeppelin's ``MerkleProof`` computes it."""
    return keccak(a + b if a < b else b + a)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root reached from a leaf hash through ``proof``."""
    node = leaf
    for sibling in proof:
        node = node_hash(node, sibling)
    return node


def verify_proof(root: bytes, leaf: Leaf, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` proves ``leaf`` against ``root`` (what the contract checks)."""
    return process_proof(leaf_hash(leaf), proof) == root


def split_proof(packed: bytes) -> list[bytes]:
    """Split a packed proof (concatenated 32-byte siblings) into its siblings."""
    return [packed[i : i + 32] for i in range(0, len(packed), 32)]


def _encoding_error(values: Sequence[Leaf]) -> MerkleError:
    """The error naming the first leaf that cannot be ABI-encoded (the slow path of a failure)."""
    for leaf in values:
        try:
            leaf.encode()
        except (OverflowError, ValueError, AttributeError, TypeError) as exc:
            return MerkleError(f"cannot encode leaf {leaf!r}: {exc}")
    return MerkleError("every account must be a 0x-prefixed 20-byte hex address")


def _account_bytes(values: Sequence[Leaf]) -> list[bytes]:
    """The 20 address bytes of every leaf, in order (hex case does not matter)."""
    fromhex = bytes.fromhex
    try:
        accounts = [fromhex(leaf.account[2:]) for leaf in values]
    except (ValueError, AttributeError, TypeError):
        raise _encoding_error(values) from None
    if sum(map(len, accounts)) != 20 * len(accounts):
        raise _encoding_error(values)
    return accounts


def _hash_leaves(values: Sequence[Leaf], accounts: Sequence[bytes] | None = None) -> list[bytes]:
    """Leaf hashes of ``values`` (``accounts``: their :func:`_account_bytes`, if at hand)."""
    k = keccak
    pad = _PAD12
    big: Literal["big"] = "big"
    if accounts is None:
        accounts = _account_bytes(values)
    try:
        return [
            k(k(pad + account + leaf.tokens.to_bytes(32, big) + leaf.influence.to_bytes(32, big)))
            for account, leaf in zip(accounts, values, strict=True)
        ]
    except (OverflowError, AttributeError, TypeError):
        raise _encoding_error(values) from None


def _has_duplicate_accounts(accounts: Sequence[bytes]) -> bool:
    """Whether two leaves have the same address, without a million-entry set.

    Bundles give their values sorted by address, which one comparison pass proves unique;
    other orders are checked by sorting the addresses' first eight bytes with numpy.
    """
    if all(map(operator.lt, accounts, itertools.islice(accounts, 1, None))):
        return False
    rows = np.frombuffer(b"".join(accounts), dtype=np.uint8).reshape(-1, 20)
    head = rows[:, :8].copy().view(">u8").ravel()
    order = np.argsort(head, kind="stable")
    same = np.flatnonzero(head[order][1:] == head[order][:-1])
    # Equal first 8 bytes are rare: compare those pairs in full.
    return any(bytes(rows[order[i]]) == bytes(rows[order[i + 1]]) for i in same.tolist())


def _hash_leaves_parallel(values: Sequence[Leaf]) -> list[bytes]:
    half = len(values) // 2
    tail: list[bytes] = []

    def do_tail() -> None:
        tail.extend(_hash_leaves(values[half:]))

    head = fork_call(lambda: b"".join(_hash_leaves(values[:half])), 32 * half, do_tail)
    return split_proof(head) + tail


def _sorted_order(hashes: list[bytes]) -> NDArray[np.intp]:
    """Indices that sort ``hashes`` ascending (bytes order), as a numpy array."""
    n = len(hashes)
    words = np.frombuffer(b"".join(hashes), dtype=">u8").reshape(n, 4)
    # The first 8 bytes almost always decide; fall back to a full lexsort on a tie.
    order = np.argsort(words[:, 0], kind="stable")
    first = words[order, 0]
    if n > 1 and bool((first[1:] == first[:-1]).any()):
        order = np.lexsort((words[:, 3], words[:, 2], words[:, 1], words[:, 0]))
    return order


def _hash_range(tree: list[bytes], lo: int, hi: int) -> None:
    """``tree[i] = hash(tree[2i+1], tree[2i+2])`` for ``lo <= i <= hi`` (one depth)."""
    if hi < lo:
        return
    k = keccak
    children = tree[2 * lo + 1 : 2 * hi + 3]
    tree[lo : hi + 1] = [
        k(a + b if a < b else b + a) for a, b in zip(children[0::2], children[1::2], strict=True)
    ]


def _levels(leaves: int) -> list[tuple[int, int, int]]:
    """``(depth, lo, hi)`` of the internal nodes at each depth, deepest first."""
    last = leaves - 2
    if last < 0:
        return []
    out = []
    for depth in range((last + 1).bit_length() - 1, -1, -1):
        out.append((depth, (1 << depth) - 1, min((1 << (depth + 1)) - 2, last)))
    return out


def _hash_internal(tree: list[bytes], leaves: int, workers: int = 1) -> None:
    """Fill ``tree[0 : leaves - 1]`` bottom-up, one depth at a time.

    With two workers the subtrees under node 1 and node 2 are hashed in parallel (a forked
    child takes the left one), then the root is hashed here.
    """
    levels = _levels(leaves)
    if workers < 2 or len(levels) < 2:
        for _, lo, hi in levels:
            _hash_range(tree, lo, hi)
        return
    # Depth d >= 1 splits into the subtree of node 1 (first half) and of node 2.
    left = [(lo, min(lo + (1 << (d - 1)) - 1, hi)) for d, lo, hi in levels if d >= 1]
    right = [(lo + (1 << (d - 1)), hi) for d, lo, hi in levels if d >= 1]

    def do_left() -> bytes:
        for lo, hi in left:
            _hash_range(tree, lo, hi)
        return b"".join(b"".join(tree[lo : hi + 1]) for lo, hi in left)

    def do_right() -> None:
        for lo, hi in right:
            _hash_range(tree, lo, hi)

    size = 32 * sum(max(0, hi - lo + 1) for lo, hi in left)
    packed = fork_call(do_left, size, do_right)
    offset = 0
    for lo, hi in left:
        count = max(0, hi - lo + 1)
        tree[lo : hi + 1] = split_proof(packed[offset : offset + 32 * count])
        offset += 32 * count
    _hash_range(tree, 0, 0)


def tree_of_hashes(hashes: list[bytes], *, workers: int = 1) -> tuple[list[bytes], list[int]]:
    """The tree over already-hashed leaves, in OpenZeppelin's layout.

    Returns ``(nodes, positions)``: all ``2n - 1`` nodes (root first) and the tree index of
    each given leaf hash, in the order given. For leaves of any encoding hashed the
    ``StandardMerkleTree`` way (``keccak256(keccak256(abi.encode(...)))``). Duplicate hashes
    are allowed.
    """
    n = len(hashes)
    if n == 0:
        raise MerkleError("a Merkle tree needs at least one leaf")
    order = _sorted_order(hashes)
    # k-th smallest leaf at tree[2n - 2 - k]: the leaf block is the sorted list reversed.
    descending = order[::-1]
    tree: list[bytes] = [b""] * (n - 1)
    tree.extend(operator.itemgetter(*descending.tolist())(hashes) if n > 1 else hashes)
    del hashes
    position_array = np.empty(n, dtype=np.int64)
    position_array[descending] = np.arange(n - 1, 2 * n - 1, dtype=np.int64)
    positions: list[int] = position_array.tolist()
    _hash_internal(tree, n, workers)
    if len(tree) != 2 * n - 1:  # pragma: no cover - internal invariant
        raise MerkleError("internal error: wrong tree size")
    return tree, positions


def proof_of(nodes: Sequence[bytes], position: int) -> list[bytes]:
    """Proof (siblings from the leaf up) for the node at tree index ``position``."""
    proof: list[bytes] = []
    while position > 0:
        proof.append(nodes[position - 1 if position % 2 == 0 else position + 1])
        position = (position - 1) // 2
    return proof


class MerkleTree:
    """A built tree: its nodes, its values and where each value's leaf sits."""

    __slots__ = ("_by_account", "_node_array", "_positions", "nodes", "values")

    def __init__(self, nodes: list[bytes], values: Sequence[Leaf], positions: list[int]) -> None:
        self.nodes = nodes
        """All ``2n - 1`` nodes in OpenZeppelin's layout (root first)."""
        self.values = tuple(values)
        self._positions = positions  # value index -> tree index
        self._by_account: dict[str, int] | None = None
        self._node_array: NDArray[np.uint8] | None = None

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def build(cls, values: Sequence[Leaf], *, workers: int | None = None) -> MerkleTree:
        """Build the tree of ``values`` (kept in the given order; accounts must be unique).

        ``workers=2`` hashes the two halves in a forked process: less wall time on two idle
        cores, but more CPU in total, so the default is one process.
        """
        n = len(values)
        if n == 0:
            raise MerkleError("a Merkle tree needs at least one leaf")
        procs = workers_for(n, workers) if workers is not None else 1
        with gc_paused():
            return cls._build(values, procs)

    @classmethod
    def _build(cls, values: Sequence[Leaf], procs: int) -> MerkleTree:
        accounts = _account_bytes(values)
        if _has_duplicate_accounts(accounts):
            raise MerkleError("accounts must be unique (one leaf per account)")
        hashes = _hash_leaves_parallel(values) if procs > 1 else _hash_leaves(values, accounts)
        del accounts
        tree, positions = tree_of_hashes(hashes, workers=procs)
        return cls(tree, values, positions)

    def _check_unique_accounts(self) -> None:
        lookup = self._account_index()
        if len(lookup) != len(self.values):
            seen: set[str] = set()
            for leaf in self.values:
                if leaf.account in seen:
                    raise MerkleError(f"account {leaf.account} appears twice")
                seen.add(leaf.account)

    # -- queries ------------------------------------------------------------------------------
    @property
    def root(self) -> bytes:
        return self.nodes[0]

    @property
    def root_hex(self) -> str:
        return "0x" + self.nodes[0].hex()

    def __len__(self) -> int:
        return len(self.values)

    def _account_index(self) -> dict[str, int]:
        if self._by_account is None:
            self._by_account = {leaf.account.lower(): i for i, leaf in enumerate(self.values)}
        return self._by_account

    def index_of(self, account: str) -> int:
        """Value index of ``account`` (any hex case); ``KeyError`` if it has no leaf."""
        try:
            return self._account_index()[account.lower()]
        except KeyError:
            raise KeyError(f"account {account} has no leaf in this tree") from None

    def leaf(self, account: str) -> Leaf:
        return self.values[self.index_of(account)]

    def proof_at(self, value_index: int) -> list[bytes]:
        """Proof (siblings from the leaf up) for the value at ``value_index``."""
        return proof_of(self.nodes, self._positions[value_index])

    def proof(self, account: str) -> list[bytes]:
        """Proof for ``account``'s leaf."""
        return self.proof_at(self.index_of(account))

    def iter_packed_proofs(self, chunk: int = 1 << 16) -> Iterator[tuple[int, bytes]]:
        """Every proof, as ``(value_index, packed)`` with the siblings concatenated.

        Leaves are visited in tree order; proofs are gathered with numpy in chunks, which is
        ~10x faster than :meth:`proof_at` in a loop and keeps memory bounded.
        """
        n = len(self.values)
        if self._node_array is None:
            self._node_array = np.frombuffer(b"".join(self.nodes), dtype=np.uint8).reshape(-1, 32)
        nodes = self._node_array
        value_at = np.empty(2 * n - 1, dtype=np.int64)
        value_at[np.asarray(self._positions, dtype=np.int64)] = np.arange(n, dtype=np.int64)
        first, end = n - 1, 2 * n - 1
        # Leaves sit at one or two depths: split the position range where the depth changes.
        bounds = sorted({first, end, *(((1 << d) - 1) for d in range(1, end.bit_length() + 1))})
        ranges = [(a, b) for a, b in itertools.pairwise(bounds) if first <= a < end]
        for lo, hi in ranges:
            depth = (lo + 1).bit_length() - 1
            for start in range(lo, min(hi, end), chunk):
                stop = min(start + chunk, hi, end)
                cur = np.arange(start, stop, dtype=np.int64)
                indices = value_at[start:stop].tolist()
                if depth == 0:  # a single-leaf tree: the proof is empty
                    yield from ((i, b"") for i in indices)
                    continue
                siblings = np.empty((stop - start, depth), dtype=np.int64)
                for level in range(depth):
                    siblings[:, level] = cur + 1 - 2 * ((cur + 1) & 1)
                    cur = (cur - 1) >> 1
                packed = nodes[siblings].tobytes()  # one gather: (leaves, depth, 32) bytes
                stride = 32 * depth
                yield from zip(
                    indices,
                    [packed[o : o + stride] for o in range(0, len(packed), stride)],
                    strict=True,
                )

    # -- dump / load --------------------------------------------------------------------------
    def dumps(self) -> str:
        """Canonical ``standard-v1`` JSON: sorted keys, no spaces, trailing newline.

        Equal to ``json.dumps(self.dump(), sort_keys=True, separators=(",", ":")) + "\\n"`` (a
        test checks it) but written directly, which is much faster for big trees.
        """
        return "".join(self.iter_dump())

    def iter_dump(self, chunk: int = 1 << 16) -> Iterator[str]:
        """:meth:`dumps` in pieces of about ``chunk`` nodes or values (what :meth:`save` writes)."""
        encoding = ",".join(f'"{t}"' for t in LEAF_ENCODING)
        yield f'{{"format":"{FORMAT}","leafEncoding":[{encoding}],"tree":['
        nodes = self.nodes
        for start in range(0, len(nodes), chunk):
            lead = "," if start else ""
            yield lead + ",".join(['"0x' + n.hex() + '"' for n in nodes[start : start + chunk]])
        yield '],"values":['
        values, positions = self.values, self._positions
        for start in range(0, len(values), chunk):
            lead = "," if start else ""
            yield lead + ",".join(
                [
                    f'{{"treeIndex":{pos},"value":["{leaf.account}","{leaf.tokens}","{leaf.influence}"]}}'
                    for leaf, pos in zip(
                        values[start : start + chunk], positions[start : start + chunk], strict=True
                    )
                ]
            )
        yield "]}\n"

    def dump(self) -> dict[str, Any]:
        """The ``standard-v1`` dump as a dict (what ``StandardMerkleTree.dump()`` returns)."""
        return {
            "format": FORMAT,
            "leafEncoding": list(LEAF_ENCODING),
            "tree": ["0x" + node.hex() for node in self.nodes],
            "values": [
                {"value": leaf.as_json(), "treeIndex": pos}
                for leaf, pos in zip(self.values, self._positions, strict=True)
            ],
        }

    def save(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(self.iter_dump())

    @classmethod
    def from_dump(cls, data: Any, *, validate: bool = True) -> MerkleTree:
        """Load a ``standard-v1`` dump; with ``validate`` (default) every hash is rechecked."""
        if not isinstance(data, dict):
            raise MerkleError("tree dump must be a JSON object")
        if data.get("format") != FORMAT:
            raise MerkleError(f"unknown tree format {data.get('format')!r}, expected {FORMAT!r}")
        if list(data.get("leafEncoding") or []) != list(LEAF_ENCODING):
            raise MerkleError(
                f"leaf encoding {data.get('leafEncoding')!r} is not {list(LEAF_ENCODING)!r}"
            )
        try:
            nodes = [bytes.fromhex(node[2:]) for node in data["tree"]]
            values = []
            positions = []
            for item in data["values"]:
                account, tokens, influence = item["value"]
                values.append(Leaf(account, int(tokens), int(influence)))
                positions.append(int(item["treeIndex"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise MerkleError(f"malformed tree dump: {exc}") from exc
        n = len(values)
        if n == 0 or len(nodes) != 2 * n - 1 or any(len(node) != 32 for node in nodes):
            raise MerkleError("tree dump has the wrong number or size of nodes")
        if sorted(positions) != list(range(n - 1, 2 * n - 1)):
            raise MerkleError("tree dump values do not map one-to-one onto the leaves")
        tree = cls(nodes, values, positions)
        if validate:
            tree.validate()
        return tree

    @classmethod
    def loads(
        cls, text: str | bytes, *, validate: bool = True, where: str = "tree dump"
    ) -> MerkleTree:
        try:
            data = load_json_text(text, where=where, max_bytes=MAX_TREE_BYTES)
        except JsonLimitError as exc:
            raise MerkleError(str(exc)) from exc
        with gc_paused():
            return cls.from_dump(data, validate=validate)

    @classmethod
    def load(cls, path: Path, *, validate: bool = True) -> MerkleTree:
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_TREE_BYTES:
            raise MerkleError(f"{path}: {size} bytes is larger than the limit of {MAX_TREE_BYTES}")
        return cls.loads(path.read_bytes(), validate=validate, where=str(path))

    def validate(self) -> None:
        """Recompute every leaf and internal node; raise :class:`MerkleError` on a mismatch."""
        hashes = _hash_leaves(self.values)
        for value_index, (h, pos) in enumerate(zip(hashes, self._positions, strict=True)):
            if self.nodes[pos] != h:
                raise MerkleError(
                    f"leaf of {self.values[value_index].account} does not match its value"
                )
        n = len(self.values)
        check = list(self.nodes)
        _hash_internal(check, n)
        if check[: n - 1] != self.nodes[: n - 1]:
            raise MerkleError("an internal node does not hash its children")
        self._check_unique_accounts()
