"""Ledger reading: both formats, points arithmetic, and a corpus of malformed ledgers that each
fail with the exact file, line and field, leaving nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from communis.engine.bundle import build_bundle
from communis.engine.ledger import POINT_UNIT, LedgerError, format_points, iter_rows, read_ledger
from tests.helpers.ledger import csv_text, jsonl, policy, random_accounts, row, sample_rows, write

pytestmark = pytest.mark.offchain

A, B = random_accounts(2, seed=42)
GOOD = row(1, A, "creator", "12.5", "post/1")
GOOD2 = row(1, B, "curator", "3", "post/2")


def test_jsonl_and_csv_read_the_same(tmp_path: Path) -> None:
    rows = sample_rows(1)
    from_jsonl = read_ledger(write(tmp_path / "e.jsonl", jsonl(rows)))
    from_csv = read_ledger(write(tmp_path / "e.csv", csv_text(rows)))
    assert from_jsonl.points == from_csv.points
    assert from_jsonl.epoch == from_csv.epoch == 1
    assert from_jsonl.rows == from_csv.rows == len(rows)
    assert from_jsonl.sha256 != from_csv.sha256  # hashes are of the bytes


def test_points_are_aggregated_per_account_and_role(tmp_path: Path) -> None:
    rows = [GOOD, GOOD2, row(1, A, "creator", "0.5", "post/3"), row(1, A, "guardian", "1", "g")]
    ledger = read_ledger(write(tmp_path / "e.jsonl", jsonl(rows)))
    assert ledger.points[A] == [13 * POINT_UNIT, 0, POINT_UNIT, 0]
    assert ledger.points[B] == [0, 3 * POINT_UNIT, 0, 0]
    assert ledger.total_points() == [13 * POINT_UNIT, 3 * POINT_UNIT, POINT_UNIT, 0]


def test_hashes_of_the_file_bytes(tmp_path: Path) -> None:
    import hashlib

    from communis.engine.keccak import keccak

    path = write(tmp_path / "e.jsonl", jsonl([GOOD]))
    ledger = read_ledger(path)
    assert ledger.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ledger.keccak == "0x" + keccak(path.read_bytes()).hex()


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("0", 0),
        ("7", 7 * POINT_UNIT),
        ("0.000000000000000001", 1),
        ("12.5", 12 * POINT_UNIT + POINT_UNIT // 2),
        ("1000000000000", 10**12 * POINT_UNIT),
        ("007.50", 7 * POINT_UNIT + POINT_UNIT // 2),
    ],
)
def test_points_are_exact_decimals(tmp_path: Path, text: str, units: int) -> None:
    ledger = read_ledger(write(tmp_path / "e.jsonl", jsonl([row(1, A, "creator", text, "r")])))
    assert ledger.points[A][0] == units


def test_format_points_round_trips() -> None:
    for units in (0, 1, POINT_UNIT, 12 * POINT_UNIT + POINT_UNIT // 2, 10**30 + 7):
        text = format_points(units)
        whole, _, frac = text.partition(".")
        assert int(whole) * POINT_UNIT + int(frac.ljust(18, "0") or 0) == units


def test_json_rows_in_any_key_order_and_spacing(tmp_path: Path) -> None:
    text = f'{{"ref":"x","points":"1","role":"creator","account":"{A}","epoch":1}}\n'
    text += f'{{ "epoch" : 1 , "account" : "{A}", "role": "curator", "points": "2", "ref": "y" }}\n'
    ledger = read_ledger(write(tmp_path / "e.jsonl", text))
    assert ledger.points[A] == [POINT_UNIT, 2 * POINT_UNIT, 0, 0]


def test_escaped_json_strings_are_decoded(tmp_path: Path) -> None:
    text = json.dumps(row(1, A, "creator", "1", "caf\u00e9 \u2192 post")) + "\n"
    rows = list(iter_rows(write(tmp_path / "e.jsonl", text)))
    assert rows[0].ref == "caf\u00e9 \u2192 post"


def test_crlf_and_bom_are_tolerated(tmp_path: Path) -> None:
    text = "\ufeff" + csv_text([GOOD, GOOD2]).replace("\n", "\r\n")
    assert read_ledger(write(tmp_path / "e.csv", text)).rows == 2


def test_expected_epoch_is_enforced(tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl", jsonl([GOOD]))
    with pytest.raises(LedgerError) as err:
        read_ledger(path, epoch=2)
    assert (err.value.line, err.value.field) == (1, "epoch")


def test_parallel_validation_gives_the_same_result_and_first_error(tmp_path: Path) -> None:
    rows = sample_rows(1, count=400, accounts=50)
    path = write(tmp_path / "e.jsonl", jsonl(rows))
    assert read_ledger(path, workers=1).points == read_ledger(path, workers=2).points
    # A reference reused across the two halves, and a later error in the second half.
    rows[300] = {**rows[300], "ref": rows[10]["ref"]}
    rows[350] = {**rows[350], "role": "king"}
    bad = write(tmp_path / "bad.jsonl", jsonl(rows))
    for workers in (1, 2):
        with pytest.raises(LedgerError) as err:
            read_ledger(bad, workers=workers)
        assert (err.value.line, err.value.field) == (301, "ref")


# -- the malformed corpus ----------------------------------------------------------------------

LOWER_A = A.lower()
BAD_CASE_A = A[:2] + A[2:].swapcase()
assert BAD_CASE_A not in (A, LOWER_A)
HUGE = "9" * 5000


def _j(*rows: dict) -> str:
    return jsonl(rows)


def _line(**changes: object) -> str:
    return json.dumps({**GOOD2, **changes}) + "\n"


MALFORMED: list[tuple[str, str, str | bytes, int, str]] = [
    # (case id, file name, content, line, field)
    ("address-not-hex", "e.jsonl", _j(GOOD) + _line(account="0xZZ" + "0" * 38), 2, "account"),
    ("address-too-short", "e.jsonl", _j(GOOD) + _line(account=A[:-2]), 2, "account"),
    ("address-no-prefix", "e.jsonl", _j(GOOD) + _line(account=A[2:] + "00"), 2, "account"),
    ("address-not-checksummed", "e.jsonl", _j(GOOD) + _line(account=LOWER_A), 2, "account"),
    ("address-bad-checksum", "e.jsonl", _j(GOOD) + _line(account=BAD_CASE_A), 2, "account"),
    ("address-zero", "e.jsonl", _j(GOOD) + _line(account="0x" + "0" * 40), 2, "account"),
    ("address-number", "e.jsonl", _j(GOOD) + _line(account=12), 2, "account"),
    ("role-unknown", "e.jsonl", _j(GOOD) + _line(role="moderator"), 2, "role"),
    ("role-wrong-case", "e.jsonl", _j(GOOD) + _line(role="Creator"), 2, "role"),
    ("points-negative", "e.jsonl", _j(GOOD) + _line(points="-5"), 2, "points"),
    ("points-exponent", "e.jsonl", _j(GOOD) + _line(points="1e5"), 2, "points"),
    ("points-float", "e.jsonl", _j(GOOD) + _line(points=12.5), 2, "points"),
    ("points-empty", "e.jsonl", _j(GOOD) + _line(points=""), 2, "points"),
    ("points-trailing-dot", "e.jsonl", _j(GOOD) + _line(points="3."), 2, "points"),
    ("points-unicode-digits", "e.jsonl", _j(GOOD) + _line(points="\u0663"), 2, "points"),
    ("points-too-precise", "e.jsonl", _j(GOOD) + _line(points="0." + "0" * 18 + "1"), 2, "points"),
    ("points-too-large", "e.jsonl", _j(GOOD) + _line(points="1000000000000.5"), 2, "points"),
    ("points-huge", "e.jsonl", _j(GOOD) + _line(points=HUGE), 2, "points"),
    ("ref-duplicate", "e.jsonl", _j(GOOD, GOOD2) + _line(ref="post/1"), 3, "ref"),
    ("ref-empty", "e.jsonl", _j(GOOD) + _line(ref=""), 2, "ref"),
    ("ref-control-char", "e.jsonl", _j(GOOD) + _line(ref="a\u0007b"), 2, "ref"),
    ("ref-too-long", "e.jsonl", _j(GOOD) + _line(ref="x" * 257), 2, "ref"),
    ("epoch-wrong", "e.jsonl", _j(GOOD) + _line(epoch=2), 2, "epoch"),
    ("epoch-string", "e.jsonl", _j(GOOD) + _line(epoch="1"), 2, "epoch"),
    ("epoch-negative", "e.jsonl", _line(epoch=-1), 1, "epoch"),
    ("epoch-huge", "e.jsonl", _line(epoch=2**70), 1, "epoch"),
    ("epoch-bool", "e.jsonl", _j(GOOD) + _line(epoch=True), 2, "epoch"),
    ("epoch-5000-digits", "e.jsonl", _j(GOOD) + f'{{"epoch": {HUGE}}}\n', 2, "line"),
    ("column-unknown", "e.jsonl", _j(GOOD) + _line(note="hi"), 2, "note"),
    (
        "column-missing",
        "e.jsonl",
        _j(GOOD) + json.dumps({k: v for k, v in GOOD2.items() if k != "ref"}) + "\n",
        2,
        "ref",
    ),
    ("key-duplicate", "e.jsonl", _j(GOOD) + _line()[:-2] + ', "points": "900"}\n', 2, "points"),
    ("json-invalid", "e.jsonl", _j(GOOD) + "{epoch: 1}\n", 2, "line"),
    ("json-not-object", "e.jsonl", _j(GOOD) + "[1, 2]\n", 2, "line"),
    ("blank-line", "e.jsonl", _j(GOOD) + "\n" + _j(GOOD2), 2, "line"),
    (
        "bad-utf8",
        "e.jsonl",
        _j(GOOD).encode() + _line(ref="cafX").encode().replace(b"X", b"\xe9"),
        2,
        "encoding",
    ),
    ("empty-file", "e.jsonl", "", 1, "file"),
    ("whitespace-file", "e.jsonl", " \n\n", 1, "file"),
    ("truncated-last-line", "e.jsonl", _j(GOOD) + _line()[:40], 2, "line"),
    ("truncated-no-newline", "e.jsonl", _j(GOOD) + _line()[:-1], 2, "line"),
    ("csv-unknown-column", "e.csv", "epoch,account,role,points,ref,extra\n", 1, "extra"),
    ("csv-missing-column", "e.csv", f"epoch,account,role,points\n1,{A},creator,1\n", 1, "ref"),
    ("csv-duplicate-column", "e.csv", "epoch,account,role,points,ref,ref\n", 1, "ref"),
    ("csv-header-only", "e.csv", "epoch,account,role,points,ref\n", 2, "file"),
    ("csv-too-many-fields", "e.csv", csv_text([GOOD]) + f"1,{B},creator,1,r2,x\n", 3, "line"),
    ("csv-epoch-not-number", "e.csv", csv_text([GOOD]) + f"one,{B},creator,1,r2\n", 3, "epoch"),
    ("csv-bad-address", "e.csv", csv_text([GOOD]) + f"1,{LOWER_A},creator,1,r2\n", 3, "account"),
    (
        "csv-huge-points",
        "e.csv",
        csv_text([GOOD]) + f"1,{B},creator,{HUGE},r2\n",
        3,
        "points",
    ),
    ("csv-truncated", "e.csv", csv_text([GOOD]) + f"1,{B},creator,1", 3, "line"),
    ("csv-bad-quotes", "e.csv", csv_text([GOOD]) + f'1,{B},creator,1,"r2\n', 3, "line"),
    ("unknown-extension", "e.txt", _j(GOOD), 0, "file"),
    ("csv-ref-duplicate", "e.csv", csv_text([GOOD, GOOD2]) + f"1,{B},creator,1,post/1\n", 4, "ref"),
    (
        "csv-bad-utf8",
        "e.csv",
        csv_text([GOOD]).encode() + f"1,{B},creator,1,caf".encode() + b"\xe9\n",
        3,
        "encoding",
    ),
]


def test_the_corpus_is_big_enough() -> None:
    assert len(MALFORMED) >= 25
    assert len({case[0] for case in MALFORMED}) == len(MALFORMED)


@pytest.mark.parametrize(
    ("name", "content", "line", "field"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED],
)
def test_malformed_ledger_names_line_and_field_and_writes_nothing(
    tmp_path: Path, name: str, content: str | bytes, line: int, field: str
) -> None:
    ledger = write(tmp_path / "in" / name, content)
    out = tmp_path / "out"
    with pytest.raises(LedgerError) as err:
        build_bundle(ledger, policy(), 4, out / "1")
    error = err.value
    assert (error.path, error.line, error.field) == (ledger, line, field), str(error)
    assert str(error).startswith(f"{ledger}:{line}: field '{field}'")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["in", name])


def _slow_points(path: Path) -> dict[str, list[int]]:
    from communis.engine.roles import ROLES

    points: dict[str, list[int]] = {}
    for r in iter_rows(path):
        points.setdefault(r.account, [0] * len(ROLES))[ROLES.index(r.role)] += r.points
    return points


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_fast_columnar_path_agrees_with_row_by_row(tmp_path: Path, fmt: str) -> None:
    from communis.engine import ledger as module

    rows = sample_rows(4, count=300, accounts=40, seed=11)
    text = jsonl(rows) if fmt == "jsonl" else csv_text(rows)
    path = write(tmp_path / f"e.{fmt}", text)
    body, _, header = module._split_header(path, path.read_bytes(), fmt)
    assert module._fast_columns(body, header) is not None  # the plain shape takes the fast path
    assert read_ledger(path).points == _slow_points(path)


def test_unusual_but_valid_lines_fall_back_to_the_row_path(tmp_path: Path) -> None:
    rows = sample_rows(4, count=50, accounts=10, seed=12)
    text = jsonl(rows[:-1])
    last = rows[-1]
    text += json.dumps({k: last[k] for k in reversed(list(last))}) + "\n"  # other key order
    path = write(tmp_path / "e.jsonl", text)
    assert read_ledger(path).points == _slow_points(path)
    assert read_ledger(path).rows == 50
