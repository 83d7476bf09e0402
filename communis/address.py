"""EIP-55 checksummed addresses, computed with the fast keccak backend."""

from __future__ import annotations

import re

from communis.keccak import keccak_256

ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}\Z")
ZERO_ADDRESS = "0x" + "0" * 40


def to_checksum(address: str) -> str:
    """EIP-55 form of a ``0x``-prefixed 40-hex-digit address (any case)."""
    if not ADDRESS_RE.match(address):
        raise ValueError(f"not a 0x-prefixed 20-byte hex address: {address!r}")
    lower = address[2:].lower()
    digest = keccak_256(lower.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if c > "9" and d in "89abcdef" else c for c, d in zip(lower, digest[:40], strict=True)
    )


def is_checksummed(address: str) -> bool:
    """Whether ``address`` is well formed and exactly in its EIP-55 form."""
    return bool(ADDRESS_RE.match(address)) and to_checksum(address) == address
