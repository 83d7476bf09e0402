"""How amounts and times are shown to people: one formatter for each, used by every layer.

Amounts are integers in the smallest unit (18 decimals for CMN and influence); they are shown in
whole units with thousands separators, computed exactly on integers (never through a float)::

    format_amount(1_234_567 * 10**17)                -> "123,456.7"  (exact)
    format_amount(2 * 10**18 // 3, places=4)         -> "0.6666"     (cut, trailing zeros dropped)
    format_amount(10**18, places=2, trim=False)      -> "1.00"       (fixed places)
    format_amount(2 * 10**18 // 3, places=2, rounding=True) -> "0.67"

Times are unix timestamps, shown in UTC; with ``now`` they also say how far away they are::

    format_compact(47_090_000.0)                     -> "47.09M"      (for a glance, a float)

    format_time(0)                 -> "1970-01-01 00:00:00 UTC"
    format_time(90, now=30)        -> "90 (1970-01-01 00:01:30 UTC, in 1m 0s)"
    format_when(90)                -> "1970-01-01 00:01 UTC"       (to the minute, for people)
    format_when(90, now=30)        -> "1970-01-01 00:01 UTC (in 1m 0s)"

What people type is read back exactly::

    parse_amount("1,000.5")        -> 1000500000000000000000       (whole units -> smallest)
    parse_duration("2d")           -> 172800     ("90s", "30m", "12h", "2d", "1w", "1d12h")

For people, amounts get a few decimals and their unit (exact values go to ``--raw``/``--json``)::

    format_tokens(1_234_567 * 10**15)  -> "1,234.56 CMN"
    format_influence(10**18 // 3)      -> "0.3333 influence"
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from communis.errors import CommunisError

DECIMALS = 18
UNIT = 10**DECIMALS
"""One whole token (or influence) in smallest units."""


def format_amount(
    value: int,
    *,
    decimals: int = DECIMALS,
    places: int | None = None,
    trim: bool = True,
    rounding: bool = False,
) -> str:
    """``value`` (``decimals`` decimals) in whole units with thousands separators.

    ``places=None`` shows every significant decimal (exact). With ``places`` the fraction is cut
    to that many digits (``rounding``: rounded half up instead); ``trim`` drops trailing zeros
    (and a bare decimal point), otherwise exactly ``places`` digits follow the point.
    """
    value = int(value)
    sign, magnitude = ("-", -value) if value < 0 else ("", value)
    digits = decimals if places is None else min(places, decimals)
    scale = 10 ** (decimals - digits)
    if rounding:
        magnitude = (magnitude + scale // 2) // scale
    else:
        magnitude //= scale
    whole, frac = divmod(magnitude, 10**digits)
    fraction = f"{frac:0{digits}d}" if digits else ""
    if trim or places is None:
        fraction = fraction.rstrip("0")
    if places is not None and not trim and places > digits:
        fraction += "0" * (places - digits)
    return f"{sign}{whole:,}" + (f".{fraction}" if fraction else "")


def format_compact(value: float, digits: int = 4) -> str:
    """A quantity for a glance (a table cell, a chart axis): ``digits`` significant digits and a
    suffix, ``47.09M``, ``950k``, ``12``. ``value`` is already in whole units."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def format_duration(seconds: int) -> str:
    """A positive number of seconds as its two largest units (``3d 4h``, ``5h 6m``, ``7m 8s``)."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s"


def format_time(timestamp: int, *, now: int | None = None) -> str:
    """``timestamp`` in UTC; with ``now``: the raw timestamp, the UTC time and how far it is."""
    stamp = datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if now is None:
        return stamp
    delta = int(timestamp) - int(now)
    relative = f"in {format_duration(delta)}" if delta > 0 else f"{format_duration(-delta)} ago"
    return f"{timestamp} ({stamp}, {relative})"


TOKEN_SYMBOL = "CMN"
TOKEN_PLACES = 2
"""Decimals shown for tokens: cents are the smallest amount anyone acts on."""
INFLUENCE_PLACES = 4
"""Decimals shown for influence: decay makes small fractions meaningful in a vote."""


def format_tokens(value: int, *, symbol: str = TOKEN_SYMBOL) -> str:
    """Tokens for people: two decimals at most (cut, never rounded up), and the symbol."""
    return f"{format_amount(value, places=TOKEN_PLACES)} {symbol}"


def format_influence(value: int) -> str:
    """Influence for people: four decimals at most (cut), and the unit."""
    return f"{format_amount(value, places=INFLUENCE_PLACES)} influence"


def format_when(timestamp: int, *, now: int | None = None) -> str:
    """``timestamp`` in UTC to the minute; with ``now``, how far away it is."""
    stamp = datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    if now is None:
        return stamp
    delta = int(timestamp) - int(now)
    if delta == 0:
        return f"{stamp} (now)"
    relative = f"in {format_duration(delta)}" if delta > 0 else f"{format_duration(-delta)} ago"
    return f"{stamp} ({relative})"


class UnitsError(CommunisError, ValueError):
    """A quantity typed by a person cannot be read."""


def parse_amount(text: str, *, decimals: int = DECIMALS) -> int:
    """Whole units typed by a person (``"1000"``, ``"1,000.5"``, ``"1_000"``, ``"2.5e3"``) in
    smallest units, exactly; at most ``decimals`` decimals, never negative."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UnitsError(f"{text!r} is not a number") from None
    units = value * 10**decimals
    if not value.is_finite() or value < 0 or units != units.to_integral_value():
        raise UnitsError(f"{text!r}: expected a number >= 0 with at most {decimals} decimals")
    return int(units)


_DURATION_PART = re.compile(r"(\d+)\s*([smhdw])")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> int:
    """Seconds of a duration typed by a person: ``"90s"``, ``"30m"``, ``"12h"``, ``"2d"``,
    ``"1w"``, combined as ``"1d12h"``; a bare number is seconds."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        return int(cleaned)
    parts = _DURATION_PART.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise UnitsError(f"{text!r} is not a duration: write e.g. 90s, 30m, 12h, 2d, 1w or 1d12h")
    return sum(int(number) * DURATION_UNITS[unit] for number, unit in parts)
