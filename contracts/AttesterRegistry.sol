// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IAttesterRegistry} from "./interfaces/IAttesterRegistry.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";
import {Attestations} from "./utils/Attestations.sol";

/**
 * @title AttesterRegistry
 * @notice The attesters: accounts (EOAs, or contracts that sign through ERC-1271 such as a Safe)
 * that governance (the owner, the CommunisTimelock) appoints to vouch for ledger rows, each with
 * a points budget per epoch. An attester signs once per epoch the EIP-712 `AttestationBatch`
 * over the Merkle root of the rows it vouches for; {isValidBatch} is the objective check a
 * fraud proof runs on one batch.
 *
 * Epochs are those of the Influence ledger given as clock (`(t - genesis) / epochDuration`, the
 * numbering ContributionRewards proposes roots for). A change made while epoch `c` is in
 * progress applies to epoch `c` and every later one; epochs that have ended are never changed,
 * so the attester set of any epoch that can be proposed (ContributionRewards accepts a root
 * only once its epoch has ended) is final, and a removed attester's batches for the epochs it
 * served stay valid.
 *
 * Invariants:
 * - R1 the past is immutable: every checkpoint is keyed by the current epoch, which never
 *   decreases, and `Checkpoints.push` refuses a key below the last one; so for `e < currentEpoch()`
 *   {budgetAt}, {isAttesterAt} and {totalBudgetAt} never change again.
 * - R2 `isAttesterAt(a, e) == (budgetAt(a, e) > 0)`: membership is a non-zero budget.
 * - R3 `totalBudgetAt(e)` is the sum of `budgetAt(a, e)` over all accounts: every write to an
 *   attester's trace writes the same difference to the total in the same call.
 * - R4 {logHash} commits to the whole history: every write to an attester's trace also advances
 *   the hash chain by that change (`_write`), so replaying the {AttesterLog} events (or an offline
 *   snapshot's list of changes) from zero reproduces it, and a proposal that records it
 *   (ContributionRewards' `RootProposed.attestersHash`) pins the attester set it was built on.
 * - No loop runs over attesters or rows: every function is O(log of the checkpoints).
 */
