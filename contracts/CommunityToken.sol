// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IMintableERC20} from "./interfaces/IMintableERC20.sol";

/**
 * @title CommunityToken
 * @notice The community's currency: an ERC-20 with EIP-2612 permit and a hard cap.
 *
 * New tokens are minted only by holders of {MINTER_ROLE}: in a Communis deployment that is the
 * ContributionRewards distributor, so every token beyond the genesis allocation was earned by a
 * contribution recorded in a finalized epoch. {DEFAULT_ADMIN_ROLE} (who grants and revokes the
 * minter) is handed to the governance timelock once the system is wired up.
 *
 * Tokens carry no votes: governance power comes from the non-transferable Influence ledger, so
 * buying or borrowing tokens buys no say. That is also why transfers cost exactly what a plain
 * OpenZeppelin ERC20 transfer costs (no checkpoints are written).
 *
 * Invariant: totalSupply() <= cap() at all times (enforced by ERC20Capped on every mint).
 */
contract CommunityToken is ERC20, ERC20Permit, ERC20Capped, AccessControl, IMintableERC20 {
    /// @notice Role allowed to mint new tokens (up to the cap).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice The genesis allocation would exceed the cap.
    error CommunityTokenGenesisExceedsCap(uint256 genesisSupply, uint256 cap);

    /// @notice The `admin` given to the constructor was the zero address.
    error CommunityTokenZeroAdmin();

    /// @notice A genesis allocation was asked for with the zero address as `genesisHolder`.
    error CommunityTokenZeroGenesisHolder();

    /**
     * @notice Deploy the token, mint the genesis allocation and set the first admin.
     * @param name_ ERC-20 name (also the EIP-712 domain name used by permit).
     * @param symbol_ ERC-20 symbol.
     * @param cap_ Hard cap on the total supply, in the smallest unit.
     * @param admin Initial holder of DEFAULT_ADMIN_ROLE (the deployer, until handed to the timelock).
     * @param genesisHolder Receiver of the genesis allocation (usually the treasury/timelock).
     * @param genesisSupply Tokens minted at deployment; may be zero.
     */
    constructor(
        string memory name_,
        string memory symbol_,
        uint256 cap_,
        address admin,
        address genesisHolder,
        uint256 genesisSupply
    ) ERC20(name_, symbol_) ERC20Permit(name_) ERC20Capped(cap_) {
        if (admin == address(0)) revert CommunityTokenZeroAdmin();
        if (genesisSupply > cap_) revert CommunityTokenGenesisExceedsCap(genesisSupply, cap_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (genesisSupply > 0) {
            if (genesisHolder == address(0)) revert CommunityTokenZeroGenesisHolder();
            _mint(genesisHolder, genesisSupply);
        }
    }

    /**
     * @notice Mint `amount` new tokens to `to`.
     * @dev Only {MINTER_ROLE}. Reverts with ERC20ExceededCap if the cap would be passed.
     * Emits {Transfer} from the zero address.
     * @param to Receiver of the new tokens.
     * @param amount Amount to mint, in the smallest unit.
     */
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @dev ERC20Capped checks the cap on mints; ERC20 moves the balances.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
