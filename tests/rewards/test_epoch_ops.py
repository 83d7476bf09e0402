"""The whole epoch story through communis.chain.epochs (the library behind `ape run epoch`):
a ledger is built into a bundle with the on-chain policy, a padded root is proposed, `verify`
names the fake accounts, a guardian challenges (the root is discarded at once), the dispute is
upheld (directly and through the real governor and timelock) or settled without a verdict, the
honest bundle is proposed, finalized and claimed in batches; a catch-up root covers a discarded
epoch; a padded attested ledger is proven from its bundle with no vote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from communis.chain import epochs
from communis.chain.clock import ClockError, dispute_end, window_end
from communis.chain.history import PROVEN_REASON, UPHELD_REASON, slashed_bonds
from communis.engine.bundle import read_totals
from communis.engine.policy import policy_hash
from communis.report.model import BondSlash
from tests.helpers.attack_bundles import FAKES, attest_bundle, pad
from tests.helpers.attest import attested
from tests.helpers.constants import POLICY
from tests.helpers.time import end_epoch

DAY = 24 * 3600
ROLES = ("creator", "curator", "guardian", "participant", "creator")


@pytest.fixture
def contributors(accounts):
    return [accounts[i] for i in (1, 2, 6, 7, 8)]


@pytest.fixture
def ledger(tmp_path, contributors, attest_domain) -> Path:
    path = tmp_path / "ledger-0.jsonl"
    rows = [
        {"epoch": 0, "account": m.address, "role": role, "points": str(10 + 7 * i), "ref": f"r{i}"}
        for i, (m, role) in enumerate(zip(contributors, ROLES, strict=True))
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return attested(path, domain=attest_domain)


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

    sent = epochs.propose(rewards, padded, proposer, uri="https://example.org/padded/0")
    assert sent[-1].action == "proposeRoot"
    result = epochs.verify(rewards, padded)
    assert not result.ok
    kinds = {d.account.lower(): d.kind for d in result.differences}
    assert {f.lower() for f in FAKES} <= set(kinds)
    assert all(kinds[f.lower()] == "not owed (fake account)" for f in FAKES)
    assert result.expected_root == build.root

    sent = epochs.challenge(rewards, 0, guardian, evidence="ipfs://verify-report")
    assert sent[-1].action == "challenge"
    assert rewards.epochStatus(0) == epochs.Status.NONE  # discarded at once
    [dispute] = epochs.status(rewards).disputes
    assert (dispute.epoch, dispute.challenger) == (0, guardian.address)
    assert dispute.root == read_totals(padded)["root"]
    with pytest.raises(epochs.EpochOpError, match="GOVERNOR_ROLE"):
        epochs.resolve(rewards, 0, True, alice)
    epochs.resolve(rewards, 0, True, gov)
    assert rewards.isRootBanned(0, dispute.root, dispute.ledger_root)
    assert epochs.status(rewards).disputes == ()
    # The report's history: the proposer's whole bond was slashed, by an upheld challenge.
    assert slashed_bonds(rewards, chain.blocks.height) == {
        0: [BondSlash(proposer.address, POLICY[5], UPHELD_REASON)]
    }

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


def test_operations_refuse_early_with_a_reason(
    rewards, chain, genesis, bundles, proposer, guardian, gov, alice
):
    honest, padded, _ = bundles
    with pytest.raises(epochs.EpochOpError, match="ends at"):
        epochs.propose(rewards, honest, proposer)
    end_epoch(chain, genesis, 0)
    rewards.setPolicy((*POLICY[:9], False), sender=gov)
    with pytest.raises(epochs.EpochOpError, match="PROPOSER_ROLE"):
        epochs.propose(rewards, honest, alice)
    rewards.setPolicy(POLICY, sender=gov)
    with pytest.raises(epochs.EpochOpError, match="no root on chain"):
        epochs.verify(rewards, honest)
    with pytest.raises(epochs.EpochOpError, match="no undecided dispute"):
        epochs.settle(rewards, 0, alice)
    epochs.propose(rewards, padded, proposer)
    with pytest.raises(epochs.EpochOpError, match="pending until"):
        epochs.propose(rewards, honest, alice)  # the slot is taken: nothing is sent
    with pytest.raises(epochs.EpochOpError, match="not a guardian"):
        epochs.challenge(rewards, 0, alice)
    with pytest.raises(epochs.EpochOpError, match="not epoch 1's: challenge 0"):
        epochs.challenge(rewards, 1, guardian)
    with pytest.raises(epochs.EpochOpError, match="newest finalized root"):
        epochs.claim_one(rewards, honest, alice.address, alice)
    with pytest.raises(epochs.EpochOpError, match="nothing to prove"):
        epochs.prove(rewards, padded, alice)  # a draft ledger: no batch to prove
    epochs.challenge(rewards, 0, guardian)
    with pytest.raises(epochs.EpochOpError, match="under an undecided dispute"):
        epochs.propose(rewards, padded, proposer)
    with pytest.raises(epochs.EpochOpError, match="open for a verdict until"):
        epochs.settle(rewards, 0, alice)
    epochs.propose(rewards, honest, proposer)
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    with pytest.raises(epochs.EpochOpError, match="finalize it first"):
        epochs.propose(rewards, padded, alice)
    with pytest.raises(epochs.EpochOpError, match="closed"):
        epochs.challenge(rewards, 0, guardian)
    [dispute] = epochs.undecided_disputes(rewards)
    chain.pending_timestamp = dispute.deadline
    chain.mine()
    with pytest.raises(epochs.EpochOpError, match="settle it"):
        epochs.resolve(rewards, 0, True, gov)


def test_challenge_resolved_through_governor_and_timelock(
    project, rewards, influence, chain, genesis, bundles, proposer, guardian, gov, deployer,
    treasury, token, alice, bob,
):  # fmt: skip
    """resolve advances a real InfluenceGovernor proposal step by step until the timelock
    executes resolveDispute; the dispute's parties cannot vote on it."""
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

    def then():
        """The commands that come next, and from when."""
        steps = epochs.resolution_next_steps(rewards, 0, True, governor=governor)
        return [(s.command, s.after, s.advance) for s in steps]

    dispute_deadline = epochs.undecided_disputes(rewards, epoch=0)[0].deadline
    assert then()[0] == ("ape run epoch resolve 0 --uphold", None, None)  # nothing proposed yet
    assert then()[2] == ("ape run epoch settle 0", dispute_deadline, "dispute-end")
    [proposed] = step()
    assert proposed.action == "governor.propose"
    snapshot = proposed.details["snapshot"]
    vote = "ape run epoch resolve 0 --uphold --vote for --account MEMBER"
    assert then() == [(vote, snapshot + 1, "vote-start")]
    chain.pending_timestamp += 2
    chain.mine()
    assert "is open for votes until" in step()[0]  # no vote given
    with pytest.raises(epochs.EpochOpError, match="party"):  # nobody judges their own dispute
        epochs.resolve(rewards, 0, True, guardian, governor=governor, vote=1)
    [voted] = step(vote=1)
    assert voted.action == "governor.castVote"
    ends = voted.details["voting_deadline"]
    assert then() == [
        ("ape run epoch resolve 0 --uphold", ends + 1, "vote-end"),
        (vote, None, None),
    ]
    chain.pending_timestamp += DAY + 1
    chain.mine()
    [queued] = step()
    assert queued.action == "governor.queue"
    assert then() == [("ape run epoch resolve 0 --uphold", queued.details["eta"], "timelock")]
    assert "executable from" in step()[0]
    chain.pending_timestamp += 3601
    chain.mine()
    assert step()[0].action == "governor.execute"
    assert then() == [("ape run epoch propose BUNDLE", None, None)]  # decided: propose again
    proposal = rewards.pendingProposal()  # the discarded one, kept for the record
    assert proposal.root.hex() == read_totals(padded)["root"][2:]
    assert rewards.isRootBanned(0, proposal.root, proposal.ledgerRoot)
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


