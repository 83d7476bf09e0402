"""The objective fraud proof: a batch in the proposal's ledger commitment that its signer could
not attest (not an attester in that epoch, or an EOA attester's invalid signature) rejects and
bans the root in one transaction with no vote, against the pending proposal or an undecided
dispute; the two-level proof (batch in the epoch ledger root, epoch ledger root in the
commitment) matches ``communis.engine.commitment``; everything else is refused and changes
nothing. Who gains and loses what is compared with the economics model (``attacker_net``,
``bond_flows``) for the same parameters, exactly."""

from __future__ import annotations

import ape
import pytest

from communis.chain.history import PROVEN_REASON, slashed_bonds
from communis.economics.attacks import attacker_net
from communis.economics.bonds import Ending, bond_flows
from communis.engine.attest import Batch, Domain, HashTree, SigningKey, make_batch
from communis.engine.commitment import ledger_commitment
from communis.engine.ledger import Row
from communis.engine.roles import ROLES
from communis.report.model import BondSlash
from tests.helpers.constants import CHALLENGER_REWARD_BPS, POLICY, TOKEN
from tests.helpers.economics import Balances, model_of
from tests.helpers.epochs import Epoch, challenge, cumulative, pass_window, propose
from tests.helpers.time import end_epoch

POINT = 10**18
PROPOSER_BOND, CHALLENGER_BOND = POLICY[5], POLICY[6]
REWARD = PROPOSER_BOND * CHALLENGER_REWARD_BPS // 10_000
VALID, OVER_BUDGET, NOT_ATTESTER, BAD_SIGNATURE = 0, 1, 2, 3
UPHELD, NOT_UPHELD, NO_VERDICT, PROVEN = 0, 1, 2, 3
FRAUD_PROOF_MAX = 150_000


def _rows(epoch: int, accounts, salt: str) -> list[Row]:
    return [
        Row(epoch, a.address, ROLES[i % 4], (i + 1) * POINT, f"{salt}/{i}")
        for i, a in enumerate(accounts)
    ]


class Ledger:
    """One epoch's attested ledger: signed batches and the tree over their leaves."""

    def __init__(self, epoch: int, batches: list[tuple[Batch, bytes]]) -> None:
        self.epoch = epoch
        self.batches = batches
        self.tree = HashTree.of([batch.leaf(signature) for batch, signature in batches])

    @property
    def root(self) -> bytes:
        return self.tree.root


def _signed(account, epoch: int, domain: Domain, members, salt: str, signer=None):
    batch = make_batch(account.address, epoch, _rows(epoch, members, salt))
    return batch, SigningKey((signer or account).private_key).sign_digest(batch.digest(domain))


def _proof(ledgers: list[Ledger], epoch: int, index: int) -> tuple:
    """``BatchProof`` of the ``index``-th batch of ``epoch`` in the commitment over ``ledgers``."""
    commitment = ledger_commitment([(ledger.epoch, ledger.root) for ledger in ledgers])
    ledger = next(ledger for ledger in ledgers if ledger.epoch == epoch)
    batch, signature = ledger.batches[index]
    return (
        batch.attester,
        batch.epoch,
        batch.rows_root,
        batch.points,
        batch.row_count,
        signature,
        ledger.root,
        ledger.tree.proof(index),
        commitment.proof_for(epoch),
    )


def _with_commitment(epoch: Epoch, ledgers: list[Ledger]) -> Epoch:
    root = ledger_commitment([(ledger.epoch, ledger.root) for ledger in ledgers]).root
    return Epoch(epoch.number, epoch.table, epoch.tree, root)


@pytest.fixture
def domain(chain, attester_registry) -> Domain:
    return Domain(chain.chain_id, attester_registry.address)


@pytest.fixture
def ledger0(attester_registry, domain, gov, carol, attacker, alice, bob) -> Ledger:
    """Epoch 0: carol (an attester, budget 100 points) signs the honest rows; the attacker, no
    attester, signs invented ones; a third batch carries carol's name with a bad signature."""
    attester_registry.appoint(carol, 100 * POINT, sender=gov)
    honest = _signed(carol, 0, domain, [alice, bob], "forum")
    invented = _signed(attacker, 0, domain, [attacker] * 3, "invented")
    forged = _signed(carol, 0, domain, [attacker], "forged", signer=attacker)
    return Ledger(0, [honest, invented, forged])


@pytest.fixture
def padded(ledger0, alice, bob, attacker) -> Epoch:
    table = cumulative(0, {alice: (600 * TOKEN, 60 * TOKEN), attacker: (400 * TOKEN, 40 * TOKEN)})
    return _with_commitment(table, [ledger0])


@pytest.fixture
def balances(token, proposer, guardian, treasury, alice) -> Balances:
    """Balances before the padded root is proposed (the proposer's bond still in hand)."""
    return Balances(token, proposer, guardian, treasury, alice)


