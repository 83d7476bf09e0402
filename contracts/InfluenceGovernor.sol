// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorProposalGuardian} from "@openzeppelin/contracts/governance/extensions/GovernorProposalGuardian.sol";

/**
 * @title InfluenceGovernor
 * @notice Communis governance: an unmodified OpenZeppelin Governor (same ABI and events, so
 * existing front-ends and indexers work) whose votes come from the Influence ledger, on its
 * timestamp clock. Tokens carry no votes: buying CommunityToken buys no say.
 *
 * Modules: Settings (delay, period, threshold set by governance), CountingSimple, Votes
 * (Influence), VotesQuorumFraction, TimelockControl (CommunisTimelock executes everything),
 * PreventLateQuorum (a late quorum extends the vote) and ProposalGuardian (one address, set by
 * governance, may cancel any proposal that is not yet executed, including one waiting in the
 * timelock).
 *
 * Decay and thresholds. Influence returns votes decayed to the queried timepoint, and the
 * total decays by the same factor, so at a snapshot for/against/abstain and the quorum
 * (a fraction of the total at the snapshot) keep the ratios of the underlying stored units:
 * decay never changes an outcome. The proposal threshold is an absolute number of influence and
 * is compared with the proposer's influence decayed to `clock() - 1` (both sides in influence at
 * the same timepoint): it means the same thing at every epoch, and a member who stops
 * contributing drops below it as their influence decays. Quorum counts claimed influence only
 * (unclaimed rewards are not yet in the total).
 */
contract InfluenceGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum,
    GovernorProposalGuardian
{
    /**
     * @notice Deploy the governor.
     * @param influence The Influence ledger (IERC5805, timestamp clock).
     * @param timelock_ The CommunisTimelock that executes proposals (grant this governor its
     * PROPOSER_ROLE and CANCELLER_ROLE).
     * @param initialVotingDelay Seconds between proposing and the vote snapshot/start.
     * @param initialVotingPeriod Seconds the vote lasts.
     * @param initialProposalThreshold Influence (18 decimals, decayed to now) needed to propose.
     * @param quorumNumeratorValue Quorum in percent of the total influence at the snapshot.
     * @param initialVoteExtension Seconds a vote stays open after a late quorum.
     * @param initialProposalGuardian The address that may cancel proposals (address(0) lets
     * proposers cancel their own).
     */
    constructor(
        IVotes influence,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumNumeratorValue,
        uint48 initialVoteExtension,
        address initialProposalGuardian
    )
        Governor("InfluenceGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(influence)
        GovernorVotesQuorumFraction(quorumNumeratorValue)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(initialVoteExtension)
    {
        _setProposalGuardian(initialProposalGuardian);
    }

    // The overrides below only resolve multiple inheritance; every behaviour is OpenZeppelin's.

    /// @inheritdoc Governor
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc Governor
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @notice Influence (decayed to the time of proposing) an account needs to propose.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc Governor
    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorPreventLateQuorum) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    function _validateCancel(
        uint256 proposalId,
        address caller
    ) internal view override(Governor, GovernorProposalGuardian) returns (bool) {
        return super._validateCancel(proposalId, caller);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
