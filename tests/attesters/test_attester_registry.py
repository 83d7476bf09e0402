"""AttesterRegistry: governance appoints and removes attesters with epoch budgets, past epochs
answer the same after every change, and batch signatures (EOA and ERC-1271) are judged in the
registry's own EIP-712 domain, byte-identical to the engine's hashing."""

from __future__ import annotations

import ape
import pytest

from communis.engine.attest import Batch, Domain, HashTree, SigningKey, make_batch, row_leaf
from communis.engine.keccak import keccak
from communis.engine.ledger import Row
from communis.engine.roles import ROLES
from tests.helpers.constants import WEEK, ZERO
from tests.helpers.time import advance

POINT = 10**18
VALID, OVER_BUDGET, NOT_ATTESTER, BAD_SIGNATURE = 0, 1, 2, 3
MAX_208 = (1 << 208) - 1


def rows(epoch: int, accounts, count: int = 6) -> list[Row]:
    return [
        Row(epoch, accounts[i % len(accounts)].address, ROLES[i % 4], (i + 1) * POINT, f"ref/{i}")
        for i in range(count)
    ]


def signed(account, epoch: int, domain: Domain, accounts, *, signer=None) -> tuple[Batch, bytes]:
    batch = make_batch(account.address, epoch, rows(epoch, accounts))
    key = SigningKey((signer or account).private_key)
    return batch, key.sign_digest(batch.digest(domain))


def args(batch: Batch, signature: bytes) -> tuple:
    return (batch.attester, batch.epoch, batch.rows_root, batch.points, batch.row_count, signature)


def test_deploy(project, attester_registry, clock, gov, treasury, chain) -> None:
    assert attester_registry.clock() == clock.address
    assert attester_registry.owner() == gov.address
    assert attester_registry.currentEpoch() == 0
    domain = attester_registry.eip712Domain()
    assert domain[1:5] == ("Communis Attesters", "1", chain.chain_id, attester_registry.address)
    with ape.reverts(project.AttesterRegistry.AttesterRegistryZeroClock):
        treasury.deploy(project.AttesterRegistry, ZERO, gov)


def test_only_governance_changes_attesters(attester_registry, gov, alice, attacker) -> None:
    with ape.reverts(attester_registry.OwnableUnauthorizedAccount):
        attester_registry.appoint(alice, POINT, sender=attacker)
    attester_registry.appoint(alice, POINT, sender=gov)
    with ape.reverts(attester_registry.OwnableUnauthorizedAccount):
        attester_registry.setBudget(alice, 2 * POINT, sender=attacker)
    with ape.reverts(attester_registry.OwnableUnauthorizedAccount):
        attester_registry.remove(alice, sender=alice)
    assert attester_registry.isAttester(alice)


def test_events_and_errors(attester_registry, gov, alice, bob) -> None:
    receipt = attester_registry.appoint(alice, 100 * POINT, sender=gov)
    assert receipt.events.filter(attester_registry.AttesterAppointed) == [
        attester_registry.AttesterAppointed(alice, 100 * POINT, 0)
    ]
    with ape.reverts(attester_registry.AttesterRegistryAlreadyAttester):
        attester_registry.appoint(alice, POINT, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryZeroAccount):
        attester_registry.appoint(ZERO, POINT, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryZeroBudget):
        attester_registry.appoint(bob, 0, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryBudgetTooLarge):
        attester_registry.appoint(bob, MAX_208 + 1, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryNotAttester):
        attester_registry.setBudget(bob, POINT, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryZeroBudget):
        attester_registry.setBudget(alice, 0, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryNotAttester):
        attester_registry.remove(bob, sender=gov)
    receipt = attester_registry.setBudget(alice, 40 * POINT, sender=gov)
    assert receipt.events.filter(attester_registry.AttesterBudgetSet) == [
        attester_registry.AttesterBudgetSet(alice, 100 * POINT, 40 * POINT, 0)
    ]
    receipt = attester_registry.remove(alice, sender=gov)
    assert receipt.events.filter(attester_registry.AttesterRemoved) == [
        attester_registry.AttesterRemoved(alice, 40 * POINT, 0)
    ]
    attester_registry.appoint(bob, MAX_208, sender=gov)
    with ape.reverts(attester_registry.AttesterRegistryTotalBudgetOverflow):
        attester_registry.appoint(alice, 1, sender=gov)


def log_hash(changes) -> bytes:
    """The attester log replayed off chain: ``keccak256(abi.encode(previous, attester,
    uint48 fromEpoch, uint208 budget))`` per change, from zero (the ``communis-attesters-v2``
    snapshot's ``logHash``)."""
    from eth_abi import encode

    value = b"\0" * 32
    for attester, from_epoch, budget in changes:
        value = keccak(
            encode(
                ["bytes32", "address", "uint48", "uint208"], [value, attester, from_epoch, budget]
            )
        )
    return value


# A shared vector: these changes, replayed from zero, give this log hash (any implementation of
# the snapshot format must reproduce it).
VECTOR_CHANGES = [
    ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 0, 100 * 10**18),
    ("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", 0, 50 * 10**18),
    ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1, 40 * 10**18),
    ("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", 1, 0),
]
VECTOR_LOG_HASH = "0x4cfe58b990302d3e4de52457322df0dcce210001ab10c030acf2a070d6a46647"


