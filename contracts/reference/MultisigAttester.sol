// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title MultisigAttester
 * @notice Test fixture, never deployed by Communis: a minimal Safe-like signer. It accepts a
 * signature of a hash when it is `threshold` 65-byte ECDSA signatures of that hash by distinct
 * owners, concatenated in ascending owner order (the layout a Safe uses for EOA owners), and
 * answers ERC-1271's `isValidSignature` accordingly.
 */
contract MultisigAttester is IERC1271 {
    /// @notice Signatures needed.
    uint256 public immutable threshold;

    mapping(address account => bool) private _owners;

    /// @notice The owner list is empty, has a zero address, or the threshold is out of range.
    error MultisigAttesterBadSetup();

    /**
     * @notice Deploy with `owners_` and `threshold_` signatures needed.
     * @param owners_ Distinct non-zero owners.
     * @param threshold_ Between 1 and the number of owners.
     */
    constructor(address[] memory owners_, uint256 threshold_) {
        if (threshold_ == 0 || threshold_ > owners_.length) revert MultisigAttesterBadSetup();
        for (uint256 i = 0; i < owners_.length; ++i) {
            if (owners_[i] == address(0) || _owners[owners_[i]]) revert MultisigAttesterBadSetup();
            _owners[owners_[i]] = true;
        }
        threshold = threshold_;
    }

    /// @notice Whether `account` is an owner.
    function isOwner(address account) external view returns (bool) {
        return _owners[account];
    }

    /// @notice ERC-1271: the magic value when `signature` holds `threshold` owner signatures of `hash`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != threshold * 65) return bytes4(0xffffffff);
        address last = address(0);
        for (uint256 i = 0; i < threshold; ++i) {
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature[i * 65:(i + 1) * 65]);
            if (err != ECDSA.RecoverError.NoError || signer <= last || !_owners[signer]) return bytes4(0xffffffff);
            last = signer;
        }
        return IERC1271.isValidSignature.selector;
    }
}
