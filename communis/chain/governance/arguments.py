"""Command-line text as values of Solidity types."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from eth_utils import to_checksum_address

from communis.chain.governance.errors import GovernanceError
from communis.engine.address import ADDRESS_RE, checksum_problem


def parse_argument(
    text: str, abi_type: str, *, address_of: Callable[[str], str] | None = None
) -> Any:
    """A command-line string as a value of the Solidity ``abi_type``.

    Integers accept decimal, ``0x`` hex and exponent notation (``12e18``); ``bool`` accepts
    true/false/1/0; ``address`` must be a valid address, or a name ``address_of`` knows (a
    contract of the journal, an account alias); ``bytes``/``bytesN`` are ``0x`` hex.
    """
    if abi_type.endswith("]") or abi_type.startswith("tuple"):
        raise GovernanceError(
            f"arrays and tuples are not supported on the command line ({abi_type})"
            + ("; for the reward policy use `propose set-policy`" if "tuple" in abi_type else "")
        )
    if abi_type.startswith(("uint", "int")):
        try:
            if text.lower().startswith("0x"):
                return int(text, 16)
            number = Decimal(text.replace("_", ""))
        except (InvalidOperation, ValueError):
            raise GovernanceError(f"{text!r} is not an integer ({abi_type})") from None
        if number != number.to_integral_value():
            raise GovernanceError(f"{text!r} is not a whole number ({abi_type})")
        return int(number)
    if abi_type == "bool":
        return parse_bool(text)
    if abi_type == "address":
        return address_of(text) if address_of else checked_address(text)
    if abi_type.startswith("bytes"):
        if not text.startswith("0x"):
            raise GovernanceError(f"{text!r}: {abi_type} must be 0x-prefixed hex")
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            raise GovernanceError(f"{text!r}: {abi_type} must be 0x-prefixed hex") from None
    return text


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered not in {"true", "false", "1", "0", "yes", "no"}:
        raise GovernanceError(f"{text!r} is not a bool (true/false)")
    return lowered in {"true", "1", "yes"}


def checked_address(text: str) -> str:
    """``text`` as a checksummed address; a wrong EIP-55 checksum is refused (the address may
    be mistyped), never silently corrected."""
    if ADDRESS_RE.match(text):
        problem = checksum_problem(text)
        if problem:
            raise GovernanceError(problem)
        return to_checksum_address(text)
    raise GovernanceError(f"{text!r} is not an address (0x and 40 hex digits) nor a known name")