def test_log_hash_commits_to_every_change(attester_registry, gov, alice, bob, chain) -> None:
    """appoint, setBudget and remove each advance the hash chain and log the change; replaying
    the logged changes off chain gives logHash() (R4)."""
    reg = attester_registry
    assert reg.logHash() == b"\0" * 32
    assert [(alice.address, bob.address)] == [(VECTOR_CHANGES[0][0], VECTOR_CHANGES[1][0])]
    receipts = [
        reg.appoint(alice, 100 * POINT, sender=gov),
        reg.appoint(bob, 50 * POINT, sender=gov),
    ]
    advance(chain, WEEK)
    receipts.append(reg.setBudget(alice, 40 * POINT, sender=gov))
    receipts.append(reg.remove(bob, sender=gov))
    logged = [r.events.filter(reg.AttesterLog)[0] for r in receipts]
    changes = [(str(e.attester), int(e.fromEpoch), int(e.budget)) for e in logged]
    assert changes == VECTOR_CHANGES
    for i, event in enumerate(logged):
        assert event.logHash == log_hash(changes[: i + 1])
    assert reg.logHash() == log_hash(VECTOR_CHANGES) == logged[-1].logHash
    assert "0x" + reg.logHash().hex() == VECTOR_LOG_HASH


def test_checkpoints_answer_for_past_epochs_also_after_removal(
    attester_registry, gov, alice, bob, chain
) -> None:
    reg = attester_registry
    reg.appoint(alice, 100 * POINT, sender=gov)  # epoch 0
    reg.appoint(bob, 10 * POINT, sender=gov)
    advance(chain, 2 * WEEK)
    assert reg.currentEpoch() == 2
    reg.setBudget(alice, 50 * POINT, sender=gov)  # epoch 2
    advance(chain, 2 * WEEK)
    reg.remove(alice, sender=gov)  # epoch 4
    advance(chain, 2 * WEEK)
    reg.appoint(alice, 7 * POINT, sender=gov)  # epoch 6
    expected = {0: 100, 1: 100, 2: 50, 3: 50, 4: 0, 5: 0, 6: 7, 7: 7, 10**6: 7}
    for epoch, budget in expected.items():
        assert reg.budgetAt(alice, epoch) == budget * POINT, epoch
        assert reg.isAttesterAt(alice, epoch) == (budget > 0), epoch
        assert reg.totalBudgetAt(epoch) == (budget + 10) * POINT, epoch
    assert reg.budgetAt(alice, 2**48) == 7 * POINT  # beyond the key range: the latest value
    assert reg.budget(alice) == 7 * POINT and reg.isAttester(alice)
    assert reg.isAttesterAt(bob, 10**6) and reg.budgetAt(bob, 3) == 10 * POINT


def test_changes_within_an_epoch_apply_to_it_and_leave_ended_epochs(
    attester_registry, gov, alice, chain
) -> None:
    reg = attester_registry
    advance(chain, WEEK)
    reg.appoint(alice, 5 * POINT, sender=gov)  # epoch 1
    reg.setBudget(alice, 6 * POINT, sender=gov)
    assert reg.budgetAt(alice, 1) == 6 * POINT and reg.budgetAt(alice, 0) == 0
    advance(chain, WEEK)
    reg.remove(alice, sender=gov)  # epoch 2: epoch 1 has ended and keeps its answer
    assert reg.budgetAt(alice, 1) == 6 * POINT and not reg.isAttesterAt(alice, 2)
    reg.appoint(alice, 9 * POINT, sender=gov)  # removed and reappointed in the same epoch
    assert reg.budgetAt(alice, 2) == 9 * POINT and reg.totalBudgetAt(2) == 9 * POINT


def test_hashes_match_the_engine(attester_registry, attest_domain, alice, bob) -> None:
    batch, signature = signed(alice, 3, attest_domain, [alice, bob])
    assert attester_registry.batchDigest(*args(batch, signature)[:5]) == batch.digest(attest_domain)
    assert attester_registry.batchLeaf(*args(batch, signature)) == batch.leaf(signature)
    for row in rows(3, [alice, bob]):
        on_chain = attester_registry.rowLeaf(
            row.epoch, row.account, ROLES.index(row.role), row.points, keccak(row.ref.encode())
        )
        assert on_chain == row_leaf(row)


