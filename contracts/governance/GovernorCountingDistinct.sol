// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/**
 * @title GovernorCountingDistinct
 * @notice Governor counting module: OpenZeppelin's GovernorCountingSimple (Against / For /
 * Abstain, Governor Bravo order; quorum counts For and Abstain) whose quorum also requires a
 * minimum number of distinct voters. A drop-in replacement with the same ABI and events
 * ({COUNTING_MODE}, {hasVoted}, {proposalVotes}, `VoteCast`), so existing front-ends and indexers
 * keep working; {proposalQuorumVoters}, {minimumVoters} and {setMinimumVoters} are additions.
 *
 * Quorum. A proposal reaches quorum when both hold:
 * - For + Abstain votes >= `quorum(snapshot)` (as in GovernorCountingSimple);
 * - at least `minimumVoters(snapshot)` distinct accounts cast a For or Abstain vote with a
 *   non-zero weight.
 * Against voters never count toward the minimum (opposing a proposal must not help it pass), nor
 * do voters without votes at the snapshot (anyone can vote with weight zero). The minimum is looked
 * up at the proposal's snapshot, like the quorum numerator: changing it never changes the outcome of
 * a proposal whose snapshot is already past. A distinct voter is a distinct account; resistance to
 * one person holding several funded accounts comes from how votes are earned, not from here.
 *
 * Storage. The For and Abstain sums and the voter count share one word (uint112 + uint112 +
 * uint32), so a For or Abstain vote reads and writes a single tally slot and the quorum check
 * reads it warm; GovernorCountingSimple also reads a second, cold slot (abstain) on every vote.
 * That saving pays for reading the minimum (one word). Widths: 2^112 is about 5.19e33, i.e.
 * 5.19e15 whole votes of 18 decimals (a governor whose votes token can hold more must not use this
 * module); a vote whose sum would not fit reverts (SafeCast) instead of being miscounted. The voter
 * count (2^32 accounts) cannot realistically overflow, and is SafeCast too. Against votes keep a
 * full word (checked addition).
 *
 * Use: inherit it instead of GovernorCountingSimple, listed after GovernorVotes (its constructor
 * reads the clock, which GovernorVotes takes from the token).
 *
 * Invariants, per proposal:
 * - forVotes + abstainVotes + againstVotes == the sum of the weights of the accounts that voted
 *   (a voter barred with {_barVoter} is marked as voted and counts nothing); each account is
 *   counted at most once;
 * - {proposalQuorumVoters} == the number of accounts with {hasVoted} whose vote was For or Abstain
 *   with a non-zero weight, so it never exceeds the number of voters.
 */
