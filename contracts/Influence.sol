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
 * `growth` is bit-for-bit the function specified in `communis/engine/growth.py` (tests compare them).
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
 * Vote and balance views never overflow and never revert for any epoch (they divide by the
 * fraction, then shift by the whole half-lives); only {growth} and {toStored} revert past 191
 * half-lives (about 95 years at the minimum half-life). Tests travel 50 years and award near
 * the bound on both EVMs.
 *
 * Gas. A vote lookup costs what OpenZeppelin's {Votes} costs plus one division by `growth`: with
 * `halfLife <= 256` epochs, `exp2` of every residue `epoch % halfLife` is precomputed by the
 * constructor into immutables (see `toolchain/gen_growth_code.py`), so that division costs a few
 * hundred gas instead of ~2,300. Awards write no ERC-20 `totalSupply` (the total checkpoint is the
 * total), so an award costs less than an ERC20Votes mint.
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

    /// @dev Words of the exp2 residue table (4 entries each): tabled when halfLife <= 256.
    uint256 private constant _TABLE_WORDS = 64;

    /// @inheritdoc IInfluence
    uint48 public immutable genesis;

    /// @inheritdoc IInfluence
    uint48 public immutable epochDuration;

    /// @inheritdoc IInfluence
    uint256 public immutable halfLife;

    /// @dev True when the residue table below holds exp2 for every residue (halfLife <= 256).
    bool private immutable _tabled;

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
        // Precompute exp2 of every fractional part (one per residue epoch % halfLife) so that
        // vote lookups do not pay for up to 63 multiplications; same _exp2, same bits.
        // slither-disable-next-line uninitialized-local (memory arrays start zeroed; the loop below fills the entries in use)
        uint256[_TABLE_WORDS] memory words;
        bool tabled = halfLife_ <= 4 * _TABLE_WORDS;
        if (tabled) {
            for (uint256 r = 0; r < halfLife_; ++r) {
                words[r >> 2] |= (_exp2((r << 64) / halfLife_) - _ONE) << ((r & 3) << 6);
            }
        }
        _tabled = tabled;
        // <generated:table-init> by toolchain/gen_growth_code.py
        _exp2Table0 = words[0];
        _exp2Table1 = words[1];
        _exp2Table2 = words[2];
        _exp2Table3 = words[3];
        _exp2Table4 = words[4];
        _exp2Table5 = words[5];
        _exp2Table6 = words[6];
        _exp2Table7 = words[7];
        _exp2Table8 = words[8];
        _exp2Table9 = words[9];
        _exp2Table10 = words[10];
        _exp2Table11 = words[11];
        _exp2Table12 = words[12];
        _exp2Table13 = words[13];
        _exp2Table14 = words[14];
        _exp2Table15 = words[15];
        _exp2Table16 = words[16];
        _exp2Table17 = words[17];
        _exp2Table18 = words[18];
        _exp2Table19 = words[19];
        _exp2Table20 = words[20];
        _exp2Table21 = words[21];
        _exp2Table22 = words[22];
        _exp2Table23 = words[23];
        _exp2Table24 = words[24];
        _exp2Table25 = words[25];
        _exp2Table26 = words[26];
        _exp2Table27 = words[27];
        _exp2Table28 = words[28];
        _exp2Table29 = words[29];
        _exp2Table30 = words[30];
        _exp2Table31 = words[31];
        _exp2Table32 = words[32];
        _exp2Table33 = words[33];
        _exp2Table34 = words[34];
        _exp2Table35 = words[35];
        _exp2Table36 = words[36];
        _exp2Table37 = words[37];
        _exp2Table38 = words[38];
        _exp2Table39 = words[39];
        _exp2Table40 = words[40];
        _exp2Table41 = words[41];
        _exp2Table42 = words[42];
        _exp2Table43 = words[43];
        _exp2Table44 = words[44];
        _exp2Table45 = words[45];
        _exp2Table46 = words[46];
        _exp2Table47 = words[47];
        _exp2Table48 = words[48];
        _exp2Table49 = words[49];
        _exp2Table50 = words[50];
        _exp2Table51 = words[51];
        _exp2Table52 = words[52];
        _exp2Table53 = words[53];
        _exp2Table54 = words[54];
        _exp2Table55 = words[55];
        _exp2Table56 = words[56];
        _exp2Table57 = words[57];
        _exp2Table58 = words[58];
        _exp2Table59 = words[59];
        _exp2Table60 = words[60];
        _exp2Table61 = words[61];
        _exp2Table62 = words[62];
        _exp2Table63 = words[63];
        // </generated:table-init>
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
     * @dev `exp2(frac) << (epoch / halfLife)` with `frac = ((epoch % halfLife) << 64) / halfLife`;
     * `exp2` multiplies, for each set bit k (1..63) of the Q64 fraction, by
     * `floor(2^(2^-k) * 2^64)` and floors after each product (k = 64's constant is exactly 1).
     * With `halfLife <= 256` the `exp2(frac)` of every residue comes from a table the constructor
     * filled with that same `exp2` (same bits, a few comparisons instead of up to 63 products).
     * Reverts with {InfluenceGrowthOverflow} past {MAX_GROWTH_SHIFT} half-lives.
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

    /// @notice Machine-readable description of the clock (ERC-6372).
    // slither-disable-start naming-convention (CLOCK_MODE is the name ERC-6372 requires)
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(IERC6372, Votes) returns (string memory) {
        return "mode=timestamp";
    }
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

    /// @notice Total influence at `timepoint`, decayed to that timepoint.
    function getPastTotalSupply(uint256 timepoint) public view override(IVotes, Votes) returns (uint256) {
        uint256 stored = super.getPastTotalSupply(timepoint); // reverts unless timepoint < clock()
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

    /// @dev The epoch containing `timepoint` (0 before genesis).
    // slither-disable-next-line timestamp,assembly (epoch arithmetic on a timepoint, not a time-dependent decision; the assembly only skips a checked subtraction and division by a non-zero immutable)
    function _epochAt(uint256 timepoint) private view returns (uint256 epoch) {
        uint256 start = genesis;
        uint256 duration = epochDuration; // >= MIN_EPOCH_DURATION, never zero
        /// @solidity memory-safe-assembly
        assembly {
            if iszero(lt(timepoint, start)) {
                epoch := div(sub(timepoint, start), duration)
            }
        }
    }

    /// @dev `2^(epoch / halfLife)` in Q64.64: table or exp2 for the fraction, shift for the rest.
    // slither-disable-next-line weak-prng,timestamp,assembly,too-many-digits (`epoch % halfLife` is the fractional part of epoch / halfLife, not randomness; `whole > MAX_GROWTH_SHIFT` is a bound, not a time check; the masks are Q64.64 one and 2^64 - 1)
    function _growth(uint256 epoch) private view returns (uint256 g) {
        uint256 h = halfLife; // >= 1, never zero
        uint256 whole;
        uint256 rest;
        /// @solidity memory-safe-assembly
        assembly {
            whole := div(epoch, h)
            rest := mod(epoch, h)
        }
        if (whole > MAX_GROWTH_SHIFT) revert InfluenceGrowthOverflow(epoch);
        if (_tabled) {
            uint256 word = _tableWord(rest >> 2);
            /// @solidity memory-safe-assembly
            assembly {
                g := or(and(shr(shl(6, and(rest, 3)), word), 0xffffffffffffffff), 0x10000000000000000)
            }
        } else {
            // rest < halfLife <= 2^64 - 1, so the shift cannot overflow.
            g = _exp2((rest << 64) / h);
        }
        // g < 2^65 and whole <= 191: the shift stays within 256 bits.
        /// @solidity memory-safe-assembly
        assembly {
            g := shl(whole, g)
        }
    }

    /// @dev Influence at `epoch` of `storedUnits`: `floor(storedUnits * 2^64 / growth(epoch))`,
    /// computed as `floor(storedUnits * 2^64 / fraction) >> whole` (floor(floor(x / a) / b) ==
    /// floor(x / (a * b))): exactly `communis.engine.growth.to_influence` for every epoch, with no
    /// overflow and no growth bound (past 191 half-lives only {growth} itself reverts).
    // slither-disable-next-line weak-prng,assembly,too-many-digits (`epoch % halfLife` is the fractional part of epoch / halfLife, not randomness; a division and a shift that cannot overflow; the mask is 2^64 - 1)
    function _toInfluence(uint256 storedUnits, uint256 epoch) private view returns (uint256 influence) {
        uint256 h = halfLife; // >= 1, never zero
        uint256 whole;
        uint256 rest;
        /// @solidity memory-safe-assembly
        assembly {
            whole := div(epoch, h)
            rest := mod(epoch, h)
        }
        uint256 f;
        if (_tabled) {
            uint256 word = _tableWord(rest >> 2);
            /// @solidity memory-safe-assembly
            assembly {
                f := or(and(shr(shl(6, and(rest, 3)), word), 0xffffffffffffffff), 0x10000000000000000)
            }
        } else {
            f = _exp2((rest << 64) / h);
        }
        if (storedUnits < (1 << 192)) {
            /// @solidity memory-safe-assembly
            assembly {
                influence := shr(whole, div(shl(64, storedUnits), f))
            }
        } else {
            influence = Math.mulDiv(storedUnits, _ONE, f) >> whole;
        }
    }

    // slither-disable-start timestamp (_tableWord compares a table index, which slither taints from timestamps through epochAt)
    // <generated:table> by toolchain/gen_growth_code.py
    // exp2(frac(r)) - 2^64 for residue r at bits 64 * (r % 4) of word r / 4.
    uint256 private immutable _exp2Table0;
    uint256 private immutable _exp2Table1;
    uint256 private immutable _exp2Table2;
    uint256 private immutable _exp2Table3;
    uint256 private immutable _exp2Table4;
    uint256 private immutable _exp2Table5;
    uint256 private immutable _exp2Table6;
    uint256 private immutable _exp2Table7;
    uint256 private immutable _exp2Table8;
    uint256 private immutable _exp2Table9;
    uint256 private immutable _exp2Table10;
    uint256 private immutable _exp2Table11;
    uint256 private immutable _exp2Table12;
    uint256 private immutable _exp2Table13;
    uint256 private immutable _exp2Table14;
    uint256 private immutable _exp2Table15;
    uint256 private immutable _exp2Table16;
    uint256 private immutable _exp2Table17;
    uint256 private immutable _exp2Table18;
    uint256 private immutable _exp2Table19;
    uint256 private immutable _exp2Table20;
    uint256 private immutable _exp2Table21;
    uint256 private immutable _exp2Table22;
    uint256 private immutable _exp2Table23;
    uint256 private immutable _exp2Table24;
    uint256 private immutable _exp2Table25;
    uint256 private immutable _exp2Table26;
    uint256 private immutable _exp2Table27;
    uint256 private immutable _exp2Table28;
    uint256 private immutable _exp2Table29;
    uint256 private immutable _exp2Table30;
    uint256 private immutable _exp2Table31;
    uint256 private immutable _exp2Table32;
    uint256 private immutable _exp2Table33;
    uint256 private immutable _exp2Table34;
    uint256 private immutable _exp2Table35;
    uint256 private immutable _exp2Table36;
    uint256 private immutable _exp2Table37;
    uint256 private immutable _exp2Table38;
    uint256 private immutable _exp2Table39;
    uint256 private immutable _exp2Table40;
    uint256 private immutable _exp2Table41;
    uint256 private immutable _exp2Table42;
    uint256 private immutable _exp2Table43;
    uint256 private immutable _exp2Table44;
    uint256 private immutable _exp2Table45;
    uint256 private immutable _exp2Table46;
    uint256 private immutable _exp2Table47;
    uint256 private immutable _exp2Table48;
    uint256 private immutable _exp2Table49;
    uint256 private immutable _exp2Table50;
    uint256 private immutable _exp2Table51;
    uint256 private immutable _exp2Table52;
    uint256 private immutable _exp2Table53;
    uint256 private immutable _exp2Table54;
    uint256 private immutable _exp2Table55;
    uint256 private immutable _exp2Table56;
    uint256 private immutable _exp2Table57;
    uint256 private immutable _exp2Table58;
    uint256 private immutable _exp2Table59;
    uint256 private immutable _exp2Table60;
    uint256 private immutable _exp2Table61;
    uint256 private immutable _exp2Table62;
    uint256 private immutable _exp2Table63;

    /// @dev Word `i` of the residue table.
    function _tableWord(uint256 i) private view returns (uint256) {
        if (i < 8) {
            if (i < 4) {
                if (i < 2) {
                    if (i < 1) {
                        return _exp2Table0;
                    }
                    return _exp2Table1;
                }
                if (i < 3) {
                    return _exp2Table2;
                }
                return _exp2Table3;
            }
            if (i < 6) {
                if (i < 5) {
                    return _exp2Table4;
                }
                return _exp2Table5;
            }
            if (i < 7) {
                return _exp2Table6;
            }
            return _exp2Table7;
        }
        if (i < 36) {
            if (i < 22) {
                if (i < 15) {
                    if (i < 11) {
                        if (i < 9) {
                            return _exp2Table8;
                        }
                        if (i < 10) {
                            return _exp2Table9;
                        }
                        return _exp2Table10;
                    }
                    if (i < 13) {
                        if (i < 12) {
                            return _exp2Table11;
                        }
                        return _exp2Table12;
                    }
                    if (i < 14) {
                        return _exp2Table13;
                    }
                    return _exp2Table14;
                }
                if (i < 18) {
                    if (i < 16) {
                        return _exp2Table15;
                    }
                    if (i < 17) {
                        return _exp2Table16;
                    }
                    return _exp2Table17;
                }
                if (i < 20) {
                    if (i < 19) {
                        return _exp2Table18;
                    }
                    return _exp2Table19;
                }
                if (i < 21) {
                    return _exp2Table20;
                }
                return _exp2Table21;
            }
            if (i < 29) {
                if (i < 25) {
                    if (i < 23) {
                        return _exp2Table22;
                    }
                    if (i < 24) {
                        return _exp2Table23;
                    }
                    return _exp2Table24;
                }
                if (i < 27) {
                    if (i < 26) {
                        return _exp2Table25;
                    }
                    return _exp2Table26;
                }
                if (i < 28) {
                    return _exp2Table27;
                }
                return _exp2Table28;
            }
            if (i < 32) {
                if (i < 30) {
                    return _exp2Table29;
                }
                if (i < 31) {
                    return _exp2Table30;
                }
                return _exp2Table31;
            }
            if (i < 34) {
                if (i < 33) {
                    return _exp2Table32;
                }
                return _exp2Table33;
            }
            if (i < 35) {
                return _exp2Table34;
            }
            return _exp2Table35;
        }
        if (i < 50) {
            if (i < 43) {
                if (i < 39) {
                    if (i < 37) {
                        return _exp2Table36;
                    }
                    if (i < 38) {
                        return _exp2Table37;
                    }
                    return _exp2Table38;
                }
                if (i < 41) {
                    if (i < 40) {
                        return _exp2Table39;
                    }
                    return _exp2Table40;
                }
                if (i < 42) {
                    return _exp2Table41;
                }
                return _exp2Table42;
            }
            if (i < 46) {
                if (i < 44) {
                    return _exp2Table43;
                }
                if (i < 45) {
                    return _exp2Table44;
                }
                return _exp2Table45;
            }
            if (i < 48) {
                if (i < 47) {
                    return _exp2Table46;
                }
                return _exp2Table47;
            }
            if (i < 49) {
                return _exp2Table48;
            }
            return _exp2Table49;
        }
        if (i < 57) {
            if (i < 53) {
                if (i < 51) {
                    return _exp2Table50;
                }
                if (i < 52) {
                    return _exp2Table51;
                }
                return _exp2Table52;
            }
            if (i < 55) {
                if (i < 54) {
                    return _exp2Table53;
                }
                return _exp2Table54;
            }
            if (i < 56) {
                return _exp2Table55;
            }
            return _exp2Table56;
        }
        if (i < 60) {
            if (i < 58) {
                return _exp2Table57;
            }
            if (i < 59) {
                return _exp2Table58;
            }
            return _exp2Table59;
        }
        if (i < 62) {
            if (i < 61) {
                return _exp2Table60;
            }
            return _exp2Table61;
        }
        if (i < 63) {
            return _exp2Table62;
        }
        return _exp2Table63;
    }
    // </generated:table>
    // slither-disable-end timestamp

    /// @dev Delegating to the zero address means delegating back to oneself.
    function _delegate(address account, address delegatee) internal override {
        super._delegate(account, delegatee == address(0) ? account : delegatee);
    }

    /// @dev Voting units are stored units.
    // slither-disable-next-line dead-code (called by OpenZeppelin Votes through its virtual hook)
    function _getVotingUnits(address account) internal view override returns (uint256) {
        return _storedBalances[account];
    }

    // slither-disable-start too-many-digits,assembly,cyclomatic-complexity (the exp2 constants of communis/engine/growth.py, one branch per fraction bit, generated)
    /// @dev `2^(f / 2^64)` in Q64.64 for `f < 2^64`, floored after each product as in `communis/engine/growth.py`.
    function _exp2(uint256 f) private pure returns (uint256 r) {
        /// @solidity memory-safe-assembly
        assembly {
            r := 0x10000000000000000
            // <generated:exp2> by toolchain/gen_growth_code.py from communis/engine/growth.py
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
            // </generated:exp2>
        }
    }
    // slither-disable-end too-many-digits,assembly,cyclomatic-complexity
}