contract AttesterRegistry is Ownable, EIP712, IAttesterRegistry {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice The EIP-712 domain name (version "1").
    string public constant DOMAIN_NAME = "Communis Attesters";

    /// @notice The ledger whose epoch numbering this registry follows.
    IInfluence public immutable clock;

    mapping(address attester => Checkpoints.Trace208) private _budgets;
    Checkpoints.Trace208 private _totalBudget;
    bytes32 private _logHash;

    /**
     * @notice Deploy an empty registry.
     * @param clock_ The Influence ledger (its `currentEpoch` is the epoch clock).
     * @param governance The owner: the CommunisTimelock (the only account that appoints and removes).
     */
    constructor(IInfluence clock_, address governance) Ownable(governance) EIP712(DOMAIN_NAME, "1") {
        if (address(clock_) == address(0)) revert AttesterRegistryZeroClock();
        clock = clock_;
    }

    // ------------------------------------------------------------------ governance

    /**
     * @notice Appoint `attester` with `amount` points per epoch, from the current epoch on. Only governance.
     * @dev Emits {AttesterAppointed}. Reverts for the zero address, a zero budget, a budget above
     * 2^208 - 1 and a current attester. A removed attester can be appointed again.
     */
    function appoint(address attester, uint256 amount) external onlyOwner {
        if (attester == address(0)) revert AttesterRegistryZeroAccount();
        uint208 newBudget = _checkedBudget(attester, amount);
        uint48 epoch = _epochKey();
        if (_budgets[attester].latest() != 0) revert AttesterRegistryAlreadyAttester(attester);
        _write(attester, epoch, 0, newBudget);
        emit AttesterAppointed(attester, amount, epoch);
    }

    /**
     * @notice Change `attester`'s budget to `amount`, from the current epoch on. Only governance.
     * @dev Emits {AttesterBudgetSet}. Reverts for an account that is no attester now and for a
     * zero budget (use {remove}).
     */
    function setBudget(address attester, uint256 amount) external onlyOwner {
        uint208 newBudget = _checkedBudget(attester, amount);
        uint48 epoch = _epochKey();
        uint208 oldBudget = _budgets[attester].latest();
        if (oldBudget == 0) revert AttesterRegistryNotAttester(attester);
        _write(attester, epoch, oldBudget, newBudget);
        emit AttesterBudgetSet(attester, oldBudget, amount, epoch);
    }

    /**
     * @notice Remove `attester`: it is no attester from the current epoch on. Only governance.
     * @dev Emits {AttesterRemoved}. Its budgets for ended epochs stay on record, so its signed
     * batches for those epochs stay valid. Slashing its influence is a separate governance call
     * (`Influence.slash`), with the signed batches as evidence.
     */
    function remove(address attester) external onlyOwner {
        uint48 epoch = _epochKey();
        uint208 oldBudget = _budgets[attester].latest();
        if (oldBudget == 0) revert AttesterRegistryNotAttester(attester);
        _write(attester, epoch, oldBudget, 0);
        emit AttesterRemoved(attester, oldBudget, epoch);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAttesterRegistry
    function logHash() external view returns (bytes32) {
        return _logHash;
    }

    /// @inheritdoc IAttesterRegistry
    function currentEpoch() public view returns (uint256) {
        return clock.currentEpoch();
    }

    /// @notice `account`'s budget in the current epoch (zero for a non-attester).
    function budget(address account) external view returns (uint256) {
        return _budgets[account].latest();
    }

    /// @inheritdoc IAttesterRegistry
    function isAttester(address account) external view returns (bool) {
        return _budgets[account].latest() != 0;
    }

    /// @inheritdoc IAttesterRegistry
    function isAttesterAt(address account, uint256 epoch) external view returns (bool) {
        return _lookup(_budgets[account], epoch) != 0; // R2
    }

    /// @inheritdoc IAttesterRegistry
    function budgetAt(address account, uint256 epoch) external view returns (uint256) {
        return _lookup(_budgets[account], epoch);
    }

    /// @inheritdoc IAttesterRegistry
    function totalBudgetAt(uint256 epoch) external view returns (uint256) {
        return _lookup(_totalBudget, epoch);
    }

    /// @inheritdoc IAttesterRegistry
    function batchDigest(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount
    ) public view returns (bytes32) {
        return _hashTypedDataV4(Attestations.batchStructHash(attester, epoch, rowsRoot, points, rowCount));
    }

    /// @inheritdoc IAttesterRegistry
    function isValidBatch(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount,
        bytes calldata signature
    ) external view returns (bool) {
        if (_lookup(_budgets[attester], epoch) == 0) return false;
        return _signed(attester, epoch, rowsRoot, points, rowCount, signature);
    }

    /// @inheritdoc IAttesterRegistry
    /// @dev Checks in order: membership during `epoch`, the signature, the budget.
    function batchStatus(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount,
        bytes calldata signature
    ) external view returns (BatchStatus) {
        uint256 allowed = _lookup(_budgets[attester], epoch);
        if (allowed == 0) return BatchStatus.NotAttester;
        if (!_signed(attester, epoch, rowsRoot, points, rowCount, signature)) return BatchStatus.BadSignature;
        return points > allowed ? BatchStatus.OverBudget : BatchStatus.Valid;
    }

    /// @notice The leaf of a signed batch in a ledger tree (see {Attestations-batchLeaf}).
    function batchLeaf(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount,
        bytes calldata signature
    ) external pure returns (bytes32) {
        return Attestations.batchLeaf(attester, epoch, rowsRoot, points, rowCount, signature);
    }

    /// @notice The leaf of a ledger row in its attester's rows tree (see {Attestations-rowLeaf}).
    function rowLeaf(
        uint256 epoch,
        address account,
        uint8 role,
        uint256 points,
        bytes32 refHash
    ) external pure returns (bytes32) {
        return Attestations.rowLeaf(epoch, account, role, points, refHash);
    }

    // ------------------------------------------------------------------ internals

    function _signed(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount,
        bytes calldata signature
    ) private view returns (bool) {
        bytes32 digest = batchDigest(attester, epoch, rowsRoot, points, rowCount);
        return SignatureChecker.isValidSignatureNow(attester, digest, signature);
    }

    /// @dev The checkpoint key of a change made now: the current epoch (R1).
    function _epochKey() private view returns (uint48) {
        return SafeCast.toUint48(currentEpoch());
    }

    function _checkedBudget(address attester, uint256 budget_) private pure returns (uint208) {
        if (budget_ == 0) revert AttesterRegistryZeroBudget(attester);
        if (budget_ > type(uint208).max) revert AttesterRegistryBudgetTooLarge(attester, budget_);
        return uint208(budget_);
    }

    /// @dev Moves `attester` from `oldBudget` to `newBudget` in `epoch`, the total by the same
    /// difference (R3), and the change log by this change (R4).
    function _write(address attester, uint48 epoch, uint208 oldBudget, uint208 newBudget) private {
        uint256 total = uint256(_totalBudget.latest()) - oldBudget + newBudget;
        if (total > type(uint208).max) revert AttesterRegistryTotalBudgetOverflow(total);
        // slither-disable-next-line unused-return (push returns the old and new values, both known here)
        _budgets[attester].push(epoch, newBudget);
        // slither-disable-next-line unused-return (as above)
        _totalBudget.push(epoch, uint208(total));
        bytes32 hash = keccak256(abi.encode(_logHash, attester, epoch, newBudget));
        _logHash = hash;
        emit AttesterLog(hash, attester, epoch, newBudget);
    }

    /// @dev The value of `trace` for `epoch`: the last checkpoint at or before it. An epoch beyond
    /// the 48-bit key range has not begun, so it reads the latest value.
    function _lookup(Checkpoints.Trace208 storage trace, uint256 epoch) private view returns (uint208) {
        if (epoch > type(uint48).max) return trace.latest();
        return trace.upperLookupRecent(uint48(epoch));
    }
}
