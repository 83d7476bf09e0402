// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IContributionRewards} from "./interfaces/IContributionRewards.sol";
import {IGuardianSource} from "./interfaces/IGuardianSource.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";
import {IMintableERC20} from "./interfaces/IMintableERC20.sol";

// slither-disable-start missing-inheritance (isGuardian is a view over the registry and the role, not an IGuardianSource to be consumed elsewhere)
/**
 * @title ContributionRewards
 * @notice Pays contributors CommunityToken and Influence for the work recorded in a public ledger,
 * one epoch at a time, with optimistic roots that guardians can challenge.
 *
 * The off-chain engine (`communis`) turns an epoch's ledger and the policy in force into a
 * cumulative table `(account, cumulativeTokens, cumulativeInfluence)` and its StandardMerkleTree
 * root. A bonded proposer posts the root with its totals; after the challenge window anyone
 * finalizes it and the proposer gets the bond back. During the window a guardian may challenge
 * with a bond; governance then either upholds the challenge (the root is discarded, the proposer
 * bond is slashed: a governed share rewards the challenger, the rest goes to the treasury) or
 * rejects it (the root finalizes, the challenger bond goes to the treasury).
 *
 * Invariants (each kept where noted):
 * - I1 epochs finalize in order, each only after it ended: `nextEpoch` only grows, by one
 *   ({_finalize}); {proposeRoot} accepts only `nextEpoch` and only when `epochAt(now) > epoch`.
 * - I2 per epoch, finalized totals grow by at most the token budget and the influence budget
 *   converted to stored units at that epoch's growth ({proposeRoot}).
 * - I3 `totalClaimed <= finalizedTotals` componentwise, kept as the pool's `unclaimed = finalized
 *   - claimed >= 0` ({_recordClaim} never pays more than is left, {_finalize} adds each epoch's emission), so
 *   whatever its leaves say, no root pays out more than the budgets of the epochs finalized so far.
 * - I4 `claimed[a] <= totalClaimed` componentwise (each claim adds the same delta to both).
 * - I5 every bond taken is paid out in full on the decision that ends its proposal (finalize:
 *   to the proposer; resolution: per the verdict), so the contract holds only the bonds of the
 *   undecided proposal and an honest proposer or challenger always gets its bond back.
 * - I6 the per-account cap holds on chain: what one claim pays an account is at most the sum, over
 *   the epochs finalized since its previous claim, of that epoch's cap (`accountCapBps` of its
 *   budgets, at the policy it was proposed under; influence in stored units at its growth). Kept
 *   in O(1) by running sums of the caps written at finalization ({_finalize}) and, per account,
 *   where the sums stood at its last claim ({_recordClaim}). By induction an account's claimed
 *   total never exceeds the sum of the caps of all finalized epochs ({cumulativeAccountCap}), so
 *   no root, not even the first one, can hand one account more than a capped share: a leaf
 *   above the cap cannot be claimed until enough later epochs have finalized. The engine caps
 *   every account at exactly this per epoch, so an honest leaf always passes.
 * - I7 at finalization the epoch's influence emission is credited to Influence's total
 *   ({IInfluence-credit}), and claims only move the claimant's votes ({IInfluence-awardCredited}):
 *   Influence's stored total is the sum of the finalized emissions (minus slashing), so quorum
 *   counts earned influence, claimed or not.
 * - No loop runs over contributors: every function is O(1) apart from the proof length
 *   ({claimMany} loops over the requests its caller sends).
 */
