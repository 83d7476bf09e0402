"""Fixtures for governance: the system from the deployment plan, every admin role handed to the
timelock, with the awarder holding AWARDER_ROLE on Influence so that members get influence
directly. Deployed once per module; ape's isolation reverts to it around every test."""

from __future__ import annotations

import pytest

from tests.helpers.constants import UNIT
from tests.helpers.system import Full, Roles, deploy_system
from tests.helpers.time import advance


@pytest.fixture(scope="module")
def system(
    project, chain, deployer, proposer, guardian, treasury, awarder, tmp_path_factory
) -> Full:
    roles = Roles(proposer, guardian, treasury, awarder, registry_guardian=False, fund_bonds=False)
    return deploy_system(project, chain, deployer, tmp_path_factory.mktemp("deployments"), roles)


@pytest.fixture
def members(system, alice, bob, carol, awarder, chain):
    """Alice 40, Bob 30, Carol 20 influence (epoch 0, so stored units == influence)."""
    for member, amount in ((alice, 40), (bob, 30), (carol, 20)):
        system.influence.awardStored(member, amount * UNIT, sender=awarder)
    advance(chain, 1)
    return alice, bob, carol
