// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IInfluence} from "../interfaces/IInfluence.sol";
import {GrowthTable} from "../utils/GrowthTable.sol";
import {PackedCheckpoints} from "../utils/PackedCheckpoints.sol";

/**
 * @title DecayingVotes
 * @notice The votes machinery of Influence, kept apart from its award policy as OpenZeppelin's
 * `Votes` is kept apart from `ERC20Votes`: decaying ERC-5805 votes on a timestamp clock, with
 * delegation (including by EIP-712 signature). Votes halve every {halfLife} epochs without any
 * per-account write: votes and the total are kept in growth-scaled *stored units*, read as
 * influence decayed to a timepoint (`stored * 2^64 / growth(epochAt(t))`, on top of
 * {GrowthTable}).
 *
 * Each delegate's votes live in one head word of {PackedCheckpoints}. An account that never chose
 * a delegate is its own delegate. An account whose head lacks {_EXPLICIT} is *plain*: its own
 * delegate, nobody else's, and its votes are its balance (N4, which the deriving contract keeps
 * at its {_makeExplicit}).
 *
 * The deriving contract says what an account's balance is ({_balanceOf}) and how an account
 * becomes explicit ({_makeExplicit}); it moves votes with {_moveVotes} (N3 is stated there) and
 * the total with {_pushTotal}. This contract implements the votes and epoch part of IInfluence
 * and reverts with its errors, which are Influence's (design notes: docs/influence-decay.md).
 */
