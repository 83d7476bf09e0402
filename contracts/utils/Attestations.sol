// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttesterRegistry} from "../interfaces/IAttesterRegistry.sol";

/**
 * @title Attestations
 * @notice The hashes that bind an attested ledger, shared by the registry (signatures) and
 * whatever proves a batch or a row part of a proposed ledger. `communis.engine.attest` computes
 * the same bytes off chain.
 *
 * - A row leaf is `keccak256(keccak256(abi.encode(row)))` of a {Row}, that is of
 *   `(uint256 epoch, address account, uint8 role, uint256 points, bytes32 refHash)` with
 *   `refHash = keccak256(bytes(ref))` and `role` the index of the role in
 *   `communis.engine.roles.ROLES`; an attester's rows form a StandardMerkleTree (sorted pairs)
 *   whose root is the batch's `rowsRoot`.
 * - An attester signs, once per epoch, the EIP-712 struct
 *   `AttestationBatch(address attester,uint256 epoch,bytes32 rowsRoot,uint256 points,uint256 rowCount)`,
 *   an `IAttesterRegistry.Batch` on chain.
 * - A batch leaf is `keccak256(keccak256(abi.encode(batch, keccak256(signature))))`, that is of
 *   `(address attester, uint256 epoch, bytes32 rowsRoot, uint256 points, uint256 rowCount,
 *   bytes32 keccak256(signature))`; the batch leaves form the ledger tree, whose root commits to
 *   the whole attested ledger.
 */
library Attestations {
    /// @notice One ledger row as its leaf encodes it (static fields only: `abi.encode(row)` is
    /// the fields in order).
    struct Row {
        uint256 epoch;
        address account;
        uint8 role; // the index of the role in `communis.engine.roles.ROLES`
        uint256 points;
        bytes32 refHash; // keccak256(bytes(ref))
    }

    /// @notice The EIP-712 type hash of `AttestationBatch`.
    // An EIP-712 type string is longer than 32 bytes by nature; it is hashed at compile time.
    // solhint-disable-next-line gas-small-strings
    bytes32 internal constant BATCH_TYPEHASH = keccak256(
        "AttestationBatch(address attester,uint256 epoch,bytes32 rowsRoot,uint256 points,uint256 rowCount)"
    );

    /// @notice The EIP-712 struct hash of a batch (to be wrapped in a domain by the registry).
    /// A `Batch` holds static fields only, so `abi.encode` lays them out as `hashStruct` does.
    function batchStructHash(IAttesterRegistry.Batch calldata batch) internal pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_TYPEHASH, batch));
    }

    /// @notice The leaf of a signed batch in the ledger tree.
    function batchLeaf(
        IAttesterRegistry.Batch calldata batch,
        bytes calldata signature
    ) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(batch, keccak256(signature)))));
    }

    /// @notice The leaf of one ledger row in its attester's rows tree.
    function rowLeaf(Row calldata row) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(row))));
    }
}
