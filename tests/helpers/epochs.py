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
    ledger_root: bytes = b"\0" * 32  # the proposal's ledger commitment (zero: a draft ledger)

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
    """``rewards.proposeRoot`` for ``epoch`` (its ledger commitment, bundle URI and the policy
    hash in force filled in)."""
    tokens, influence = totals or epoch.totals
    return rewards.proposeRoot(
        kw.pop("number", epoch.number),
        epoch.root,
        tokens,
        influence,
        kw.pop("ledger_root", epoch.ledger_root),
        kw.pop("uri", f"ipfs://bundle/{epoch.number}"),
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
    ``influence``; ``admins``: its (governor, treasury, guardian registry, attester registry)."""
    governor, treasury, registry, attesters = admins
    rewards = deployer.deploy(
        project.ContributionRewards, token, influence, governor, treasury, registry, attesters,
        POLICY, CHALLENGER_REWARD_BPS,
    )  # fmt: skip
    token.grantRole(token.MINTER_ROLE(), rewards, sender=deployer)
    influence.grantRole(influence.AWARDER_ROLE(), rewards, sender=deployer)
    return rewards


def dispute_of(receipt, rewards) -> list:
    """The ``Dispute`` record a challenge logged (``RootChallenged``), as resolveDispute,
    settleDispute and the fraud proofs take it back."""
    return list(receipt.decode_logs(rewards.RootChallenged)[0].dispute)


def challenge(rewards, epoch: Epoch, guardian, evidence: str = "ipfs://verify-report") -> list:
    """``guardian`` challenges ``epoch``'s pending root; returns the dispute record."""
    receipt = rewards.challenge(epoch.number, epoch.root, evidence, sender=guardian)
    return dispute_of(receipt, rewards)


def dispute_hash(dispute) -> bytes:
    """``keccak256(abi.encode(dispute))``, what the contract stores for an undecided dispute."""
    types = "(uint48,uint48,bytes32,bytes32,address,uint96,address,uint96,uint16,uint16,uint40)"
    return keccak(encode([types], [tuple(dispute)]))
