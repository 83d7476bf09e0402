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
