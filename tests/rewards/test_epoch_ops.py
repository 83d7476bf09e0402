"""The whole epoch story through communis.chain.epochs (the library behind `ape run epoch`):
a ledger is built into a bundle with the on-chain policy, a padded root is proposed, `verify`
names the fake accounts, a guardian challenges, the challenge is upheld (directly and through the
real governor and timelock), the honest bundle is proposed, finalized and claimed in batches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from communis.chain import epochs
from communis.engine.bundle import TREE, read_totals, replace_tree
from communis.engine.merkle import Leaf, MerkleTree
from communis.engine.policy import policy_hash
from tests.helpers.attest import attested
from tests.helpers.constants import POLICY
from tests.helpers.time import end_epoch

DAY = 24 * 3600
ROLES = ("creator", "curator", "guardian", "participant", "creator")
FAKES = [f"0x{'0' * 35}f00d{i}" for i in range(3)]


@pytest.fixture
def contributors(accounts):
    return [accounts[i] for i in (1, 2, 6, 7, 8)]


@pytest.fixture
def ledger(tmp_path, contributors) -> Path:
    path = tmp_path / "ledger-0.jsonl"
    rows = [
        {"epoch": 0, "account": m.address, "role": role, "points": str(10 + 7 * i), "ref": f"r{i}"}
        for i, (m, role) in enumerate(zip(contributors, ROLES, strict=True))
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return attested(path)


def pad(honest: Path, out: Path) -> Path:
    """A proposer's fraud: the honest ledger published with a tree that moves half of the first
    account's tokens to fake accounts (totals unchanged, so the budget check passes)."""
    shutil.copytree(honest, out)
    tree = MerkleTree.load(honest / TREE)
    leaves = list(tree.values)
    victim = leaves[0]
    share = victim.tokens // 2 // len(FAKES)
    leaves[0] = Leaf(victim.account, victim.tokens - share * len(FAKES), victim.influence)
    from eth_utils import to_checksum_address

    leaves += [Leaf(to_checksum_address(f), share, 0) for f in FAKES]
    replace_tree(out, MerkleTree.build(sorted(leaves, key=lambda leaf: leaf.account)))
    return out


@pytest.fixture
def bundles(rewards, ledger, tmp_path):
    build = epochs.build(rewards, ledger, tmp_path / "epochs")
    honest = tmp_path / "epochs" / "0"
    return honest, pad(honest, tmp_path / "padded" / "0"), build


def test_engine_policy_is_the_contracts(rewards):
    policy = epochs.onchain_policy(rewards)
    assert policy_hash(policy) == bytes(rewards.policyHash())
    assert policy.token_budget == POLICY[0]


def test_fraud_caught_challenged_upheld_then_honest_root_claimed(
    rewards, token, influence, chain, genesis, bundles, proposer, guardian, gov, contributors, alice
):
    honest, padded, build = bundles
    assert build.root != read_totals(padded)["root"]
    end_epoch(chain, genesis, 0)

    sent = epochs.propose(rewards, padded, proposer, uri="ipfs://padded")
    assert sent[-1].action == "proposeRoot"
    result = epochs.verify(rewards, padded)
    assert not result.ok
    kinds = {d.account.lower(): d.kind for d in result.differences}
    assert {f.lower() for f in FAKES} <= set(kinds)
    assert all(kinds[f.lower()] == "not owed (fake account)" for f in FAKES)
    assert result.expected_root == build.root

    epochs.challenge(rewards, 0, guardian, evidence="ipfs://verify-report")
    with pytest.raises(epochs.EpochOpError, match="GOVERNOR_ROLE"):
        epochs.resolve(rewards, 0, True, alice)
    epochs.resolve(rewards, 0, True, gov)
    assert rewards.epochStatus(0) == epochs.Status.REJECTED

    epochs.propose(rewards, honest, proposer)
    assert epochs.verify(rewards, honest).ok
    with pytest.raises(epochs.EpochOpError, match="window"):
        epochs.finalize(rewards, 0, alice)
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    epochs.finalize(rewards, 0, alice)

    # Someone claims for one member, then everyone else is claimed for in batches of two.
    first = epochs.claim_one(rewards, honest, contributors[0].address, alice)
    assert first.details["tokens"] > 0
    scanned = []
    batches = epochs.claim_all(rewards, honest, alice, batch_size=2, on_scan=scanned.append)
    assert scanned[-1] == len(contributors)
    assert [b.details["accounts"] for b in batches] == [2, 2]
    for member in contributors:
        leaf = build.tree.leaf(member.address)
        assert token.balanceOf(member) == leaf.tokens
        assert influence.storedBalanceOf(member) == leaf.influence
    assert rewards.totalClaimed() == (build.table.total_tokens, build.table.total_influence_stored)
    # A rerun (e.g. after an interruption) sends nothing.
    assert epochs.claim_all(rewards, honest, alice, batch_size=2) == []
    with pytest.raises(epochs.EpochOpError, match="already claimed"):
        epochs.claim_one(rewards, honest, contributors[0].address, alice)
    status = epochs.status(rewards)
    assert status.next_epoch == 1 and status.current_root == build.root


def test_operations_refuse_early_with_a_reason(rewards, chain, genesis, bundles, proposer, alice):
    honest, _, _ = bundles
    with pytest.raises(epochs.EpochOpError, match="ends at"):
        epochs.propose(rewards, honest, proposer)
    end_epoch(chain, genesis, 0)
    with pytest.raises(epochs.EpochOpError, match="PROPOSER_ROLE"):
        epochs.propose(rewards, honest, alice)
    with pytest.raises(epochs.EpochOpError, match="no root on chain"):
        epochs.verify(rewards, honest)
    epochs.propose(rewards, honest, proposer)
    with pytest.raises(epochs.EpochOpError, match="not a guardian"):
        epochs.challenge(rewards, 0, alice)
    with pytest.raises(epochs.EpochOpError, match="newest finalized root"):
        epochs.claim_one(rewards, honest, alice.address, alice)


