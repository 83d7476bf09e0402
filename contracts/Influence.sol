// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";
import {GrowthTable} from "./utils/GrowthTable.sol";
import {PackedCheckpoints} from "./utils/PackedCheckpoints.sol";

/**
 * @title Influence
 * @notice Earned, decaying, non-transferable governance power: the votes source of
 * InfluenceGovernor (IERC5805, timestamp clock). Influence cannot be bought, sold or transferred;
 * it is awarded for contributions (by the reward distributor, {AWARDER_ROLE}), can be delegated
 * (including by EIP-712 signature), and halves every {halfLife} epochs without any per-account
 * write.
 *
 * Balances, votes and the total are kept in growth-scaled *stored units*, read as influence
 * decayed to a timepoint (`stored * 2^64 / growth(epochAt(t))`); only the reward distributor's
 * bookkeeping ({credit}, {awardCredited}, {awardStored}, {slash}, the `stored*` views) speaks
 * stored units. An account that never chose a delegate is its own delegate. Each delegate's votes
 * live in one head word of {PackedCheckpoints}, which is all a *plain* account (awarded only by
 * the claims ledger, never delegating, delegated to or slashed) needs; any other account is made
 * *explicit* first. The total (the quorum denominator) counts earned influence, claimed or not.
 *
 * Design notes (decay derivation and bounds, units in outputs, storage layout, thresholds, the
 * total and quorum, slashing and delegation, gas): docs/influence-decay.md. Invariants N1-N4 are
 * stated beside the code that keeps them: N1 at {_total}, N2 at {awardCredited}, N3 at
 * {_moveVotes}, N4 at {_makeExplicit}.
 */
