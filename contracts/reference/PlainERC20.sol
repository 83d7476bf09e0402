// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title PlainERC20
 * @notice Benchmark reference, never deployed by Communis: a bare OpenZeppelin ERC20 whose transfer
 * gas CommunityToken must match (bench/ and tests/token compare the two in the same run).
 */
contract PlainERC20 is ERC20 {
    /// @notice Mint `supply` to `holder`.
    constructor(address holder, uint256 supply) ERC20("Plain", "PLN") {
        _mint(holder, supply);
    }
}
