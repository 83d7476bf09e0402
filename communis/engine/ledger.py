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

    {"epoch": 1, "account": "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4", "role": "creator",
     "points": "12.5", "ref": "post/1812"}

(shown wrapped here; in the file each object is on one line).

CSV: a header line naming the five columns (any order), then one row per line, comma
separated, no embedded newlines. Both: UTF-8 (a leading byte-order mark is tolerated), every
line ends with a newline (a missing final newline means the file was truncated), no blank lines.

Validation stops at the first bad row and raises :class:`LedgerError` naming the file, the line
(1-based), the field and the offending value. ``field`` is a column name, or for problems that
are not about one column: ``file`` (empty file, no rows, unknown extension; line 0 or 1),
``line`` (truncated, blank, not JSON, wrong number of CSV cells) or ``encoding`` (not UTF-8).
Readers never write anything.

Big ledgers are validated column-wise in one pass when every line has the plain shape above
(keys in schema order, no escapes); any other file, or any doubt, goes row by row, so the
error reported is always the one on the first bad line.
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

from communis.engine.address import ADDRESS_RE, ZERO_ADDRESS, checksum_problem, to_checksum
from communis.engine.jsonlimits import nesting_depth_exceeds
from communis.engine.keccak import keccak
from communis.engine.parallel import fork_pickled, gc_paused, workers_for
from communis.engine.roles import ROLES
from communis.errors import CommunisError

COLUMNS: tuple[str, ...] = ("epoch", "account", "role", "points", "ref")
POINT_DECIMALS = 18
POINT_UNIT: int = 10**POINT_DECIMALS
MAX_POINTS = 10**12
"""Largest ``points`` value of one row (in whole points)."""
MAX_EPOCH = (1 << 64) - 1
MAX_REF_LENGTH = 256
MAX_LINE_LENGTH = 16_384
"""A JSONL row is a flat object of five short fields; longer lines are refused unparsed."""
MAX_ROW_DEPTH = 2
FORMATS = ("jsonl", "csv")

_POINTS_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?\Z", re.ASCII)
_EPOCH_RE = re.compile(r"[0-9]{1,20}\Z", re.ASCII)
_BOM = b"\xef\xbb\xbf"
_SCALE = [10 ** (POINT_DECIMALS - k) for k in range(POINT_DECIMALS + 1)]
_ROLE_INDEX = {role: i for i, role in enumerate(ROLES)}


class LedgerError(CommunisError, ValueError):
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


def read_ledger(
    path: Path, *, epoch: int | None = None, fmt: str | None = None, workers: int | None = None
) -> Ledger:
    """Read and validate a ledger file; ``epoch`` (if given) must be the epoch of every row.

    Raises :class:`LedgerError` at the first problem (the same one whether or not the work was
    split between two processes); reads the whole file into memory; writes nothing.
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise LedgerError(path, 0, "file", fmt, f"unknown ledger format, expected {FORMATS}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(path, 0, "file", str(path), f"cannot read: {exc.strerror}") from exc
    body, first_line, header = _split_header(path, _whole_file(path, data), fmt)
    if epoch is None:
        epoch = _first_epoch(path, body, first_line, header)
    with gc_paused():
        part = _validate(path, body, first_line, header, epoch, workers)
    if part.count == 0:
        raise LedgerError(path, first_line, "file", "", "the ledger has no rows")
    return Ledger(
        path=path,
        format=fmt,
        epoch=part.epoch if part.epoch is not None else -1,
        rows=part.count,
        sha256=hashlib.sha256(data).hexdigest(),
        keccak="0x" + keccak(data).hex(),
        points=part.points,
    )


def iter_rows(path: Path, *, fmt: str | None = None) -> Iterator[Row]:
    """Validated rows one by one (for tools that need the evidence, e.g. reports)."""
    for _, row in iter_numbered_rows(path, fmt=fmt):
        yield row


def iter_numbered_rows(
    path: Path, *, fmt: str | None = None, whole_ledger_checks: bool = True
) -> Iterator[tuple[int, Row]]:
    """Validated rows with their 1-based line numbers.

    With ``whole_ledger_checks=False`` each row is still validated on its own, but a repeated
    ``ref`` and an epoch other than the first row's are let through, for callers that report
    those problems themselves (the attestation verifier names the attesters involved).
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(path, 0, "file", str(path), f"cannot read: {exc.strerror}") from exc
    body, first_line, header = _split_header(path, _whole_file(path, data), fmt)
    checker = _RowChecker(path, None, whole_ledger_checks=whole_ledger_checks)
    for raw in _raw_rows(path, body, first_line, header):
        yield raw[0], checker.check(raw)


