"""Helpers for gas benchmarks: an in-process EVM session through ape."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

NETWORK = "ethereum:local:test"


@contextmanager
def local_chain() -> Iterator[tuple[Any, Any]]:
    """Yield ``(project, accounts)`` connected to a fresh in-process EVM."""
    import ape

    with ape.networks.parse_network_choice(NETWORK):
        yield ape.project, ape.accounts.test_accounts
