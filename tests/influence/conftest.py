"""Fixtures for Influence: a ledger with one-week epochs and the minimum half-life (26 epochs)."""

from __future__ import annotations

import pytest

WEEK = 7 * 24 * 3600
HALF_LIFE = 26  # epochs: 26 weeks, the minimum the contract accepts with weekly epochs
UNIT = 10**18


@pytest.fixture(scope="session")
def admin(accounts):
    """Stands in for the governance timelock (DEFAULT_ADMIN_ROLE: grants roles, slashes)."""
    return accounts[0]


@pytest.fixture(scope="session")
def awarder(accounts):
    """Stands in for ContributionRewards (AWARDER_ROLE)."""
    return accounts[3]


@pytest.fixture
def genesis(chain):
    return chain.pending_timestamp


@pytest.fixture
def influence(project, admin, awarder, genesis):
    contract = admin.deploy(project.Influence, admin, genesis, WEEK, HALF_LIFE)
    contract.grantRole(contract.AWARDER_ROLE(), awarder, sender=admin)
    return contract


def go_to(chain, timestamp: int) -> None:
    """Mine a block at ``timestamp`` (seconds), so views at ``clock()`` see it."""
    chain.pending_timestamp = timestamp
    chain.mine()


def snapshot(chain) -> int:
    """Mine a block, return its timestamp and make the next block strictly later (anvil may
    otherwise reuse a second), so the returned timepoint is in the past for later queries."""
    chain.mine()
    timestamp = chain.blocks.head.timestamp
    chain.pending_timestamp = timestamp + 1
    return timestamp
