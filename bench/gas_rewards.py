"""Claim and proposal gas of ContributionRewards vs a minimal cumulative distributor.

One scenario, deployed in the same run on a fresh chain: the real CommunityToken, Influence and
ContributionRewards wired as a deployment wires them, and contracts/reference/CumulativeDistributor
(tokens only, pre-funded, same leaves). Both read the same StandardMerkleTree built by
``communis.engine.merkle`` with ``CONTRIBUTORS`` synthetic accounts (proofs of depth 10).

Figures (gas of one transaction, deterministic):
- ``gas.claim.first``: an account's first claim (tokens + influence), after another account
  has claimed (the contract-wide slots are warm, the account's are not: the common case);
- ``gas.claim.repeat``: the same account's claim of the next epoch;
- ``gas.proposeRoot``: a proposal for epoch 1 (the recurring case: the proposal slots were
  written once before); ``gas.proposeRoot.first``: the deployment's very first proposal;
- ``gas.proposeRoot.epoch2`` and ``gas.proposeRoot.10x_contributors``: epoch 2 proposed from the
  same state for the small tree and for one with ten times the contributors (equal: the cost does
  not depend on the number of contributors);
- ``gas.claim.baseline_first`` / ``gas.claim.baseline_repeat``: the reference's claims;
- ``gas.claim.batch50_per_account``: ``claimMany`` of 50 first claims, per account (how
  ``ape run epoch claim`` pays for everyone); ``gas.claim.batch50_first_per_account``: the same
  as a multicall of ``claim`` for 50 other accounts;
- ``gas.finalize``: finalizing epoch 1 (the recurring case);
- ``gas.challenge``: a guardian challenges epoch 2's pending root (the root is discarded, a
  dispute stored as one hash, the challenger bond pulled); ``gas.resolveDispute`` (upheld:
  banned, bonds paid out) and ``gas.settleDispute`` (no verdict by the deadline: fees) end it;
- ``gas.fraudProof``: ``proveUnattestedBatch`` of a batch no attester signed, in a 64-batch
  epoch ledger of a two-epoch catch-up commitment (both proof levels non-empty), against the
  pending root (banned, bond split between the prover, who held no tokens, and the treasury);
  ``gas.fraudProof.dispute``: the same against an undecided dispute;
- ``gas.mint.first`` / ``gas.mint.repeat`` and ``gas.awardStored.first`` /
  ``gas.awardStored.repeat``: CommunityToken.mint and Influence.awardStored sent directly (by an
  EOA holding the roles) to a fresh and then the same account, in the same state as the claims.
  The EOA is a second awarder (ContributionRewards, granted first, is Influence's claims ledger),
  so its awards take the per-awarder path that a claim does not: these are the two ledgers'
  costs for an outside awarder, not a split of the claim.

``tests/rewards/test_gas.py`` runs :func:`scenario` on both EVMs and asserts its bounds.
"""

from __future__ import annotations

from typing import Any

from bench.evm import local_chain

WEEK = 7 * 24 * 3600
HALF_LIFE = 26
TOKEN = 10**18
CONTRIBUTORS = 1_000
BATCH = 50
ZERO = "0x" + "00" * 20  # no guardian registry: the guardian holds GUARDIAN_ROLE
ZERO32 = b"\0" * 32
CAP = 10**9 * TOKEN
GENESIS = 10**8 * TOKEN
DAY = 24 * 3600
LEDGER_BATCHES = 64
# tokenBudget, influenceBudget, roleWeights, accountCapBps, challengeWindow, proposerBond,
# challengerBond, disputePeriod, disputeFeeBps, openProposing
POLICY = (
    10_000 * TOKEN, 1_000 * TOKEN, (5, 3, 4, 1), 2_000, 2 * DAY, 1_000 * TOKEN, 250 * TOKEN,
    14 * DAY, 2_000, True,
)  # fmt: skip


def _epoch_table(epoch: int, awards: dict[str, tuple[int, int]], previous: dict | None) -> dict:
    from communis.engine.growth import to_stored

    table = dict(previous or {})
    for account, (tokens, influence) in awards.items():
        old_tokens, old_stored = table.get(account, (0, 0))
        table[account] = (old_tokens + tokens, old_stored + to_stored(influence, epoch, HALF_LIFE))
    return table


def _tree(table: dict[str, tuple[int, int]]):
    from communis.engine.merkle import Leaf, MerkleTree

    return MerkleTree.build([Leaf(a, t, i) for a, (t, i) in sorted(table.items())])


