// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorProposalGuardian} from "@openzeppelin/contracts/governance/extensions/GovernorProposalGuardian.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Bytes} from "@openzeppelin/contracts/utils/Bytes.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IContributionRewards} from "./interfaces/IContributionRewards.sol";
import {GovernorCountingDistinct} from "./governance/GovernorCountingDistinct.sol";

/**
 * @title InfluenceGovernor
 * @notice Communis governance: an OpenZeppelin Governor (same ABI and events, so existing
 * front-ends and indexers work) whose votes come from the Influence ledger, on its timestamp
 * clock. Tokens carry no votes: buying CommunityToken buys no say.
 *
 * Modules: Settings (delay, period, threshold set by governance), CountingDistinct
 * (GovernorCountingSimple's counting and ABI; quorum also needs {minimumVoters} distinct
 * For/Abstain voters, so one member holding the quorum's influence cannot pass a proposal
 * alone), Votes (Influence), VotesQuorumFraction, TimelockControl (CommunisTimelock executes everything),
 * PreventLateQuorum (a late quorum extends the vote) and ProposalGuardian (one address, set by
 * governance, may cancel a proposal that is not yet executed, including one waiting in the
 * timelock).
 *
 * The proposal guardian's veto is bounded:
 * - it ends at {proposalGuardianSunset} (at most {MAX_PROPOSAL_GUARDIAN_TERM} after it is set);
 *   from then on {proposalGuardian} is address(0) and proposers may cancel their own proposals,
 *   as with no guardian;
 * - it never reaches a protected proposal: one whose every action is, with zero value, a call to
 *   this governor's {setProposalGuardian} or {setProposalGuardianSunset} (the guardian cannot
 *   block its own replacement or removal), or a `resolveDispute` call to a contract holding
 *   Influence's AWARDER_ROLE, i.e. ContributionRewards (the guardian cannot stall the challenge
 *   game by vetoing its resolutions). A proposal that bundles such a call with any other action
 *   is not protected: otherwise adding a no-op `setProposalGuardian` would disarm the guardian.
 * Invariant: the guardian cancels a proposal only if, at that moment, it is before the sunset
 * and {isProtectedProposal} is false for the proposal's actions (or it is the proposer of a
 * pending proposal, like anyone).
 *
 * Nobody judges their own dispute. When a proposal is created, every action that calls
 * `resolveDispute` on ContributionRewards (a contract holding Influence's AWARDER_ROLE), directly
 * or inside its `multicall`, must name the dispute that is undecided there (its record hashes to
 * `disputeHash`: {InfluenceGovernorUnknownDispute} otherwise, so a resolution cannot be prepared
 * before the dispute it names exists), and the dispute's proposer and challenger are barred
 * from voting on the proposal ({InfluenceGovernorDisputeParty}; {isDisputeParty}). They are
 * barred through the counting module's voted flag, so every other vote costs exactly what it did.
 * Invariant: no vote of a dispute's proposer or challenger is ever counted on a proposal that
 * resolves that dispute. What remains: influence a party delegated to another account before
 * the snapshot is voted by that delegate, and a party holding several accounts votes with the
 * others; resistance to that comes from how influence is earned and from the minimum of
 * distinct voters, not from here.
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
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorCountingDistinct,
    GovernorTimelockControl,
    GovernorPreventLateQuorum,
    GovernorProposalGuardian
{
    /// @notice The longest a proposal guardian's veto may last from when its sunset is set.
    uint48 public constant MAX_PROPOSAL_GUARDIAN_TERM = 730 days;

    /// @dev Influence's role for its reward distributor (ContributionRewards).
    bytes32 private constant AWARDER_ROLE = keccak256("AWARDER_ROLE");

    uint48 private _proposalGuardianSunset;
    // Per proposal, the accounts barred from voting on it: the parties of the disputes it resolves.
    mapping(uint256 proposalId => mapping(address account => bool)) private _disputeParties;

    /// @notice The time after which the proposal guardian can no longer cancel changed.
    event ProposalGuardianSunsetSet(uint48 oldSunset, uint48 newSunset);

    /// @notice `account`, a party (proposer or challenger) of a dispute that proposal `proposalId`
    /// resolves, may not vote on it.
    event DisputePartyBarred(uint256 indexed proposalId, address indexed account);

    /// @notice A guardian sunset later than `latest` (now + {MAX_PROPOSAL_GUARDIAN_TERM}).
    error InfluenceGovernorSunsetTooLate(uint48 sunset, uint48 latest);

    /// @notice `account` is a party of a dispute that proposal `proposalId` resolves: it cannot
    /// vote on it.
    error InfluenceGovernorDisputeParty(uint256 proposalId, address account);

    /// @notice The proposal resolves a dispute of `root` for `epoch` at `rewards` that is not the
    /// undecided dispute there (already ended, not yet opened, or a different record).
    error InfluenceGovernorUnknownDispute(address rewards, uint256 epoch, bytes32 root);

    /**
     * @notice Deploy the governor.
     * @param influence The Influence ledger (IERC5805, timestamp clock).
     * @param timelock_ The CommunisTimelock that executes proposals (grant this governor its
     * PROPOSER_ROLE and CANCELLER_ROLE).
     * @param initialVotingDelay Seconds between proposing and the vote snapshot/start.
     * @param initialVotingPeriod Seconds the vote lasts.
     * @param initialProposalThreshold Influence (18 decimals, decayed to now) needed to propose.
     * @param quorumNumeratorValue Quorum in percent of the total influence at the snapshot.
     * @param initialMinimumVoters Distinct accounts that must vote For or Abstain (with non-zero
     * influence) for quorum, besides the quorum's influence; at least 1.
     * @param initialVoteExtension Seconds a vote stays open after a late quorum.
     * @param initialProposalGuardian The address that may cancel proposals (address(0) lets
     * proposers cancel their own).
     * @param initialProposalGuardianSunset Unix seconds from which the guardian can no longer
     * cancel; at most now + {MAX_PROPOSAL_GUARDIAN_TERM} ({InfluenceGovernorSunsetTooLate}).
     */
    constructor(
        IVotes influence,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumNumeratorValue,
        uint256 initialMinimumVoters,
        uint48 initialVoteExtension,
        address initialProposalGuardian,
        uint48 initialProposalGuardianSunset
    )
        Governor("InfluenceGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(influence)
        GovernorVotesQuorumFraction(quorumNumeratorValue)
        GovernorCountingDistinct(initialMinimumVoters)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(initialVoteExtension)
    {
        _setProposalGuardian(initialProposalGuardian);
        _setProposalGuardianSunset(initialProposalGuardianSunset);
    }

    /**
     * @notice The address that may cancel proposals now: the configured guardian until
     * {proposalGuardianSunset}, address(0) from then on (proposers then cancel their own).
     */
    function proposalGuardian() public view override returns (address) {
        return clock() < _proposalGuardianSunset ? super.proposalGuardian() : address(0);
    }

    /// @notice Unix seconds from which the proposal guardian can no longer cancel.
    function proposalGuardianSunset() public view returns (uint48) {
        return _proposalGuardianSunset;
    }

    /**
     * @notice Move the guardian's sunset to `newSunset` (earlier, or later up to now +
     * {MAX_PROPOSAL_GUARDIAN_TERM}). Only through governance. Emits {ProposalGuardianSunsetSet}.
     */
    function setProposalGuardianSunset(uint48 newSunset) public onlyGovernance {
        _setProposalGuardianSunset(newSunset);
    }

    /**
     * @notice Whether the proposal guardian is barred from cancelling the proposal with these
     * actions: every action is a protected call (it only replaces or removes the guardian,
     * moves its sunset, or resolves disputes; see the contract notice).
     */
    function isProtectedProposal(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas
    ) public view returns (bool) {
        if (targets.length == 0 || values.length != targets.length || calldatas.length != targets.length) {
            return false;
        }
        for (uint256 i = 0; i < targets.length; ++i) {
            if (values[i] != 0 || calldatas[i].length < 4) return false;
            bytes4 selector = bytes4(calldatas[i]);
            bool guardianChange =
                targets[i] == address(this) &&
                    (selector == this.setProposalGuardian.selector ||
                        selector == this.setProposalGuardianSunset.selector);
            if (guardianChange) continue;
            bool resolution = selector == IContributionRewards.resolveDispute.selector && _isRewards(targets[i]);
            if (!resolution) return false;
        }
        return true;
    }

    /**
     * @notice Cancel a proposal (OpenZeppelin's rules), except that the proposal guardian
     * cannot cancel a protected proposal ({isProtectedProposal}): on one it has only the rights
     * of any account (a proposer cancelling its own while pending). The check runs on the very
     * actions the proposal id commits to, so ordinary proposals pay nothing for it.
     */
    function cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) public override returns (uint256) {
        address caller = _msgSender();
        address guardian = proposalGuardian();
        if (guardian != address(0) && caller == guardian && isProtectedProposal(targets, values, calldatas)) {
            uint256 proposalId = getProposalId(targets, values, calldatas, descriptionHash);
            if (!Governor._validateCancel(proposalId, caller)) revert GovernorUnableToCancel(proposalId, caller);
        }
        return super.cancel(targets, values, calldatas, descriptionHash);
    }

    /// @notice Whether `account` is barred from voting on `proposalId` as a party of a dispute it resolves.
    function isDisputeParty(uint256 proposalId, address account) public view returns (bool) {
        return _disputeParties[proposalId][account];
    }

    /// @inheritdoc GovernorCountingDistinct
    /// @dev A barred dispute party has not voted.
    function hasVoted(
        uint256 proposalId,
        address account
    ) public view override(IGovernor, GovernorCountingDistinct) returns (bool) {
        return super.hasVoted(proposalId, account) && !_disputeParties[proposalId][account];
    }

    /// @dev OpenZeppelin's proposal creation, then the parties of every dispute it resolves are
    /// barred from voting on it (see the contract notice).
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        uint256 count = targets.length;
        for (uint256 i = 0; i < count;) {
            bytes memory data = calldatas[i];
            bytes4 selector;
            // The first word of the call's bytes (beyond a shorter call's end: no selector can match
            // a call shorter than 4 bytes, checked next); only a call that may resolve a dispute
            // is decoded, so an ordinary proposal pays a few hundred gas for the scan.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                selector := mload(add(data, 0x20))
            }
            if (
                data.length > 3 &&
                (selector == IContributionRewards.resolveDispute.selector || selector == Multicall.multicall.selector)
            ) _barDisputeParties(proposalId, targets[i], data);
            unchecked {
                ++i;
            }
        }
    }

    /// @dev Bars the parties of the dispute `data` resolves, if it is a `resolveDispute` call (or
    /// a `multicall` of calls) to ContributionRewards at `target`.
    function _barDisputeParties(uint256 proposalId, address target, bytes memory data) private {
        if (data.length < 4) return;
        bytes4 selector = bytes4(data);
        if (selector == IContributionRewards.resolveDispute.selector) {
            if (!_isRewards(target)) return;
            (IContributionRewards.Dispute memory dispute, ) = abi.decode(
                Bytes.slice(data, 4),
                (IContributionRewards.Dispute, bool)
            );
            // slither-disable-next-line calls-loop (one view call per resolution, to the system's own contract)
            bytes32 stored = IContributionRewards(target).disputeHash(dispute.epoch, dispute.root, dispute.ledgerRoot);
            if (stored != keccak256(abi.encode(dispute))) {
                revert InfluenceGovernorUnknownDispute(target, dispute.epoch, dispute.root);
            }
            _barParty(proposalId, dispute.proposer);
            _barParty(proposalId, dispute.challenger);
        } else if (selector == Multicall.multicall.selector && _isRewards(target)) {
            bytes[] memory calls = abi.decode(Bytes.slice(data, 4), (bytes[]));
            for (uint256 i = 0; i < calls.length; ++i) {
                _barDisputeParties(proposalId, target, calls[i]);
            }
        }
    }

    function _barParty(uint256 proposalId, address account) private {
        if (_disputeParties[proposalId][account]) return;
        _disputeParties[proposalId][account] = true;
        _barVoter(proposalId, account);
        emit DisputePartyBarred(proposalId, account);
    }

    /// @dev A barred party gets its own error.
    function _beforeRevertVoted(uint256 proposalId, address account) internal view override {
        if (_disputeParties[proposalId][account]) revert InfluenceGovernorDisputeParty(proposalId, account);
    }

    /// @dev ContributionRewards: the contract Influence lets award (AWARDER_ROLE).
    function _isRewards(address target) private view returns (bool) {
        // slither-disable-next-line calls-loop (a view of the system's own Influence ledger)
        return IAccessControl(address(token())).hasRole(AWARDER_ROLE, target);
    }

    function _setProposalGuardianSunset(uint48 newSunset) internal {
        uint48 latest = clock() + MAX_PROPOSAL_GUARDIAN_TERM;
        if (newSunset > latest) revert InfluenceGovernorSunsetTooLate(newSunset, latest);
        emit ProposalGuardianSunsetSet(_proposalGuardianSunset, newSunset);
        _proposalGuardianSunset = newSunset;
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
