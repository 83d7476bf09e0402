"""Shared fixtures. Every test here runs under ape's pytest plugin on the network given to
`ape test --network ...` (eth-tester in-process, or anvil); tests marked ``offchain`` do not
use that network and run only in the first pass of `make test`.

Accounts have one meaning in every folder (the test mnemonic's accounts, by index):

    0 deployer   deploys everything
    1 alice      2 bob      4 carol      members
    3 proposer   the bonded root proposer of ContributionRewards
    5 guardian   the governor's proposal guardian and a guardian of the registry
    6 whale      holds tokens, never influence
    7 awarder    holds AWARDER_ROLE where a test stands in for ContributionRewards
    8 attacker   an outsider trying what it should not manage
    9 treasury   receives the genesis allocation (an EOA, so tests can hand out tokens)
   10 gov        stands in for the governance timelock in contract-level fixtures

Deployments are module-scoped: ape's isolation snapshots the chain after the module's fixtures
and reverts to that snapshot after every test, so each test starts from the same state without
paying for a deployment. The account fixtures hold no chain state (``chain_isolation=False``),
so requesting one for the first time never forces ape to rebuild a module's deployment.
"""

from __future__ import annotations

import ape
import pytest

from tests.helpers import ape_speed
from tests.helpers.constants import GENESIS_SUPPLY, SUPPLY_CAP
from tests.helpers.system import Full, Roles, deploy_system


@pytest.fixture(scope="session", autouse=True)
def _ape_speed():
    """Skip ape's and web3's per-transaction work that no test needs (tests/helpers/ape_speed.py),
    here and in the ape commands tests run as subprocesses (tests/helpers/site/sitecustomize.py);
    every result, revert and decoded error stays as it was."""
    with ape_speed.applied(), ape_speed.in_subprocesses():
        yield


@ape.fixture(scope="session", chain_isolation=False)
def deployer(accounts):
    """Deploys everything."""
    return accounts[0]


@ape.fixture(scope="session", chain_isolation=False)
def alice(accounts):
    """A member."""
    return accounts[1]


@ape.fixture(scope="session", chain_isolation=False)
def bob(accounts):
    """A member."""
    return accounts[2]


@ape.fixture(scope="session", chain_isolation=False)
def proposer(accounts):
    """The bonded root proposer of ContributionRewards."""
    return accounts[3]


@ape.fixture(scope="session", chain_isolation=False)
def carol(accounts):
    """A member."""
    return accounts[4]


@ape.fixture(scope="session", chain_isolation=False)
def guardian(accounts):
    """The governor's proposal guardian; a guardian of the registry."""
    return accounts[5]


@ape.fixture(scope="session", chain_isolation=False)
def whale(accounts):
    """Holds tokens, never influence."""
    return accounts[6]


@ape.fixture(scope="session", chain_isolation=False)
def awarder(accounts):
    """Holds AWARDER_ROLE where a test stands in for ContributionRewards."""
    return accounts[7]


@ape.fixture(scope="session", chain_isolation=False)
def attacker(accounts):
    """An outsider trying what it should not manage."""
    return accounts[8]


@ape.fixture(scope="session", chain_isolation=False)
def treasury(accounts):
    """Receives the genesis allocation."""
    return accounts[9]


@ape.fixture(scope="session", chain_isolation=False)
def gov(accounts):
    """Stands in for the governance timelock in contract-level fixtures."""
    return accounts[10]


@pytest.fixture(scope="module")
def genesis(chain):
    """The start of epoch 0 for the contracts a module deploys: the chain's time when the
    module's first fixture that needs it runs."""
    return chain.pending_timestamp


@pytest.fixture(scope="module")
def token(project, deployer, treasury):
    """A CommunityToken administered by the deployer, its genesis allocation at the treasury."""
    return deployer.deploy(
        project.CommunityToken,
        "Communis",
        "CMN",
        SUPPLY_CAP,
        deployer,
        treasury,
        GENESIS_SUPPLY,
    )


@pytest.fixture(scope="module")
def deployed_system(
    project, chain, deployer, proposer, guardian, treasury, tmp_path_factory
) -> Full:
    """The whole system from the deployment plan, handed over to the timelock, with the guardian
    also in the guardian registry (tests/helpers/system.py)."""
    roles = Roles(proposer, guardian, treasury)
    return deploy_system(project, chain, deployer, tmp_path_factory.mktemp("deployments"), roles)
