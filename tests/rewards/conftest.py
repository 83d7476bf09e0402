"""Fixtures for ContributionRewards: the real CommunityToken and Influence, wired as a deployment
wires them, with an EOA standing in for the governance timelock. Trees, leaves and proofs come
from the engine's ``communis.engine.merkle``."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_abi import encode
from eth_utils import keccak

from communis.engine.growth import to_stored
from communis.engine.merkle import Leaf, MerkleTree

WEEK = 7 * 24 * 3600
HALF_LIFE = 26  # epochs: influence halves every 26 weeks
TOKEN = 10**18
CHALLENGER_REWARD_BPS = 5_000

# tokenBudget, influenceBudget, roleWeights, accountCapBps, challengeWindow, proposerBond,
# challengerBond: the layout of ContributionRewards.Policy.
POLICY = (
    10_000 * TOKEN,
    1_000 * TOKEN,
    (5, 3, 4, 1),
    2_000,
    2 * 24 * 3600,
    1_000 * TOKEN,
    200 * TOKEN,
)
POLICY_ABI = "(uint256,uint256,uint32[4],uint16,uint64,uint256,uint256)"


def policy_hash(policy: tuple) -> bytes:
    """keccak256(abi.encode(policy)), what the engine and the contract both compute."""
    return keccak(encode([POLICY_ABI], [policy]))


@dataclass
class Epoch:
    """One epoch's cumulative table, its tree and what a proposal carries."""

    number: int
    table: dict[str, tuple[int, int]]  # account -> (cumulative tokens, cumulative stored influence)
    tree: MerkleTree

    @property
    def root(self) -> bytes:
        return self.tree.root

    @property
    def totals(self) -> tuple[int, int]:
        return (
            sum(t for t, _ in self.table.values()),
            sum(i for _, i in self.table.values()),
        )

    def leaf(self, account) -> tuple[int, int]:
        return self.table[str(account)]

    def proof(self, account) -> list[bytes]:
        return self.tree.proof(str(account))


def cumulative(
    epoch: int, awards: dict, previous: Epoch | None = None, *, half_life: int = HALF_LIFE
) -> Epoch:
    """Add ``awards`` ({account: (tokens, influence in plain units)}) earned in ``epoch`` to the
    cumulative table of ``previous``; influence is converted at ``epoch``'s growth factor."""
    table = dict(previous.table) if previous else {}
    for account, (tokens, influence) in awards.items():
        key = str(account)
        old_tokens, old_influence = table.get(key, (0, 0))
        table[key] = (old_tokens + tokens, old_influence + to_stored(influence, epoch, half_life))
    leaves = [Leaf(account, t, i) for account, (t, i) in sorted(table.items())]
    return Epoch(epoch, table, MerkleTree.build(leaves))


@pytest.fixture(scope="session")
def gov(accounts):
    """Stands in for the governance timelock (DEFAULT_ADMIN_ROLE + GOVERNOR_ROLE)."""
    return accounts[3]


@pytest.fixture(scope="session")
def proposer(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[6]


@pytest.fixture
def genesis(chain):
    return chain.pending_timestamp


@pytest.fixture
def influence(project, deployer, genesis):
    return deployer.deploy(project.Influence, deployer, genesis, WEEK, HALF_LIFE)


@pytest.fixture
def registry(project, deployer, influence, gov, guardian):
    """The GuardianRegistry, owned by governance, with one guardian."""
    contract = deployer.deploy(project.GuardianRegistry, influence, gov, 0)
    contract.grantGuardian(guardian, sender=gov)
    return contract


@pytest.fixture
def rewards(project, deployer, token, influence, registry, gov, treasury, proposer, guardian):
    """ContributionRewards wired as a deployment does: minter + awarder roles, a bonded proposer
    and a registry guardian, both funded from the treasury and with the bonds approved."""
    contract = deployer.deploy(
        project.ContributionRewards,
        token,
        influence,
        gov,
        treasury,
        registry,
        POLICY,
        CHALLENGER_REWARD_BPS,
    )
    token.grantRole(token.MINTER_ROLE(), contract, sender=deployer)
    influence.grantRole(influence.AWARDER_ROLE(), contract, sender=deployer)
    contract.grantRole(contract.PROPOSER_ROLE(), proposer, sender=gov)
    for account in (proposer, guardian):
        token.transfer(account, 10_000 * TOKEN, sender=treasury)
        token.approve(contract, 2**256 - 1, sender=account)
    return contract


def end_epoch(chain, genesis: int, epoch: int) -> None:
    """Move time to the first second after ``epoch`` ended."""
    target = genesis + (epoch + 1) * WEEK
    if chain.pending_timestamp < target:
        chain.pending_timestamp = target
        chain.mine()


def pass_window(chain, rewards) -> None:
    """Move time to the challenge deadline of the pending proposal."""
    deadline = rewards.pendingProposal().challengeDeadline
    if chain.pending_timestamp < deadline:
        chain.pending_timestamp = deadline
        chain.mine()


def propose(rewards, epoch: Epoch, sender, *, totals: tuple[int, int] | None = None, **kw):
    tokens, influence = totals or epoch.totals
    return rewards.proposeRoot(
        epoch.number,
        epoch.root,
        tokens,
        influence,
        kw.pop("uri", f"ipfs://bundle/{epoch.number}"),
        kw.pop("ledger_hash", keccak(text=f"ledger {epoch.number}")),
        kw.pop("policy_hash", rewards.policyHash()),
        sender=sender,
        **kw,
    )


def claim(rewards, epoch: Epoch, account, sender, *, expected_root: bytes = b"\0" * 32):
    tokens, influence = epoch.leaf(account)
    return rewards.claim(
        account, tokens, influence, epoch.proof(account), expected_root, sender=sender
    )


def settle(chain, genesis, rewards, epoch: Epoch, proposer):
    """Propose ``epoch`` once it ended and finalize it after the window."""
    end_epoch(chain, genesis, epoch.number)
    propose(rewards, epoch, proposer)
    pass_window(chain, rewards)
    return rewards.finalize(epoch.number, sender=proposer)