def _padding(size: int, salt: str) -> dict[str, tuple[int, int]]:
    from eth_utils import keccak, to_checksum_address

    return {
        to_checksum_address(keccak(text=f"{salt} {i}")[:20]): (TOKEN // 10, TOKEN // 100)
        for i in range(size)
    }


def _unattested_ledger(chain: Any, registry: Any, accounts: Any) -> tuple[tuple, bytes]:
    """A two-epoch commitment (epochs 1 and 2) whose epoch-2 ledger has ``LEDGER_BATCHES``
    batches, the first signed by an account that is no attester: the ``BatchProof`` of that batch
    and the commitment root."""
    from eth_utils import keccak

    from communis.engine.attest import Domain, HashTree, SigningKey, make_batch
    from communis.engine.commitment import ledger_commitment
    from communis.engine.ledger import Row

    outsider = accounts[8]
    rows = [Row(2, outsider.address, "creator", 400 * TOKEN, f"invented/{i}") for i in range(12)]
    batch = make_batch(outsider.address, 2, rows)
    signature = SigningKey(outsider.private_key).sign_digest(
        batch.digest(Domain(chain.chain_id, registry.address))
    )
    leaves = [batch.leaf(signature)] + [keccak(i.to_bytes(32, "big")) for i in range(63)]
    ledger = HashTree.of(leaves)
    commitment = ledger_commitment([(1, keccak(text="epoch 1 ledger")), (2, ledger.root)])
    proof = (
        batch.attester, 2, batch.rows_root, batch.points, batch.row_count, signature,
        ledger.root, ledger.proof(0), commitment.proof_for(2),
    )  # fmt: skip
    return proof, commitment.root


def _advance(chain: Any, timestamp: int) -> None:
    if chain.pending_timestamp < timestamp:
        chain.pending_timestamp = timestamp
        chain.mine()


def _tick(chain: Any) -> None:
    """Start a new second: every measured transaction writes its vote checkpoints at a new
    timestamp, as in normal use (anvil otherwise packs consecutive blocks into one second)."""
    chain.pending_timestamp = chain.pending_timestamp + 12


def scenario(project: Any, accounts: Any, chain: Any) -> dict[str, int]:
    """Deploy everything, run the measured transactions, return ``{figure: gas}``."""
    deployer, gov, proposer = accounts[0], accounts[3], accounts[4]
    alice, bob, carol, treasury = accounts[1], accounts[2], accounts[6], accounts[9]
    token = deployer.deploy(
        project.CommunityToken, "Communis", "CMN", CAP, deployer, treasury, GENESIS
    )
    genesis = chain.pending_timestamp
    influence = deployer.deploy(project.Influence, deployer, genesis, WEEK, HALF_LIFE)
    registry = deployer.deploy(project.AttesterRegistry, influence, gov)
    rewards = deployer.deploy(
        project.ContributionRewards, token, influence, gov, treasury, ZERO, registry, POLICY, 5_000
    )
    token.grantRole(token.MINTER_ROLE(), rewards, sender=deployer)
    influence.grantRole(influence.AWARDER_ROLE(), rewards, sender=deployer)
    # Only for measuring the two ledgers on their own (never done in a deployment).
    token.grantRole(token.MINTER_ROLE(), deployer, sender=deployer)
    influence.grantRole(influence.AWARDER_ROLE(), deployer, sender=deployer)
    dave, guardian = accounts[7], accounts[5]
    rewards.grantRole(rewards.GUARDIAN_ROLE(), guardian, sender=gov)
    for account, bond in ((proposer, POLICY[5]), (guardian, POLICY[6])):
        token.transfer(account, 10 * bond, sender=treasury)
        token.approve(rewards, 2**256 - 1, sender=account)
    reference = deployer.deploy(project.CumulativeDistributor, token)
    token.transfer(reference, 10_000 * TOKEN, sender=treasury)

    def propose(epoch: int, tree, table, ledger_root: bytes = b"\1" * 32) -> int:
        _advance(chain, genesis + (epoch + 1) * WEEK)
        tokens = sum(t for t, _ in table.values())
        stored = sum(i for _, i in table.values())
        receipt = rewards.proposeRoot(
            epoch, tree.root, tokens, stored, ledger_root, f"ipfs://bench/{epoch}",
            rewards.policyHash(), sender=proposer,
        )  # fmt: skip
        return receipt.gas_used

    def finalize(epoch: int, tree) -> int:
        _advance(chain, rewards.pendingProposal().challengeDeadline)
        receipt = rewards.finalize(epoch, sender=carol)
        reference.setRoot(tree.root, sender=deployer)
        return receipt.gas_used

    def claim(contract, tree, table, account) -> int:
        _tick(chain)
        tokens, stored = table[str(account)]
        proof = tree.proof(str(account))
        if contract == rewards:
            return contract.claim(
                account, tokens, stored, proof, tree.root, sender=account
            ).gas_used
        return contract.claim(account, tokens, stored, proof, sender=account).gas_used

    figures: dict[str, int] = {}
    real = {str(alice): (100 * TOKEN, 10 * TOKEN), str(bob): (TOKEN, TOKEN)}
    table0 = _epoch_table(0, {**_padding(CONTRIBUTORS, "contributor"), **real}, None)
    tree0 = _tree(table0)
    figures["gas.proposeRoot.first"] = propose(0, tree0, table0)
    finalize(0, tree0)
    for contract, prefix in ((rewards, "gas.claim."), (reference, "gas.claim.baseline_")):
        claim(contract, tree0, table0, bob)  # warm the contract-wide slots up
        figures[prefix + "first"] = claim(contract, tree0, table0, alice)
    _tick(chain)
    figures["gas.mint.first"] = token.mint(dave, TOKEN, sender=deployer).gas_used
    _tick(chain)
    figures["gas.awardStored.first"] = influence.awardStored(dave, TOKEN, sender=deployer).gas_used

    table1 = _epoch_table(1, {str(alice): (50 * TOKEN, 5 * TOKEN)}, table0)
    tree1 = _tree(table1)
    figures["gas.proposeRoot"] = propose(1, tree1, table1)
    figures["gas.finalize"] = finalize(1, tree1)
    figures["gas.claim.repeat"] = claim(rewards, tree1, table1, alice)
    figures["gas.claim.baseline_repeat"] = claim(reference, tree1, table1, alice)
    _tick(chain)
    figures["gas.mint.repeat"] = token.mint(dave, TOKEN, sender=deployer).gas_used
    _tick(chain)
    figures["gas.awardStored.repeat"] = influence.awardStored(dave, TOKEN, sender=deployer).gas_used

    # `ape run epoch claim` pays for many accounts per transaction (claimMany): the base cost and
    # the contract-wide slots are shared by the batch.
    unpaid = [a for a in sorted(table1) if a not in real]
    batch, others = unpaid[:BATCH], unpaid[BATCH : 2 * BATCH]
    requests = [(a, *table1[a], tree1.proof(a)) for a in batch]
    _tick(chain)
    receipt = rewards.claimMany(requests, tree1.root, sender=carol)
    figures[f"gas.claim.batch{BATCH}_per_account"] = receipt.gas_used // BATCH
    calls = [rewards.claim.encode_input(a, *table1[a], tree1.proof(a), tree1.root) for a in others]
    _tick(chain)
    receipt = rewards.multicall(calls, sender=carol)
    figures[f"gas.claim.batch{BATCH}_first_per_account"] = receipt.gas_used // BATCH

    # Epoch 2 proposed twice from the same state: for a small tree, and (after rolling the chain
    # back) for a tree with ten times the contributors. The contract only sees the root and the
    # totals, so both carry the small table's totals and differ only in the root.
    table2 = _epoch_table(2, {str(bob): (TOKEN, TOKEN)}, table1)
    large = _tree(_epoch_table(2, _padding(10 * CONTRIBUTORS, "newcomer"), table2))
    snapshot = chain.snapshot()
    figures["gas.proposeRoot.epoch2"] = propose(2, _tree(table2), table2)
    chain.restore(snapshot)
    figures["gas.proposeRoot.10x_contributors"] = propose(2, large, table2)

    # The dispute game on that pending root.
    _tick(chain)
    receipt = rewards.challenge(2, large.root, "ipfs://bench/evidence", sender=guardian)
    figures["gas.challenge"] = receipt.gas_used
    dispute = list(receipt.decode_logs(rewards.RootChallenged)[0].dispute)
    snapshot = chain.snapshot()
    figures["gas.resolveDispute"] = rewards.resolveDispute(dispute, True, sender=gov).gas_used
    chain.restore(snapshot)
    _advance(chain, dispute[10])
    figures["gas.settleDispute"] = rewards.settleDispute(dispute, sender=carol).gas_used

    # A padded ledger: the objective fraud proof, against the pending root, then (after rolling
    # back) against the dispute a guardian opened on it.
    proof, commitment = _unattested_ledger(chain, registry, accounts)
    table2b = _epoch_table(2, {str(carol): (TOKEN, 0)}, table1)
    tree2b = _tree(table2b)
    propose(2, tree2b, table2b, commitment)
    snapshot = chain.snapshot()
    _tick(chain)
    receipt = rewards.proveUnattestedBatch(2, tree2b.root, proof, sender=accounts[10])
    figures["gas.fraudProof"] = receipt.gas_used
    chain.restore(snapshot)
    receipt = rewards.challenge(2, tree2b.root, "", sender=guardian)
    dispute = list(receipt.decode_logs(rewards.RootChallenged)[0].dispute)
    _tick(chain)
    receipt = rewards.proveUnattestedBatchInDispute(dispute, proof, sender=accounts[10])
    figures["gas.fraudProof.dispute"] = receipt.gas_used
    return figures


def collect() -> dict[str, float]:
    import ape

    with local_chain() as (project, accounts):
        return dict(scenario(project, accounts, ape.chain))
