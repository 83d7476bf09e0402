// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/**
 * @title FlashVoter
 * @notice Test fixture, never deployed by Communis: the classic flash-loan governance attack.
 * Inside one transaction it borrows a mountain of CommunityToken, tries to turn it into votes
 * (self-delegation on the influence ledger), to propose, and to vote on a live proposal, records
 * what each attempt got, and repays. Against a token-voting governor this would work; against
 * InfluenceGovernor the tokens must be worth nothing.
 */
contract FlashVoter is IERC3156FlashBorrower {
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    /// @notice The governor this contract tries to take over.
    IGovernor public immutable governor;
    /// @notice The votes source of `governor`, read during the loan.
    IVotes public immutable influence;

    /// @notice Tokens held during the loan.
    uint256 public borrowedBalance;
    /// @notice Votes (influence) this contract had during the loan.
    uint256 public votesDuringLoan;
    /// @notice Whether `propose` succeeded during the loan.
    bool public proposed;
    /// @notice The revert data of the failed `propose`.
    bytes public proposeError;
    /// @notice The weight `castVote` counted during the loan.
    uint256 public voteWeight;
    /// @notice Whether `castVote` succeeded during the loan.
    bool public voted;

    constructor(IGovernor governor_, IVotes influence_) {
        governor = governor_;
        influence = influence_;
    }

    /// @notice Borrow `amount` of `token` from `lender` and attack proposal `proposalId`.
    function attack(IERC3156FlashLender lender, address token, uint256 amount, uint256 proposalId) external {
        lender.flashLoan(this, token, amount, abi.encode(proposalId));
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(
        address,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata data
    ) external returns (bytes32) {
        uint256 proposalId = abi.decode(data, (uint256));
        borrowedBalance = IERC20(token).balanceOf(address(this));
        influence.delegate(address(this));
        votesDuringLoan = influence.getVotes(address(this));

        address[] memory targets = new address[](1);
        targets[0] = address(influence);
        uint256[] memory values = new uint256[](1);
        bytes[] memory calldatas = new bytes[](1);
        calldatas[0] = abi.encodeCall(IVotes.delegate, (address(this)));
        try governor.propose(targets, values, calldatas, "flash-loan takeover") {
            proposed = true;
        } catch (bytes memory reason) {
            proposeError = reason;
        }
        try governor.castVote(proposalId, 1) returns (uint256 weight) {
            voted = true;
            voteWeight = weight;
        } catch {} // solhint-disable-line no-empty-blocks

        IERC20(token).approve(msg.sender, amount + fee);
        return CALLBACK_SUCCESS;
    }
}