abstract contract GovernorCountingDistinct is Governor {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Supported vote types (Governor Bravo order, as GovernorCountingSimple).
    enum VoteType {
        Against,
        For,
        Abstain
    }

    /// @dev `tally` packs forVotes (bits 0-111), abstainVotes (112-223) and quorumVoters
    /// (224-255), read and written as one word.
    struct ProposalVote {
        uint256 tally;
        uint256 againstVotes;
        mapping(address voter => bool) hasVoted;
    }

    // Literals, not expressions: the compiler would evaluate expressions with checked arithmetic
    // on every use.
    uint256 private constant _VOTES_BITS = 112;
    uint256 private constant _VOTES_MASK = type(uint112).max;
    uint256 private constant _VOTERS_SHIFT = 224;
    uint256 private constant _TALLY_VOTES_MASK = type(uint224).max;

    mapping(uint256 proposalId => ProposalVote) private _proposalVotes;
    /// @dev The minimum now in force (bits 48-79) and the timepoint it applies from (bits 0-47):
    /// one word, read once per vote.
    uint256 private _minimumVotersNow;
    Checkpoints.Trace208 private _minimumVotersHistory;

    /// @notice The minimum number of distinct For/Abstain voters for quorum changed; it applies to
    /// proposals whose snapshot is at or after the block of the change.
    event MinimumVotersSet(uint256 oldMinimumVoters, uint256 newMinimumVoters);

    /// @notice A minimum of zero voters (use 1 for no requirement beyond the quorum's votes).
    error GovernorCountingDistinctZeroMinimum();

    /// @notice A minimum above the voter count's width (2^32 - 1).
    error GovernorCountingDistinctMinimumTooLarge(uint256 minimumVoters, uint256 maximum);

    /**
     * @notice Set the initial minimum number of distinct voters.
     * @param initialMinimumVoters Distinct For/Abstain voters with non-zero weight a proposal
     * needs for quorum (at least 1).
     */
    constructor(uint256 initialMinimumVoters) {
        _setMinimumVoters(initialMinimumVoters);
    }

    // slither-disable-start naming-convention (COUNTING_MODE is the name IGovernor requires)
    // solhint-disable func-name-mixedcase
    /// @notice Governor Bravo support; quorum counts For and Abstain. GovernorCountingSimple's
    /// string, so front-ends read it as before (the minimum of voters is {minimumVoters}).
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=for,abstain";
    }
    // solhint-enable func-name-mixedcase
    // slither-disable-end naming-convention

    /// @inheritdoc IGovernor
    function hasVoted(uint256 proposalId, address account) public view virtual override returns (bool) {
        return _proposalVotes[proposalId].hasVoted[account];
    }

    /// @notice The vote sums of a proposal (GovernorCountingSimple's accessor and order).
    function proposalVotes(
        uint256 proposalId
    ) public view virtual returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        ProposalVote storage proposalVote = _proposalVotes[proposalId];
        (forVotes, abstainVotes, ) = _unpack(proposalVote.tally);
        return (proposalVote.againstVotes, forVotes, abstainVotes);
    }

    /// @notice How many distinct accounts cast a For or Abstain vote with non-zero weight.
    function proposalQuorumVoters(uint256 proposalId) public view virtual returns (uint256) {
        (, , uint256 voters) = _unpack(_proposalVotes[proposalId].tally);
        return voters;
    }

    /// @notice The minimum number of distinct voters for quorum, for proposals created now.
    function minimumVoters() public view virtual returns (uint256) {
        return _minimumVotersNow >> 48;
    }

    /// @notice The minimum number of distinct voters for quorum of a proposal whose snapshot is
    /// `timepoint` (on the governor's clock).
    function minimumVoters(uint256 timepoint) public view virtual returns (uint256) {
        uint256 current = _minimumVotersNow;
        if (timepoint >= uint48(current)) return current >> 48;
        return _minimumVotersHistory.upperLookupRecent(SafeCast.toUint48(timepoint));
    }

    /**
     * @notice Set the minimum number of distinct For/Abstain voters a proposal needs for quorum
     * (proposals whose snapshot is from now on). Only through governance. Emits
     * {MinimumVotersSet}. A minimum above the number of members who vote would stop every
     * proposal, including the one to lower it: raise it with care.
     */
    function setMinimumVoters(uint256 newMinimumVoters) public virtual onlyGovernance {
        _setMinimumVoters(newMinimumVoters);
    }

    /// @dev Quorum: enough distinct voters (the cheap check first) and enough For + Abstain votes.
    function _quorumReached(uint256 proposalId) internal view virtual override returns (bool) {
        (uint256 forVotes, uint256 abstainVotes, uint256 voters) = _unpack(_proposalVotes[proposalId].tally);
        uint256 snapshot = proposalSnapshot(proposalId);
        return voters >= minimumVoters(snapshot) && quorum(snapshot) <= forVotes + abstainVotes;
    }

    /// @dev As GovernorCountingSimple: For must be strictly more than Against.
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        ProposalVote storage proposalVote = _proposalVotes[proposalId];
        (uint256 forVotes, , ) = _unpack(proposalVote.tally);
        return forVotes > proposalVote.againstVotes;
    }

    /// @dev As GovernorCountingSimple, into the packed tally (one read, one write); a For or
    /// Abstain vote with non-zero weight also counts its voter.
    function _countVote(
        uint256 proposalId,
        address account,
        uint8 support,
        uint256 totalWeight,
        bytes memory // params
    ) internal virtual override returns (uint256) {
        ProposalVote storage proposalVote = _proposalVotes[proposalId];

        if (proposalVote.hasVoted[account]) {
            _beforeRevertVoted(proposalId, account);
            revert GovernorAlreadyCastVote(account);
        }
        proposalVote.hasVoted[account] = true;

        if (support == uint8(VoteType.Against)) {
            proposalVote.againstVotes += totalWeight;
            return totalWeight;
        }
        if (support > uint8(VoteType.Abstain)) revert GovernorInvalidVoteType();

        // One read and one write of the packed word; each sum and the count are SafeCast back to
        // their width, so a total that does not fit reverts instead of spilling into its neighbour.
        uint256 tally = proposalVote.tally;
        uint256 shift = support == uint8(VoteType.For) ? 0 : _VOTES_BITS;
        uint256 sum = SafeCast.toUint112(((tally >> shift) & _VOTES_MASK) + totalWeight);
        tally = (tally & ~(_VOTES_MASK << shift)) | (sum << shift);
        if (totalWeight > 0) {
            tally =
                (tally & _TALLY_VOTES_MASK) |
                (uint256(SafeCast.toUint32((tally >> _VOTERS_SHIFT) + 1)) << _VOTERS_SHIFT);
        }
        proposalVote.tally = tally;
        return totalWeight;
    }

    /**
     * @dev Bars `account` from voting on `proposalId`: it is marked as having voted, with nothing
     * counted, so its vote reverts on the read every vote makes anyway (no cost for anyone else).
     * A derived contract that bars voters overrides {hasVoted} to tell them apart and
     * {_beforeRevertVoted} to give its reason.
     */
    function _barVoter(uint256 proposalId, address account) internal virtual {
        _proposalVotes[proposalId].hasVoted[account] = true;
    }

    /// @dev Called when `account`, already marked as voted on `proposalId`, tries to vote: may
    /// revert with a more precise error; {GovernorAlreadyCastVote} follows otherwise.
    // solhint-disable-next-line no-empty-blocks
    function _beforeRevertVoted(uint256 proposalId, address account) internal view virtual {}

    function _setMinimumVoters(uint256 newMinimumVoters) internal virtual {
        if (newMinimumVoters == 0) revert GovernorCountingDistinctZeroMinimum();
        if (newMinimumVoters > type(uint32).max) {
            revert GovernorCountingDistinctMinimumTooLarge(newMinimumVoters, type(uint32).max);
        }
        uint48 now_ = clock();
        (uint256 oldMinimumVoters, uint256 pushed) = _minimumVotersHistory.push(now_, uint208(newMinimumVoters));
        _minimumVotersNow = (pushed << 48) | now_;
        emit MinimumVotersSet(oldMinimumVoters, newMinimumVoters);
    }

    /// @dev forVotes, abstainVotes and quorumVoters of a packed tally.
    function _unpack(uint256 tally) private pure returns (uint256 forVotes, uint256 abstainVotes, uint256 voters) {
        return (tally & _VOTES_MASK, (tally >> _VOTES_BITS) & _VOTES_MASK, tally >> _VOTERS_SHIFT);
    }
}
