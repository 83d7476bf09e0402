// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGuardianSource
/// @notice Anything that can say whether an account is a guardian (e.g. the GuardianRegistry);
/// what ContributionRewards reads to decide who may challenge a root.
interface IGuardianSource {
    /// @notice Whether `account` may act as a guardian.
    function isGuardian(address account) external view returns (bool);
}
