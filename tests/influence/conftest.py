"""Fixtures for Influence: a ledger with one-week epochs and the minimum half-life (26 epochs),
administered by ``gov`` (standing in for the timelock: grants roles, slashes), with ``awarder``
standing in for ContributionRewards (AWARDER_ROLE). Deployed once per module; ape's isolation
reverts to it around every test."""

from __future__ import annotations

import pytest

from tests.helpers.constants import HALF_LIFE, WEEK


@pytest.fixture(scope="module")
def influence(project, gov, awarder, genesis):
    contract = gov.deploy(project.Influence, gov, genesis, WEEK, HALF_LIFE)
    contract.grantRole(contract.AWARDER_ROLE(), awarder, sender=gov)
    return contract
