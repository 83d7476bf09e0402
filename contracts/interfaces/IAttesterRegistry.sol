// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAttesterRegistry
 * @notice The accounts governance trusts to vouch for ledger rows, with a points budget per
 * epoch, answerable for every past epoch; and the check of an attester's signed batch of rows.
 * Points are in the ledger's unit (10^-18 point). See docs/attestations.md.
 */
interface IAttesterRegistry {
    /// @notice How {batchStatus} judges a signed batch.
    enum BatchStatus {
        /// Signed by an attester of that epoch, points within its budget.
        Valid,
        /// Signed by an attester of that epoch, but its points exceed the attester's budget.
        OverBudget,
        /// The account was not an attester during that epoch.
        NotAttester,
        /// The signature is not the account's signature of this batch in this registry's domain.
        BadSignature
    }

    /// @notice `attester` was appointed with `budget` points per epoch, from epoch `fromEpoch` on.
    event AttesterAppointed(address indexed attester, uint256 budget, uint256 fromEpoch);
    /// @notice `attester`'s budget changed from `oldBudget` to `newBudget`, from epoch `fromEpoch` on.
    event AttesterBudgetSet(address indexed attester, uint256 oldBudget, uint256 newBudget, uint256 fromEpoch);
    /// @notice `attester` (budget `oldBudget`) was removed; it is no attester from epoch `fromEpoch` on.
    event AttesterRemoved(address indexed attester, uint256 oldBudget, uint256 fromEpoch);
    /// @notice The change log advanced to `logHash`: `attester`'s budget is `budget` from epoch
    /// `fromEpoch` on (zero: removed). Emitted with every appointment, budget change and removal.
    event AttesterLog(bytes32 logHash, address indexed attester, uint48 fromEpoch, uint208 budget);

    /// @notice The epoch clock given to the constructor was the zero address.
    error AttesterRegistryZeroClock();
    /// @notice An attester cannot be the zero address.
    error AttesterRegistryZeroAccount();
    /// @notice An attester's budget must be above zero (a zero budget is what removal records).
    error AttesterRegistryZeroBudget(address attester);
    /// @notice `budget` does not fit the 208 bits a checkpoint holds.
    error AttesterRegistryBudgetTooLarge(address attester, uint256 budget);
    /// @notice `attester` is already an attester.
    error AttesterRegistryAlreadyAttester(address attester);
    /// @notice `attester` is not an attester now.
    error AttesterRegistryNotAttester(address attester);
    /// @notice The sum of all budgets would not fit 208 bits.
    error AttesterRegistryTotalBudgetOverflow(uint256 total);

    /// @notice The hash chain of every change so far: zero before the first, then
    /// `keccak256(abi.encode(previous, attester, uint48 fromEpoch, uint208 budget))` per change
    /// (removal: budget 0). A snapshot of the attester set replays the changes and must end here.
    function logHash() external view returns (bytes32);

    /// @notice The epoch in progress, as the epoch clock (Influence) counts it.
    function currentEpoch() external view returns (uint256);

    /// @notice Whether `account` is an attester now (in the current epoch).
    function isAttester(address account) external view returns (bool);

    /// @notice Whether `account` was (or is) an attester during `epoch`.
    function isAttesterAt(address account, uint256 epoch) external view returns (bool);

    /// @notice `account`'s points budget for `epoch` (zero when it was no attester then).
    function budgetAt(address account, uint256 epoch) external view returns (uint256);

    /// @notice The sum of every attester's budget for `epoch`.
    function totalBudgetAt(uint256 epoch) external view returns (uint256);

    /// @notice The EIP-712 digest an attester signs for a batch of its rows.
    function batchDigest(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount
    ) external view returns (bytes32);

    /// @notice Whether `signature` is `attester`'s signature of the batch and `attester` was an
    /// attester during `epoch` (the budget is not checked: see {batchStatus}).
    function isValidBatch(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount,
        bytes calldata signature
    ) external view returns (bool);

    /// @notice The full judgement of a signed batch, budget included.
    function batchStatus(
        address attester,
        uint256 epoch,
        bytes32 rowsRoot,
        uint256 points,
        uint256 rowCount,
        bytes calldata signature
    ) external view returns (BatchStatus);
}
