"""Keccak-256 with the fastest backend installed.

``tiny-keccak`` (a Rust extension wheel, a declared dependency) hashes a 64-byte Merkle node in
about 0.6 µs and returns the digest directly; ``safe-pysha3`` (``sha3.keccak_256``, a C
extension that ape's test provider also pulls in) takes about 1.4 µs; pycryptodome is the last
fallback. All three give the same digest (``tests/engine/test_keccak.py`` checks every backend
that is installed against known vectors), so outputs never depend on the backend.

Hot loops take :data:`keccak` into a local name; it is a plain ``bytes -> bytes`` function.
"""

from __future__ import annotations

from collections.abc import Callable

KeccakFunction = Callable[[bytes], bytes]
"""``keccak(data) -> 32-byte digest``."""


def _tiny_keccak() -> KeccakFunction:
    from tiny_keccak import keccak256

    return keccak256


def _pysha3() -> KeccakFunction:
    from sha3 import keccak_256

    def digest(data: bytes) -> bytes:
        return keccak_256(data).digest()  # type: ignore[no-any-return]

    return digest


def _pycryptodome() -> KeccakFunction:
    from Crypto.Hash import keccak as crypto_keccak

    def digest(data: bytes) -> bytes:
        return crypto_keccak.new(digest_bits=256, data=data).digest()

    return digest


BACKENDS: dict[str, Callable[[], KeccakFunction]] = {
    "tiny-keccak": _tiny_keccak,
    "pysha3": _pysha3,
    "pycryptodome": _pycryptodome,
}
"""Every backend this module knows, fastest first."""


def available_backends() -> dict[str, KeccakFunction]:
    """The backends importable here, fastest first."""
    found: dict[str, KeccakFunction] = {}
    for name, load in BACKENDS.items():
        try:
            found[name] = load()
        except ImportError:
            continue
    return found


def _pick_backend() -> tuple[str, KeccakFunction]:
    for name, load in BACKENDS.items():
        try:
            return name, load()
        except ImportError:  # pragma: no cover - depends on the environment
            continue
    raise ImportError("no keccak backend: install tiny-keccak, safe-pysha3 or pycryptodome")


BACKEND, keccak = _pick_backend()
"""The backend in use and its ``keccak(data) -> bytes``."""


def keccak_hex(data: bytes) -> str:
    """keccak256(data) as 64 lowercase hex digits (no ``0x``)."""
    return keccak(data).hex()