def _two_epochs(rewards, ledger: Path, out: Path, contributors, role: str, domain):
    """Epoch 0's bundle from ``ledger`` and epoch 1's on top of it (every contributor earns
    5 points as ``role``), both in ``out``."""
    build0 = epochs.build(rewards, ledger, out)
    rows = [
        {"epoch": 1, "account": m.address, "role": role, "points": "5", "ref": f"e1-{i}"}
        for i, m in enumerate(contributors)
    ]
    ledger1 = out.parent / "ledger-1.jsonl"
    ledger1.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return build0, epochs.build(rewards, attested(ledger1, domain=domain), out)


def test_two_epochs_built_cumulatively_and_claimed_at_once(
    rewards,
    token,
    influence,
    chain,
    genesis,
    ledger,
    tmp_path,
    proposer,
    contributors,
    alice,
    attest_domain,
):
    """Epoch 1's bundle builds on epoch 0's; one claim after epoch 1 pays both epochs, each
    epoch's influence at its own growth factor."""
    from communis.engine.growth import to_stored

    out = tmp_path / "epochs"
    build0, build1 = _two_epochs(rewards, ledger, out, contributors, "participant", attest_domain)
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


def test_dispute_settled_without_a_verdict_then_proposed_again(
    rewards, token, chain, genesis, bundles, proposer, guardian, treasury, alice
):
    """Governance never decides: after the deadline anyone settles, each party pays the fee,
    and the same root can be proposed again (the guardian who challenged it cannot again)."""
    honest, _, _ = bundles
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, honest, proposer)
    epochs.challenge(rewards, 0, guardian)
    [dispute] = epochs.undecided_disputes(rewards, epoch=0)
    # The clock: no root is in its window, the dispute's deadline is the moment to reach.
    with pytest.raises(ClockError, match="epoch 0 was challenged; `--to dispute-end` reaches"):
        window_end(rewards)
    assert dispute_end(rewards) == (dispute.deadline, "the deadline of epoch 0's dispute")
    chain.pending_timestamp = dispute.deadline
    chain.mine()
    with pytest.raises(ClockError, match="no dispute is waiting for its deadline"):
        dispute_end(rewards)
    before = token.balanceOf(treasury)
    sent = epochs.settle(rewards, 0, alice)
    fee = (POLICY[5] + POLICY[6]) * POLICY[8] // 10_000
    assert sent.details["to_treasury"] == fee
    assert token.balanceOf(treasury) == before + fee
    assert slashed_bonds(rewards, chain.blocks.height) == {}  # fees are not slashes
    epochs.propose(rewards, honest, proposer)
    with pytest.raises(epochs.EpochOpError, match="already challenged"):
        epochs.challenge(rewards, 0, guardian)


