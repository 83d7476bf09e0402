"""JSON with size and nesting limits, for every file a bundle, a policy or a ledger brings.

Python's ``json`` recurses once per nesting level: a file of a few hundred kilobytes of ``[``
exhausts the stack (a RecursionError, or a crash of the whole process when the stack is
deeper than the recursion limit allows). The files of an epoch are shallow (a tree dump is four
levels deep), so :func:`load_json_text` measures the nesting before parsing, in a few linear
passes that run in C, and refuses anything deeper or larger than the limits with an error that
names the file and the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from communis.errors import CommunisError

MAX_DEPTH = 32
"""Deeper than any file the engine writes (a ``tree.json`` is 4 levels, ``totals.json`` 3)."""
MAX_SMALL_BYTES = 1 << 20
"""``totals.json``, ``policy.json``: a few kilobytes in practice."""
MAX_TREE_BYTES = 4 << 30
"""``tree.json``: about 220 bytes per account, so room for ~19 million accounts."""

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class JsonLimitError(CommunisError, ValueError):
    """A JSON file is too large or too deeply nested to be parsed safely."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


def nesting_depth_exceeds(data: bytes, max_depth: int) -> bool:
    """Whether the arrays and objects of ``data`` nest more than ``max_depth`` levels, or their
    brackets do not balance (not JSON, and the parser would recurse into every unclosed one)."""
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)  # escapes first: an escaped quote does not end a string
    # Quotes and brackets only; adjacent quotes bound an empty string or join two strings.
    skeleton = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    brackets = _STRING.sub(b"", skeleton).translate(None, _NOT_BRACKET)
    for _ in range(max_depth):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def check_json_limits(
    data: bytes, *, where: str, max_bytes: int = MAX_SMALL_BYTES, max_depth: int = MAX_DEPTH
) -> None:
    """Raise :class:`JsonLimitError` if ``data`` is larger than ``max_bytes`` or nests deeper
    than ``max_depth`` levels."""
    if len(data) > max_bytes:
        raise JsonLimitError(where, f"{len(data)} bytes is larger than the limit of {max_bytes}")
    if nesting_depth_exceeds(data, max_depth):
        raise JsonLimitError(
            where, f"JSON nested more than {max_depth} levels deep (or brackets do not balance)"
        )


def load_json_text(
    text: str | bytes,
    *,
    where: str,
    max_bytes: int = MAX_SMALL_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """``json.loads`` after :func:`check_json_limits`; a parse error is a ``ValueError``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    check_json_limits(data, where=where, max_bytes=max_bytes, max_depth=max_depth)
    return json.loads(data)


def load_json_file(
    path: Path, *, max_bytes: int = MAX_SMALL_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """Read ``path`` (refusing it by its size before reading) and parse it within the limits."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise JsonLimitError(str(path), f"{size} bytes is larger than the limit of {max_bytes}")
    return load_json_text(
        path.read_bytes(), where=str(path), max_bytes=max_bytes, max_depth=max_depth
    )
