// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title CumulativeDistributor
 * @notice Benchmark reference, never deployed by Communis: the smallest cumulative Merkle
 * distributor (one root set by an owner, StandardMerkleTree leaves `(address account, uint256
 * cumulativeAmount)`, pays the difference since the last claim by transferring pre-funded tokens).
 * bench/gas_rewards.py and tests/rewards measure ContributionRewards' claims against it in the
 * same run: the gap is the price of minting, awarding influence, the challenge game and the
 * budget checks.
 */
contract CumulativeDistributor {
    using SafeERC20 for IERC20;

    /// @notice The token paid out (must be transferred to this contract beforehand).
    IERC20 public immutable token;
    /// @notice The only account that may set the root.
    address public immutable owner;
    /// @notice The current root.
    bytes32 public root;
    /// @notice What each account has been paid so far.
    mapping(address account => uint256) public claimed;

    /// @notice `account` received `amount`.
    event Claimed(address indexed account, uint256 amount);

    /// @notice The caller is not the owner.
    error NotOwner();
    /// @notice The proof does not match the root.
    error InvalidProof();
    /// @notice Nothing new to pay.
    error NothingToClaim();

    /// @notice Deploy for `token_`, owned by the deployer.
    constructor(IERC20 token_) {
        token = token_;
        owner = msg.sender;
    }

    /// @notice Replace the root. Only the owner.
    /// @param root_ The new root.
    function setRoot(bytes32 root_) external {
        if (msg.sender != owner) revert NotOwner();
        root = root_;
    }

    /// @notice Pay `account` its cumulative amount minus what it was already paid.
    /// @param account The leaf's account.
    /// @param cumulativeAmount The leaf's cumulative amount.
    /// @param proof StandardMerkleTree proof of the leaf.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();
        uint256 paid = claimed[account];
        if (cumulativeAmount <= paid) revert NothingToClaim();
        claimed[account] = cumulativeAmount;
        emit Claimed(account, cumulativeAmount - paid);
        token.safeTransfer(account, cumulativeAmount - paid);
    }
}