# -- reading lines ---------------------------------------------------------------------------


def _whole_file(path: Path, data: bytes) -> bytes:
    """File-level checks (empty, truncated); returns the bytes without a leading BOM."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        raise LedgerError(path, 1, "file", "", "the ledger is empty")
    if not data.endswith(b"\n"):
        last = data.rsplit(b"\n", 1)[-1]
        raise LedgerError(
            path,
            data.count(b"\n") + 1,
            "line",
            last.decode("utf-8", "replace"),
            "truncated last line: the file must end with a newline",
        )
    return data


def _lines(path: Path, data: bytes, first_line: int) -> Iterator[tuple[int, str]]:
    """Decoded lines of ``data`` (which ends with a newline) with their 1-based numbers."""
    parts = data.split(b"\n")
    parts.pop()
    for number, raw in enumerate(parts, start=first_line):
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


# The canonical row shape (keys in schema order, plain strings): matched without a JSON parse.
# A match implies exactly these five keys once each and string values free of escapes, so the
# captured text *is* the decoded value; anything else goes through the strict JSON path.
_FAST_JSONL = re.compile(
    r'\{[ \t]*"epoch"[ \t]*:[ \t]*(0|[1-9][0-9]{0,19})[ \t]*,'
    r'[ \t]*"account"[ \t]*:[ \t]*"([^"\\\x00-\x1f]*)"[ \t]*,'
    r'[ \t]*"role"[ \t]*:[ \t]*"([^"\\\x00-\x1f]*)"[ \t]*,'
    r'[ \t]*"points"[ \t]*:[ \t]*"([^"\\\x00-\x1f]*)"[ \t]*,'
    r'[ \t]*"ref"[ \t]*:[ \t]*"([^"\\\x00-\x1f]*)"[ \t]*\}[ \t]*\Z'
)

_FAST_JSONL_LINES = re.compile(
    "^" + _FAST_JSONL.pattern.removesuffix(r"[ \t]*\Z") + r"[ \t]*\n", re.MULTILINE
)
"""The same shape, one match per whole line (for ``findall`` over the whole file)."""

_RawRow = tuple[int, object, object, object, object, object]
"""(line, epoch, account, role, points, ref) as read, not yet validated."""


def _from_mapping(path: Path, number: int, row: dict[str, Any]) -> _RawRow:
    if len(row) != len(COLUMNS) or any(name not in row for name in COLUMNS):
        for name in row:
            if name not in COLUMNS:
                raise LedgerError(
                    path, number, name, row[name], f"unknown field; expected {COLUMNS}"
                )
        for name in COLUMNS:
            if name not in row:
                raise LedgerError(path, number, name, None, "missing field")
    return number, row["epoch"], row["account"], row["role"], row["points"], row["ref"]


def _raw_rows(
    path: Path, body: bytes, first_line: int, header: list[str] | None
) -> Iterator[_RawRow]:
    if header is None:
        return _rows_jsonl(path, body, first_line)
    return _rows_csv(path, body, first_line, header)


def _rows_jsonl(path: Path, data: bytes, first_line: int) -> Iterator[_RawRow]:
    decode = json.JSONDecoder(object_pairs_hook=_reject_duplicate_keys).decode
    fast = _FAST_JSONL.match
    for number, text in _lines(path, data, first_line):
        match = fast(text)
        if match is not None:
            epoch, account, role, points, ref = match.groups()
            yield number, int(epoch), account, role, points, ref
            continue
        if len(text) > MAX_LINE_LENGTH:
            raise LedgerError(
                path, number, "line", text, f"longer than {MAX_LINE_LENGTH} characters"
            )
        if nesting_depth_exceeds(text.encode("utf-8"), MAX_ROW_DEPTH):
            raise LedgerError(
                path,
                number,
                "line",
                text,
                f"JSON nested more than {MAX_ROW_DEPTH} levels deep or unbalanced",
            )
        try:
            obj = decode(text)
        except _DuplicateKey as dup:
            raise LedgerError(path, number, dup.key, text, "field appears twice") from None
        except (json.JSONDecodeError, ValueError) as exc:
            raise LedgerError(path, number, "line", text, f"not valid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise LedgerError(path, number, "line", text, "each line must be a JSON object")
        yield _from_mapping(path, number, obj)


def _split_header(path: Path, data: bytes, fmt: str) -> tuple[bytes, int, list[str] | None]:
    """``(body, first line number of the body, CSV header or None for JSONL)``."""
    if fmt == "jsonl":
        return data, 1, None
    head, _, body = data.partition(b"\n")
    _, header_text = next(_lines(path, head + b"\n", 1))
    header = _split_csv(path, 1, header_text)
    for name in header:
        if name not in COLUMNS:
            raise LedgerError(path, 1, name, name, f"unknown column; expected {COLUMNS}")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise LedgerError(path, 1, dup, dup, "column appears twice in the header")
    for name in COLUMNS:
        if name not in header:
            raise LedgerError(path, 1, name, header_text, "missing column in the header")
    return body, 2, header


def _rows_csv(path: Path, data: bytes, first_line: int, header: list[str]) -> Iterator[_RawRow]:
    lines = _lines(path, data, first_line)
    width = len(header)
    order = [header.index(name) for name in COLUMNS]
    i_epoch, i_account, i_role, i_points, i_ref = order
    for number, text in lines:
        cells = _split_csv(path, number, text)
        if len(cells) != width:
            raise LedgerError(
                path, number, "line", text, f"expected {width} comma-separated fields"
            )
        epoch_text = cells[i_epoch]
        if not _EPOCH_RE.match(epoch_text):
            raise LedgerError(path, number, "epoch", epoch_text, "not a non-negative integer")
        yield (
            number,
            int(epoch_text),
            cells[i_account],
            cells[i_role],
            cells[i_points],
            cells[i_ref],
        )


def _split_csv(path: Path, number: int, text: str) -> list[str]:
    if '"' not in text:
        return text.split(",")
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise LedgerError(path, number, "line", text, f"malformed CSV: {exc}") from None


# -- validating rows -------------------------------------------------------------------------


class _RowChecker:
    """Validates raw rows one at a time, remembering refs and checked addresses."""

    def __init__(self, path: Path, epoch: int | None, *, whole_ledger_checks: bool = True) -> None:
        self.path = path
        self.epoch = epoch
        self.whole_ledger_checks = whole_ledger_checks
        self.refs: set[str] = set()
        self.good_accounts: set[object] = set()

    def fail(self, line: int, name: str, value: object, reason: str) -> LedgerError:
        return LedgerError(self.path, line, name, value, reason)

    def check(self, raw: _RawRow) -> Row:
        """Validate one row (hot loop: cheap checks first, caches for repeated accounts)."""
        line, epoch, account, role, points, ref = raw
        if epoch != self.epoch or type(epoch) is not int:
            self._check_epoch(line, epoch)
        if account not in self.good_accounts:
            self._check_account(line, account)
        if role not in _ROLE_INDEX:
            raise self.fail(line, "role", role, f"unknown role; expected one of {ROLES}")
        units = self._parse_points(line, points)
        self._check_ref(line, ref)
        # The checks above raise unless account, role and ref are str; mypy cannot see it.
        if self.whole_ledger_checks:
            self.refs.add(ref)  # type: ignore[arg-type]
        return Row(epoch, account, role, units, ref)  # type: ignore[arg-type]

    def _check_epoch(self, line: int, epoch: object) -> None:
        if not isinstance(epoch, int) or isinstance(epoch, bool):
            raise self.fail(line, "epoch", epoch, "must be an integer")
        if not 0 <= epoch <= MAX_EPOCH:
            raise self.fail(line, "epoch", epoch, f"out of range 0..{MAX_EPOCH}")
        if self.epoch is None:
            self.epoch = epoch
        elif epoch != self.epoch and self.whole_ledger_checks:
            raise self.fail(line, "epoch", epoch, f"wrong epoch: this ledger is epoch {self.epoch}")

    def _check_ref(self, line: int, ref: object) -> None:
        if not isinstance(ref, str):
            raise self.fail(line, "ref", ref, "must be a string")
        if not 0 < len(ref) <= MAX_REF_LENGTH:
            raise self.fail(line, "ref", ref, f"must be 1..{MAX_REF_LENGTH} characters")
        if not ref.isprintable() or ref != ref.strip():
            raise self.fail(line, "ref", ref, "must be printable, without surrounding spaces")
        if ref in self.refs:
            raise self.fail(line, "ref", ref, "duplicate evidence reference")

    def _check_account(self, line: int, account: object) -> None:
        if not isinstance(account, str) or not ADDRESS_RE.match(account):
            raise self.fail(line, "account", account, "not a 0x-prefixed 20-byte hex address")
        if account == ZERO_ADDRESS:
            raise self.fail(line, "account", account, "the zero address cannot earn")
        problem = checksum_problem(account)
        if problem:
            # Mixed case that fails the checksum: maybe mistyped, so no "corrected" form.
            raise self.fail(line, "account", account, problem.split(": ", 1)[1])
        expected = to_checksum(account)
        if account != expected:
            # One case only carries no checksum: its EIP-55 form is the same account.
            raise self.fail(
                line, "account", account, f"not EIP-55 checksummed (write it as {expected})"
            )
        self.good_accounts.add(account)

    def _parse_points(self, line: int, text: object) -> int:
        # Fast path for plain "123" and "123.45" (at most 12 integer digits); else the full check.
        if type(text) is str:
            whole, _, frac = text.partition(".")
            if (
                0 < len(whole) <= 12
                and len(frac) <= POINT_DECIMALS
                and text.isascii()
                and whole.isdigit()
                and (frac.isdigit() or text == whole)
            ):
                return int(whole) * POINT_UNIT + (int(frac) * _SCALE[len(frac)] if frac else 0)
        if not isinstance(text, str):
            raise self.fail(line, "points", text, 'must be a decimal string, e.g. "12.5"')
        match = _POINTS_RE.match(text)
        if match is None:
            reason = "must not be negative" if text.startswith("-") else "malformed decimal"
            raise self.fail(line, "points", text, reason)
        whole, frac = match.group(1), match.group(2) or ""
        if len(frac) > POINT_DECIMALS:
            raise self.fail(line, "points", text, f"more than {POINT_DECIMALS} decimals")
        units = (
            -1
            if len(whole.lstrip("0")) > 13
            else int(whole) * POINT_UNIT + int(frac.ljust(POINT_DECIMALS, "0"))
        )
        if not 0 <= units <= MAX_POINTS * POINT_UNIT:
            raise self.fail(line, "points", text, f"too large (at most {MAX_POINTS})")
        return units


@dataclass(slots=True)
class _Part:
    """The validated content of a run of rows."""

    epoch: int | None
    count: int
    points: dict[str, list[int]]
    refs: set[str]
    """The evidence references seen (empty once merged: only needed while validating)."""


PARALLEL_BYTES = 8 << 20
"""Ledgers bigger than this are validated in two processes (when two cores are available)."""


def _first_epoch(path: Path, body: bytes, first_line: int, header: list[str] | None) -> int | None:
    """The epoch of the first row (``None`` if it cannot be read: validation will say why)."""
    head = body[: body.find(b"\n") + 1]
    try:
        for _, epoch, *_ in _raw_rows(path, head, first_line, header):
            return epoch if type(epoch) is int and 0 <= epoch <= MAX_EPOCH else None
    except LedgerError:
        return None
    return None


def _validate(
    path: Path,
    body: bytes,
    first_line: int,
    header: list[str] | None,
    epoch: int | None,
    workers: int | None,
) -> _Part:
    """Validate every row: the columnar fast path, else row by row (maybe in two halves).

    Any problem in a fast or parallel run (an error in either half, a reference used in both)
    makes the file be validated again serially, row by row, which raises exactly the first
    error; the fast paths only ever accept files the serial path accepts, with equal results.
    """
    if epoch is not None:
        columns = _fast_columns(body, header)
        if columns is not None:
            part = _check_columns(path, columns, epoch)
            if part is not None:
                return part
    if (
        epoch is not None
        and workers_for(len(body) // 100, workers) > 1
        and len(body) > (PARALLEL_BYTES if workers is None else 0)
    ):
        cut = body.find(b"\n", len(body) // 2) + 1
        first, second = body[:cut], body[cut:]
        second_line = first_line + first.count(b"\n")

        def half(data: bytes, line: int) -> _Part | None:
            try:
                return _validate_rows(path, _raw_rows(path, data, line, header), epoch)
            except LedgerError:
                return None

        def child() -> tuple[int, dict[str, list[int]], str] | None:
            part = half(first, first_line)
            # Refs never contain a newline (they are printable): one string pickles fast.
            return None if part is None else (part.count, part.points, "\n".join(part.refs))

        theirs, mine = fork_pickled(child, lambda: half(second, second_line))
        if isinstance(theirs, tuple) and isinstance(mine, _Part):
            count, points, joined = theirs
            refs = mine.refs
            if not any(ref in refs for ref in joined.split("\n")):
                for account, values in mine.points.items():
                    known = points.get(account)
                    if known is None:
                        points[account] = values
                    else:
                        for k in range(len(ROLES)):
                            known[k] += values[k]
                return _Part(epoch, count + mine.count, points, set())
    return _validate_rows(path, _raw_rows(path, body, first_line, header), epoch)


_FAST_POINTS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,18})?\Z")


def _fast_columns(body: bytes, header: list[str] | None) -> list[tuple[str, ...]] | None:
    """``(epoch, account, role, points, ref)`` strings of every row, if every line has the
    plain shape (JSONL: :data:`_FAST_JSONL`; CSV: five unquoted cells); else ``None``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.count("\n")
    if header is None:
        rows = _FAST_JSONL_LINES.findall(text)
        return rows if len(rows) == lines else None
    if '"' in text or "\r" in text:
        return None
    order = [header.index(name) for name in COLUMNS]
    cells = text.split("\n")
    cells.pop()
    rows = []
    for line in cells:
        parts = line.split(",")
        if len(parts) != len(COLUMNS):
            return None
        rows.append(tuple(parts[i] for i in order))
    return rows


