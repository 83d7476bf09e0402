"""Influence decay arithmetic, bit-for-bit identical to ``contracts/governance/DecayingVotes.sol``.

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
    0x16A09E667F3BCC908,
    0x1306FE0A31B7152DE,
    0x1172B83C7D517ADCD,
    0x10B5586CF9890F629,
    0x1059B0D31585743AE,
    0x102C9A3E778060EE6,
    0x10163DA9FB33356D8,
    0x100B1AFA5ABCBED61,
    0x10058C86DA1C09EA1,
    0x1002C605E2E8CEC50,
    0x100162F3904051FA1,
    0x1000B175EFFDC76BA,
    0x100058BA01FB9F96D,
    0x10002C5CC37DA9491,
    0x1000162E525EE0547,
    0x10000B17255775C04,
    0x1000058B91B5BC9AE,
    0x100002C5C89D5EC6C,
    0x10000162E43F4F831,
    0x100000B1721BCFC99,
    0x10000058B90CF1E6D,
    0x1000002C5C863B73F,
    0x100000162E430E5A1,
    0x1000000B172183551,
    0x100000058B90C0B48,
    0x10000002C5C8601CC,
    0x1000000162E42FFF0,
    0x10000000B17217FBA,
    0x1000000058B90BFCD,
    0x100000002C5C85FE3,
    0x10000000162E42FF0,
    0x100000000B17217F8,
    0x10000000058B90BFB,
    0x1000000002C5C85FD,
    0x100000000162E42FE,
    0x1000000000B17217F,
    0x100000000058B90BF,
    0x10000000002C5C85F,
    0x1000000000162E42F,
    0x10000000000B17217,
    0x1000000000058B90B,
    0x100000000002C5C85,
    0x10000000000162E42,
    0x100000000000B1721,
    0x10000000000058B90,
    0x1000000000002C5C8,
    0x100000000000162E4,
    0x1000000000000B172,
    0x100000000000058B9,
    0x10000000000002C5C,
    0x1000000000000162E,
    0x10000000000000B17,
    0x1000000000000058B,
    0x100000000000002C5,
    0x10000000000000162,
    0x100000000000000B1,
    0x10000000000000058,
    0x1000000000000002C,
    0x10000000000000016,
    0x1000000000000000B,
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
