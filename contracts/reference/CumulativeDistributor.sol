// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title CumulativeDistributor
 * @notice Benchmark reference, never deployed by Communis: the smallest cumulative Merkle
 * distributor. One root set by an owner; pays the difference since the last claim by
 * transferring pre-funded tokens. It reads the very leaves ContributionRewards reads
 * (StandardMerkleTree, `(address account, uint256 cumulativeTokens, uint256 cumulativeInfluence)`)
 * and ignores the influence column, so both verify the same proofs of the same tree and the gas
 * difference measured by bench/gas_rewards.py is the price of minting, awarding influence, the
 * budget bookkeeping and the root lifecycle.
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

    /// @notice Pay `account` its cumulative tokens minus what it was already paid.
    /// @param account The leaf's account.
    /// @param cumulativeAmount The leaf's cumulative tokens.
    /// @param cumulativeInfluence The leaf's influence column (hashed, not paid).
    /// @param proof StandardMerkleTree proof of the leaf.
    function claim(
        address account,
        uint256 cumulativeAmount,
        uint256 cumulativeInfluence,
        bytes32[] calldata proof
    ) external {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, cumulativeInfluence))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();
        uint256 paid = claimed[account];
        if (cumulativeAmount <= paid) revert NothingToClaim();
        claimed[account] = cumulativeAmount;
        emit Claimed(account, cumulativeAmount - paid);
        token.safeTransfer(account, cumulativeAmount - paid);
    }
}