def test_catch_up_root_covers_the_discarded_epoch(
    rewards,
    token,
    chain,
    genesis,
    ledger,
    tmp_path,
    proposer,
    guardian,
    contributors,
    alice,
    attest_domain,
):
    """Epoch 0's root is discarded; once epoch 1 ended, epoch 1's bundle is proposed as one root
    covering both (epoch 0's bundle is its sibling), verified, finalized and claimed."""
    out = tmp_path / "epochs"
    build0, build1 = _two_epochs(rewards, ledger, out, contributors, "creator", attest_domain)
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, out / "0", proposer)
    epochs.challenge(rewards, 0, guardian)
    end_epoch(chain, genesis, 1)
    sent = epochs.propose(rewards, out / "1", proposer)
    assert sent[-1].details["first_epoch"] == 0
    assert epochs.verify(rewards, out / "1").ok
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    epochs.finalize(rewards, 1, alice)
    assert rewards.nextEpoch() == 2 and rewards.currentRoot() == bytes.fromhex(build1.root[2:])
    assert epochs.verify(rewards, out / "1").ok  # anchored through epoch 0's recomputation
    epochs.claim_all(rewards, out / "1", alice, batch_size=10)
    for member in contributors:
        paid = build0.scores.tokens.amounts.get(member.address, 0)
        paid += build1.scores.tokens.amounts.get(member.address, 0)
        assert token.balanceOf(member) == paid


def test_padded_ledger_proven_from_its_bundle(
    rewards, attester_registry, token, chain, genesis, bundles, proposer, gov, treasury, carol,
    attacker, alice,
):  # fmt: skip
    """The proposer's published bundle carries attestations: carol (an attester) signed three
    rows, the attacker (no attester) the other two. `prove` finds that batch, proves it in the
    proposal's commitment and the root is rejected and banned with no vote; the honest, fully
    attested bundle then proves nothing and finalizes."""
    from communis.engine.attest import Domain

    honest, padded, _ = bundles
    domain = Domain(chain.chain_id, attester_registry.address)
    attester_registry.appoint(carol, 10**24, sender=gov)
    padded_root = attest_bundle(padded, domain, [(carol, [1, 2, 3]), (attacker, [4, 5])])
    attest_bundle(honest, domain, [(carol, [1, 2, 3, 4, 5])])
    end_epoch(chain, genesis, 0)
    # The tool refuses to propose what anyone could prove (the proposer would lose its bond) ...
    with pytest.raises(epochs.EpochOpError, match="AttesterRegistry rejects 1 batch") as refused:
        epochs.propose(rewards, padded, proposer)
    assert f"{attacker.address} is not an attester in epoch 0 [NOT_ATTESTER]" in str(refused.value)
    assert rewards.pendingProposal().status == epochs.Status.NONE  # nothing sent
    # ... so the attacker skips the check (its own script; no command offers that).
    sent = epochs.propose(rewards, padded, proposer, check_attesters=False)
    assert sent[-1].details["ledger_root"] == "0x" + epochs.commitment_of(padded, 0).root.hex()
    with pytest.raises(epochs.EpochOpError, match="not the proposal's"):
        epochs.prove(rewards, honest, alice)  # not the bundle that was proposed
    checked = epochs.verify(rewards, padded)  # attestations checked against the chain's set
    assert not checked.ok and checked.attestations is not None
    assert "not-attester" in {p.code for p in checked.attestations.problems}
    before = token.balanceOf(alice)
    proven = epochs.prove(rewards, padded, alice)
    assert proven.details["attester"] == attacker.address
    assert proven.details["status"] == "NOT_ATTESTER"
    assert token.balanceOf(alice) == before + proven.details["reward"] > before
    pending = rewards.pendingProposal()
    assert pending.status == epochs.Status.REJECTED
    assert rewards.isRootBanned(0, pending.root, pending.ledgerRoot)
    assert padded_root != pending.ledgerRoot.hex()
    assert slashed_bonds(rewards, chain.blocks.height) == {
        0: [BondSlash(proposer.address, POLICY[5], PROVEN_REASON, proven=True)]
    }

    epochs.propose(rewards, honest, proposer)
    with pytest.raises(epochs.EpochOpError, match="nothing to prove"):
        epochs.prove(rewards, honest, alice)
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    epochs.finalize(rewards, 0, alice)
    assert epochs.verify(rewards, honest).ok