def _check_columns(path: Path, rows: list[tuple[str, ...]], epoch: int) -> _Part | None:
    """Validate whole columns at once; ``None`` (never an error) if anything looks wrong."""
    if not rows:
        return None
    # Column lists by comprehension: several times faster than zip(*rows) on a million rows.
    if {row[0] for row in rows} != {str(epoch)}:
        return None
    roles = [row[2] for row in rows]
    if not set(roles) <= _ROLE_INDEX.keys():
        return None
    accounts = [row[1] for row in rows]
    points = [row[3] for row in rows]
    refs = [row[4] for row in rows]
    del rows
    if len(set(refs)) != len(refs):
        return None
    for ref in refs:
        if not (0 < len(ref) <= MAX_REF_LENGTH and ref.isprintable()) or ref != ref.strip():
            return None
    unique = set(accounts)
    for account in unique:
        if (
            not ADDRESS_RE.match(account)
            or account == ZERO_ADDRESS
            or to_checksum(account) != account
        ):
            return None
    match = _FAST_POINTS.match
    if not all(map(match, points)):
        return None
    unit, scale = POINT_UNIT, _SCALE
    totals: dict[tuple[str, str], int] = {}
    get = totals.get
    for account, role, text in zip(accounts, roles, points, strict=True):
        whole, _, frac = text.partition(".")
        key = (account, role)
        totals[key] = (
            get(key, 0) + int(whole) * unit + (int(frac) * scale[len(frac)] if frac else 0)
        )
    result: dict[str, list[int]] = {}
    for (account, role), value in totals.items():
        per_role = result.get(account)
        if per_role is None:
            per_role = result[account] = [0, 0, 0, 0]
        per_role[_ROLE_INDEX[role]] = value
    return _Part(epoch, len(accounts), result, set())