abstract contract DecayingVotes is IInfluence, EIP712, Nonces, GrowthTable {
    using Checkpoints for Checkpoints.Trace208;
    using PackedCheckpoints for PackedCheckpoints.Trace;

    /// @notice Shortest allowed epoch.
    uint48 public constant MIN_EPOCH_DURATION = 1 hours;

    /// @notice Shortest allowed half-life, in seconds (`halfLife * epochDuration` must reach it).
    uint256 public constant MIN_HALF_LIFE_SECONDS = 26 weeks;

    /// @notice Largest whole number of half-lives for which {growth} fits in 256 bits.
    uint256 public constant MAX_GROWTH_SHIFT = 191;

    /// @notice Upper bound on the stored-unit total (the checkpoint width).
    uint256 public constant MAX_STORED_SUPPLY = type(uint208).max;

    /// @dev Head metadata: the account's balance is kept by the deriving contract, not read off
    /// its votes (N4).
    uint256 internal constant _EXPLICIT = PackedCheckpoints.FLAG;

    uint256 private constant _ONE = 1 << 64;

    // The ERC-5805 delegation type string (OpenZeppelin Votes'), hashed at compile time.
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _DELEGATION_TYPEHASH = keccak256(
        "Delegation(address delegatee,uint256 nonce,uint256 expiry)"
    );

    /// @inheritdoc IInfluence
    uint48 public immutable genesis;

    /// @inheritdoc IInfluence
    uint48 public immutable epochDuration;

    /// @inheritdoc IInfluence
    uint256 public immutable halfLife;

    /// @dev One second before deployment: checkpoint keys count seconds from here (keys >= 1).
    uint256 private immutable _origin;

    /// @dev Each delegate's vote checkpoints in stored units, keyed by seconds since {_origin},
    /// and in its head the EXPLICIT flag of the account (N4).
    PackedCheckpoints.Trace private _votes;
    /// @dev The delegate an account chose (zero: itself).
    mapping(address account => address) private _delegatee;

    /// @dev Stored-unit total over time: what {getPastTotalSupply} reads. Only {_pushTotal}
    /// moves it (Influence states by how much: N1).
    Checkpoints.Trace208 private _total;

    /**
     * @notice Set the epoch clock and the half-life.
     * @param genesis_ Start of epoch 0 (unix seconds).
     * @param epochDuration_ Length of an epoch in seconds (at least {MIN_EPOCH_DURATION}).
     * @param halfLife_ Half-life in epochs; `halfLife_ * epochDuration_` must be at least
     * {MIN_HALF_LIFE_SECONDS}.
     */
    constructor(uint48 genesis_, uint48 epochDuration_, uint256 halfLife_) GrowthTable(halfLife_) {
        if (epochDuration_ < MIN_EPOCH_DURATION) {
            revert InfluenceEpochTooShort(epochDuration_, MIN_EPOCH_DURATION);
        }
        // Bounded above so that the product below cannot overflow.
        if (halfLife_ == 0 || halfLife_ > type(uint64).max) revert InfluenceHalfLifeOutOfRange(halfLife_);
        if (halfLife_ * epochDuration_ < MIN_HALF_LIFE_SECONDS) {
            revert InfluenceHalfLifeTooShort(halfLife_ * epochDuration_, MIN_HALF_LIFE_SECONDS);
        }
        genesis = genesis_;
        epochDuration = epochDuration_;
        halfLife = halfLife_;
        _origin = block.timestamp - 1;
    }

    // ------------------------------------------------------------------ epochs and growth

    /// @inheritdoc IInfluence
    function epochAt(uint48 timepoint) external view returns (uint256) {
        return _epochAt(timepoint);
    }

    /// @notice The epoch containing the current block.
    function currentEpoch() external view returns (uint256) {
        return _epochAt(block.timestamp);
    }

    /**
     * @inheritdoc IInfluence
     * @dev `exp2(frac) << (epoch / halfLife)` with `frac = ((epoch % halfLife) << 64) / halfLife`,
     * `exp2` floored after each product as in `communis/engine/growth.py` (the residue table of
     * {GrowthTable} holds the same bits). Reverts with {InfluenceGrowthOverflow} past
     * {MAX_GROWTH_SHIFT} half-lives.
     */
    function growth(uint256 epoch) external view returns (uint256) {
        return _growth(epoch);
    }

    /// @notice Stored units for `amount` influence earned in `epoch` (floor), as `communis.engine.growth.to_stored`.
    function toStored(uint256 amount, uint256 epoch) external view returns (uint256) {
        return Math.mulDiv(amount, _growth(epoch), _ONE);
    }

    /// @notice Influence at `epoch` of `storedUnits` (floor), as `communis.engine.growth.to_influence`.
    function toInfluence(uint256 storedUnits, uint256 epoch) external view returns (uint256) {
        return _toInfluence(storedUnits, epoch);
    }

    // ------------------------------------------------------------------ votes (IERC5805)

    /// @notice The clock is the block timestamp (ERC-6372).
    function clock() public view returns (uint48) {
        return Time.timestamp();
    }

    // slither-disable-start naming-convention (CLOCK_MODE is the name ERC-6372 requires)
    // solhint-disable func-name-mixedcase
    /// @notice Machine-readable description of the clock (ERC-6372).
    function CLOCK_MODE() public pure returns (string memory) {
        return "mode=timestamp";
    }
    // solhint-enable func-name-mixedcase
    // slither-disable-end naming-convention

    /// @notice Current influence delegated to `account` (decayed to now).
    function getVotes(address account) external view returns (uint256) {
        return _toInfluence(_votes.latest(account), _epochAt(block.timestamp));
    }

    /// @notice Influence delegated to `account` at `timepoint`, decayed to that timepoint.
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        return _toInfluence(_votesAt(account, _validateTimepoint(timepoint)), _epochAt(timepoint));
    }

    /// @notice Total influence earned (credited) up to `timepoint`, claimed or not, decayed to
    /// that timepoint: the Governor's quorum denominator.
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        uint256 stored = _total.upperLookupRecent(_validateTimepoint(timepoint));
        return _toInfluence(stored, _epochAt(timepoint));
    }

    /// @notice Stored units currently delegated to `account` (not decayed).
    function getStoredVotes(address account) external view returns (uint256) {
        return _votes.latest(account);
    }

    /// @notice Stored units delegated to `account` at `timepoint` (not decayed).
    function getPastStoredVotes(address account, uint256 timepoint) external view returns (uint256) {
        return _votesAt(account, _validateTimepoint(timepoint));
    }

    /// @notice Stored-unit total now (not decayed).
    function storedTotalSupply() external view returns (uint256) {
        return _total.latest();
    }

    /// @notice Stored-unit total at `timepoint` (not decayed).
    function getPastStoredTotalSupply(uint256 timepoint) external view returns (uint256) {
        return _total.upperLookupRecent(_validateTimepoint(timepoint));
    }

    // ------------------------------------------------------------------ delegation

    /// @notice The delegate of `account`; an account that never delegated is its own delegate.
    function delegates(address account) public view returns (address) {
        address chosen = _delegatee[account];
        return chosen == address(0) ? account : chosen;
    }

    /// @notice Delegate the caller's votes to `delegatee` (zero: back to the caller).
    function delegate(address delegatee) external {
        _delegate(msg.sender, delegatee);
    }

    /// @notice Delegate by EIP-712 signature (`Delegation(address delegatee,uint256 nonce,uint256 expiry)`).
    function delegateBySig(address delegatee, uint256 nonce, uint256 expiry, uint8 v, bytes32 r, bytes32 s) external {
        // slither-disable-next-line timestamp (an expiry chosen by the signer, compared as ERC-5805 does)
        if (block.timestamp > expiry) revert VotesExpiredSignature(expiry);
        address signer = ECDSA.recover(
            _hashTypedDataV4(keccak256(abi.encode(_DELEGATION_TYPEHASH, delegatee, nonce, expiry))),
            v,
            r,
            s
        );
        _useCheckedNonce(signer, nonce);
        _delegate(signer, delegatee);
    }

    // ------------------------------------------------------------------ hooks

    /// @dev `account`'s own stored balance, given its head: for a plain account its votes (N4).
    function _balanceOf(address account, uint256 head) internal view virtual returns (uint256);

    /// @dev Marks `account` explicit (with {_setExplicit}), first keeping its balance apart from
    /// its votes; returns the new head, or `head` if it was explicit already. Runs before any
    /// change that would break N4 for a plain account.
    function _makeExplicit(address account, uint256 head) internal virtual returns (uint256);

    // ------------------------------------------------------------------ internals

    // slither-disable-start incorrect-equality,timestamp (from here to _votesAt: equalities test the flag and key of head words, not balances; keys are seconds since deployment, compared to find a checkpoint, not to take a time-dependent decision)

    /// @dev Moves `account`'s balance from its delegate to `delegatee` (zero: itself). The
    /// account and a new delegate other than itself become explicit first (N4: so a plain account
    /// has no chosen delegate to read).
    function _delegate(address account, address delegatee) internal {
        address to = delegatee == address(0) ? account : delegatee;
        uint256 head = _votes.headOf(account);
        address from = account;
        if (head & _EXPLICIT == 0) {
            head = _makeExplicit(account, head);
        } else {
            address chosen = _delegatee[account];
            if (chosen != address(0)) from = chosen;
        }
        _delegatee[account] = to;
        emit DelegateChanged(account, from, to);
        if (from == to) return;
        uint256 toHead = to == account ? head : _makeExplicit(to, _votes.headOf(to));
        uint256 units = _balanceOf(account, head);
        if (units == 0) return;
        (uint256 whole, uint256 fraction) = _growthParts(_epochAt(block.timestamp));
        _moveVotes(from, from == account ? head : _votes.headOf(from), units, false, whole, fraction);
        // The head of `to` is unchanged by the move above unless `to` is `from`, excluded above.
        _moveVotes(to, toHead, units, true, whole, fraction);
    }

    /// @dev Adds (`up`) or subtracts `amount` stored units to the votes of `delegatee`, whose
    /// head is `head`, with a new checkpoint. Emits `DelegateVotesChanged` in influence at the
    /// growth parts `whole` and `fraction` of the current epoch.
    /// N3: the votes of every delegate sum to the stored balances of the accounts delegating to
    /// it; every award, slash and delegation moves votes through here.
    function _moveVotes(
        address delegatee,
        uint256 head,
        uint256 amount,
        bool up,
        uint256 whole,
        uint256 fraction
    ) internal {
        uint256 old = PackedCheckpoints.valueOf(head);
        uint256 updated;
        if (up) {
            updated = old + amount;
            if (updated > MAX_STORED_SUPPLY) revert InfluenceStoredOverflow(updated, MAX_STORED_SUPPLY);
        } else {
            updated = old - amount; // N3: a delegate carries every balance delegated to it
        }
        uint256 key = block.timestamp - _origin;
        if (key > PackedCheckpoints.MAX_KEY) revert InfluenceClockOverflow(block.timestamp);
        _votes.push(delegatee, head, key, updated);
        emit DelegateVotesChanged(delegatee, _scaleDown(old, whole, fraction), _scaleDown(updated, whole, fraction));
    }

    /// @dev Stored votes of `delegatee` at `timepoint` (at most the current clock).
    function _votesAt(address delegatee, uint256 timepoint) private view returns (uint256) {
        if (timepoint <= _origin) return 0;
        return _votes.upperLookupRecent(delegatee, timepoint - _origin);
    }

    // slither-disable-end incorrect-equality,timestamp

    /// @dev Sets `newTotal` as the stored-unit total from now on; reverts with
    /// {InfluenceStoredOverflow} above {MAX_STORED_SUPPLY}.
    function _pushTotal(uint256 newTotal) internal {
        if (newTotal > MAX_STORED_SUPPLY) revert InfluenceStoredOverflow(newTotal, MAX_STORED_SUPPLY);
        // slither-disable-next-line unused-return (push returns the old and new totals, both known here)
        _total.push(clock(), uint208(newTotal));
    }

    /// @dev The stored-unit total now.
    function _storedTotal() internal view returns (uint256) {
        return _total.latest();
    }

    /// @dev The head of `account` in the vote checkpoints: its latest votes and its EXPLICIT flag.
    function _headOf(address account) internal view returns (uint256) {
        return _votes.headOf(account);
    }

    /// @dev The delegate `account` chose (zero if it never chose one: it is its own delegate).
    function _chosenDelegate(address account) internal view returns (address) {
        return _delegatee[account];
    }

    /// @dev Sets the EXPLICIT flag in `account`'s head `head`; returns the new head (for
    /// {_makeExplicit}).
    function _setExplicit(address account, uint256 head) internal returns (uint256) {
        return _votes.setFlag(account, head);
    }

    /// @dev `timepoint` as a past ERC-6372 timepoint; reverts unless it is before the clock.
    function _validateTimepoint(uint256 timepoint) private view returns (uint48) {
        uint48 current = clock();
        if (timepoint >= current) revert ERC5805FutureLookup(timepoint, current);
        return uint48(timepoint);
    }

    /// @dev The epoch containing `timepoint` (0 before genesis).
    // slither-disable-next-line timestamp,assembly (epoch arithmetic on a timepoint, not a time-dependent decision; the assembly only skips a checked subtraction and division by a non-zero immutable)
    function _epochAt(uint256 timepoint) internal view returns (uint256 epoch) {
        uint256 start = genesis;
        uint256 duration = epochDuration; // >= MIN_EPOCH_DURATION, never zero
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            if iszero(lt(timepoint, start)) {
                epoch := div(sub(timepoint, start), duration)
            }
        }
    }

    /// @dev `2^(epoch / halfLife)` in Q64.64: `fraction << whole` (see {_growthParts}).
    // slither-disable-next-line timestamp,assembly (`whole > MAX_GROWTH_SHIFT` is a bound, not a time check; a shift that cannot overflow)
    function _growth(uint256 epoch) internal view returns (uint256 g) {
        (uint256 whole, uint256 fraction) = _growthParts(epoch);
        if (whole > MAX_GROWTH_SHIFT) revert InfluenceGrowthOverflow(epoch);
        // fraction < 2^65 and whole <= 191: the shift stays within 256 bits.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            g := shl(whole, fraction)
        }
    }

    /// @dev Influence at `epoch` of `storedUnits`: `floor(storedUnits * 2^64 / growth(epoch))`.
    function _toInfluence(uint256 storedUnits, uint256 epoch) internal view returns (uint256) {
        (uint256 whole, uint256 fraction) = _growthParts(epoch);
        return _scaleDown(storedUnits, whole, fraction);
    }

    /// @dev `floor(storedUnits * 2^64 / (fraction << whole))`, computed as
    /// `floor(storedUnits * 2^64 / fraction) >> whole` (floor(floor(x / a) / b) == floor(x / (a * b))):
    /// exactly `communis.engine.growth.to_influence` for every epoch, with no overflow and no
    /// growth bound (past 191 half-lives only {growth} itself reverts).
    // slither-disable-next-line assembly,timestamp (a division by a fraction >= 2^64 and a shift, neither can overflow; its inputs may come from a timepoint's epoch, it decides nothing)
    function _scaleDown(
        uint256 storedUnits,
        uint256 whole,
        uint256 fraction
    ) internal pure returns (uint256 influence) {
        if (storedUnits < (1 << 192)) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                influence := shr(whole, div(shl(64, storedUnits), fraction))
            }
        } else {
            influence = Math.mulDiv(storedUnits, _ONE, fraction) >> whole;
        }
    }

    /// @dev `epoch / halfLife` as its whole part and the Q64.64 growth `2^(rest / halfLife)` of the
    /// rest (`fraction` in `[2^64, 2^65)`), the one lookup that {_growth} and {_toInfluence} share.
    // slither-disable-next-line weak-prng,assembly (`epoch % halfLife` is the fractional part of epoch / halfLife, not randomness; the assembly only skips the zero-divisor check of a non-zero immutable)
    function _growthParts(uint256 epoch) internal view returns (uint256 whole, uint256 fraction) {
        uint256 h = halfLife; // >= 1, never zero
        uint256 rest;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            whole := div(epoch, h)
            rest := mod(epoch, h)
        }
        fraction = _fractionGrowth(rest, h);
    }
}
