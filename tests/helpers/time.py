"""Moving the test chain's clock. Every helper mines a block, so views at ``clock()`` see the
new time."""

from __future__ import annotations

from tests.helpers.constants import WEEK


def travel(chain, timestamp: int) -> None:
    """Mine a block at ``timestamp`` (or one second after the head if that is later)."""
    chain.pending_timestamp = max(timestamp, chain.blocks.head.timestamp + 1)
    chain.mine()


def go_to(chain, timestamp: int) -> None:
    """Mine a block at exactly ``timestamp``."""
    chain.pending_timestamp = timestamp
    chain.mine()


def advance(chain, seconds: int) -> None:
    """Mine a block ``seconds`` after the latest one."""
    chain.pending_timestamp = chain.blocks.head.timestamp + seconds
    chain.mine()


def snapshot(chain) -> int:
    """Mine a block, return its timestamp and make the next block strictly later (anvil may
    otherwise reuse a second), so the returned timepoint is in the past for later queries."""
    chain.mine()
    timestamp = chain.blocks.head.timestamp
    chain.pending_timestamp = timestamp + 1
    return timestamp


def end_epoch(chain, genesis: int, epoch: int, *, duration: int = WEEK) -> None:
    """Move time to the first second after ``epoch`` ended (if it is not already later)."""
    target = genesis + (epoch + 1) * duration
    if chain.pending_timestamp < target:
        chain.pending_timestamp = target
        chain.mine()
