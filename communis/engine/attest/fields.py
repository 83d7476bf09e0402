"""Reading the JSON documents of attested ledgers (``attestations.json``, ``attesters.json``):
one clear error naming the file and field for anything malformed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from communis.engine.address import ADDRESS_RE, to_checksum
from communis.engine.attest.errors import AttestationError
from communis.engine.attest.hashing import UINT256_BOUND
from communis.engine.jsonlimits import JsonLimitError, load_json_text

MAX_ATTESTATIONS_BYTES = 64 << 20
"""An attestations or attester-set file lists batches or changes, not rows: far below this."""

_HEX32_RE = re.compile(r"0x[0-9a-fA-F]{64}\Z")
_HEX_RE = re.compile(r"0x(?:[0-9a-fA-F]{2})*\Z")


def load_json(raw: bytes, path: Path) -> Any:
    try:
        return load_json_text(raw, where=str(path), max_bytes=MAX_ATTESTATIONS_BYTES)
    except JsonLimitError as exc:
        raise AttestationError(str(exc)) from None


def read_document(path: Path, expected_format: str, what: str) -> tuple[bytes, dict[str, Any]]:
    """The bytes of ``path`` and the JSON object they hold, whose ``format`` must be
    ``expected_format`` (``what``: its name in the error when it is not one)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AttestationError(f"{path}: cannot read: {exc.strerror}") from None
    data = load_json(raw, path)
    if not isinstance(data, dict) or data.get("format") != expected_format:
        raise AttestationError(f"{path}: not {what} (format {expected_format})")
    return raw, data


def checked_address(value: object, where: str) -> str:
    if not isinstance(value, str) or not ADDRESS_RE.match(value):
        raise AttestationError(f"{where}: {value!r} is not a 0x-prefixed 20-byte hex address")
    return to_checksum(value)


def address_field(data: Mapping[str, Any], name: str, where: str) -> str:
    return checked_address(data.get(name), f"{where}: field '{name}'")


def int_field(data: Mapping[str, Any], name: str, where: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < UINT256_BOUND:
        raise AttestationError(f"{where}: field '{name}' must be a non-negative integer: {value!r}")
    return value


def hex_field(data: Mapping[str, Any], name: str, where: str, size: int | None) -> bytes:
    value = data.get(name)
    pattern = _HEX32_RE if size == 32 else _HEX_RE
    if not isinstance(value, str) or not pattern.match(value):
        shape = "32 bytes" if size == 32 else "bytes"
        raise AttestationError(f"{where}: field '{name}' must be 0x-prefixed hex ({shape})")
    return bytes.fromhex(value[2:])


def dump_document(head: Mapping[str, Any], list_name: str, items: Iterable[Any]) -> str:
    """A JSON document of ``head``'s fields, then ``list_name`` with one item per line (so that a
    problem can be pointed at by line number)."""
    lines = ["{"]
    lines += [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append(f" {json.dumps(list_name)}: [")
    lines.append(",\n".join(f"  {json.dumps(item)}" for item in items))
    lines += [" ]", "}"]
    return "\n".join(lines) + "\n"
