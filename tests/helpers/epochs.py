"""Epoch tables and trees built with the engine (``communis.engine.merkle``), and the calls that
propose, finalize and claim them on a ContributionRewards contract."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from communis.engine.growth import to_stored
from communis.engine.merkle import Leaf, MerkleTree
from tests.helpers.constants import CHALLENGER_REWARD_BPS, HALF_LIFE, POLICY, POLICY_ABI
from tests.helpers.time import end_epoch


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


def pass_window(chain, rewards) -> None:
    """Move time to the challenge deadline of the pending proposal."""
    deadline = rewards.pendingProposal().challengeDeadline
    if chain.pending_timestamp < deadline:
        chain.pending_timestamp = deadline
        chain.mine()


def propose(rewards, epoch: Epoch, sender, *, totals: tuple[int, int] | None = None, **kw):
    """``rewards.proposeRoot`` for ``epoch`` (bundle URI, ledger and policy hash filled in)."""
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


def deploy_rewards(project, deployer, token, influence, admins):
    """ContributionRewards under the test policy, allowed to mint ``token`` and award
    ``influence``; ``admins``: its (governor, treasury, guardian registry)."""
    governor, treasury, registry = admins
    rewards = deployer.deploy(
        project.ContributionRewards, token, influence, governor, treasury, registry, POLICY,
        CHALLENGER_REWARD_BPS,
    )  # fmt: skip
    token.grantRole(token.MINTER_ROLE(), rewards, sender=deployer)
    influence.grantRole(influence.AWARDER_ROLE(), rewards, sender=deployer)
    return rewards
