// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";

/**
 * @title Influence
 * @notice Earned, decaying, non-transferable governance power: the votes source of
 * InfluenceGovernor. Influence cannot be bought, sold or transferred; it is awarded for
 * contributions (by the reward distributor, {AWARDER_ROLE}), can be delegated (including by
 * EIP-712 signature), and halves every {halfLife} epochs without any per-account write.
 *
 * Decay. Balances, delegate checkpoints and the total are kept in growth-scaled *stored units*
 * (see {IInfluence}). Influence at timepoint `t` is `stored * 2^64 / growth(epochAt(t))`, so every
 * account, delegate and the total are divided by the same factor at a given timepoint: every
 * ratio a Governor computes at one snapshot (for vs against, votes vs quorum) is the ratio of
 * stored units, independent of when the snapshot was taken, while absolute values decay. The stock
 * OpenZeppelin {Votes} checkpoints (`Trace208`) hold stored units; only the views divide.
 * `growth` is bit-for-bit the function specified in `communis/growth.py` (tests compare them).
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
 * Thresholds. Absolute thresholds elsewhere (the Governor's proposal threshold, the guardian
 * application threshold) are expressed in influence and compared with influence decayed to the
 * same timepoint (never with stored units): a member who stops contributing falls below them as
 * their influence decays, and an equal threshold means the same thing at every epoch.
 *
 * Overflow bound (no rescaling era is needed for the lifetime of a deployment). Checkpoints hold
 * at most `2^208 - 1` stored units; {awardStored} reverts with {InfluenceStoredOverflow} before
 * that is passed, and {growth} reverts with {InfluenceGrowthOverflow} past `191 * halfLife`
 * epochs. An award of `a` earned in epoch `e` is stored as at most `a * 2^(e / halfLife)`. If all
 * influence ever awarded sums to at most `2^100` (about 1.27e12 whole influence at 18 decimals)
 * and every award is earned before epoch `107 * halfLife`, the stored total is below
 * `2^100 * 2^107 = 2^207`: nothing can overflow. The constructor enforces
 * `halfLife * epochDuration >= 26 weeks`, so `107 * halfLife` epochs are at least 53.3 years.
 * Views stay exact far longer (`mulDiv` over 512 bits; growth fits in 256 bits for 191
 * half-lives, about 95 years at the minimum half-life). Tests travel 50 years and award near
 * the bound on both EVMs.
 */
