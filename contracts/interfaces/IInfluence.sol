// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/**
 * @title IInfluence
 * @notice Non-transferable, decaying reputation used as the votes source of InfluenceGovernor.
 *
 * Time is cut into epochs of `epochDuration()` seconds from `genesis()`. Influence halves every
 * `halfLife()` epochs without per-account writes: balances are kept in growth-scaled *stored
 * units*; an award of `a` earned in epoch `e` is stored as `a * growth(e) >> 64`, and the
 * influence at timepoint `t` is `(stored << 64) / growth(epochAt(t))`. `growth` is the Q64.64
 * factor 2^(e / halfLife) specified bit for bit by `communis/engine/growth.py`.
 *
 * Two units, each with its own audience. Influence (18 decimals, at a timepoint) is what voters,
 * wallets, explorers and governance front-ends read: the vote and balance views, and the values
 * of `DelegateVotesChanged` and `Transfer` (the influence at the block that emits them). Stored
 * units are the reward distributor's bookkeeping: ContributionRewards awards in stored units,
 * because one cumulative claim can carry influence earned in several epochs, each at its own
 * growth factor (the Merkle leaves are in stored units), so the award functions, {Credited},
 * {Slashed} and the `stored*` views use them.
 */
interface IInfluence is IERC5805 {
    /// @notice ERC-20 style: `value` influence (at this block) was awarded (`from` zero) or slashed
    /// (`to` zero); influence never moves between accounts. Lets explorers list holders.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice `storedUnits` were burnt from `account` by governance.
    event Slashed(address indexed account, uint256 storedUnits);
    /// @notice `awarder` added `storedUnits` of earned influence to the total (claimed or not).
    event Credited(address indexed awarder, uint256 storedUnits);
    /// @notice `ledger`, the first account granted AWARDER_ROLE, is the claims ledger: what it
    /// awards a plain account is read off that account's votes (see Influence).
    event ClaimsLedgerSet(address indexed ledger);

    // slither-disable-start naming-convention (the OpenZeppelin convention for role constants)
    /// @notice Role of the reward distributor, the only account that may award.
    function AWARDER_ROLE() external view returns (bytes32);
    // slither-disable-end naming-convention

    /// @notice Start of epoch 0 (unix seconds).
    function genesis() external view returns (uint48);

    /// @notice Length of one epoch in seconds.
    function epochDuration() external view returns (uint48);

    /// @notice Half-life of influence, in epochs.
    function halfLife() external view returns (uint256);

    /// @notice The epoch containing `timepoint` (0 before genesis).
    function epochAt(uint48 timepoint) external view returns (uint256);

    /// @notice The Q64.64 growth factor 2^(epoch / halfLife).
    function growth(uint256 epoch) external view returns (uint256);

    /// @notice Stored units held by `account` (not decayed; divide by growth to get influence).
    function storedBalanceOf(address account) external view returns (uint256);

    /// @notice Stored units `awarder` has awarded `account` so far (what ContributionRewards has
    /// paid it in influence, when `awarder` is ContributionRewards); slashing does not lower it.
    function awardedBy(address awarder, address account) external view returns (uint256);

    /// @notice The claims ledger: the first account granted AWARDER_ROLE (zero before).
    function claimsLedger() external view returns (address);

    /// @notice Influence of `account` now: its own stored units decayed to the current epoch.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Total influence now (decayed).
    function totalSupply() external view returns (uint256);

    /// @notice The epoch containing the current block.
    function currentEpoch() external view returns (uint256);

    /// @notice Stored units for `amount` influence earned in `epoch` (floor).
    function toStored(uint256 amount, uint256 epoch) external view returns (uint256);

    /// @notice Influence at `epoch` of `storedUnits` (floor).
    function toInfluence(uint256 storedUnits, uint256 epoch) external view returns (uint256);

    /// @notice Add `storedUnits` to `account` and to the total; counts for votes from now on.
    /// Only AWARDER_ROLE.
    function awardStored(address account, uint256 storedUnits) external;

    /// @notice Add `storedUnits` of earned influence to the total (the quorum denominator) before
    /// any account receives it. Only AWARDER_ROLE.
    function credit(uint256 storedUnits) external;

    /// @notice Add `storedUnits` already {credit}ed to the total to `account`; counts for votes
    /// from now on. Only AWARDER_ROLE.
    function awardCredited(address account, uint256 storedUnits) external;

    /// @notice Burn `storedUnits` of `account` (a cheat's influence). Only governance.
    function slash(address account, uint256 storedUnits) external;
}
