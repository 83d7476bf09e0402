"""Fixtures for AttesterRegistry: an Influence ledger as epoch clock (one-week epochs) and a
registry owned by ``gov`` (standing in for the timelock). Deployed once per module; ape's
isolation reverts to it around every test."""

from __future__ import annotations

import pytest

from communis.engine.attest.hashing import Domain
from tests.helpers.constants import HALF_LIFE, WEEK


@pytest.fixture(scope="module")
def clock(project, gov, genesis):
    return gov.deploy(project.Influence, gov, genesis, WEEK, HALF_LIFE)


@pytest.fixture(scope="module")
def attester_registry(project, gov, clock):
    return gov.deploy(project.AttesterRegistry, clock, gov)


@pytest.fixture(scope="module")
def attest_domain(chain, attester_registry) -> Domain:
    return Domain(chain.chain_id, attester_registry.address)