def test_batch_judgement(attester_registry, attest_domain, gov, alice, bob, carol) -> None:
    reg = attester_registry
    reg.appoint(alice, 1000 * POINT, sender=gov)
    batch, signature = signed(alice, 0, attest_domain, [alice, bob])
    assert reg.isValidBatch(*args(batch, signature))
    assert reg.batchStatus(*args(batch, signature)) == VALID
    # Another key signs in alice's name.
    _, forged = signed(alice, 0, attest_domain, [alice, bob], signer=carol)
    assert not reg.isValidBatch(*args(batch, forged))
    assert reg.batchStatus(*args(batch, forged)) == BAD_SIGNATURE
    # A truncated signature is judged, not reverted on.
    assert not reg.isValidBatch(*args(batch, signature[:64]))
    # Signed for another epoch, presented for this one.
    _, old_signature = signed(alice, 1, attest_domain, [alice, bob])
    assert not reg.isValidBatch(*args(batch, old_signature))
    # Signed in another deployment's domain.
    other = Domain(attest_domain.chain_id, "0x" + "11" * 20)
    _, replayed = signed(alice, 0, other, [alice, bob])
    assert not reg.isValidBatch(*args(batch, replayed))
    # A non-attester signing its own batch.
    outsider, own = signed(carol, 0, attest_domain, [alice, bob])
    assert not reg.isValidBatch(*args(outsider, own))
    assert reg.batchStatus(*args(outsider, own)) == NOT_ATTESTER
    # Over budget is valid as a signature, judged separately.
    reg.setBudget(alice, batch.points - 1, sender=gov)
    assert reg.isValidBatch(*args(batch, signature))
    assert reg.batchStatus(*args(batch, signature)) == OVER_BUDGET


def test_batches_stay_valid_for_epochs_served_after_removal(
    attester_registry, attest_domain, gov, alice, bob, chain
) -> None:
    reg = attester_registry
    reg.appoint(alice, 1000 * POINT, sender=gov)
    advance(chain, WEEK)
    batch, signature = signed(alice, 0, attest_domain, [alice, bob])
    reg.remove(alice, sender=gov)  # epoch 1
    assert reg.isValidBatch(*args(batch, signature))
    late, late_signature = signed(alice, 1, attest_domain, [alice, bob])
    assert not reg.isValidBatch(*args(late, late_signature))


@pytest.fixture
def wallets(project, whale, alice, bob, carol):
    """Two 2-of-3 multisig attesters with the same owners."""
    owners = [alice, bob, carol]
    return [whale.deploy(project.MultisigAttester, owners, 2) for _ in range(2)]


def multisig_signature(digest: bytes, signers) -> bytes:
    keys = sorted((SigningKey(s.private_key) for s in signers), key=lambda k: int(k.address, 16))
    return b"".join(k.sign_digest(digest) for k in keys)


def test_erc1271_attester(attester_registry, attest_domain, gov, wallets, alice, bob, carol):
    reg = attester_registry
    first, second = wallets
    reg.appoint(first, 1000 * POINT, sender=gov)
    reg.appoint(second, 1000 * POINT, sender=gov)
    batch = make_batch(first.address, 0, rows(0, [alice, bob]))
    signature = multisig_signature(batch.digest(attest_domain), [alice, carol])
    assert reg.isValidBatch(*args(batch, signature))
    assert reg.batchStatus(*args(batch, signature)) == VALID
    one_owner = multisig_signature(batch.digest(attest_domain), [alice])
    assert not reg.isValidBatch(*args(batch, one_owner))
    # The same owners' signature of the first wallet's batch is not the second wallet's: the
    # attester is part of the signed struct.
    moved = Batch(second.address, 0, batch.rows_root, batch.points, batch.row_count)
    assert not reg.isValidBatch(*args(moved, signature))
    assert reg.batchStatus(*args(moved, signature)) == BAD_SIGNATURE


def test_ledger_tree_proof_gas(
    project, attester_registry, attest_domain, gov, whale, wallets, alice, bob, carol, attacker
):
    """The work of a one-transaction fraud proof: inclusion of a batch in a 64-batch ledger
    tree plus the registry's judgement, for an EOA outsider, an EOA attester and a multisig."""
    reg = attester_registry
    reg.appoint(alice, 1000 * POINT, sender=gov)
    reg.appoint(wallets[0], 1000 * POINT, sender=gov)
    probe = whale.deploy(project.BatchProofProbe, reg)
    forged, forged_sig = signed(attacker, 0, attest_domain, [bob, carol])
    honest, honest_sig = signed(alice, 0, attest_domain, [bob, carol])
    safe = make_batch(wallets[0].address, 0, rows(0, [bob, carol]))
    safe_sig = multisig_signature(safe.digest(attest_domain), [alice, bob])
    leaves = [forged.leaf(forged_sig), honest.leaf(honest_sig), safe.leaf(safe_sig)]
    leaves += [keccak(i.to_bytes(32, "big")) for i in range(61)]
    tree = HashTree.of(leaves)
    figures = {}
    for index, (batch, sig, expected) in enumerate(
        [(forged, forged_sig, False), (honest, honest_sig, True), (safe, safe_sig, True)]
    ):
        receipt = probe.probe(tree.root, *args(batch, sig), tree.proof(index), sender=bob)
        assert receipt.events == [probe.BatchProbed(tree.root, batch.attester, 0, expected)]
        figures[batch.attester] = receipt.gas_used
    print("gas.attest.probe", figures)
    assert figures[forged.attester] <= 45_000
    assert figures[honest.attester] <= 55_000
    assert figures[safe.attester] <= 70_000
    with ape.reverts(probe.BatchProofProbeNotInLedger):
        probe.probe(tree.root, *args(forged, forged_sig), tree.proof(1), sender=bob)