@pytest.fixture
def pending(rewards, chain, genesis, padded, proposer, balances) -> Epoch:
    end_epoch(chain, genesis, 0)
    propose(rewards, padded, proposer)
    return padded


def test_attack_padded_ledger_proven_in_one_transaction(
    rewards, token, pending, ledger0, proposer, treasury, alice, balances
):
    """A batch nobody accountable signed: anyone holding the bundle proves it, the root is
    rejected and banned, the proposer's bond slashed (the prover gets the challenger reward),
    in one transaction with no vote."""
    receipt = rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 1), sender=alice)
    key = rewards.disputeKey(0, pending.root, pending.ledger_root)
    attacker = ledger0.batches[1][0].attester
    assert receipt.events.filter(rewards.UnattestedBatchProven) == [
        rewards.UnattestedBatchProven(
            key, 0, alice, attacker, 0, NOT_ATTESTER, REWARD, PROPOSER_BOND - REWARD
        )
    ]
    assert receipt.events.filter(rewards.RootBanned) == [
        rewards.RootBanned(0, key, pending.root, pending.ledger_root)
    ]
    assert receipt.gas_used <= FRAUD_PROOF_MAX
    model = model_of(rewards)
    proven = bond_flows(model, Ending.PROVEN)
    assert balances.change(proposer) == attacker_net("padded-ledger", model, Ending.PROVEN)
    assert balances.change(proposer) == -PROPOSER_BOND
    assert balances.change(alice) == proven.prover == REWARD
    assert balances.change(treasury) == proven.treasury == PROPOSER_BOND - REWARD
    assert token.balanceOf(rewards) == 0
    assert rewards.pendingProposal().status == 3  # Rejected: the slot is free
    assert rewards.epochStatus(0) == 0
    assert rewards.isRootBanned(0, pending.root, pending.ledger_root)
    with ape.reverts(rewards.ContributionRewardsRootBanned):
        propose(rewards, pending, proposer)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 1), sender=alice)


def test_forged_signature_of_an_eoa_attester_is_provable(rewards, pending, ledger0, alice):
    receipt = rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 2), sender=alice)
    [event] = receipt.decode_logs(rewards.UnattestedBatchProven)
    assert event.status == BAD_SIGNATURE


def test_attested_batches_are_not_provable(
    rewards, attester_registry, gov, pending, ledger0, carol, alice
):
    """A valid batch, and an over-budget one (a judgement for governance), prove nothing and
    change nothing."""
    with ape.reverts(rewards.ContributionRewardsBatchNotProvable, attester=carol, status=VALID):
        rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 0), sender=alice)
    attester_registry.setBudget(carol, 1, sender=gov)  # epoch 0 is over: no effect on it
    with ape.reverts(rewards.ContributionRewardsBatchNotProvable, status=VALID):
        rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 0), sender=alice)
    assert rewards.pendingProposal().status == 1


def test_over_budget_batch_goes_through_a_challenge(
    rewards, attester_registry, chain, genesis, domain, gov, proposer, carol, alice, bob
):
    attester_registry.appoint(bob, POINT, sender=gov)  # one point: below its batch's points
    ledger = Ledger(0, [_signed(bob, 0, domain, [alice, carol], "big")])
    epoch = _with_commitment(cumulative(0, {alice: (TOKEN, 0)}), [ledger])
    end_epoch(chain, genesis, 0)
    propose(rewards, epoch, proposer)
    with ape.reverts(rewards.ContributionRewardsBatchNotProvable, status=OVER_BUDGET):
        rewards.proveUnattestedBatch(0, epoch.root, _proof([ledger], 0, 0), sender=alice)


def test_contract_attester_goes_through_a_challenge(
    project, rewards, attester_registry, chain, genesis, domain, gov, whale, proposer, alice, bob
):
    """An ERC-1271 attester's answer can change (its owners change), so a bad signature of a
    contract attester is not an objective proof: it goes through the challenge path."""
    wallet = whale.deploy(project.MultisigAttester, [alice, bob], 2)
    attester_registry.appoint(wallet, 100 * POINT, sender=gov)
    batch = make_batch(wallet.address, 0, _rows(0, [alice], "safe"))
    ledger = Ledger(0, [(batch, b"\1" * 65)])
    epoch = _with_commitment(cumulative(0, {alice: (TOKEN, 0)}), [ledger])
    end_epoch(chain, genesis, 0)
    propose(rewards, epoch, proposer)
    with ape.reverts(rewards.ContributionRewardsBatchNotProvable, status=BAD_SIGNATURE):
        rewards.proveUnattestedBatch(0, epoch.root, _proof([ledger], 0, 0), sender=alice)


