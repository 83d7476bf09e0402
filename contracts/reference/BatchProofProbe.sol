// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttesterRegistry} from "../interfaces/IAttesterRegistry.sol";
import {Attestations} from "../utils/Attestations.sol";

/**
 * @title BatchProofProbe
 * @notice Test fixture, never deployed by Communis: the work of a one-transaction fraud proof
 * against an attested ledger, without the bond accounting. It proves a signed batch part of a
 * ledger tree and asks the registry whether an attester of that epoch signed it; the gas of
 * {probe} measures what the proof costs.
 */
contract BatchProofProbe {
    /// @notice The registry asked about signatures.
    IAttesterRegistry public immutable registry;

    /// @notice A batch of `ledgerRoot` was proven part of it; `signedByAttester` is the registry's answer.
    event BatchProbed(bytes32 indexed ledgerRoot, address indexed attester, uint256 epoch, bool signedByAttester);

    /// @notice The batch is not part of `ledgerRoot`.
    error BatchProofProbeNotInLedger(bytes32 ledgerRoot, bytes32 leaf);

    /// @notice Probe batches against `registry_`.
    constructor(IAttesterRegistry registry_) {
        registry = registry_;
    }

    /**
     * @notice Prove the batch part of `ledgerRoot` with `proof`, then check its signature.
     * @dev Emits {BatchProbed}; reverts with {BatchProofProbeNotInLedger} when the proof fails.
     * @return signedByAttester The registry's {IAttesterRegistry-isValidBatch}.
     */
    function probe(
        bytes32 ledgerRoot,
        IAttesterRegistry.Batch calldata batch,
        bytes calldata signature,
        bytes32[] calldata proof
    ) external returns (bool signedByAttester) {
        bytes32 leaf = Attestations.batchLeaf(batch, signature);
        if (!MerkleProof.verifyCalldata(proof, ledgerRoot, leaf)) revert BatchProofProbeNotInLedger(ledgerRoot, leaf);
        signedByAttester = registry.isValidBatch(batch, signature);
        emit BatchProbed(ledgerRoot, batch.attester, batch.epoch, signedByAttester);
    }
}
