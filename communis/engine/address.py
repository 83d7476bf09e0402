"""EIP-55 checksummed addresses, computed with the fast keccak backend."""

from __future__ import annotations

import re

from communis.engine.keccak import keccak_hex

ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}\Z")
ZERO_ADDRESS = "0x" + "0" * 40
_HIGH = bytes(0xFF if chr(b) in "89abcdef" else 0 for b in range(256))


def to_checksum(address: str) -> str:
    """EIP-55 form of a ``0x``-prefixed 40-hex-digit address (any case)."""
    if not ADDRESS_RE.match(address):
        raise ValueError(f"not a 0x-prefixed 20-byte hex address: {address!r}")
    lower = address[2:].lower().encode("ascii")
    # Upper-case a letter where the matching nibble of keccak(lower hex) is >= 8: a byte mask
    # (0xff where the nibble is high) selects between the upper- and lower-case spellings.
    mask = int.from_bytes(keccak_hex(lower)[:40].encode("ascii").translate(_HIGH))
    low = int.from_bytes(lower)
    high = int.from_bytes(lower.upper())
    return "0x" + ((high & mask) | (low & ~mask)).to_bytes(40).decode("ascii")


def is_checksummed(address: str) -> bool:
    """Whether ``address`` is well formed and exactly in its EIP-55 form."""
    return bool(ADDRESS_RE.match(address)) and to_checksum(address) == address


def checksum_problem(address: str) -> str | None:
    """Why ``address`` (0x and 40 hex digits) should not be used as typed, or None.

    All lower-case or all upper-case hex carries no checksum and is accepted. Mixed case that is
    not the EIP-55 form means a digit or a letter's case was changed: the address may be
    mistyped. No "corrected" form is offered: the checksum of a mistyped address is that of
    another account, and copying it would pay that account."""
    if not ADDRESS_RE.match(address):
        return f"{address!r} is not a 0x-prefixed 20-byte hex address"
    digits = address[2:]
    if digits == digits.lower() or digits == digits.upper():
        return None
    if to_checksum(address) == address:
        return None
    return (
        f"{address} fails its EIP-55 checksum: the address may be mistyped; copy it again "
        "from its source (a wallet, the member's own message) rather than correcting it by hand"
    )