def test_bad_proofs_are_refused(rewards, pending, ledger0, domain, attacker, alice):
    good = _proof([ledger0], 0, 1)
    with ape.reverts(rewards.ContributionRewardsInvalidBatchProof):
        rewards.proveUnattestedBatch(0, pending.root, (*good[:7], [], good[8]), sender=alice)
    with ape.reverts(rewards.ContributionRewardsInvalidLedgerProof):
        rewards.proveUnattestedBatch(
            0, pending.root, (*good[:6], b"\2" * 32, *good[7:]), sender=alice
        )
    # A batch of another epoch that is not in the commitment, even signed by a non-attester.
    other = Ledger(1, [_signed(attacker, 1, domain, [attacker], "later")])
    with ape.reverts(rewards.ContributionRewardsBatchNotCovered, batchEpoch=1):
        rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0, other], 1, 0), sender=alice)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.proveUnattestedBatch(1, pending.root, good, sender=alice)


def test_proof_against_an_undecided_dispute(
    rewards, token, chain, pending, ledger0, proposer, guardian, treasury, alice, balances
):
    """The root was challenged first: the proof ends the dispute as upheld, with no vote (also
    after its deadline, until someone settles it); the challenger gets its bond and the reward."""
    dispute = challenge(rewards, pending, guardian)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 1), sender=alice)
    chain.pending_timestamp = dispute[10]
    chain.mine()
    receipt = rewards.proveUnattestedBatchInDispute(dispute, _proof([ledger0], 0, 1), sender=alice)
    key = rewards.disputeKey(0, pending.root, pending.ledger_root)
    assert receipt.events.filter(rewards.DisputeEnded) == [
        rewards.DisputeEnded(key, 0, PROVEN, 0, CHALLENGER_BOND + REWARD, PROPOSER_BOND - REWARD)
    ]
    assert receipt.gas_used <= FRAUD_PROOF_MAX
    model = model_of(rewards)
    proven = bond_flows(model, Ending.PROVEN_IN_DISPUTE)
    assert balances.change(proposer) == attacker_net(
        "padded-ledger", model, Ending.PROVEN_IN_DISPUTE
    )
    assert balances.change(guardian) == proven.challenger == REWARD  # its bond back, and more
    assert balances.change(treasury) == proven.treasury == PROPOSER_BOND - REWARD
    assert balances.change(alice) == proven.prover == 0
    assert token.balanceOf(rewards) == 0
    assert rewards.isRootBanned(0, pending.root, pending.ledger_root)
    with ape.reverts(rewards.ContributionRewardsUnknownDispute):
        rewards.settleDispute(dispute, sender=alice)
    # The report's history reads it from the events: the proposer's bond, slashed by a proof.
    assert slashed_bonds(rewards, chain.blocks.height) == {
        0: [BondSlash(proposer.address, PROPOSER_BOND, PROVEN_REASON, proven=True)]
    }


def test_proof_into_a_catch_up_commitment(
    rewards,
    token,
    chain,
    genesis,
    domain,
    gov,
    attester_registry,
    proposer,
    carol,
    attacker,
    alice,
    bob,
):
    """A root covering epochs 0 and 1 commits to both ledgers: a batch of epoch 0 is proven
    with a non-empty proof of its epoch leaf. The catch-up root bonded two proposer bonds, and
    loses both."""
    attester_registry.appoint(carol, 100 * POINT, sender=gov)
    ledgers = [
        Ledger(
            0,
            [_signed(attacker, 0, domain, [attacker], "x"), _signed(carol, 0, domain, [bob], "a")],
        ),
        Ledger(1, [_signed(carol, 1, domain, [alice], "b")]),
    ]
    epoch = _with_commitment(cumulative(1, {alice: (TOKEN, 0)}), ledgers)
    end_epoch(chain, genesis, 1)
    balances = Balances(token, proposer, alice)
    propose(rewards, epoch, proposer)
    proof = _proof(ledgers, 0, 0)
    assert len(proof[8]) == 1
    with ape.reverts(rewards.ContributionRewardsBatchNotProvable):
        rewards.proveUnattestedBatch(1, epoch.root, _proof(ledgers, 1, 0), sender=alice)
    receipt = rewards.proveUnattestedBatch(1, epoch.root, proof, sender=alice)
    assert receipt.decode_logs(rewards.UnattestedBatchProven)[0].batchEpoch == 0
    model = model_of(rewards)
    assert balances.change(proposer) == attacker_net(
        "padded-ledger", model, Ending.PROVEN, epochs=2
    )
    assert balances.change(proposer) == -2 * PROPOSER_BOND
    assert balances.change(alice) == bond_flows(model, Ending.PROVEN, epochs=2).prover


def test_proof_after_the_window_until_finalized(rewards, chain, pending, ledger0, proposer, alice):
    """A root whose window has passed is still pending until someone finalizes it: a proof then
    still rejects it; once finalized nothing can be proven against it."""
    pass_window(chain, rewards)
    snapshot = chain.snapshot()
    rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 1), sender=alice)
    chain.restore(snapshot)
    rewards.finalize(0, sender=proposer)
    with ape.reverts(rewards.ContributionRewardsNotPending):
        rewards.proveUnattestedBatch(0, pending.root, _proof([ledger0], 0, 1), sender=alice)
