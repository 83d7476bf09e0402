// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {DecayingVotes} from "./governance/DecayingVotes.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";
import {PackedCheckpoints} from "./utils/PackedCheckpoints.sol";

/**
 * @title Influence
 * @notice Earned, decaying, non-transferable governance power: the votes source of
 * InfluenceGovernor (IERC5805, timestamp clock). Influence cannot be bought, sold or transferred;
 * it is awarded for contributions (by the reward distributor, {AWARDER_ROLE}), can be delegated
 * (including by EIP-712 signature), and halves every {halfLife} epochs without any per-account
 * write.
 *
 * The votes machinery (epoch clock and decay, the ERC-5805 views, delegation, vote checkpoints
 * and the total) is {DecayingVotes}; this contract is the policy on top of it: who may award,
 * the claims ledger, credit, award and slash, and what an account's balance is. Balances, votes
 * and the total are kept in growth-scaled *stored units*, read as influence decayed to a
 * timepoint; only the reward distributor's bookkeeping ({credit}, {awardCredited},
 * {awardStored}, {slash}, the `stored*` views) speaks stored units. A *plain* account (awarded
 * only by the claims ledger, never delegating, delegated to or slashed) keeps its balance in the
 * head word of its votes; any other account is made *explicit* first, and its balance is kept
 * here. The total (the quorum denominator) counts earned influence, claimed or not.
 *
 * Design notes (decay derivation and bounds, units in outputs, storage layout, thresholds, the
 * total and quorum, slashing and delegation, gas): docs/influence-decay.md. Invariants N1-N4 are
 * stated beside the code that keeps them: N1 at {_credit}, N2 at {awardCredited}, N3 at
 * {DecayingVotes-_moveVotes}, N4 at {_makeExplicit}.
 */
contract Influence is DecayingVotes, AccessControl {
    /// @inheritdoc IInfluence
    bytes32 public constant AWARDER_ROLE = keccak256("AWARDER_ROLE");

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
    ) EIP712("Communis Influence", "1") DecayingVotes(genesis_, epochDuration_, halfLife_) {
        if (admin == address(0)) revert InfluenceZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
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
        return _toInfluence(_balanceOf(account, _headOf(account)), _epochAt(block.timestamp));
    }

    /// @notice Total influence now (decayed): earned influence, claimed or not.
    function totalSupply() external view returns (uint256) {
        return _toInfluence(_storedTotal(), _epochAt(block.timestamp));
    }

    // ------------------------------------------------------------------ the claims ledger

    // slither-disable-start incorrect-equality (from here to _balanceOf: equalities test the flag of head words, not balances)
    /// @inheritdoc IInfluence
    function storedBalanceOf(address account) external view returns (uint256) {
        return _balanceOf(account, _headOf(account));
    }

    /// @inheritdoc IInfluence
    function awardedBy(address awarder, address account) external view returns (uint256) {
        if (awarder != _ledger) return _awardedByOthers[awarder][account];
        uint256 head = _headOf(account);
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
        uint256 head = _headOf(account);
        if (Math.min(storedUnits, _balanceOf(account, head)) == 0) return;
        head = _makeExplicit(account, head); // N4: the balance no longer equals the awards
        uint256 burnt = Math.min(storedUnits, _balanceOf(account, head));
        _slashed[account] += burnt;
        (uint256 whole, uint256 fraction) = _growthParts(_epochAt(block.timestamp));
        emit Slashed(account, burnt);
        emit Transfer(account, address(0), _scaleDown(burnt, whole, fraction));
        // N2 and N3: every balance is at most the total and is carried by its delegate.
        _pushTotal(_storedTotal() - burnt);
        address to = delegates(account);
        _moveVotes(to, to == account ? head : _headOf(to), burnt, false, whole, fraction);
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

    /// @dev Adds `storedUnits` to the total.
    /// N1 `storedTotalSupply() == sum(credited) + sum(awardStored) - sum(slashed)`: only {_credit}
    /// (for {credit} and {awardStored}) and {slash} move the total.
    function _credit(uint256 storedUnits) private {
        _pushTotal(_storedTotal() + storedUnits);
        emit Credited(msg.sender, storedUnits);
    }

    /// @dev Adds `storedUnits` to `account`'s awards and to its delegate's votes (N3), without
    /// touching the total. A plain account awarded by the claims ledger stays plain: its head is
    /// its balance, its awards and its votes (N4).
    function _award(address account, uint256 storedUnits, bool fromLedger) private {
        (uint256 whole, uint256 fraction) = _growthParts(_epochAt(block.timestamp));
        uint256 head = _headOf(account);
        if (fromLedger && head & _EXPLICIT == 0) {
            if (PackedCheckpoints.keyOf(head) == 0) emit DelegateChanged(account, address(0), account);
            emit Transfer(address(0), account, _scaleDown(storedUnits, whole, fraction));
            _moveVotes(account, head, storedUnits, true, whole, fraction);
            return;
        }
        head = _makeExplicit(account, head);
        address chosen = _chosenDelegate(account);
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
            _moveVotes(chosen, _headOf(chosen), storedUnits, true, whole, fraction);
        }
    }

    /// @dev Marks `account` explicit: its balance and its claims-ledger awards are kept in
    /// {_claims} (until now they were its votes). Returns the new head.
    /// N4: a plain account (head without EXPLICIT) is its own delegate, nobody else's delegate,
    /// and its votes equal its balance and its claims-ledger awards; this runs before any change
    /// that would break that ({_delegate}, {slash}, an award by another awarder).
    function _makeExplicit(address account, uint256 head) internal override returns (uint256) {
        if (head & _EXPLICIT != 0) return head;
        uint256 votes = PackedCheckpoints.valueOf(head);
        if (votes != 0) _claims[account] = votes;
        return _setExplicit(account, head);
    }

    /// @dev `account`'s own stored balance, given its head (N4 for a plain account).
    function _balanceOf(address account, uint256 head) internal view override returns (uint256) {
        if (head & _EXPLICIT == 0) return PackedCheckpoints.valueOf(head);
        return _claims[account] + _otherAwards[account] - _slashed[account];
    }

    // slither-disable-end incorrect-equality
}
