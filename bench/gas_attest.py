"""Gas of the attester registry and of the work of a one-transaction fraud proof: a signed batch
proven part of a 64-batch ledger tree, then judged by ``AttesterRegistry.isValidBatch``.

    gas.attest.appoint                    AttesterRegistry.appoint (first attester)
    gas.attest.batchProof.not_attester    BatchProofProbe.probe of a batch signed by a non-attester
    gas.attest.batchProof.eoa             ... of a batch signed by an EOA attester
    gas.attest.batchProof.erc1271         ... of a batch signed by a 2-of-3 MultisigAttester
"""

from __future__ import annotations

from dataclasses import astuple

from bench.evm import local_chain

WEEK = 7 * 86_400
HALF_LIFE = 26
POINT = 10**18


def collect() -> dict[str, float]:
    from communis.engine.attest.hashing import Domain, HashTree, make_batch
    from communis.engine.attest.keys import SigningKey
    from communis.engine.keccak import keccak
    from communis.engine.ledger import Row

    with local_chain() as (project, accounts):
        import ape

        gov, alice, bob, carol, outsider, prover = (accounts[i] for i in (0, 1, 2, 3, 4, 5))
        clock = gov.deploy(project.Influence, gov, ape.chain.pending_timestamp, WEEK, HALF_LIFE)
        registry = gov.deploy(project.AttesterRegistry, clock, gov)
        wallet = gov.deploy(project.MultisigAttester, [alice, bob, carol], 2)
        probe = gov.deploy(project.BatchProofProbe, registry)
        figures: dict[str, float] = {
            "gas.attest.appoint": registry.appoint(alice, 1000 * POINT, sender=gov).gas_used
        }
        registry.appoint(wallet, 1000 * POINT, sender=gov)
        domain = Domain(ape.chain.chain_id, registry.address)
        rows = [Row(0, bob.address, "creator", (i + 1) * POINT, f"ref/{i}") for i in range(8)]

        def signed(attester: str, signers: list) -> tuple:
            batch = make_batch(attester, 0, rows)
            keys = sorted(
                (SigningKey(s.private_key) for s in signers), key=lambda k: int(k.address, 16)
            )
            signature = b"".join(k.sign_digest(batch.digest(domain)) for k in keys)
            return batch, signature

        cases = {
            "not_attester": signed(outsider.address, [outsider]),
            "eoa": signed(alice.address, [alice]),
            "erc1271": signed(wallet.address, [alice, carol]),
        }
        leaves = [batch.leaf(signature) for batch, signature in cases.values()]
        leaves += [keccak(i.to_bytes(32, "big")) for i in range(64 - len(leaves))]
        tree = HashTree.of(leaves)
        for index, (name, (batch, signature)) in enumerate(cases.items()):
            proof = tree.proof(index)
            receipt = probe.probe(tree.root, astuple(batch), signature, proof, sender=prover)
            figures[f"gas.attest.batchProof.{name}"] = receipt.gas_used
        return figures