def _validate_rows(path: Path, rows: Iterator[_RawRow], epoch: int | None) -> _Part:
    """The hot loop: :meth:`_RowChecker.check` inlined but for the points (their fast path is
    :meth:`_RowChecker._parse_points`'s first lines), slow paths only on unusual rows."""
    checker = _RowChecker(path, epoch)
    points: dict[str, list[int]] = {}
    role_index = _ROLE_INDEX
    good_accounts = checker.good_accounts
    refs = checker.refs
    add_ref = refs.add
    parse_points = checker._parse_points
    count = 0
    for raw in rows:
        line, row_epoch, account, role, text, ref = raw
        if row_epoch != checker.epoch or type(row_epoch) is not int:
            checker._check_epoch(line, row_epoch)
        if account not in good_accounts:
            checker._check_account(line, account)
        index = role_index.get(role)  # type: ignore[call-overload]  # a miss raises below
        if index is None:
            raise checker.fail(line, "role", role, f"unknown role; expected one of {ROLES}")
        units = parse_points(line, text)
        if (
            ref in refs
            or type(ref) is not str
            or not 0 < len(ref) <= MAX_REF_LENGTH
            or not ref.isprintable()
            or ref != ref.strip()
        ):
            checker._check_ref(line, ref)
        # Inlined checks keep the loop free of isinstance calls, so mypy cannot see that
        # ref and account are str here: _check_ref and _check_account raise otherwise.
        add_ref(ref)  # type: ignore[arg-type]
        per_role = points.get(account)  # type: ignore[call-overload]
        if per_role is None:
            per_role = points[account] = [0, 0, 0, 0]  # type: ignore[index]
        per_role[index] += units
        count += 1
    return _Part(checker.epoch, count, points, refs)
