"""Keccak-256 with the fastest backend installed.

``safe-pysha3`` (``sha3.keccak_256``, a small C extension that ape's test provider pulls in
through ``eth-tester[py-evm]`` -> ``eth-hash[pysha3]``, pinned in requirements.lock) hashes a
64-byte node about 8x faster than pycryptodome on this machine, which is what makes a
million-leaf Merkle tree fit in a few seconds. pycryptodome is the fallback; both give the same
digest, so outputs never depend on the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Digest(Protocol):
    """A finished hash object: both backends' objects have these two methods."""

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


Hasher = Callable[[bytes], Digest]
"""A constructor ``h(data)`` whose result has ``.digest() -> bytes`` (32 bytes)."""


def _pick_backend() -> tuple[str, Hasher]:
    try:
        from sha3 import keccak_256

        return "pysha3", keccak_256
    except ImportError:  # pragma: no cover - depends on the environment
        from Crypto.Hash import keccak

        def new(data: bytes) -> Digest:
            return keccak.new(digest_bits=256, data=data)

        return "pycryptodome", new


BACKEND, keccak_256 = _pick_backend()


def keccak(data: bytes) -> bytes:
    """keccak256(data) as 32 bytes."""
    return keccak_256(data).digest()
