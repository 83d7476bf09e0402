// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IGuardianSource} from "./interfaces/IGuardianSource.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";

/**
 * @title GuardianRegistry
 * @notice The guardians ("护卫队"): moderators who challenge bad reward data in
 * ContributionRewards. Membership is granted and revoked only by governance (the owner, which is
 * the CommunisTimelock); any member of the community whose own influence is at or above the
 * governance-set {applicationThreshold} may apply on-chain, which only emits an event for
 * governance to act on.
 *
 * Decay-consistent threshold: {applicationThreshold} is an amount of influence (18 decimals)
 * compared with the applicant's own influence decayed to now (`Influence.balanceOf`), so both
 * sides are in the same unit at the same timepoint and the bar means the same at every epoch.
 * Delegated votes do not count: eligibility is about what the applicant earned, and counting
 * delegations would let one member's supporters qualify several sybil applicants.
 */
contract GuardianRegistry is Ownable, IGuardianSource {
    /// @notice The Influence ledger read for application eligibility.
    IInfluence public immutable influence;

    /// @notice Influence (decayed to now) an account needs to apply.
    uint256 public applicationThreshold;

    /// @notice Number of current guardians.
    uint256 public guardianCount;

    mapping(address account => bool) private _guardians;

    /// @notice `account` became a guardian.
    event GuardianGranted(address indexed account);
    /// @notice `account` is no longer a guardian.
    event GuardianRevoked(address indexed account);
    /// @notice `applicant` (holding `influence` now) applied to become a guardian.
    event GuardianApplication(address indexed applicant, uint256 influence, string statement);
    /// @notice The application threshold changed from `oldThreshold` to `newThreshold`.
    event ApplicationThresholdSet(uint256 oldThreshold, uint256 newThreshold);

    /// @notice `account` is already a guardian.
    error GuardianRegistryAlreadyMember(address account);
    /// @notice `account` is not a guardian.
    error GuardianRegistryNotMember(address account);
    /// @notice `account` holds `influence`, below the application `threshold`.
    error GuardianRegistryInfluenceBelowThreshold(address account, uint256 influence, uint256 threshold);
    /// @notice The Influence ledger given to the constructor was the zero address.
    error GuardianRegistryZeroInfluenceLedger();
    /// @notice {grantGuardian} was called for the zero address.
    error GuardianRegistryZeroAccount();

    /**
     * @notice Deploy the registry.
     * @param influence_ The Influence ledger.
     * @param governance The owner: the CommunisTimelock (the only account that grants and revokes).
     * @param initialApplicationThreshold Influence (18 decimals, decayed to now) needed to apply.
     */
    constructor(IInfluence influence_, address governance, uint256 initialApplicationThreshold) Ownable(governance) {
        if (address(influence_) == address(0)) revert GuardianRegistryZeroInfluenceLedger();
        influence = influence_;
        _setApplicationThreshold(initialApplicationThreshold);
    }

    /**
     * @notice Whether `account` is a guardian now.
     * @param account The account to check.
     * @return True if governance granted and has not revoked membership.
     */
    function isGuardian(address account) external view returns (bool) {
        return _guardians[account];
    }

    /**
     * @notice Whether `account` may apply now: its own influence is at or above the threshold.
     * @param account The account to check.
     * @return eligible True if {applyAsGuardian} would not revert for its influence.
     * @return currentInfluence The account's influence now.
     */
    function eligibility(address account) public view returns (bool eligible, uint256 currentInfluence) {
        currentInfluence = influence.balanceOf(account);
        eligible = currentInfluence >= applicationThreshold;
    }

    /**
     * @notice Apply to become a guardian; emits {GuardianApplication} for governance to consider.
     * @dev Reverts with {GuardianRegistryInfluenceBelowThreshold} unless the caller's own influence now is
     * at least {applicationThreshold}, and with {GuardianRegistryAlreadyMember} for a member. Changes no
     * state: membership is granted only by governance.
     * @param statement Free text or a URI describing the application.
     */
    function applyAsGuardian(string calldata statement) external {
        if (_guardians[msg.sender]) revert GuardianRegistryAlreadyMember(msg.sender);
        (bool eligible, uint256 current) = eligibility(msg.sender);
        if (!eligible) revert GuardianRegistryInfluenceBelowThreshold(msg.sender, current, applicationThreshold);
        emit GuardianApplication(msg.sender, current, statement);
    }

    /**
     * @notice Make `account` a guardian. Only governance.
     * @dev Emits {GuardianGranted}. Reverts with {GuardianRegistryAlreadyMember} for a member, and
     * with {GuardianRegistryZeroAccount} for the zero address.
     * @param account The new guardian.
     */
    function grantGuardian(address account) external onlyOwner {
        if (account == address(0)) revert GuardianRegistryZeroAccount();
        if (_guardians[account]) revert GuardianRegistryAlreadyMember(account);
        _guardians[account] = true;
        ++guardianCount;
        emit GuardianGranted(account);
    }

    /**
     * @notice Remove `account` from the guardians. Only governance.
     * @dev Emits {GuardianRevoked}. Reverts with {GuardianRegistryNotMember} for a non-member.
     * @param account The guardian to remove.
     */
    function revokeGuardian(address account) external onlyOwner {
        if (!_guardians[account]) revert GuardianRegistryNotMember(account);
        _guardians[account] = false;
        --guardianCount;
        emit GuardianRevoked(account);
    }

    /**
     * @notice Set the influence needed to apply. Only governance.
     * @dev Emits {ApplicationThresholdSet}.
     * @param newThreshold Influence (18 decimals, decayed to the time of applying).
     */
    function setApplicationThreshold(uint256 newThreshold) external onlyOwner {
        _setApplicationThreshold(newThreshold);
    }

    function _setApplicationThreshold(uint256 newThreshold) private {
        emit ApplicationThresholdSet(applicationThreshold, newThreshold);
        applicationThreshold = newThreshold;
    }
}