contract Influence is IInfluence, Votes, AccessControl {
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

    /// @notice An address argument that must be set was the zero address.
    error InfluenceZeroAddress();

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
    ) EIP712("Communis Influence", "1") {
        if (admin == address(0)) revert InfluenceZeroAddress();
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
        return toInfluence(_storedBalances[account], currentEpoch());
    }

    /// @notice Total influence now (decayed).
    function totalSupply() external view returns (uint256) {
        return toInfluence(_getTotalSupply(), currentEpoch());
    }

    // ------------------------------------------------------------------ epochs and growth

    /// @inheritdoc IInfluence
    function epochAt(uint48 timepoint) public view returns (uint256) {
        unchecked {
            return timepoint < genesis ? 0 : (timepoint - genesis) / epochDuration;
        }
    }

    /// @notice The epoch containing the current block.
    function currentEpoch() public view returns (uint256) {
        return epochAt(Time.timestamp());
    }

    /**
     * @inheritdoc IInfluence
     * @dev `exp2(frac) << (epoch / halfLife)` with `frac = ((epoch % halfLife) << 64) / halfLife`;
     * `exp2` multiplies, for each set bit k (1..63) of the Q64 fraction, by
     * `floor(2^(2^-k) * 2^64)` and floors after each product (k = 64's constant is exactly 1).
     * Reverts with {InfluenceGrowthOverflow} past {MAX_GROWTH_SHIFT} half-lives.
     */
    function growth(uint256 epoch) public view returns (uint256) {
        uint256 whole = epoch / halfLife;
        if (whole > MAX_GROWTH_SHIFT) revert InfluenceGrowthOverflow(epoch);
        // (epoch % halfLife) < halfLife <= 2^64 - 1, so the shift cannot overflow.
        return _exp2(((epoch % halfLife) << 64) / halfLife) << whole;
    }

    /// @notice Stored units for `amount` influence earned in `epoch` (floor), as `communis.growth.to_stored`.
    function toStored(uint256 amount, uint256 epoch) public view returns (uint256) {
        return Math.mulDiv(amount, growth(epoch), _ONE);
    }

    /// @notice Influence at `epoch` of `storedUnits` (floor), as `communis.growth.to_influence`.
    function toInfluence(uint256 storedUnits, uint256 epoch) public view returns (uint256) {
        uint256 g = growth(epoch);
        // Stored totals are below 2^208; the shift is exact below 2^192, mulDiv covers the rest.
        return storedUnits < (1 << 192) ? (storedUnits << 64) / g : Math.mulDiv(storedUnits, _ONE, g);
    }

    // ------------------------------------------------------------------ votes (IERC5805)

    /// @notice The clock is the block timestamp (ERC-6372).
    function clock() public view override(IERC6372, Votes) returns (uint48) {
        return Time.timestamp();
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(IERC6372, Votes) returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice Current influence delegated to `account` (decayed to now).
    function getVotes(address account) public view override(IVotes, Votes) returns (uint256) {
        return toInfluence(super.getVotes(account), currentEpoch());
    }

    /// @notice Influence delegated to `account` at `timepoint`, decayed to that timepoint.
    function getPastVotes(address account, uint256 timepoint) public view override(IVotes, Votes) returns (uint256) {
        uint256 stored = super.getPastVotes(account, timepoint); // reverts unless timepoint < clock()
        return toInfluence(stored, epochAt(uint48(timepoint)));
    }

    /// @notice Total influence at `timepoint`, decayed to that timepoint.
    function getPastTotalSupply(uint256 timepoint) public view override(IVotes, Votes) returns (uint256) {
        uint256 stored = super.getPastTotalSupply(timepoint); // reverts unless timepoint < clock()
        return toInfluence(stored, epochAt(uint48(timepoint)));
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
        return super.getPastTotalSupply(timepoint);
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
     * stored total would pass {MAX_STORED_SUPPLY}. Emits {Awarded}, `DelegateVotesChanged` and, on
     * the first award to an account without a chosen delegate, `DelegateChanged(account, 0, account)`.
     */
    function awardStored(address account, uint256 storedUnits) external onlyRole(AWARDER_ROLE) {
        if (account == address(0)) revert InfluenceZeroAddress();
        if (storedUnits == 0) return;
        uint256 newTotal = _getTotalSupply() + storedUnits;
        if (newTotal > MAX_STORED_SUPPLY) revert InfluenceStoredOverflow(newTotal, MAX_STORED_SUPPLY);
        uint256 before = _storedBalances[account];
        // Cannot overflow: every balance is at most the stored total, checked above.
        unchecked {
            _storedBalances[account] = before + storedUnits;
        }
        if (before == 0 && super.delegates(account) == address(0)) {
            emit DelegateChanged(account, address(0), account);
        }
        emit Awarded(account, storedUnits);
        _transferVotingUnits(address(0), account, storedUnits);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only DEFAULT_ADMIN_ROLE (the governance timelock). Burns `min(storedUnits, balance)`,
     * so a proposal to slash everything can pass `type(uint256).max`; nothing to burn is a no-op.
     * Past checkpoints (and so votes already cast) are untouched. Emits {Slashed} and
     * `DelegateVotesChanged`.
     */
    function slash(address account, uint256 storedUnits) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 balance = _storedBalances[account];
        uint256 burnt = Math.min(storedUnits, balance);
        if (burnt == 0) return;
        unchecked {
            _storedBalances[account] = balance - burnt;
        }
        emit Slashed(account, burnt);
        _transferVotingUnits(account, address(0), burnt);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Delegating to the zero address means delegating back to oneself.
    function _delegate(address account, address delegatee) internal override {
        super._delegate(account, delegatee == address(0) ? account : delegatee);
    }

    /// @dev Voting units are stored units.
    function _getVotingUnits(address account) internal view override returns (uint256) {
        return _storedBalances[account];
    }

    /// @dev `2^(f / 2^64)` in Q64.64 for `f < 2^64`, floored after each product as in `communis/growth.py`.
    function _exp2(uint256 f) private pure returns (uint256 r) {
        /// @solidity memory-safe-assembly
        assembly {
            r := 0x10000000000000000
            if and(f, 0x8000000000000000) { r := shr(64, mul(r, 0x16a09e667f3bcc908)) }
            if and(f, 0x4000000000000000) { r := shr(64, mul(r, 0x1306fe0a31b7152de)) }
            if and(f, 0x2000000000000000) { r := shr(64, mul(r, 0x1172b83c7d517adcd)) }
            if and(f, 0x1000000000000000) { r := shr(64, mul(r, 0x10b5586cf9890f629)) }
            if and(f, 0x800000000000000) { r := shr(64, mul(r, 0x1059b0d31585743ae)) }
            if and(f, 0x400000000000000) { r := shr(64, mul(r, 0x102c9a3e778060ee6)) }
            if and(f, 0x200000000000000) { r := shr(64, mul(r, 0x10163da9fb33356d8)) }
            if and(f, 0x100000000000000) { r := shr(64, mul(r, 0x100b1afa5abcbed61)) }
            if and(f, 0x80000000000000) { r := shr(64, mul(r, 0x10058c86da1c09ea1)) }
            if and(f, 0x40000000000000) { r := shr(64, mul(r, 0x1002c605e2e8cec50)) }
            if and(f, 0x20000000000000) { r := shr(64, mul(r, 0x100162f3904051fa1)) }
            if and(f, 0x10000000000000) { r := shr(64, mul(r, 0x1000b175effdc76ba)) }
            if and(f, 0x8000000000000) { r := shr(64, mul(r, 0x100058ba01fb9f96d)) }
            if and(f, 0x4000000000000) { r := shr(64, mul(r, 0x10002c5cc37da9491)) }
            if and(f, 0x2000000000000) { r := shr(64, mul(r, 0x1000162e525ee0547)) }
            if and(f, 0x1000000000000) { r := shr(64, mul(r, 0x10000b17255775c04)) }
            if and(f, 0x800000000000) { r := shr(64, mul(r, 0x1000058b91b5bc9ae)) }
            if and(f, 0x400000000000) { r := shr(64, mul(r, 0x100002c5c89d5ec6c)) }
            if and(f, 0x200000000000) { r := shr(64, mul(r, 0x10000162e43f4f831)) }
            if and(f, 0x100000000000) { r := shr(64, mul(r, 0x100000b1721bcfc99)) }
            if and(f, 0x80000000000) { r := shr(64, mul(r, 0x10000058b90cf1e6d)) }
            if and(f, 0x40000000000) { r := shr(64, mul(r, 0x1000002c5c863b73f)) }
            if and(f, 0x20000000000) { r := shr(64, mul(r, 0x100000162e430e5a1)) }
            if and(f, 0x10000000000) { r := shr(64, mul(r, 0x1000000b172183551)) }
            if and(f, 0x8000000000) { r := shr(64, mul(r, 0x100000058b90c0b48)) }
            if and(f, 0x4000000000) { r := shr(64, mul(r, 0x10000002c5c8601cc)) }
            if and(f, 0x2000000000) { r := shr(64, mul(r, 0x1000000162e42fff0)) }
            if and(f, 0x1000000000) { r := shr(64, mul(r, 0x10000000b17217fba)) }
            if and(f, 0x800000000) { r := shr(64, mul(r, 0x1000000058b90bfcd)) }
            if and(f, 0x400000000) { r := shr(64, mul(r, 0x100000002c5c85fe3)) }
            if and(f, 0x200000000) { r := shr(64, mul(r, 0x10000000162e42ff0)) }
            if and(f, 0x100000000) { r := shr(64, mul(r, 0x100000000b17217f8)) }
            if and(f, 0x80000000) { r := shr(64, mul(r, 0x10000000058b90bfb)) }
            if and(f, 0x40000000) { r := shr(64, mul(r, 0x1000000002c5c85fd)) }
            if and(f, 0x20000000) { r := shr(64, mul(r, 0x100000000162e42fe)) }
            if and(f, 0x10000000) { r := shr(64, mul(r, 0x1000000000b17217f)) }
            if and(f, 0x8000000) { r := shr(64, mul(r, 0x100000000058b90bf)) }
            if and(f, 0x4000000) { r := shr(64, mul(r, 0x10000000002c5c85f)) }
            if and(f, 0x2000000) { r := shr(64, mul(r, 0x1000000000162e42f)) }
            if and(f, 0x1000000) { r := shr(64, mul(r, 0x10000000000b17217)) }
            if and(f, 0x800000) { r := shr(64, mul(r, 0x1000000000058b90b)) }
            if and(f, 0x400000) { r := shr(64, mul(r, 0x100000000002c5c85)) }
            if and(f, 0x200000) { r := shr(64, mul(r, 0x10000000000162e42)) }
            if and(f, 0x100000) { r := shr(64, mul(r, 0x100000000000b1721)) }
            if and(f, 0x80000) { r := shr(64, mul(r, 0x10000000000058b90)) }
            if and(f, 0x40000) { r := shr(64, mul(r, 0x1000000000002c5c8)) }
            if and(f, 0x20000) { r := shr(64, mul(r, 0x100000000000162e4)) }
            if and(f, 0x10000) { r := shr(64, mul(r, 0x1000000000000b172)) }
            if and(f, 0x8000) { r := shr(64, mul(r, 0x100000000000058b9)) }
            if and(f, 0x4000) { r := shr(64, mul(r, 0x10000000000002c5c)) }
            if and(f, 0x2000) { r := shr(64, mul(r, 0x1000000000000162e)) }
            if and(f, 0x1000) { r := shr(64, mul(r, 0x10000000000000b17)) }
            if and(f, 0x800) { r := shr(64, mul(r, 0x1000000000000058b)) }
            if and(f, 0x400) { r := shr(64, mul(r, 0x100000000000002c5)) }
            if and(f, 0x200) { r := shr(64, mul(r, 0x10000000000000162)) }
            if and(f, 0x100) { r := shr(64, mul(r, 0x100000000000000b1)) }
            if and(f, 0x80) { r := shr(64, mul(r, 0x10000000000000058)) }
            if and(f, 0x40) { r := shr(64, mul(r, 0x1000000000000002c)) }
            if and(f, 0x20) { r := shr(64, mul(r, 0x10000000000000016)) }
            if and(f, 0x10) { r := shr(64, mul(r, 0x1000000000000000b)) }
            if and(f, 0x8) { r := shr(64, mul(r, 0x10000000000000005)) }
            if and(f, 0x4) { r := shr(64, mul(r, 0x10000000000000002)) }
            if and(f, 0x2) { r := shr(64, mul(r, 0x10000000000000001)) }
        }
    }
}
