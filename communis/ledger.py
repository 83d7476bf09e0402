"""The contribution ledger of one epoch: schema, readers (JSONL and CSV), strict validation.

Schema (one row per piece of evidence; the same account may appear in many rows and roles):

=========  ==========================================================================
column     meaning
=========  ==========================================================================
epoch      the epoch number, a non-negative integer; every row of a file has the same
account    the contributor, a 0x address in its EIP-55 checksummed form (not zero)
role       ``creator``, ``curator``, ``guardian`` or ``participant``
points     a non-negative decimal string, at most 18 decimals and at most 10^12
           (``"12"``, ``"0.5"``); never a float
ref        a unique evidence reference within the ledger (a URL, a post id, ...),
           1..256 printable characters
=========  ==========================================================================

JSONL: one JSON object per line with exactly these keys (``epoch`` a JSON integer, ``points``
and the others JSON strings)::

    {"epoch": 1, "account": "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4", "role": "creator", "points": "12.5", "ref": "post/1812"}

CSV: a header line naming the five columns (any order), then one row per line, comma
separated, no embedded newlines. Both: UTF-8 (a leading byte-order mark is tolerated), every
line ends with a newline (a missing final newline means the file was truncated), no blank lines.

Validation stops at the first bad row and raises :class:`LedgerError` naming the file, the line
(1-based), the field and the offending value. Readers never write anything.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from communis.address import ADDRESS_RE, ZERO_ADDRESS, to_checksum
from communis.keccak import keccak
from communis.roles import ROLES

COLUMNS: tuple[str, ...] = ("epoch", "account", "role", "points", "ref")
POINT_DECIMALS = 18
POINT_UNIT = 10**POINT_DECIMALS
MAX_POINTS = 10**12
"""Largest ``points`` value of one row (in whole points)."""
MAX_EPOCH = (1 << 64) - 1
MAX_REF_LENGTH = 256
FORMATS = ("jsonl", "csv")

_POINTS_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?\Z")
_EPOCH_RE = re.compile(r"[0-9]{1,20}\Z")
_BOM = b"\xef\xbb\xbf"
_ROLE_INDEX = {role: i for i, role in enumerate(ROLES)}


class LedgerError(ValueError):
    """A ledger file is invalid; says where (file, line, field) and what (value, reason)."""

    def __init__(self, path: Path, line: int, field: str, value: object, reason: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.value = value
        self.reason = reason
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{path}:{line}: field '{field}': {reason} (value {shown})")


@dataclass(frozen=True, slots=True)
class Row:
    """One validated ledger row; ``points`` in units of 10^-18 point."""

    epoch: int
    account: str
    role: str
    points: int
    ref: str


@dataclass(slots=True)
class Ledger:
    """A validated ledger: identity of the file and the points per account and role."""

    path: Path
    format: str
    epoch: int
    rows: int
    sha256: str
    """Hex SHA-256 of the file bytes (what people check with ``sha256sum``)."""
    keccak: str
    """0x-prefixed keccak256 of the file bytes (the ``ledgerHash`` proposed on chain)."""
    points: dict[str, list[int]] = field(default_factory=dict)
    """account -> points per role (``ROLES`` order), in units of 10^-18 point."""

    def total_points(self) -> list[int]:
        totals = [0] * len(ROLES)
        for per_role in self.points.values():
            for i, value in enumerate(per_role):
                totals[i] += value
        return totals


def format_points(units: int) -> str:
    """Canonical decimal string of ``units`` (10^-18 point), e.g. ``12.5``."""
    whole, frac = divmod(units, POINT_UNIT)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:018d}".rstrip("0")


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "csv":
        return "csv"
    raise LedgerError(path, 0, "file", path.name, "unknown ledger format: use .jsonl or .csv")


def read_ledger(path: Path, *, epoch: int | None = None, fmt: str | None = None) -> Ledger:
    """Read and validate a ledger file; ``epoch`` (if given) must be the epoch of every row.

    Raises :class:`LedgerError` at the first problem; reads the whole file into memory.
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise LedgerError(path, 0, "file", fmt, f"unknown ledger format, expected {FORMATS}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(path, 0, "file", str(path), f"cannot read: {exc.strerror}") from exc
    ledger = Ledger(
        path=path,
        format=fmt,
        epoch=-1 if epoch is None else epoch,
        rows=0,
        sha256=hashlib.sha256(data).hexdigest(),
        keccak="0x" + keccak(data).hex(),
    )
    rows = _rows_jsonl(path, data) if fmt == "jsonl" else _rows_csv(path, data)
    _validate_into(ledger, path, rows, epoch)
    return ledger


def iter_rows(path: Path, *, fmt: str | None = None) -> Iterator[Row]:
    """Validated rows one by one (for tools that need the evidence, e.g. reports)."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    data = path.read_bytes()
    rows = _rows_jsonl(path, data) if fmt == "jsonl" else _rows_csv(path, data)
    checker = _RowChecker(path, None)
    for line, raw in rows:
        yield checker.check(line, raw)


# -- reading lines ---------------------------------------------------------------------------


def _lines(path: Path, data: bytes) -> Iterator[tuple[int, str]]:
    """Decoded lines with their 1-based numbers; checks emptiness, truncation and encoding."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        raise LedgerError(path, 1, "file", "", "the ledger is empty")
    parts = data.split(b"\n")
    if parts[-1] != b"":
        raise LedgerError(
            path,
            len(parts),
            "line",
            parts[-1].decode("utf-8", "replace"),
            "truncated last line: the file must end with a newline",
        )
    for number, raw in enumerate(parts[:-1], start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LedgerError(
                path,
                number,
                "encoding",
                raw[max(0, exc.start - 10) : exc.end + 10],
                f"not valid UTF-8 (byte {exc.start + 1} of the line)",
            ) from None
        if text.endswith("\r"):
            text = text[:-1]
        if not text.strip():
            raise LedgerError(path, number, "line", text, "blank line")
        yield number, text


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _rows_jsonl(path: Path, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    decode = json.JSONDecoder(object_pairs_hook=_reject_duplicate_keys).decode
    for number, text in _lines(path, data):
        try:
            obj = decode(text)
        except _DuplicateKey as dup:
            raise LedgerError(path, number, dup.key, text, "field appears twice") from None
        except (json.JSONDecodeError, ValueError) as exc:
            raise LedgerError(path, number, "line", text, f"not valid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise LedgerError(path, number, "line", text, "each line must be a JSON object")
        yield number, obj


def _rows_csv(path: Path, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    lines = _lines(path, data)
    number, header_text = next(lines)
    header = _split_csv(path, number, header_text)
    for name in header:
        if name not in COLUMNS:
            raise LedgerError(path, number, name, name, f"unknown column; expected {COLUMNS}")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise LedgerError(path, number, dup, dup, "column appears twice in the header")
    for name in COLUMNS:
        if name not in header:
            raise LedgerError(path, number, name, header_text, "missing column in the header")
    width = len(header)
    for number, text in lines:
        cells = _split_csv(path, number, text)
        if len(cells) != width:
            raise LedgerError(
                path, number, "line", text, f"expected {width} comma-separated fields"
            )
        row: dict[str, Any] = dict(zip(header, cells, strict=True))
        epoch_text = row["epoch"]
        if not _EPOCH_RE.match(epoch_text):
            raise LedgerError(path, number, "epoch", epoch_text, "not a non-negative integer")
        row["epoch"] = int(epoch_text)
        yield number, row


def _split_csv(path: Path, number: int, text: str) -> list[str]:
    if '"' not in text:
        return text.split(",")
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise LedgerError(path, number, "line", text, f"malformed CSV: {exc}") from None


# -- validating rows -------------------------------------------------------------------------


class _RowChecker:
    """Validates rows one at a time, remembering refs and checked addresses."""

    def __init__(self, path: Path, epoch: int | None) -> None:
        self.path = path
        self.epoch = epoch
        self.refs: set[str] = set()
        self.good_accounts: set[str] = set()

    def fail(self, line: int, name: str, value: object, reason: str) -> LedgerError:
        return LedgerError(self.path, line, name, value, reason)

    def check(self, line: int, row: dict[str, Any]) -> Row:
        if len(row) != len(COLUMNS) or any(name not in row for name in COLUMNS):
            for name in row:
                if name not in COLUMNS:
                    raise self.fail(line, name, row[name], f"unknown field; expected {COLUMNS}")
            for name in COLUMNS:
                if name not in row:
                    raise self.fail(line, name, None, "missing field")
        epoch = row["epoch"]
        if not isinstance(epoch, int) or isinstance(epoch, bool):
            raise self.fail(line, "epoch", epoch, "must be an integer")
        if not 0 <= epoch <= MAX_EPOCH:
            raise self.fail(line, "epoch", epoch, f"out of range 0..{MAX_EPOCH}")
        if self.epoch is None:
            self.epoch = epoch
        elif epoch != self.epoch:
            raise self.fail(line, "epoch", epoch, f"wrong epoch: this ledger is epoch {self.epoch}")
        account = row["account"]
        if account not in self.good_accounts:
            self._check_account(line, account)
        role = row["role"]
        if role not in _ROLE_INDEX:
            raise self.fail(line, "role", role, f"unknown role; expected one of {ROLES}")
        points = self._parse_points(line, row["points"])
        ref = row["ref"]
        if not isinstance(ref, str) or not ref or len(ref) > MAX_REF_LENGTH:
            raise self.fail(line, "ref", ref, f"must be a string of 1..{MAX_REF_LENGTH} chars")
        if not ref.isprintable() or ref != ref.strip():
            raise self.fail(line, "ref", ref, "must be printable, without surrounding spaces")
        if ref in self.refs:
            raise self.fail(line, "ref", ref, "duplicate evidence reference")
        self.refs.add(ref)
        return Row(epoch, account, role, points, ref)

    def _check_account(self, line: int, account: object) -> None:
        if not isinstance(account, str) or not ADDRESS_RE.match(account):
            raise self.fail(line, "account", account, "not a 0x-prefixed 20-byte hex address")
        if account == ZERO_ADDRESS:
            raise self.fail(line, "account", account, "the zero address cannot earn")
        expected = to_checksum(account)
        if account != expected:
            raise self.fail(
                line, "account", account, f"not EIP-55 checksummed (expected {expected})"
            )
        self.good_accounts.add(account)

    def _parse_points(self, line: int, text: object) -> int:
        if not isinstance(text, str):
            raise self.fail(line, "points", text, "must be a decimal string, e.g. \"12.5\"")
        match = _POINTS_RE.match(text)
        if match is None:
            reason = "must not be negative" if text.startswith("-") else "malformed decimal"
            raise self.fail(line, "points", text, reason)
        whole, frac = match.group(1), match.group(2) or ""
        if len(frac) > POINT_DECIMALS:
            raise self.fail(line, "points", text, f"more than {POINT_DECIMALS} decimals")
        if len(whole) > 13 or int(whole) > MAX_POINTS or (int(whole) == MAX_POINTS and frac.strip("0")):
            raise self.fail(line, "points", text, f"too large (at most {MAX_POINTS})")
        return int(whole) * POINT_UNIT + int(frac.ljust(POINT_DECIMALS, "0") or "0")


def _validate_into(
    ledger: Ledger,
    path: Path,
    rows: Iterator[tuple[int, dict[str, Any]]],
    epoch: int | None,
) -> None:
    checker = _RowChecker(path, epoch)
    points = ledger.points
    count = 0
    for line, raw in rows:
        row = checker.check(line, raw)
        per_role = points.get(row.account)
        if per_role is None:
            per_role = points[row.account] = [0, 0, 0, 0]
        per_role[_ROLE_INDEX[row.role]] += row.points
        count += 1
    if count == 0:
        raise LedgerError(path, 1, "file", "", "the ledger has no rows")
    ledger.rows = count
    assert checker.epoch is not None
    ledger.epoch = checker.epoch
