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
"""

from __future__ import annotations

from datetime import UTC, datetime

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
