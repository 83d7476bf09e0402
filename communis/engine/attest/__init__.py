"""Attested ledgers: attesters' EIP-712 signatures over Merkle roots of ledger rows.

An attester (an account governance appoints in ``AttesterRegistry``) vouches for the rows of an
epoch's ledger by signing, once per epoch, the EIP-712 struct::

    AttestationBatch(address attester,uint256 epoch,bytes32 rowsRoot,uint256 points,
                     uint256 rowCount)

(one line in the type string) in the registry's domain (name ``Communis Attesters``, version
``1``, chain id, the registry's address). ``rowsRoot`` is the root of a ``StandardMerkleTree``
over the attester's rows; a row leaf is ``keccak256(keccak256(abi.encode(uint256 epoch,
address account, uint8 role, uint256 points, bytes32 keccak256(ref))))`` (``role`` its index in
``ROLES``, ``points`` in 10^-18 point). The ledger root, the commitment of the whole attested
ledger, is the root of the tree over batch leaves ``keccak256(keccak256(abi.encode(address
attester, uint256 epoch, bytes32 rowsRoot, uint256 points, uint256 rowCount, bytes32
keccak256(signature))))``. ``contracts/utils/Attestations.sol`` computes the same bytes;
docs/attestations.md explains the choices.

On disk, an attested ledger is the ledger file unchanged plus ``attestations.json``: the domain,
the epoch, the ledger root and one batch per line (attester, epoch, the ledger lines it covers as
inclusive ranges, row count, points, rows root, signature). The attester set is the registry's
change log, read from the chain or from a snapshot file (``attesters.json``) whose replayed hash
chain must equal the registry's ``logHash()`` a proposal committed to.

Verification checks everything and names every problem (file, line, attester, reason); it never
stops at the first one. Nothing here talks to a chain: signatures of contract attesters
(ERC-1271) are checked through a callback the caller supplies.

The modules, one job each:

- ``hashing``: the EIP-712 domain and batch, row leaves, the trees over rows and batches;
- ``keys``: signing keys, the signer protocol, signature recovery;
- ``attesters``: the attester set (the registry's change log, its hash chain, ``attesters.json``);
- ``files``: ``attestations.json`` (signed batches) written and read; ``fields`` reads its fields;
- ``sign``: an attester's batch over chosen rows, merged into a ledger's attestations;
- ``verify`` and ``problems``: the verification and what it reports;
- ``errors``: the error classes.
"""
