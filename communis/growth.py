"""Influence decay arithmetic, bit-for-bit identical to ``contracts/Influence.sol``.

Influence halves every ``half_life`` epochs. Instead of writing to every account each epoch, the
contract stores *growth-scaled units*: an award of ``a`` earned in epoch ``e`` is stored as
``a * G(e)``, with ``G(e) = 2 ** (e / half_life)``, and the influence at epoch ``E`` is
``stored / G(E)``. All balances at one timepoint share the divisor, so every ratio a Governor
computes at a snapshot is exact, while absolute values decay.

``G`` is a Q64.64 fixed-point number: ``growth(e, h) = exp2_q64(frac) << (e // h)`` where
``frac = ((e % h) << 64) // h`` and ``exp2_q64`` multiplies, for each set bit ``k`` of the
fraction, the constant ``floor(2 ** (2 ** -k) * 2 ** 64)`` (rounding down after each product).
The Merkle leaves of ContributionRewards carry cumulative influence in stored units, so the
off-chain engine uses :func:`to_stored` to credit each epoch at its own growth factor.

Pure integer arithmetic: no floats, deterministic on every machine.
"""

from __future__ import annotations

ONE = 1 << 64
"""Q64.64 one: ``growth(0, h) == ONE``."""

# EXP2_CONSTANTS[k - 1] = floor(2 ** (2 ** -k) * 2 ** 64) for k = 1..64 (checked in tests).
EXP2_CONSTANTS: tuple[int, ...] = (
    0x16a09e667f3bcc908,
    0x1306fe0a31b7152de,
    0x1172b83c7d517adcd,
    0x10b5586cf9890f629,
    0x1059b0d31585743ae,
    0x102c9a3e778060ee6,
    0x10163da9fb33356d8,
    0x100b1afa5abcbed61,
    0x10058c86da1c09ea1,
    0x1002c605e2e8cec50,
    0x100162f3904051fa1,
    0x1000b175effdc76ba,
    0x100058ba01fb9f96d,
    0x10002c5cc37da9491,
    0x1000162e525ee0547,
    0x10000b17255775c04,
    0x1000058b91b5bc9ae,
    0x100002c5c89d5ec6c,
    0x10000162e43f4f831,
    0x100000b1721bcfc99,
    0x10000058b90cf1e6d,
    0x1000002c5c863b73f,
    0x100000162e430e5a1,
    0x1000000b172183551,
    0x100000058b90c0b48,
    0x10000002c5c8601cc,
    0x1000000162e42fff0,
    0x10000000b17217fba,
    0x1000000058b90bfcd,
    0x100000002c5c85fe3,
    0x10000000162e42ff0,
    0x100000000b17217f8,
    0x10000000058b90bfb,
    0x1000000002c5c85fd,
    0x100000000162e42fe,
    0x1000000000b17217f,
    0x100000000058b90bf,
    0x10000000002c5c85f,
    0x1000000000162e42f,
    0x10000000000b17217,
    0x1000000000058b90b,
    0x100000000002c5c85,
    0x10000000000162e42,
    0x100000000000b1721,
    0x10000000000058b90,
    0x1000000000002c5c8,
    0x100000000000162e4,
    0x1000000000000b172,
    0x100000000000058b9,
    0x10000000000002c5c,
    0x1000000000000162e,
    0x10000000000000b17,
    0x1000000000000058b,
    0x100000000000002c5,
    0x10000000000000162,
    0x100000000000000b1,
    0x10000000000000058,
    0x1000000000000002c,
    0x10000000000000016,
    0x1000000000000000b,
    0x10000000000000005,
    0x10000000000000002,
    0x10000000000000001,
    0x10000000000000000,
)


def exp2_q64(frac: int) -> int:
    """``2 ** (frac / 2**64)`` in Q64.64 for a Q64 fraction ``0 <= frac < 2**64`` (floor)."""
    if not 0 <= frac < ONE:
        raise ValueError(f"fraction out of range: {frac}")
    result = ONE
    for k, constant in enumerate(EXP2_CONSTANTS, start=1):
        if frac & (1 << (64 - k)):
            result = (result * constant) >> 64
    return result


def growth(epoch: int, half_life: int) -> int:
    """The growth factor ``G(epoch) = 2 ** (epoch / half_life)`` in Q64.64."""
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch}")
    if half_life <= 0:
        raise ValueError(f"half_life must be > 0, got {half_life}")
    whole, rest = divmod(epoch, half_life)
    return exp2_q64((rest << 64) // half_life) << whole


def to_stored(amount: int, epoch: int, half_life: int) -> int:
    """Stored units for ``amount`` influence earned in ``epoch`` (floor)."""
    if amount < 0:
        raise ValueError(f"amount must be >= 0, got {amount}")
    return (amount * growth(epoch, half_life)) >> 64


def to_influence(stored: int, epoch: int, half_life: int) -> int:
    """Influence at ``epoch`` of ``stored`` units (floor)."""
    if stored < 0:
        raise ValueError(f"stored must be >= 0, got {stored}")
    return (stored << 64) // growth(epoch, half_life)
