// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IMintableERC20
/// @notice The part of CommunityToken that ContributionRewards uses: an ERC-20 with a role-gated mint.
interface IMintableERC20 is IERC20 {
    /// @notice Mint `amount` new tokens to `to` (only MINTER_ROLE; reverts above the cap).
    function mint(address to, uint256 amount) external;
}
