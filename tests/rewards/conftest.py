"""Fixtures for ContributionRewards: the real CommunityToken and Influence, wired as a deployment
wires them, with ``gov`` standing in for the governance timelock (so each test calls governance
functions directly) and the treasury an EOA. Trees, leaves and proofs come from the engine's
``communis.engine.merkle`` (tests/helpers/epochs.py). Deployed once per module; ape's isolation
reverts to it around every test. tests/adversarial runs the same contracts as the deployment
plan wires them, governed through the real timelock."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.chain import epochs
from communis.engine.attest import Domain
from tests.helpers.attest import key, members_ledger
from tests.helpers.constants import HALF_LIFE, MAX_UINT, TOKEN, WEEK
from tests.helpers.epochs import deploy_rewards, pass_window
from tests.helpers.time import end_epoch


@pytest.fixture(scope="module")
def genesis(chain):
    return chain.pending_timestamp


@pytest.fixture(scope="module")
def influence(project, deployer, genesis):
    return deployer.deploy(project.Influence, deployer, genesis, WEEK, HALF_LIFE)


@pytest.fixture(scope="module")
def registry(project, deployer, influence, gov, guardian):
    """The GuardianRegistry, owned by governance, with one guardian."""
    contract = deployer.deploy(project.GuardianRegistry, influence, gov, 0)
    contract.grantGuardian(guardian, sender=gov)
    return contract


@pytest.fixture(scope="module")
def attester_registry(project, deployer, influence, gov):
    """The AttesterRegistry, owned by governance, with no attesters."""
    return deployer.deploy(project.AttesterRegistry, influence, gov)


@pytest.fixture(scope="module")
def attest_domain(chain, attester_registry, gov) -> Domain:
    """The registry's EIP-712 domain, with test key 1 (``tests.helpers.attest.key(1)``, what
    ``attested`` signs with) appointed from epoch 0: ledgers signed with
    ``attested(path, domain=attest_domain)`` are attested on this chain."""
    attester_registry.appoint(key(1).address, 10**30, sender=gov)
    return Domain(chain.chain_id, attester_registry.address)


@pytest.fixture(scope="module")
def rewards(
    project,
    deployer,
    token,
    influence,
    registry,
    attester_registry,
    gov,
    treasury,
    proposer,
    guardian,
):
    """ContributionRewards wired as a deployment does: minter + awarder roles, a bonded proposer
    and a registry guardian, both funded from the treasury and with the bonds approved."""
    admins = (gov, treasury, registry, attester_registry)
    contract = deploy_rewards(project, deployer, token, influence, admins)
    contract.grantRole(contract.PROPOSER_ROLE(), proposer, sender=gov)
    for account in (proposer, guardian):
        token.transfer(account, 10_000 * TOKEN, sender=treasury)
        token.approve(contract, MAX_UINT, sender=account)
    return contract


@pytest.fixture
def members(accounts):
    """Five members (alice, bob and three more), in the roles of ``members_ledger``."""
    return [accounts[i] for i in (1, 2, 6, 7, 8)]


@pytest.fixture
def finalized_epoch_zero(
    rewards, chain, genesis, tmp_path, members, proposer, alice, attest_domain
) -> Path:
    """Epoch 0 built into ``tmp_path/epochs/0``, proposed and finalized honestly; returns the
    bundles folder."""
    out = tmp_path / "epochs"
    epochs.build(rewards, members_ledger(tmp_path, 0, members, attest_domain), out)
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, out / "0", proposer)
    pass_window(chain, rewards)
    epochs.finalize(rewards, 0, alice)
    return out
