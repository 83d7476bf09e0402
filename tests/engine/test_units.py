"""The one formatter of amounts and times (communis.engine.units): exact on integers."""

from __future__ import annotations

import pytest

from communis.engine.units import UNIT, format_amount, format_compact, format_time

pytestmark = pytest.mark.offchain

TWO_THIRDS = 2 * UNIT // 3


@pytest.mark.parametrize(
    ("value", "options", "shown"),
    [
        (1_234_567 * 10**17, {}, "123,456.7"),
        (5 * UNIT, {}, "5"),
        (1, {}, "0.000000000000000001"),  # exact: every significant decimal
        (-3 * UNIT // 2, {}, "-1.5"),
        (TWO_THIRDS, {"places": 4}, "0.6666"),  # cut, never rounded up past what there is
        (UNIT + 1, {"places": 4}, "1"),
        (UNIT, {"places": 2, "trim": False}, "1.00"),
        (TWO_THIRDS, {"places": 2, "rounding": True}, "0.67"),
        (999_999 * UNIT // 1000, {"places": 0, "trim": False, "rounding": True}, "1,000"),
        (12_345, {"decimals": 2}, "123.45"),
    ],
)
def test_format_amount(value: int, options: dict, shown: str) -> None:
    assert format_amount(value, **options) == shown


def test_format_time_and_compact() -> None:
    assert format_time(0) == "1970-01-01 00:00:00 UTC"
    assert format_time(90, now=30) == "90 (1970-01-01 00:01:30 UTC, in 1m 0s)"
    assert format_time(0, now=2 * 86_400 + 3_600) == "0 (1970-01-01 00:00:00 UTC, 2d 1h ago)"
    assert format_compact(47_090_000.0) == "47.09M"
    assert format_compact(950_000.0, 3) == "950k"
    assert format_compact(-1_500_000.0, 3) == "-1.5M"
    assert format_compact(12.0) == "12"


def test_amounts_and_times_for_people() -> None:
    from communis.engine.units import format_influence, format_tokens, format_when

    assert format_tokens(1_234_567 * 10**15) == "1,234.56 CMN"  # cut, never rounded up
    assert format_tokens(5 * UNIT) == "5 CMN"
    assert format_influence(UNIT // 3) == "0.3333 influence"
    assert format_when(90) == "1970-01-01 00:01 UTC"
    assert format_when(90, now=30) == "1970-01-01 00:01 UTC (in 1m 0s)"
    assert format_when(30, now=90) == "1970-01-01 00:00 UTC (1m 0s ago)"
    assert format_when(30, now=30) == "1970-01-01 00:00 UTC (now)"


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1000", 1000 * UNIT),
        ("1,000.5", 1000 * UNIT + UNIT // 2),
        ("1_000", 1000 * UNIT),
        ("2.5e3", 2500 * UNIT),
        ("0.000000000000000001", 1),
        ("0", 0),
    ],
)
def test_parse_amount(text: str, units: int) -> None:
    from communis.engine.units import parse_amount

    assert parse_amount(text) == units


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("12h", 43200),
        ("2d", 172800),
        ("1w", 604800),
        ("1d12h", 129600),
        ("600", 600),
        (" 2D ", 172800),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    from communis.engine.units import parse_duration

    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["2x", "d", "-1", "1.5d", "", "2d3"])
def test_parse_duration_refuses(text: str) -> None:
    from communis.engine.units import UnitsError, parse_duration

    with pytest.raises(UnitsError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["x", "-1", "1e-19", "0.0000000000000000001", "nan"])
def test_parse_amount_refuses(text: str) -> None:
    from communis.engine.units import UnitsError, parse_amount

    with pytest.raises(UnitsError):
        parse_amount(text)