contract ContributionRewards is IContributionRewards, AccessControl, ReentrancyGuardTransient, Multicall {
    using SafeERC20 for IMintableERC20;

    /// @notice Sets the policy, the treasury, the challenger reward and the guardian registry, and
    /// resolves challenges. Held by the governance timelock.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice May propose epoch roots (with a bond).
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    /// @notice May challenge roots (with a bond) without being in the guardian registry (e.g. a
    /// watchdog contract, or guardians before the registry has members). Granted by governance.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 private constant BPS = 10_000;
    uint256 private constant Q64 = 1 << 64;

    /// @notice The reward token (CommunityToken); this contract needs its MINTER_ROLE.
    IMintableERC20 public immutable token;
    /// @notice The votes ledger; this contract needs its AWARDER_ROLE.
    IInfluence public immutable influence;

    Policy private _policy;
    bytes32 private _policyHash;

    /// @notice Receiver of slashed bonds (the governance timelock).
    address public treasury;
    /// @notice Share of a slashed proposer bond paid to the successful challenger, in bps.
    uint16 public challengerRewardBps;
    /// @notice The community's guardians (the GuardianRegistry); zero: only GUARDIAN_ROLE holders.
    IGuardianSource public guardianRegistry;

    Proposal private _pending;

    // The newest finalized root and its cumulative totals (stored influence units).
    bytes32 private _root;
    Amounts private _finalized;
    // What every claim reads and writes, in two slots.
    Pool private _pool;
    // Sum of the influence caps (stored units) of the first `epochs` finalized epochs (I6).
    mapping(uint256 epochs => uint256) private _capInfluenceSum;
    // Paid out so far, per account, and where the cap sums stood at its last claim.
    mapping(address account => Account) private _accounts;
    mapping(uint256 epoch => bytes32) private _epochRoot;

    /// @dev Token amounts fit 96 bits (1e28 base units: ~79 billion tokens at 18 decimals) and
    /// stored influence fits 208 bits, the width of Influence's checkpoints.
    struct Amounts {
        uint96 tokens;
        uint208 influence;
    }

    /// @dev Finalized but not yet paid out (finalized totals minus everything claimed, I3), the
    /// number of finalized epochs, and the sum of their token caps (I6).
    struct Pool {
        uint208 unclaimedInfluence;
        uint48 epochs;
        uint96 unclaimedTokens;
        uint160 capTokens; // below 2^96 per epoch for fewer than 2^48 epochs: never overflows
    }

    /// @dev An account's claimed tokens, and the finalized-epoch count and token cap sum at its
    /// last claim (I6; zero before its first claim), in one slot. The cap sum is kept modulo
    /// 2^112: {_capRoom} subtracts modulo 2^112, exact while the token caps of the epochs between
    /// two claims of one account sum below 2^112 (each is below 2^96), and never above the exact
    /// room otherwise. The influence paid is Influence's `awardedBy(this, account)`: Influence
    /// keeps it anyway (for a plain account it is its votes), so it is not copied here.
    struct Account {
        uint96 tokens;
        uint48 capEpochs;
        uint112 capTokens;
    }

    /**
     * @notice Deploy the distributor.
     * @param token_ The CommunityToken (grant this contract its MINTER_ROLE before the first claim).
     * @param influence_ The Influence ledger (grant this contract its AWARDER_ROLE likewise).
     * @param governance Receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE (the timelock, or the deployer
     * until the system is wired up and the roles are handed over).
     * @param treasury_ Receiver of slashed bonds.
     * @param guardianRegistry_ The GuardianRegistry whose members may challenge (zero: none yet;
     * governance can set it later with {setGuardianRegistry}).
     * @param policy_ The first policy.
     * @param challengerRewardBps_ Share of a slashed proposer bond paid to the challenger.
     */
    constructor(
        IMintableERC20 token_,
        IInfluence influence_,
        address governance,
        address treasury_,
        IGuardianSource guardianRegistry_,
        Policy memory policy_,
        uint16 challengerRewardBps_
    ) {
        if (address(token_) == address(0)) revert ContributionRewardsZeroToken();
        if (address(influence_) == address(0)) revert ContributionRewardsZeroInfluenceLedger();
        if (governance == address(0)) revert ContributionRewardsZeroGovernance();
        token = token_;
        influence = influence_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(GOVERNOR_ROLE, governance);
        _setTreasury(treasury_);
        _setGuardianRegistry(guardianRegistry_);
        _setChallengerRewardBps(challengerRewardBps_);
        _setPolicy(policy_);
    }

    // ------------------------------------------------------------------ governance

    /**
     * @notice Replace the policy; applies to every proposal made from now on (a pending proposal
     * keeps its bond and deadline). Only GOVERNOR_ROLE. Emits {PolicyUpdated}.
     * @param policy_ The new policy.
     */
    function setPolicy(Policy calldata policy_) external onlyRole(GOVERNOR_ROLE) {
        _setPolicy(policy_);
    }

    /**
     * @notice Send slashed bonds to `treasury_` from now on. Only GOVERNOR_ROLE.
     * @param treasury_ The new treasury.
     */
    function setTreasury(address treasury_) external onlyRole(GOVERNOR_ROLE) {
        _setTreasury(treasury_);
    }

    /**
     * @notice Set the share of a slashed proposer bond paid to a successful challenger. Only GOVERNOR_ROLE.
     * @param bps Share in basis points (0..10000).
     */
    function setChallengerRewardBps(uint16 bps) external onlyRole(GOVERNOR_ROLE) {
        _setChallengerRewardBps(bps);
    }

    /**
     * @notice Read guardians from `registry` from now on (zero: only GUARDIAN_ROLE holders).
     * Only GOVERNOR_ROLE.
     * @param registry A contract with `isGuardian(address) returns (bool)`, or zero.
     */
    function setGuardianRegistry(IGuardianSource registry) external onlyRole(GOVERNOR_ROLE) {
        _setGuardianRegistry(registry);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Only GOVERNOR_ROLE, and only while the epoch is Challenged. Upheld: the root is
    /// discarded (Rejected, the epoch can be proposed again), the challenger gets its bond back plus
    /// the `challengerRewardBps` in force when it challenged (a later change does not move the
    /// stakes it bonded for) of the proposer bond, the treasury the rest of the proposer bond.
    /// Not upheld: the root finalizes, the proposer gets its bond back, the treasury the challenger
    /// bond. Emits {ChallengeResolved} and {RootRejected} or {RootFinalized}.
    function resolveChallenge(uint256 epoch, bool upheld) external onlyRole(GOVERNOR_ROLE) nonReentrant {
        Proposal storage p = _pending;
        if (p.epoch != epoch || p.status != Status.Challenged)
            revert ContributionRewardsWrongStatus(epoch, epochStatus(epoch));
        address proposer = p.proposer;
        address challenger = p.challenger;
        uint256 proposerBond = p.proposerBond;
        uint256 challengerBond = p.challengerBond;
        address treasury_ = treasury;

        if (upheld) {
            p.status = Status.Rejected;
            uint256 reward = (proposerBond * p.challengerRewardBps) / BPS;
            uint256 toTreasury = proposerBond - reward;
            emit ChallengeResolved(epoch, true, 0, challengerBond + reward, toTreasury);
            emit RootRejected(epoch, p.root);
            _pay(challenger, challengerBond + reward);
            _pay(treasury_, toTreasury);
        } else {
            _finalize(p, epoch);
            emit ChallengeResolved(epoch, false, proposerBond, 0, challengerBond);
            _pay(proposer, proposerBond);
            _pay(treasury_, challengerBond);
        }
    }

    // ------------------------------------------------------------------ epoch lifecycle

    /// @inheritdoc IContributionRewards
    /// @dev Only PROPOSER_ROLE. Checks, in order: no undecided proposal, `epoch == nextEpoch`, the
    /// epoch has ended, the policy hash, a non-zero root, and the budgets (I2). Emits {RootProposed}.
    function proposeRoot(
        uint256 epoch,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        string calldata ledgerURI,
        bytes32 ledgerHash,
        bytes32 policyHash_
    ) external onlyRole(PROPOSER_ROLE) nonReentrant {
        Proposal storage p = _pending;
        {
            Status status = p.status;
            if (status == Status.Proposed || status == Status.Challenged)
                revert ContributionRewardsProposalPending(p.epoch);
        }
        uint256 expected = _pool.epochs;
        if (epoch != expected) revert ContributionRewardsEpochOutOfOrder(epoch, expected);
        uint256 current = influence.epochAt(uint48(block.timestamp));
        // slither-disable-next-line timestamp (epochs and the challenge window are days long: a validator's few seconds of timestamp skew cannot move a decision)
        if (current <= epoch) revert ContributionRewardsEpochNotEnded(epoch, current);
        bytes32 inForce = _policyHash;
        if (policyHash_ != inForce) revert ContributionRewardsPolicyMismatch(policyHash_, inForce);
        if (root == bytes32(0)) revert ContributionRewardsZeroRoot();
        _checkBudgets(epoch, cumulativeTokens, cumulativeInfluence);

        uint96 bond = uint96(_policy.proposerBond); // fits: checked by _setPolicy
        (p.capTokens, p.capInfluence) = _epochCap(epoch);
        p.root = root;
        p.proposer = msg.sender;
        p.challengeDeadline = SafeCast.toUint40(block.timestamp + _policy.challengeWindow);
        p.status = Status.Proposed;
        p.epoch = uint48(epoch); // epoch < epochAt(now) < 2**48
        p.cumulativeTokens = SafeCast.toUint96(cumulativeTokens);
        p.cumulativeInfluence = SafeCast.toUint208(cumulativeInfluence);
        p.proposerBond = bond;
        p.challengerBond = 0;
        p.challengerRewardBps = 0;
        p.challenger = address(0);
        _emitProposed(p, ledgerURI, ledgerHash, policyHash_);
        if (bond > 0) token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Only a guardian (the guardian registry's, or GUARDIAN_ROLE), only while the epoch is
    /// Proposed and before its deadline. Pulls the challenger bond in force. Emits {RootChallenged}.
    function challenge(uint256 epoch, string calldata evidenceURI) external nonReentrant {
        if (!isGuardian(msg.sender)) revert ContributionRewardsNotGuardian(msg.sender);
        Proposal storage p = _pending;
        if (p.epoch != epoch || p.status != Status.Proposed)
            revert ContributionRewardsWrongStatus(epoch, epochStatus(epoch));
        // slither-disable-next-line timestamp (epochs and the challenge window are days long: a validator's few seconds of timestamp skew cannot move a decision)
        if (block.timestamp >= p.challengeDeadline)
            revert ContributionRewardsChallengeWindowClosed(p.challengeDeadline);
        uint96 bond = uint96(_policy.challengerBond); // fits: checked by _setPolicy
        p.status = Status.Challenged;
        p.challenger = msg.sender;
        p.challengerBond = bond;
        p.challengerRewardBps = challengerRewardBps;
        emit RootChallenged(epoch, msg.sender, bond, evidenceURI);
        if (bond > 0) token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Anyone, once `block.timestamp >= challengeDeadline` and the epoch is still Proposed.
    /// Returns the proposer bond. Emits {RootFinalized}.
    function finalize(uint256 epoch) external nonReentrant {
        Proposal storage p = _pending;
        if (p.epoch != epoch || p.status != Status.Proposed)
            revert ContributionRewardsWrongStatus(epoch, epochStatus(epoch));
        // slither-disable-next-line timestamp (epochs and the challenge window are days long: a validator's few seconds of timestamp skew cannot move a decision)
        if (block.timestamp < p.challengeDeadline) revert ContributionRewardsChallengeWindowOpen(p.challengeDeadline);
        _finalize(p, epoch);
        _pay(p.proposer, p.proposerBond);
    }

    /**
     * @notice Approve this contract to pull the caller's bond with an EIP-2612 signature, so that
     * `multicall([permitBond(...), proposeRoot(...)])` (or `challenge`) is one transaction.
     * @dev A failing permit is ignored (someone may have submitted the same signature first, which
     * sets the same allowance); the following transferFrom reverts if the allowance is short.
     * @param value Allowance to grant (at least the bond).
     * @param deadline Signature expiry.
     * @param v Signature v.
     * @param r Signature r.
     * @param s Signature s.
     */
    function permitBond(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external {
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(token)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IContributionRewards
    /// @dev Pays `leaf - claimed[account]` for tokens and for influence (a component that is not
    /// above what was paid pays nothing); reverts with {ContributionRewardsNothingToClaim} when both
    /// are zero, with {ContributionRewardsExceedsFinalizedTotals} if the payout would break I3 and
    /// with {ContributionRewardsAccountCapExceeded} if it would break I6. Mints through MINTER_ROLE
    /// and awards influence already credited at finalization through AWARDER_ROLE. Emits {Claimed}.
    /// Batch with {claimMany}.
    function claim(
        address account,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        bytes32[] calldata proof,
        bytes32 expectedRoot
    ) external nonReentrant {
        bytes32 root = _claimableRoot(expectedRoot);
        if (!_claim(account, cumulativeTokens, cumulativeInfluence, proof, root))
            revert ContributionRewardsNothingToClaim(account);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Each request is a {claim}, except that an account already paid up to its leaf is
    /// skipped instead of reverting the whole batch. Emits {Claimed} for each account paid.
    function claimMany(
        ClaimRequest[] calldata requests,
        bytes32 expectedRoot
    ) external nonReentrant returns (uint256 paid) {
        bytes32 root = _claimableRoot(expectedRoot);
        for (uint256 i = 0; i < requests.length; ++i) {
            ClaimRequest calldata r = requests[i];
            if (_claim(r.account, r.cumulativeTokens, r.cumulativeInfluence, r.proof, root)) ++paid;
        }
    }

    // ------------------------------------------------------------------ views

    /// @notice The policy in force.
    function policy() external view returns (Policy memory) {
        return _policy;
    }

    /// @notice keccak256(abi.encode(policy())): what a proposal must carry.
    function policyHash() external view returns (bytes32) {
        return _policyHash;
    }

    /// @notice The newest finalized root (zero before the first finalization); claims use it.
    function currentRoot() external view returns (bytes32) {
        return _root;
    }

    /// @notice The cumulative totals of the newest finalized root (influence in stored units).
    function finalizedTotals() external view returns (uint256 tokens, uint256 influenceStored) {
        return (_finalized.tokens, _finalized.influence);
    }

    /// @notice Everything paid out so far (influence in stored units). Never above {finalizedTotals}.
    function totalClaimed() external view returns (uint256 tokens, uint256 influenceStored) {
        Pool memory pool = _pool;
        return (_finalized.tokens - pool.unclaimedTokens, _finalized.influence - pool.unclaimedInfluence);
    }

    /// @notice What `account` has been paid so far (its leaf minus this is what a claim pays).
    function claimed(address account) external view returns (uint256 tokens, uint256 influenceStored) {
        return (_accounts[account].tokens, influence.awardedBy(address(this), account));
    }

    /// @notice The first epoch without a finalized root: the only epoch that can be proposed (and
    /// the number of finalized epochs).
    function nextEpoch() external view returns (uint256) {
        return _pool.epochs;
    }

    /// @notice The sum of the per-account caps of every finalized epoch (influence in stored
    /// units): no account's claimed total can exceed it (I6).
    function cumulativeAccountCap() external view returns (uint256 tokens, uint256 influenceStored) {
        Pool memory pool = _pool;
        return (pool.capTokens, _capInfluenceSum[pool.epochs]);
    }

    /// @notice The most the next claim can pay `account` under the cap (I6): the caps of the
    /// epochs finalized since its last claim (influence in stored units).
    function accountCapRoom(address account) external view returns (uint256 tokens, uint256 influenceStored) {
        return _capRoom(_pool, _accounts[account]);
    }

    /// @notice The proposal in flight, or the last one decided (status tells which).
    function pendingProposal() external view returns (Proposal memory) {
        return _pending;
    }

    /// @notice The finalized root of `epoch` (zero if not finalized).
    function rootOf(uint256 epoch) external view returns (bytes32) {
        return _epochRoot[epoch];
    }

    /// @notice The lifecycle status of `epoch`.
    function epochStatus(uint256 epoch) public view returns (Status) {
        if (epoch < _pool.epochs) return Status.Finalized;
        // slither-disable-next-line incorrect-equality,timestamp (compares epoch numbers, not balances or times: strict equality is the point)
        if (_pending.epoch == epoch && _pending.status != Status.None && _pending.status != Status.Finalized) {
            return _pending.status;
        }
        return Status.None;
    }

    /// @notice The influence budget of `epoch` in stored units: influenceBudget * growth(epoch) >> 64.
    function influenceBudgetStored(uint256 epoch) public view returns (uint256) {
        return Math.mulDiv(_policy.influenceBudget, influence.growth(epoch), Q64);
    }

    /// @notice Whether `account` may challenge: a member of the guardian registry, or GUARDIAN_ROLE.
    function isGuardian(address account) public view returns (bool) {
        IGuardianSource registry = guardianRegistry;
        if (address(registry) != address(0) && registry.isGuardian(account)) return true;
        return hasRole(GUARDIAN_ROLE, account);
    }

    // ------------------------------------------------------------------ internals

    function _checkBudgets(uint256 epoch, uint256 cumulativeTokens, uint256 cumulativeInfluence) private view {
        Amounts memory previous = _finalized;
        if (cumulativeTokens < previous.tokens)
            revert ContributionRewardsCumulativeDecreased(previous.tokens, cumulativeTokens);
        if (cumulativeInfluence < previous.influence) {
            revert ContributionRewardsCumulativeDecreased(previous.influence, cumulativeInfluence);
        }
        uint256 tokens = cumulativeTokens - previous.tokens;
        if (tokens > _policy.tokenBudget) revert ContributionRewardsTokenBudgetExceeded(tokens, _policy.tokenBudget);
        uint256 influenceStored = cumulativeInfluence - previous.influence;
        uint256 budget = influenceBudgetStored(epoch);
        if (influenceStored > budget) revert ContributionRewardsInfluenceBudgetExceeded(influenceStored, budget);
    }

    /// @dev Split out of proposeRoot to keep its stack shallow; the values are warm storage reads.
    function _emitProposed(
        Proposal storage p,
        string calldata ledgerURI,
        bytes32 ledgerHash,
        bytes32 policyHash_
    ) private {
        emit RootProposed(
            p.epoch,
            p.proposer,
            p.root,
            p.cumulativeTokens,
            p.cumulativeInfluence,
            ledgerURI,
            ledgerHash,
            policyHash_,
            p.proposerBond,
            p.challengeDeadline
        );
    }

    /// @dev The newest finalized root, checked against the one the caller expects.
    function _claimableRoot(bytes32 expectedRoot) private view returns (bytes32 root) {
        root = _root;
        if (root == bytes32(0)) revert ContributionRewardsNoFinalizedRoot();
        if (expectedRoot != bytes32(0) && expectedRoot != root)
            revert ContributionRewardsRootChanged(expectedRoot, root);
    }

    /// @dev Verifies the leaf and pays what it adds to what `account` was paid; false (and no
    /// effect) if that is nothing. Effects, then the two calls to the ledgers.
    function _claim(
        address account,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        bytes32[] calldata proof,
        bytes32 root
    ) private returns (bool) {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeTokens, cumulativeInfluence))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert ContributionRewardsInvalidProof();

        (uint256 tokens, uint256 influenceStored) = _recordClaim(account, cumulativeTokens, cumulativeInfluence);
        if (tokens == 0 && influenceStored == 0) return false;
        emit Claimed(account, msg.sender, root, tokens, influenceStored);

        // slither-disable-next-line calls-loop (claimMany loops over its caller's requests; both ledgers are the system's own contracts)
        if (tokens > 0) token.mint(account, tokens);
        // slither-disable-next-line calls-loop (as above)
        if (influenceStored > 0) influence.awardCredited(account, influenceStored);
        return true;
    }

    /// @dev The effects of a claim: what the leaf adds to what `account` was paid, booked per
    /// account and in total (nothing if it adds nothing). Reverts with
    /// {ContributionRewardsExceedsFinalizedTotals} (I3) or {ContributionRewardsAccountCapExceeded} (I6).
    /// The influence paid so far is what Influence says this contract awarded the account.
    function _recordClaim(
        address account,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence
    ) private returns (uint256 tokens, uint256 influenceStored) {
        Account memory paid = _accounts[account];
        // slither-disable-next-line calls-loop (claimMany loops over its caller's requests; a view of the system's own ledger)
        uint256 paidInfluence = influence.awardedBy(address(this), account);
        tokens = cumulativeTokens > paid.tokens ? cumulativeTokens - paid.tokens : 0;
        influenceStored = cumulativeInfluence > paidInfluence ? cumulativeInfluence - paidInfluence : 0;
        if (tokens == 0 && influenceStored == 0) return (0, 0);

        Pool memory pool = _pool;
        if (tokens > pool.unclaimedTokens || influenceStored > pool.unclaimedInfluence)
            revert ContributionRewardsExceedsFinalizedTotals(); // I3
        (uint256 tokenRoom, uint256 influenceRoom) = _capRoom(pool, paid);
        if (tokens > tokenRoom || influenceStored > influenceRoom) {
            revert ContributionRewardsAccountCapExceeded(account, tokens, tokenRoom, influenceStored, influenceRoom); // I6
        }
        // Both deltas are at most what is left (< 2**96, < 2**208), and by I4 the per-account
        // token sum is at most the finalized total, so the narrowing casts are exact.
        unchecked {
            pool.unclaimedTokens -= uint96(tokens);
            pool.unclaimedInfluence -= uint208(influenceStored);
        }
        _pool = pool;
        _accounts[account] = Account(uint96(paid.tokens + tokens), pool.epochs, uint112(pool.capTokens));
    }

    /// @dev The caps of the epochs finalized since `a`'s last claim (I6); the token sum modulo
    /// 2^112 after a first claim (see {Account}).
    function _capRoom(
        Pool memory pool,
        Account memory a
    ) private view returns (uint256 tokenRoom, uint256 influenceRoom) {
        influenceRoom = _capInfluenceSum[pool.epochs];
        if (a.capEpochs == 0) return (pool.capTokens, influenceRoom);
        unchecked {
            tokenRoom = uint112(uint112(pool.capTokens) - a.capTokens);
        }
        influenceRoom -= _capInfluenceSum[a.capEpochs];
    }

    /// @dev The per-account cap of `epoch` under the policy in force (I6): `accountCapBps` of
    /// each budget, floored as the engine floors it, influence converted to stored units at the
    /// epoch's growth as the engine converts each award. Clamped to 2^208 - 1, above any claim.
    function _epochCap(uint256 epoch) private view returns (uint96 tokens, uint208 influenceStored) {
        Policy storage policy_ = _policy;
        uint256 capBps = policy_.accountCapBps;
        tokens = uint96((policy_.tokenBudget * capBps) / BPS); // tokenBudget < 2**96: checked by _setPolicy
        uint256 stored = Math.mulDiv(Math.mulDiv(policy_.influenceBudget, capBps, BPS), influence.growth(epoch), Q64);
        influenceStored = uint208(Math.min(stored, type(uint208).max));
    }

    function _finalize(Proposal storage p, uint256 epoch) private {
        bytes32 root = p.root;
        uint96 tokens = p.cumulativeTokens;
        uint208 influenceStored = p.cumulativeInfluence;
        Amounts memory previous = _finalized;
        Pool memory pool = _pool;
        p.status = Status.Finalized;
        _root = root;
        _finalized = Amounts(tokens, influenceStored);
        // Totals never decrease (checked at proposal), so this only adds the epoch's emission.
        uint208 emitted = influenceStored - previous.influence;
        pool.unclaimedTokens += tokens - previous.tokens;
        pool.unclaimedInfluence += emitted;
        // I6: the epoch's cap joins the running sums (epoch == pool.epochs, I1).
        pool.capTokens += p.capTokens;
        _capInfluenceSum[epoch + 1] = _capInfluenceSum[epoch] + p.capInfluence;
        pool.epochs = uint48(epoch + 1); // I1
        _pool = pool;
        _epochRoot[epoch] = root;
        emit RootFinalized(epoch, root, tokens, influenceStored);
        if (emitted > 0) influence.credit(emitted); // I7
    }

    function _pay(address to, uint256 amount) private {
        if (amount > 0) token.safeTransfer(to, amount);
    }

    function _setPolicy(Policy memory policy_) private {
        if (policy_.accountCapBps == 0 || policy_.accountCapBps > BPS) {
            revert ContributionRewardsInvalidPolicy(PolicyField.AccountCapBps, policy_.accountCapBps);
        }
        if (policy_.challengeWindow == 0) revert ContributionRewardsInvalidPolicy(PolicyField.ChallengeWindow, 0);
        if (policy_.tokenBudget > type(uint96).max) {
            revert ContributionRewardsInvalidPolicy(PolicyField.TokenBudget, policy_.tokenBudget);
        }
        if (policy_.proposerBond > type(uint96).max) {
            revert ContributionRewardsInvalidPolicy(PolicyField.ProposerBond, policy_.proposerBond);
        }
        if (policy_.challengerBond > type(uint96).max) {
            revert ContributionRewardsInvalidPolicy(PolicyField.ChallengerBond, policy_.challengerBond);
        }
        _policy = policy_;
        bytes32 hash = keccak256(abi.encode(policy_));
        _policyHash = hash;
        emit PolicyUpdated(hash, policy_);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert ContributionRewardsZeroTreasury();
        treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    function _setGuardianRegistry(IGuardianSource registry) private {
        guardianRegistry = registry;
        emit GuardianRegistryUpdated(address(registry));
    }

    function _setChallengerRewardBps(uint16 bps) private {
        if (bps > BPS) revert ContributionRewardsInvalidBps(bps);
        challengerRewardBps = bps;
        emit ChallengerRewardUpdated(bps);
    }
}
// slither-disable-end missing-inheritance
