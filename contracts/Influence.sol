// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";
import {GrowthTable} from "./utils/GrowthTable.sol";

/**
 * @title Influence
 * @notice Earned, decaying, non-transferable governance power: the votes source of
 * InfluenceGovernor. Influence cannot be bought, sold or transferred; it is awarded for
 * contributions (by the reward distributor, {AWARDER_ROLE}), can be delegated (including by
 * EIP-712 signature), and halves every {halfLife} epochs without any per-account write.
 *
 * Decay. Balances, delegate checkpoints and the total are kept in growth-scaled *stored units*
 * (see {IInfluence}); influence at timepoint `t` is `stored * 2^64 / growth(epochAt(t))`. Every
 * account, delegate and the total are divided by the same factor at a timepoint, so every ratio a
 * Governor computes at one snapshot is the ratio of stored units, while absolute values decay.
 * The stock OpenZeppelin {Votes} checkpoints hold stored units; only the views divide. `growth`
 * is bit-for-bit `communis/engine/growth.py`; its fractional part comes from the generated
 * {GrowthTable}. The derivation, the overflow bound (no rescaling for at least 53 years of
 * awards) and the gas design are in docs/influence-decay.md.
 *
 * Automatic self-delegation. An account that never chose a delegate is its own delegate, so an
 * award counts as votes from the block it lands in, with no `delegate` call. `delegate(0)` means
 * "back to myself". The first award to such an account emits `DelegateChanged(account, 0, account)`
 * so indexers that follow ERC-5805 events see the self-delegation.
 *
 * Units in events. `DelegateVotesChanged`, {Awarded} and {Slashed} carry stored units (the only
 * unit that does not change with time). `getVotes`, `getPastVotes`, `getPastTotalSupply`,
 * `balanceOf` and `totalSupply` return influence (decayed to the queried timepoint).
 *
 * Thresholds elsewhere (the Governor's proposal threshold, the guardian application threshold)
 * are in influence and compared with influence decayed to the same timepoint, never with stored
 * units, so an equal threshold means the same thing at every epoch.
 *
 * The total (the quorum denominator) counts earned influence, claimed or not. The reward
 * distributor {credit}s an epoch's whole emission to the total once, when the epoch's root
 * finalizes, and each claim then {awardCredited}s an account's share without touching the total.
 * So the Governor's quorum is a fraction of all influence earned up to the snapshot, and claiming
 * (for oneself or for passive members, e.g. during a voting delay) moves only the claimant's
 * delegate's votes, never quorum. {awardStored} credits and awards at once (an awarder without
 * epochs). The total is kept here, in {_total}; OpenZeppelin's own total checkpoints stay empty.
 *
 * Invariants:
 * - N1 `storedTotalSupply() == sum(credited) + sum(awardStored) - sum(slashed)`: only {credit},
 *   {awardStored} and {slash} move {_total}.
 * - N2 the sum of all stored balances is at most {storedTotalSupply}, as long as every awarder
 *   {awardCredited}s at most what it {credit}ed (ContributionRewards keeps that: its claims never
 *   pay more than its finalized totals, which it credits at finalization).
 * - N3 the votes of every delegate sum to the stored balances (OpenZeppelin {Votes} moves votes
 *   with balances and delegation).
 *
 * Slashing burns the slashed account's own balance and so the votes it carries, wherever they
 * are delegated. Votes that other accounts delegated *to* the slashed account stay with it: they
 * are the delegators' influence, and only they can move it (by delegating elsewhere). Governance
 * that slashes a delegate for misconduct should tell its delegators to re-delegate.
 */
