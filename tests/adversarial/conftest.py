"""Fixtures for the adversarial scenarios: the whole system, handed over to the timelock, with
three members who earned influence through a finalized epoch and a claim.

Deployed once per module: ape's isolation reverts the chain to the fixture's snapshot around
every test, so each scenario starts from the same state without paying for the deployment."""

from __future__ import annotations

import pytest

from tests.adversarial.system import deploy_full, earn
from tests.conftest import GENESIS_SUPPLY, SUPPLY_CAP
from tests.rewards.conftest import TOKEN


@pytest.fixture(scope="session")
def proposer(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def whale(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def attacker(accounts):
    return accounts[8]


@pytest.fixture(scope="module")
def full(
    project, chain, deployer, proposer, guardian, treasury, alice, bob, carol, whale, attacker
):
    # Every session fixture the scenarios use is requested here, so that it exists before this
    # module snapshot (ape's isolation would otherwise rebase the snapshots).
    token = deployer.deploy(
        project.CommunityToken, "Communis", "CMN", SUPPLY_CAP, deployer, treasury, GENESIS_SUPPLY
    )
    return deploy_full(
        project,
        chain,
        deployer,
        proposer=proposer,
        guardian=guardian,
        treasury=treasury,
        token=token,
    )


@pytest.fixture(scope="module")
def epoch0(chain, full, alice, bob, carol):
    """Epoch 0 finalized and claimed: Alice 40, Bob 30, Carol 20 influence (stored units equal
    influence in epoch 0), and some tokens each."""
    return earn(
        chain,
        full,
        {
            alice: (600 * TOKEN, 40 * TOKEN),
            bob: (300 * TOKEN, 30 * TOKEN),
            carol: (100 * TOKEN, 20 * TOKEN),
        },
    )
