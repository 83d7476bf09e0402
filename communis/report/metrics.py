"""Concentration metrics for token and influence distributions.

These are the numbers a community checks to see whether it is becoming a plutocracy:

* :func:`gini` -- the Gini coefficient, 0 when every account holds the same amount and
  ``(n - 1) / n`` (so tending to 1) when one account of ``n`` holds everything;
* :func:`lorenz_curve` -- the points of the Lorenz curve the Gini coefficient is read from;
* :func:`nakamoto_coefficient` -- the fewest accounts whose combined balance reaches a threshold
  (for governance: the quorum, or half of all influence, see :func:`nakamoto_share`);
* :func:`top_k_share` -- the share of the total held by the ``k`` largest accounts.

Amounts are non-negative integers (token wei, influence units) or other exact rationals; every
metric is computed exactly with integers / :class:`fractions.Fraction` and only converted to
``float`` at the end, so results do not depend on the order of the input or on the size of the
amounts (``10**30`` is as exact as ``3``). Pure Python: no ape, web3 or numpy.

Conventions for degenerate inputs (documented per function): an empty distribution, or one in
which every amount is zero, has Gini 0, a Lorenz curve equal to the line of equality and top-k
share 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from numbers import Rational
from typing import TypeAlias

Amount: TypeAlias = int | Fraction
"""An exact, non-negative amount (``bool`` is rejected)."""

__all__ = [
    "Amount",
    "gini",
    "gini_fraction",
    "lorenz_curve",
    "nakamoto_coefficient",
    "nakamoto_share",
    "top_k_share",
    "top_k_share_fraction",
]


def _amounts(values: Iterable[Amount]) -> list[Amount]:
    """Materialise ``values``, rejecting anything that is not an exact non-negative amount."""
    out: list[Amount] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Rational):
            raise TypeError(f"amounts must be int or Fraction, got {type(v).__name__}: {v!r}")
        if v < 0:
            raise ValueError(f"amounts must be non-negative, got {v}")
        out.append(v)
    return out


def gini_fraction(values: Iterable[Amount]) -> Fraction:
    """The exact Gini coefficient of ``values`` as a :class:`~fractions.Fraction`.

    With the amounts sorted ascending, ``x_1 <= ... <= x_n`` and ``S = sum(x)``::

        G = sum_i (2 i - n - 1) x_i / (n S)

    which equals half the relative mean absolute difference. ``0`` for an empty input, a single
    account, all-zero amounts, or all-equal amounts; ``(n - 1) / n`` when one of ``n`` accounts
    holds everything. Zero balances count as accounts (they make the distribution less equal).
    """
    xs = sorted(_amounts(values))
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return Fraction(0)
    weighted = sum((2 * i - n - 1) * x for i, x in enumerate(xs, start=1))
    return Fraction(weighted) / (n * total)


def gini(values: Iterable[Amount]) -> float:
    """The Gini coefficient of ``values`` in ``[0, 1)``; see :func:`gini_fraction`."""
    return float(gini_fraction(values))


def lorenz_curve(values: Iterable[Amount]) -> list[tuple[float, float]]:
    """The Lorenz curve of ``values``: ``n + 1`` points ``(share of accounts, share of total)``.

    Accounts are sorted ascending; point ``i`` is ``(i / n, (x_1 + ... + x_i) / S)``, from
    ``(0, 0)`` to ``(1, 1)``. The area between it and the diagonal is ``G / 2``. Each coordinate
    is an exact ratio rounded once to ``float``. For an empty or all-zero input the curve is the
    line of equality (``[(0, 0), (1, 1)]`` when empty).
    """
    xs = sorted(_amounts(values))
    n = len(xs)
    if n == 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    total = sum(xs)
    points = [(0.0, 0.0)]
    running: Amount = 0
    for i, x in enumerate(xs, start=1):
        running += x
        share = float(Fraction(running) / total) if total else i / n
        points.append((i / n, share))
    return points


def nakamoto_coefficient(values: Iterable[Amount], threshold: Amount) -> int | None:
    """The fewest accounts whose combined balance reaches ``threshold`` (``>=``).

    Taking the largest balances first is optimal, so this is the smallest ``k`` with
    ``x_(1) + ... + x_(k) >= threshold`` for balances sorted descending. ``0`` when
    ``threshold <= 0`` (no account is needed); ``None`` when even all accounts together stay
    below ``threshold`` (for example a quorum larger than all influence in circulation).
    Non-decreasing in ``threshold``.
    """
    xs = sorted(_amounts(values), reverse=True)
    if isinstance(threshold, bool) or not isinstance(threshold, Rational):
        raise TypeError(f"threshold must be int or Fraction, got {type(threshold).__name__}")
    if threshold <= 0:
        return 0
    running: Amount = 0
    for k, x in enumerate(xs, start=1):
        running += x
        if running >= threshold:
            return k
    return None


def nakamoto_share(values: Iterable[Amount], share: Fraction = Fraction(1, 2)) -> int | None:
    """The fewest accounts whose combined balance reaches ``share`` of the total (``>=``).

    The default, half of all influence, is the classic Nakamoto coefficient: how many accounts
    would have to collude to hold as much as everybody else together. ``share`` is an exact
    fraction in ``[0, 1]``. ``0`` for an empty or all-zero input (nothing needs to be reached).
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be in [0, 1], got {share}")
    xs = _amounts(values)
    return nakamoto_coefficient(xs, Fraction(share) * sum(xs))


def top_k_share_fraction(values: Iterable[Amount], k: int) -> Fraction:
    """The exact share of the total held by the ``k`` largest balances (0 if the total is 0).

    ``k <= 0`` gives 0; ``k >= n`` gives 1 (for a non-zero total).
    """
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    xs = sorted(_amounts(values), reverse=True)
    total = sum(xs)
    if total == 0:
        return Fraction(0)
    return Fraction(sum(xs[:k])) / total


def top_k_share(values: Iterable[Amount], k: int) -> float:
    """The share of the total held by the ``k`` largest balances; see
    :func:`top_k_share_fraction`."""
    return float(top_k_share_fraction(values, k))
