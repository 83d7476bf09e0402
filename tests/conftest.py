"""Shared fixtures. Every test here runs under ape's pytest plugin on the network given to
`ape test --network ...` (eth-tester in-process, or anvil); tests marked ``offchain`` do not
use that network and run only in the first pass of `make test`."""

from __future__ import annotations

import pytest

SUPPLY_CAP = 1_000_000_000 * 10**18
GENESIS_SUPPLY = 100_000_000 * 10**18


@pytest.fixture(scope="session", autouse=True)
def _no_console_log_rendering():
    """After every transaction ape rebuilds its call tree to print the contracts' `console.log`
    lines (about a quarter of a test's time); no contract here logs to the console. Reverts are
    still decoded: that happens when the error is raised, not in this hook."""
    import ape_ethereum.provider

    patch = pytest.MonkeyPatch()
    patch.setattr(ape_ethereum.provider, "_post_send_transaction", lambda tx, receipt: None)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[9]


@pytest.fixture
def token(project, deployer, treasury):
    return deployer.deploy(
        project.CommunityToken,
        "Communis",
        "CMN",
        SUPPLY_CAP,
        deployer,
        treasury,
        GENESIS_SUPPLY,
    )