def test_challenge_resolved_through_governor_and_timelock(
    project, rewards, influence, chain, genesis, bundles, proposer, guardian, gov, deployer,
    treasury, token, alice, bob,
):  # fmt: skip
    """resolve advances a real InfluenceGovernor proposal step by step until the timelock
    executes resolveChallenge."""
    zero = "0x" + "00" * 20
    timelock = gov.deploy(project.CommunisTimelock, 3600, [], [zero], gov)
    governor = gov.deploy(
        project.InfluenceGovernor, influence, timelock, 1, DAY, 0, 4, 1, 3600, zero, 0
    )
    timelock.grantRole(timelock.PROPOSER_ROLE(), governor, sender=gov)
    timelock.grantRole(timelock.CANCELLER_ROLE(), governor, sender=gov)
    rewards.grantRole(rewards.GOVERNOR_ROLE(), timelock, sender=gov)
    influence.grantRole(influence.AWARDER_ROLE(), deployer, sender=deployer)
    influence.awardStored(bob, 10**20, sender=deployer)  # a member with a say

    _, padded, _ = bundles
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, padded, proposer)
    epochs.challenge(rewards, 0, guardian)
    treasury_before = token.balanceOf(treasury)

    def step(**kw):
        return epochs.resolve(rewards, 0, True, bob, governor=governor, **kw)

    assert [s.action for s in step() if isinstance(s, epochs.Sent)] == ["governor.propose"]
    chain.pending_timestamp += 2
    chain.mine()
    assert isinstance(step()[0], str)  # open for votes, no vote given
    assert step(vote=1)[0].action == "governor.castVote"
    chain.pending_timestamp += DAY + 1
    chain.mine()
    assert step()[0].action == "governor.queue"
    assert "executable from" in step()[0]
    chain.pending_timestamp += 3601
    chain.mine()
    assert step()[0].action == "governor.execute"
    assert rewards.epochStatus(0) == epochs.Status.REJECTED
    reward = POLICY[5] // 2
    assert token.balanceOf(treasury) == treasury_before + POLICY[5] - reward


def test_attack_front_run_during_claim_all_does_not_revert_its_batch(
    rewards, token, chain, genesis, bundles, proposer, contributors, alice, attacker
):
    """Someone claims for a member after claim_all scanned it as unpaid and before its batch
    lands: the batch still pays everyone else, skipping that member."""
    honest, _, build = bundles
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, honest, proposer)
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    epochs.finalize(rewards, 0, alice)
    victim = contributors[0].address

    def front_run(scanned: int) -> None:
        if scanned == len(contributors):
            epochs.claim_one(rewards, honest, victim, attacker)

    batches = epochs.claim_all(rewards, honest, alice, batch_size=10, on_scan=front_run)
    assert [b.details["accounts"] for b in batches] == [len(contributors) - 1]
    for member in contributors:
        assert token.balanceOf(member) == build.tree.leaf(member.address).tokens


def test_two_epochs_built_cumulatively_and_claimed_at_once(
    rewards, token, influence, chain, genesis, ledger, tmp_path, proposer, contributors, alice
):
    """Epoch 1's bundle builds on epoch 0's; one claim after epoch 1 pays both epochs, each
    epoch's influence at its own growth factor."""
    from communis.engine.growth import to_stored

    out = tmp_path / "epochs"
    build0 = epochs.build(rewards, ledger, out)
    rows = [
        {"epoch": 1, "account": m.address, "role": "participant", "points": "5", "ref": f"e1-{i}"}
        for i, m in enumerate(contributors)
    ]
    ledger1 = tmp_path / "ledger-1.jsonl"
    ledger1.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    build1 = epochs.build(rewards, attested(ledger1), out)
    assert build1.previous_root == build0.root

    for epoch in (0, 1):
        end_epoch(chain, genesis, epoch)
        epochs.propose(rewards, out / str(epoch), proposer)
        assert epochs.verify(rewards, out / str(epoch)).ok
        chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
        chain.mine()
        epochs.finalize(rewards, epoch, alice)

    with pytest.raises(epochs.EpochOpError, match="newest finalized root"):
        epochs.claim_all(rewards, out / "0", alice)
    epochs.claim_all(rewards, out / "1", alice, batch_size=10)
    half_life = int(influence.halfLife())
    for member in contributors:
        tokens0 = build0.scores.tokens.amounts.get(member.address, 0)
        tokens1 = build1.scores.tokens.amounts.get(member.address, 0)
        assert token.balanceOf(member) == tokens0 + tokens1
        expected = to_stored(
            build0.scores.influence.amounts.get(member.address, 0), 0, half_life
        ) + to_stored(build1.scores.influence.amounts.get(member.address, 0), 1, half_life)
        assert influence.storedBalanceOf(member) == expected


def test_verify_uses_the_policy_the_root_was_proposed_under(
    rewards, chain, genesis, bundles, proposer, gov
):
    honest, _, _ = bundles
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, honest, proposer)
    # Governance changes the policy during the window: the honest root is still honest.
    rewards.setPolicy((POLICY[0] * 2, *POLICY[1:]), sender=gov)
    assert epochs.proposed_policy_hash(rewards, 0, read_totals(honest)["root"]) == (
        "0x" + policy_hash(epochs.Policy.load(honest / "policy.json")).hex()
    )
    assert epochs.verify(rewards, honest).ok
