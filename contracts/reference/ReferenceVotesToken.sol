// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/**
 * @title ReferenceVotesToken
 * @notice Benchmark reference, never deployed by Communis: a stock OpenZeppelin ERC20Votes token
 * on the same timestamp clock as Influence, minted by its owner. bench/gas_governance.py compares
 * Influence (awards, and votes read by the governor) against it in the same run.
 */
contract ReferenceVotesToken is ERC20, ERC20Permit, ERC20Votes, Ownable {
    /// @notice Deploy with `owner_` as the only minter.
    constructor(address owner_) ERC20("Reference Votes", "RVT") ERC20Permit("Reference Votes") Ownable(owner_) {}

    /// @notice Mint `amount` to `to` (owner only).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice The clock is the block timestamp (ERC-6372), as in Influence.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    // CLOCK_MODE is the name ERC-6372 requires.
    // solhint-disable func-name-mixedcase
    /// @notice Machine-readable description of the clock (ERC-6372).
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }
    // solhint-enable func-name-mixedcase

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @inheritdoc Nonces
    function nonces(address owner_) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner_);
    }
}