contract Influence is IInfluence, AccessControl, EIP712, Nonces, GrowthTable {
    using Checkpoints for Checkpoints.Trace208;
    using PackedCheckpoints for PackedCheckpoints.Trace;

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

    // The ERC-5805 delegation type string (OpenZeppelin Votes'), hashed at compile time.
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _DELEGATION_TYPEHASH = keccak256(
        "Delegation(address delegatee,uint256 nonce,uint256 expiry)"
    );

    // Head metadata: the account's balance and awards are kept apart (not read off its votes, N4).
    uint256 private constant _EXPLICIT = PackedCheckpoints.FLAG;

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

    /// @dev Explicit accounts only: what the claims ledger awarded, what other awarders awarded
    /// and what was slashed; the balance is the first two minus the third.
    mapping(address account => uint256) private _claims;
    mapping(address account => uint256) private _otherAwards;
    mapping(address account => uint256) private _slashed;
    /// @dev What each awarder other than the claims ledger awarded each account ({awardedBy}).
    mapping(address awarder => mapping(address account => uint256)) private _awardedByOthers;

    /// @dev The claims ledger (the first account granted AWARDER_ROLE) and whether it holds it now.
    address private _ledger;
    bool private _ledgerActive;

    /// @dev Stored-unit total over time: what {getPastTotalSupply} reads.
    /// N1 `storedTotalSupply() == sum(credited) + sum(awardStored) - sum(slashed)`: only {_credit}
    /// (for {credit} and {awardStored}) and {slash} move it.
    Checkpoints.Trace208 private _total;

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
        _origin = block.timestamp - 1;
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
        return _toInfluence(_balanceOf(account, _votes.headOf(account)), _epochAt(block.timestamp));
    }

    /// @notice Total influence now (decayed): earned influence, claimed or not.
    function totalSupply() external view returns (uint256) {
        return _toInfluence(_total.latest(), _epochAt(block.timestamp));
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

    // slither-disable-start incorrect-equality,timestamp (from here to _balanceOf: equalities test the flag and key of head words, not balances; keys are seconds since deployment, compared to find a checkpoint, not to take a time-dependent decision)
    /// @inheritdoc IInfluence
    function storedBalanceOf(address account) external view returns (uint256) {
        return _balanceOf(account, _votes.headOf(account));
    }

    /// @inheritdoc IInfluence
    function awardedBy(address awarder, address account) external view returns (uint256) {
        if (awarder != _ledger) return _awardedByOthers[awarder][account];
        uint256 head = _votes.headOf(account);
        return head & _EXPLICIT == 0 ? PackedCheckpoints.valueOf(head) : _claims[account];
    }

    /// @inheritdoc IInfluence
    function claimsLedger() external view returns (address) {
        return _ledger;
    }

    // ------------------------------------------------------------------ awards and slashing

    /**
     * @inheritdoc IInfluence
     * @dev Only {AWARDER_ROLE}. Zero is a no-op. Reverts with {InfluenceStoredOverflow} if the
     * stored total would pass {MAX_STORED_SUPPLY}. Emits {Credited}, `Transfer(0, account, v)`,
     * `DelegateVotesChanged` and, on the first award to an account without a chosen delegate,
     * `DelegateChanged(account, 0, account)`.
     */
    function awardStored(address account, uint256 storedUnits) external {
        bool fromLedger = _authorizeAwarder();
        if (account == address(0)) revert InfluenceZeroAccount();
        if (storedUnits == 0) return;
        _credit(storedUnits);
        _award(account, storedUnits, fromLedger);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only {AWARDER_ROLE}. Zero is a no-op. Reverts with {InfluenceStoredOverflow} if the
     * stored total would pass {MAX_STORED_SUPPLY}. Emits {Credited}.
     */
    function credit(uint256 storedUnits) external {
        _authorizeAwarder();
        if (storedUnits == 0) return;
        _credit(storedUnits);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only {AWARDER_ROLE}. Zero is a no-op. N2: the sum of all stored balances is at most
     * {storedTotalSupply}, as long as every awarder awards this way at most what it {credit}ed
     * (ContributionRewards keeps that: its claims never pay more than its finalized totals, which
     * it credits at finalization). Emits `Transfer(0, account, v)`, `DelegateVotesChanged` and, on the
     * first award to an account without a chosen delegate, `DelegateChanged(account, 0, account)`.
     */
    function awardCredited(address account, uint256 storedUnits) external {
        bool fromLedger = _authorizeAwarder();
        if (account == address(0)) revert InfluenceZeroAccount();
        if (storedUnits == 0) return;
        _award(account, storedUnits, fromLedger);
    }

    /**
     * @inheritdoc IInfluence
     * @dev Only DEFAULT_ADMIN_ROLE (the governance timelock). Burns `min(storedUnits, balance)`,
     * so a proposal to slash everything can pass `type(uint256).max`; nothing to burn is a no-op.
     * Past checkpoints (and so votes already cast) are untouched. Only the account's own balance
     * is burnt: votes others delegated to it stay delegated to it (docs/influence-decay.md).
     * Emits {Slashed}, `Transfer(account, 0, v)` and `DelegateVotesChanged`.
     */
    function slash(address account, uint256 storedUnits) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 head = _votes.headOf(account);
        if (Math.min(storedUnits, _balanceOf(account, head)) == 0) return;
        head = _makeExplicit(account, head); // N4: the balance no longer equals the awards
        uint256 burnt = Math.min(storedUnits, _balanceOf(account, head));
        _slashed[account] += burnt;
        (uint256 whole, uint256 fraction) = _growthParts(_epochAt(block.timestamp));
        emit Slashed(account, burnt);
        emit Transfer(account, address(0), _scaleDown(burnt, whole, fraction));
        // N2 and N3: every balance is at most the total and is carried by its delegate.
        // slither-disable-next-line unused-return (push returns the old and new totals, both known here)
        _total.push(clock(), uint208(_total.latest() - burnt));
        address to = delegates(account);
        _moveVotes(to, to == account ? head : _votes.headOf(to), burnt, false, whole, fraction);
    }

    // ------------------------------------------------------------------ internals

    /// @dev AWARDER_ROLE, read through the claims-ledger slot for the ledger itself (one read).
    /// Returns whether the caller is the claims ledger.
    function _authorizeAwarder() private view returns (bool fromLedger) {
        if (msg.sender == _ledger && _ledgerActive) return true;
        _checkRole(AWARDER_ROLE);
        return false;
    }

    /// @dev The first account granted AWARDER_ROLE becomes the claims ledger.
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (role == AWARDER_ROLE && granted) {
            address ledger = _ledger;
            if (ledger == address(0)) {
                _ledger = account;
                emit ClaimsLedgerSet(account);
            }
            if (ledger == address(0) || ledger == account) _ledgerActive = true;
        }
    }

    /// @dev The claims ledger stops awarding when it loses AWARDER_ROLE (its awards stay).
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (role == AWARDER_ROLE && revoked && account == _ledger) _ledgerActive = false;
    }

    /// @dev Adds `storedUnits` to the total (N1).
    function _credit(uint256 storedUnits) private {
        uint256 newTotal = _total.latest() + storedUnits;
        if (newTotal > MAX_STORED_SUPPLY) revert InfluenceStoredOverflow(newTotal, MAX_STORED_SUPPLY);
        // slither-disable-next-line unused-return (push returns the old and new totals, both known here)
        _total.push(clock(), uint208(newTotal));
        emit Credited(msg.sender, storedUnits);
    }

    /// @dev Adds `storedUnits` to `account`'s awards and to its delegate's votes (N3), without
    /// touching the total. A plain account awarded by the claims ledger stays plain: its head is
    /// its balance, its awards and its votes (N4).
    function _award(address account, uint256 storedUnits, bool fromLedger) private {
        (uint256 whole, uint256 fraction) = _growthParts(_epochAt(block.timestamp));
        uint256 head = _votes.headOf(account);
        if (fromLedger && head & _EXPLICIT == 0) {
            if (PackedCheckpoints.keyOf(head) == 0) emit DelegateChanged(account, address(0), account);
            emit Transfer(address(0), account, _scaleDown(storedUnits, whole, fraction));
            _moveVotes(account, head, storedUnits, true, whole, fraction);
            return;
        }
        head = _makeExplicit(account, head);
        address chosen = _delegatee[account];
        if (chosen == address(0) && _claims[account] + _otherAwards[account] == 0) {
            emit DelegateChanged(account, address(0), account);
        }
        if (fromLedger) {
            _claims[account] += storedUnits;
        } else {
            _otherAwards[account] += storedUnits;
            _awardedByOthers[msg.sender][account] += storedUnits;
        }
        emit Transfer(address(0), account, _scaleDown(storedUnits, whole, fraction));
        if (chosen == address(0) || chosen == account) {
            _moveVotes(account, head, storedUnits, true, whole, fraction);
        } else {
            _moveVotes(chosen, _votes.headOf(chosen), storedUnits, true, whole, fraction);
        }
    }

    /// @dev Moves `account`'s balance from its delegate to `delegatee` (zero: itself). The
    /// account and a new delegate other than itself become explicit first (N4).
    function _delegate(address account, address delegatee) private {
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

    /// @dev Marks `account` explicit: its balance and its claims-ledger awards are kept in
    /// {_claims} (until now they were its votes). Returns the new head.
    /// N4: a plain account (head without EXPLICIT) is its own delegate, nobody else's delegate,
    /// and its votes equal its balance and its claims-ledger awards; this runs before any change
    /// that would break that ({_delegate}, {slash}, an award by another awarder).
    function _makeExplicit(address account, uint256 head) private returns (uint256) {
        if (head & _EXPLICIT != 0) return head;
        uint256 votes = PackedCheckpoints.valueOf(head);
        if (votes != 0) _claims[account] = votes;
        return _votes.setFlag(account, head);
    }

    /// @dev Adds (`up`) or subtracts `amount` stored units to the votes of `delegatee`, whose
    /// head is `head`, with a new checkpoint. Emits `DelegateVotesChanged` in influence.
    /// N3: the votes of every delegate sum to the stored balances of the accounts delegating to
    /// it; every award, slash and delegation moves votes through here.
    function _moveVotes(
        address delegatee,
        uint256 head,
        uint256 amount,
        bool up,
        uint256 whole,
        uint256 fraction
    ) private {
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

    /// @dev `account`'s own stored balance, given its head (N4 for a plain account).
    function _balanceOf(address account, uint256 head) private view returns (uint256) {
        if (head & _EXPLICIT == 0) return PackedCheckpoints.valueOf(head);
        return _claims[account] + _otherAwards[account] - _slashed[account];
    }

    // slither-disable-end incorrect-equality,timestamp

    /// @dev `timepoint` as a past ERC-6372 timepoint; reverts unless it is before the clock.
    function _validateTimepoint(uint256 timepoint) private view returns (uint48) {
        uint48 current = clock();
        if (timepoint >= current) revert ERC5805FutureLookup(timepoint, current);
        return uint48(timepoint);
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

    /// @dev Influence at `epoch` of `storedUnits`: `floor(storedUnits * 2^64 / growth(epoch))`.
    function _toInfluence(uint256 storedUnits, uint256 epoch) private view returns (uint256) {
        (uint256 whole, uint256 fraction) = _growthParts(epoch);
        return _scaleDown(storedUnits, whole, fraction);
    }

    /// @dev `floor(storedUnits * 2^64 / (fraction << whole))`, computed as
    /// `floor(storedUnits * 2^64 / fraction) >> whole` (floor(floor(x / a) / b) == floor(x / (a * b))):
    /// exactly `communis.engine.growth.to_influence` for every epoch, with no overflow and no
    /// growth bound (past 191 half-lives only {growth} itself reverts).
    // slither-disable-next-line assembly,timestamp (a division by a fraction >= 2^64 and a shift, neither can overflow; its inputs may come from a timepoint's epoch, it decides nothing)
    function _scaleDown(uint256 storedUnits, uint256 whole, uint256 fraction) private pure returns (uint256 influence) {
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
}