contract Influence is IInfluence, Votes, AccessControl, GrowthTable {
    using Checkpoints for Checkpoints.Trace208;

    /// @inheritdoc IInfluence
    bytes32 public constant AWARDER_ROLE = keccak256("AWARDER_ROLE");

    /// @notice Shortest allowed epoch.
    uint48 public constant MIN_EPOCH_DURATION = 1 hours;

    /// @notice Shortest allowed half-life, in seconds (`halfLife * epochDuration` must reach it).
    uint256 public constant MIN_HALF_LIFE_SECONDS = 26 weeks;

    /// @notice Largest whole number of half-lives for which {growth} fits in 256 bits.
    uint256 public constant MAX_GROWTH_SHIFT = 191;

    /// @notice Upper bound on the stored-unit total (the checkpoint width).
    uint256 public constant MAX_STORED_SUPPLY = type(uint208).max;

    uint256 private constant _ONE = 1 << 64;

    /// @inheritdoc IInfluence
    uint48 public immutable genesis;

    /// @inheritdoc IInfluence
    uint48 public immutable epochDuration;

    /// @inheritdoc IInfluence
    uint256 public immutable halfLife;

    mapping(address account => uint256) private _storedBalances;

    /// @dev Stored-unit total over time: what {getPastTotalSupply} reads (N1).
    Checkpoints.Trace208 private _total;

    /// @notice The `admin` given to the constructor was the zero address.
    error InfluenceZeroAdmin();

    /// @notice {awardStored} was called for the zero address.
    error InfluenceZeroAccount();

    /// @notice The epoch length is below {MIN_EPOCH_DURATION}.
    error InfluenceEpochTooShort(uint256 epochDuration, uint256 minimum);

    /// @notice The half-life in epochs is zero or above 2^64 - 1.
    error InfluenceHalfLifeOutOfRange(uint256 halfLife);

    /// @notice `halfLife * epochDuration` is below {MIN_HALF_LIFE_SECONDS}.
    error InfluenceHalfLifeTooShort(uint256 halfLifeSeconds, uint256 minimum);

    /// @notice An award would take the stored total above {MAX_STORED_SUPPLY}.
    error InfluenceStoredOverflow(uint256 newStoredTotal, uint256 maximum);

    /// @notice {growth} of `epoch` does not fit in 256 bits (more than 191 half-lives).
    error InfluenceGrowthOverflow(uint256 epoch);

    /**
     * @notice Deploy the ledger.
     * @param admin First holder of DEFAULT_ADMIN_ROLE (grants AWARDER_ROLE, slashes): the
     * deployer during wiring, then the governance timelock.
     * @param genesis_ Start of epoch 0 (unix seconds).
     * @param epochDuration_ Length of an epoch in seconds (at least {MIN_EPOCH_DURATION}).
     * @param halfLife_ Half-life in epochs; `halfLife_ * epochDuration_` must be at least
     * {MIN_HALF_LIFE_SECONDS}.
     */
    constructor(
        address admin,
        uint48 genesis_,
        uint48 epochDuration_,
        uint256 halfLife_
    ) EIP712("Communis Influence", "1") GrowthTable(halfLife_) {
        if (admin == address(0)) revert InfluenceZeroAdmin();
        if (epochDuration_ < MIN_EPOCH_DURATION) {
            revert InfluenceEpochTooShort(epochDuration_, MIN_EPOCH_DURATION);
        }
        // Bounded above so that the product below cannot overflow.
        if (halfLife_ == 0 || halfLife_ > type(uint64).max) revert InfluenceHalfLifeOutOfRange(halfLife_);
        if (halfLife_ * epochDuration_ < MIN_HALF_LIFE_SECONDS) {
            revert InfluenceHalfLifeTooShort(halfLife_ * epochDuration_, MIN_HALF_LIFE_SECONDS);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        genesis = genesis_;
        epochDuration = epochDuration_;
        halfLife = halfLife_;
    }

    // ------------------------------------------------------------------ metadata (wallets)

    /// @notice Token-style name, for wallets and explorers.
    function name() external pure returns (string memory) {
        return "Communis Influence";
    }

    /// @notice Token-style symbol, for wallets and explorers.
    function symbol() external pure returns (string memory) {
        return "INFL";
    }

    /// @notice Influence uses 18 decimals, like CommunityToken.
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @notice Influence of `account` now (its own, decayed; delegation does not move it).
    function balanceOf(address account) external view returns (uint256) {
        return _toInfluence(_storedBalances[account], _epochAt(block.timestamp));
    }

    /// @notice Total influence now (decayed).
    function totalSupply() external view returns (uint256) {
        return _toInfluence(_getTotalSupply(), _epochAt(block.timestamp));
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
    function clock() public view override(IERC6372, Votes) returns (uint48) {
        return Time.timestamp();
    }

    // slither-disable-start naming-convention (CLOCK_MODE is the name ERC-6372 requires)
    // solhint-disable func-name-mixedcase
    /// @notice Machine-readable description of the clock (ERC-6372).
    function CLOCK_MODE() public pure override(IERC6372, Votes) returns (string memory) {
        return "mode=timestamp";
    }
    // solhint-enable func-name-mixedcase
    // slither-disable-end naming-convention

    /// @notice Current influence delegated to `account` (decayed to now).
    function getVotes(address account) public view override(IVotes, Votes) returns (uint256) {
        return _toInfluence(super.getVotes(account), _epochAt(block.timestamp));
    }

    /// @notice Influence delegated to `account` at `timepoint`, decayed to that timepoint.
    function getPastVotes(address account, uint256 timepoint) public view override(IVotes, Votes) returns (uint256) {
        uint256 stored = super.getPastVotes(account, timepoint); // reverts unless timepoint < clock()
        return _toInfluence(stored, _epochAt(timepoint));
    }

    /// @notice Total influence earned (credited) up to `timepoint`, claimed or not, decayed to
    /// that timepoint: the Governor's quorum denominator.
    function getPastTotalSupply(uint256 timepoint) public view override(IVotes, Votes) returns (uint256) {
        uint256 stored = _total.upperLookupRecent(_validateTimepoint(timepoint)); // reverts unless timepoint < clock()
        return _toInfluence(stored, _epochAt(timepoint));
    }

    /// @notice Stored units currently delegated to `account` (not decayed).
    function getStoredVotes(address account) external view returns (uint256) {
        return super.getVotes(account);
    }

    /// @notice Stored units delegated to `account` at `timepoint` (not decayed).
    function getPastStoredVotes(address account, uint256 timepoint) external view returns (uint256) {
        return super.getPastVotes(account, timepoint);
    }

    /// @notice Stored-unit total now (not decayed).
    function storedTotalSupply() external view returns (uint256) {
        return _getTotalSupply();
    }

    /// @notice Stored-unit total at `timepoint` (not decayed).
    function getPastStoredTotalSupply(uint256 timepoint) external view returns (uint256) {
        return _total.upperLookupRecent(_validateTimepoint(timepoint));
    }

    /// @notice The delegate of `account`; an account that never delegated is its own delegate.
    function delegates(address account) public view override(IVotes, Votes) returns (address) {
        address chosen = super.delegates(account);
        return chosen == address(0) ? account : chosen;
    }

    /// @inheritdoc IInfluence
    function storedBalanceOf(address account) external view returns (uint256) {
        return _storedBalances[account];
    }

    // ------------------------------------------------------------------ awards and slashing

    /**
     * @inheritdoc IInfluence
     * @dev Only {AWARDER_ROLE}. Zero is a no-op. Reverts with {InfluenceStoredOverflow} if the
     * stored total would pass {MAX_STORED_SUPPLY}. Emits {Credited}, {Awarded},
     * `DelegateVotesChanged` and, on the first award to an account without a chosen delegate,
     * `DelegateChanged(account, 0, account)`.
     */
    function awardStored(address account, uint256 storedUnits) external onlyRole(AWARDER_ROLE) {
        if (account == address(0)) revert InfluenceZeroAccount();
        if (storedUnits == 0) return;
        _credit(storedUnits);
        _award(account, storedUnits);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only {AWARDER_ROLE}. Zero is a no-op. Reverts with {InfluenceStoredOverflow} if the
     * stored total would pass {MAX_STORED_SUPPLY}. Emits {Credited}.
     */
    function credit(uint256 storedUnits) external onlyRole(AWARDER_ROLE) {
        if (storedUnits == 0) return;
        _credit(storedUnits);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only {AWARDER_ROLE}, which must have {credit}ed at least as much as it awards this way
     * (N2). Zero is a no-op. Emits {Awarded}, `DelegateVotesChanged` and, on the first award to an
     * account without a chosen delegate, `DelegateChanged(account, 0, account)`.
     */
    function awardCredited(address account, uint256 storedUnits) external onlyRole(AWARDER_ROLE) {
        if (account == address(0)) revert InfluenceZeroAccount();
        if (storedUnits == 0) return;
        _award(account, storedUnits);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only DEFAULT_ADMIN_ROLE (the governance timelock). Burns `min(storedUnits, balance)`,
     * so a proposal to slash everything can pass `type(uint256).max`; nothing to burn is a no-op.
     * Past checkpoints (and so votes already cast) are untouched. Only the account's own balance
     * is burnt: votes others delegated to it stay delegated to it (see the contract notes).
     * Emits {Slashed} and `DelegateVotesChanged`.
     */
    function slash(address account, uint256 storedUnits) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 balance = _storedBalances[account];
        uint256 burnt = Math.min(storedUnits, balance);
        if (burnt == 0) return;
        unchecked {
            _storedBalances[account] = balance - burnt;
        }
        emit Slashed(account, burnt);
        // N2 and N3: every balance is at most the total and is carried by its delegate.
        // slither-disable-next-line unused-return (push returns the old and new totals, both known here)
        _total.push(clock(), uint208(_total.latest() - burnt));
        _moveDelegateVotes(delegates(account), address(0), burnt);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The current stored-unit total (N1).
    function _getTotalSupply() internal view override returns (uint256) {
        return _total.latest();
    }

    /// @dev Adds `storedUnits` to the total (N1).
    function _credit(uint256 storedUnits) private {
        uint256 newTotal = _total.latest() + storedUnits;
        if (newTotal > MAX_STORED_SUPPLY) revert InfluenceStoredOverflow(newTotal, MAX_STORED_SUPPLY);
        // slither-disable-next-line unused-return (push returns the old and new totals, both known here)
        _total.push(clock(), uint208(newTotal));
        emit Credited(msg.sender, storedUnits);
    }

    /// @dev Adds `storedUnits` to `account`'s balance and to its delegate's votes (N3), without
    /// touching the total.
    function _award(address account, uint256 storedUnits) private {
        uint256 before = _storedBalances[account];
        _storedBalances[account] = before + storedUnits;
        address chosen = super.delegates(account);
        if (chosen == address(0)) {
            chosen = account;
            if (before == 0) emit DelegateChanged(account, address(0), account);
        }
        emit Awarded(account, storedUnits);
        _moveDelegateVotes(address(0), chosen, storedUnits);
    }

    /// @dev The epoch containing `timepoint` (0 before genesis).
    // slither-disable-next-line timestamp,assembly (epoch arithmetic on a timepoint, not a time-dependent decision; the assembly only skips a checked subtraction and division by a non-zero immutable)
    function _epochAt(uint256 timepoint) private view returns (uint256 epoch) {
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
    function _growth(uint256 epoch) private view returns (uint256 g) {
        (uint256 whole, uint256 fraction) = _growthParts(epoch);
        if (whole > MAX_GROWTH_SHIFT) revert InfluenceGrowthOverflow(epoch);
        // fraction < 2^65 and whole <= 191: the shift stays within 256 bits.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            g := shl(whole, fraction)
        }
    }

    /// @dev Influence at `epoch` of `storedUnits`: `floor(storedUnits * 2^64 / growth(epoch))`,
    /// computed as `floor(storedUnits * 2^64 / fraction) >> whole` (floor(floor(x / a) / b) ==
    /// floor(x / (a * b))): exactly `communis.engine.growth.to_influence` for every epoch, with no
    /// overflow and no growth bound (past 191 half-lives only {growth} itself reverts).
    // slither-disable-next-line assembly (a division by a fraction >= 2^64 and a shift, neither can overflow)
    function _toInfluence(uint256 storedUnits, uint256 epoch) private view returns (uint256 influence) {
        (uint256 whole, uint256 fraction) = _growthParts(epoch);
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
    function _growthParts(uint256 epoch) private view returns (uint256 whole, uint256 fraction) {
        uint256 h = halfLife; // >= 1, never zero
        uint256 rest;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            whole := div(epoch, h)
            rest := mod(epoch, h)
        }
        fraction = _fractionGrowth(rest, h);
    }

    /// @dev Delegating to the zero address means delegating back to oneself.
    function _delegate(address account, address delegatee) internal override {
        super._delegate(account, delegatee == address(0) ? account : delegatee);
    }

    /// @dev Voting units are stored units.
    // slither-disable-next-line dead-code (called by OpenZeppelin Votes through its virtual hook)
    function _getVotingUnits(address account) internal view override returns (uint256) {
        return _storedBalances[account];
    }
}
