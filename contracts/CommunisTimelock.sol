// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/**
 * @title CommunisTimelock
 * @notice OpenZeppelin's TimelockController, unchanged: the admin of every Communis contract and
 * the treasury. Deployed with InfluenceGovernor as its only proposer and canceller and anyone
 * (address(0)) as executor; the deployer's temporary admin role is renounced after wiring.
 */
contract CommunisTimelock is TimelockController {
    /**
     * @notice Deploy the timelock (see TimelockController).
     * @param minDelay Minimum delay in seconds between queueing and executing an operation.
     * @param proposers Accounts given PROPOSER_ROLE and CANCELLER_ROLE (the governor).
     * @param executors Accounts given EXECUTOR_ROLE; `[address(0)]` lets anyone execute.
     * @param admin Optional temporary admin for wiring (address(0) for none).
     */
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
