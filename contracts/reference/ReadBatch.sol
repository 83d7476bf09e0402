// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ReadBatch
 * @notice Test fixture, never deployed by Communis: many view calls in one `eth_call`. A test that
 * reads dozens of values after every step (the invariant state machine) pays its client's
 * per-call cost once instead of once per value; every value is the callee's own return data.
 */
contract ReadBatch {
    /// @notice `targets` and `calls` do not pair up.
    error ReadBatchLengthMismatch(uint256 targets, uint256 calls);

    /**
     * @notice `targets[i].staticcall(calls[i])` for every `i`, in order, at the same state.
     * @dev A call that reverts does not revert the batch: its `ok` is false and its result is the
     * revert data. Callees see this contract as `msg.sender`.
     * @return ok Whether each call succeeded.
     * @return results Each call's return data (or revert data).
     */
    function read(
        address[] calldata targets,
        bytes[] calldata calls
    ) external view returns (bool[] memory ok, bytes[] memory results) {
        if (targets.length != calls.length) revert ReadBatchLengthMismatch(targets.length, calls.length);
        ok = new bool[](targets.length);
        results = new bytes[](targets.length);
        for (uint256 i = 0; i < targets.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (ok[i], results[i]) = targets[i].staticcall(calls[i]);
        }
    }
}
