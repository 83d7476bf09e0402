// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/**
 * @title FlashLender
 * @notice Test fixture, never deployed by Communis: a fee-free ERC-3156 lender over a pool of an
 * existing ERC-20 (CommunityToken), the way a lending market would offer flash loans of it.
 */
contract FlashLender is IERC3156FlashLender {
    using SafeERC20 for IERC20;

    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    /// @notice The token lent.
    IERC20 public immutable asset;

    /// @notice Not the token this lender lends.
    error UnsupportedToken(address token);
    /// @notice The borrower did not acknowledge the loan.
    error CallbackFailed();

    /// @notice Lend `asset_`.
    /// @param asset_ The token lent from this contract's balance.
    constructor(IERC20 asset_) {
        asset = asset_;
    }

    /// @inheritdoc IERC3156FlashLender
    function maxFlashLoan(address token) external view returns (uint256) {
        return token == address(asset) ? asset.balanceOf(address(this)) : 0;
    }

    /// @inheritdoc IERC3156FlashLender
    function flashFee(address token, uint256) external view returns (uint256) {
        if (token != address(asset)) revert UnsupportedToken(token);
        return 0;
    }

    /// @inheritdoc IERC3156FlashLender
    function flashLoan(
        IERC3156FlashBorrower receiver,
        address token,
        uint256 amount,
        bytes calldata data
    ) external returns (bool) {
        if (token != address(asset)) revert UnsupportedToken(token);
        asset.safeTransfer(address(receiver), amount);
        if (receiver.onFlashLoan(msg.sender, token, amount, 0, data) != CALLBACK_SUCCESS) revert CallbackFailed();
        asset.safeTransferFrom(address(receiver), address(this), amount);
        return true;
    }
}
