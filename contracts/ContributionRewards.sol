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

import {IAttesterRegistry} from "./interfaces/IAttesterRegistry.sol";
import {IContributionRewards} from "./interfaces/IContributionRewards.sol";
import {IGuardianSource} from "./interfaces/IGuardianSource.sol";
import {IInfluence} from "./interfaces/IInfluence.sol";
import {IMintableERC20} from "./interfaces/IMintableERC20.sol";
import {Attestations} from "./utils/Attestations.sol";

// slither-disable-start missing-inheritance (isGuardian is a view over the registry and the role, not an IGuardianSource to be consumed elsewhere)
/**
 * @title ContributionRewards
 * @notice Pays contributors CommunityToken and Influence for the work recorded in a public,
 * attested ledger, with optimistic roots that guardians can challenge and anyone can prove wrong.
 *
 * The off-chain engine (`communis`) turns the ledgers and the policy in force into a cumulative
 * table `(account, cumulativeTokens, cumulativeInfluence)` and its StandardMerkleTree root. A
 * bonded proposer posts the root, its totals and the commitment to the attested ledgers of the
 * epochs it covers; after the challenge window anyone finalizes it and the proposer gets the bond
 * back. A guardian's challenge discards the root at once (the epochs can be proposed again right
 * away) and opens a dispute that only decides the bonds: governance upholds or rejects it before
 * its deadline, or, without a verdict, each party pays the dispute fee. Cumulative roots make
 * every delay harmless to contributors: the next root carries what a discarded one would have
 * paid.
 *
 * States and transitions. One pending slot (a proposal in its challenge window) and any number of
 * disputes, each under the key (epoch, root, ledgerRoot) ({disputeKey}). `now` is the block time,
 * W `challengeWindow`, P `disputePeriod`, f `disputeFeeBps`, r the challenger reward, n the number
 * of epochs a proposal covers (`e - nextEpoch + 1`) and b_p `proposerBond`: a proposal bonds n·b_p.
 *
 * | from             | transition                          | who                        | when / needs                              | to                                        |
 * |------------------|-------------------------------------|----------------------------|-------------------------------------------|-------------------------------------------|
 * | slot free        | {proposeRoot}(e, root, ...) + n·b_p | anyone; PROPOSER_ROLE only if `!openProposing` | nextEpoch <= e < currentEpoch; key neither banned nor disputed; policy hash in force; budgets | Proposed, covering nextEpoch..e, deadline now + W |
 * | Proposed         | {finalize}(e)                       | anyone                     | now >= deadline                           | Finalized: nextEpoch = e + 1, b_p back    |
 * | Proposed         | {challenge}(e, root) + b_c          | a guardian, once per key   | now < deadline                            | slot free; dispute Undecided until now + P |
 * | Proposed         | {proveUnattestedBatch}              | anyone                     | an unattested batch in the commitment     | slot free, key banned; b_p: r to the prover, the rest to the treasury |
 * | dispute Undecided| {resolveDispute}(d, true)           | GOVERNOR_ROLE (a vote)     | now < d.deadline                          | Upheld: key banned; challenger b_c + r·b_p, treasury the rest |
 * | dispute Undecided| {resolveDispute}(d, false)          | GOVERNOR_ROLE (a vote)     | now < d.deadline                          | NotUpheld: proposer b_p, treasury b_c      |
 * | dispute Undecided| {settleDispute}(d)                  | anyone                     | now >= d.deadline                         | NoVerdict: each party pays ceil(f·bond) to the treasury |
 * | dispute Undecided| {proveUnattestedBatchInDispute}     | anyone                     | an unattested batch in the commitment     | Proven: as Upheld, with no vote            |
 *
 * A second proposal while the slot is taken reverts before any bond moves (the first one mined
 * wins; nobody loses a bond for being second). A proposal whose window has passed must be
 * finalized before the next one. A dispute's key can be proposed again once the dispute ends
 * without a ban; the guardians who challenged it cannot challenge it again.
 *
 * Invariants (each kept where noted):
 * - I1 epochs finalize in order, each only after it ended: `nextEpoch` only grows ({_finalize}
 *   sets it to the proposal's last epoch + 1); {proposeRoot} accepts only `nextEpoch <= epoch`
 *   with `epochAt(now) > epoch`, and covers every epoch from `nextEpoch` to `epoch`.
 * - I2 a finalized root grows the totals by at most the sum, over the epochs it covers, of the
 *   token budget and of the influence budget converted to stored units at each epoch's growth
 *   ({_checkBudgets}).
 * - I3 `totalClaimed <= finalizedTotals` componentwise, kept as the pool's `unclaimed = finalized
 *   - claimed >= 0` ({_recordClaim} never pays more than is left, {_finalize} adds each root's emission), so
 *   whatever its leaves say, no root pays out more than the budgets of the epochs finalized so far.
 * - I4 `claimed[a] <= totalClaimed` componentwise (each claim adds the same delta to both).
 * - I5 bonds are conserved: the contract's token balance is the pending proposal's bond (while
 *   Proposed) plus both bonds of every undecided dispute (plus whatever was sent to it directly);
 *   every transition above pays out in full the bonds of what it ends, so an honest proposer
 *   (or, under a verdict, an honest challenger) always gets its whole bond back.
 * - I6 the per-account cap holds on chain: an account's claimed total never exceeds the sum, over
 *   every finalized epoch, of that epoch's cap (`accountCapBps` of its budgets, at the policy it
 *   was proposed under; influence in stored units at its growth): {cumulativeAccountCap}, a
 *   running sum {_finalize} grows by the caps of the epochs each root covers, which
 *   {_recordClaim} compares with the account's new claimed total. So no root, not even the
 *   first one, can hand one account more than a capped share: a leaf above the cap cannot be
 *   claimed until enough later epochs have finalized. That is the bound for every account: a
 *   fresh account may already be paid the whole sum at once, so a cap counted only over the
 *   epochs since an account's previous claim would bound nobody more tightly in the worst case
 *   (and cost a claim a read and a finalization a fresh slot). The engine caps every account at
 *   exactly this per epoch, so an honest leaf always passes.
 * - I7 at finalization the root's influence emission is credited to Influence's total
 *   ({IInfluence-credit}), and claims only move the claimant's votes ({IInfluence-awardCredited}):
 *   Influence's stored total is the sum of the finalized emissions (minus slashing), so quorum
 *   counts earned influence, claimed or not.
 * - I8 bounded time: a pending proposal finalizes at its deadline unless it is challenged or
 *   proven wrong first, and either frees the slot at once; every dispute has a deadline (now + P
 *   when challenged) after which anyone ends it ({settleDispute}). Nothing waits for governance
 *   beyond a deadline, and no dispute blocks any epoch.
 * - I9 no payout from a challenged root: claims read only the root {_finalize} wrote, and only a
 *   Proposed slot finalizes; a challenge or a fraud proof moves the slot out of Proposed in the
 *   same transaction, and a dispute's outcome only moves bonds. A banned key is never proposed
 *   again, nor a disputed one while its dispute is undecided.
 * - I10 griefing is bounded and paid for: a guardian challenges a key at most once
 *   ({_challenged}); a dispute that is not upheld costs the challenger its bond (verdict) or f of
 *   it (no verdict), one that is upheld costs the proposer (1 - r) of its bond with r < 1, and
 *   one without a verdict costs each party f of its bond, rounded up so that no bond, however
 *   small, ends a dispute for free ({settleDispute}): a self-dispute is never free.
 * - I11 what a root stakes grows with what it can take: a root covering n epochs can pay up to n
 *   budgets (I2), so it bonds n·b_p ({proposeRoot}); a catch-up root risks per epoch what a
 *   single-epoch root does.
 * - No loop runs over contributors: every function is O(1) apart from the proof lengths and, in
 *   {proposeRoot}, the number of covered epochs ({claimMany} loops over the requests its caller sends).
 */
contract ContributionRewards is IContributionRewards, AccessControl, ReentrancyGuardTransient, Multicall {
    using SafeERC20 for IMintableERC20;

    /// @notice Sets the policy, the treasury, the challenger reward and the guardian registry, and
    /// decides disputes. Held by the governance timelock.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice May propose epoch roots (with a bond) when the policy closes proposing
    /// (`openProposing == false`); with open proposing anyone may.
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    /// @notice May challenge roots (with a bond) without being in the guardian registry (e.g. a
    /// watchdog contract, or guardians before the registry has members). Granted by governance.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 private constant BPS = 10_000;
    uint256 private constant Q64 = 1 << 64;
    /// @dev The longest challenge window and dispute period: deadlines stay far inside 40 bits.
    uint256 private constant MAX_PERIOD = 3650 days;
    /// @dev What {_disputes} holds for a banned key (no dispute record hashes to it).
    bytes32 private constant BANNED = bytes32(uint256(1));

    /// @notice The reward token (CommunityToken); this contract needs its MINTER_ROLE.
    IMintableERC20 public immutable token;
    /// @notice The votes ledger; this contract needs its AWARDER_ROLE.
    IInfluence public immutable influence;
    /// @notice The attesters: its {IAttesterRegistry-logHash} is recorded with every proposal and
    /// it judges the batches of fraud proofs.
    IAttesterRegistry public immutable attesterRegistry;

    Policy private _policy;
    bytes32 private _policyHash;

    /// @notice Receiver of slashed bonds and dispute fees (the governance timelock).
    address public treasury;
    /// @notice Share of a slashed proposer bond paid to the successful challenger (or prover), in
    /// bps, below 10000.
    uint16 public challengerRewardBps;
    /// @notice The community's guardians (the GuardianRegistry); zero: only GUARDIAN_ROLE holders.
    IGuardianSource public guardianRegistry;

    Proposal private _pending;

    // The newest finalized root and its cumulative totals (stored influence units).
    bytes32 private _root;
    Amounts private _finalized;
    // What every claim reads (three slots) and writes (the first two).
    Pool private _pool;
    // Tokens paid out so far, per account (below 2^96 by I4). The influence paid is Influence's
    // `awardedBy(this, account)`: Influence keeps it anyway (for a plain account it is its votes).
    mapping(address account => uint256) private _claimedTokens;
    mapping(uint256 epoch => bytes32) private _epochRoot;
    // Per key (epoch, root, ledgerRoot): zero, the hash of its undecided dispute, or BANNED (I9).
    mapping(bytes32 key => bytes32) private _disputes;
    // Per key, the guardians who challenged it (I10).
    mapping(bytes32 key => mapping(address guardian => bool)) private _challenged;

    /// @dev Token amounts fit 96 bits (1e28 base units: ~79 billion tokens at 18 decimals) and
    /// stored influence fits 208 bits, the width of Influence's checkpoints.
    struct Amounts {
        uint96 tokens;
        uint208 influence;
    }

    /// @dev Finalized but not yet paid out (finalized totals minus everything claimed, I3), the
    /// number of finalized epochs, and the sums of their per-account caps (I6), in three slots.
    struct Pool {
        uint208 unclaimedInfluence;
        uint48 epochs;
        uint96 unclaimedTokens;
        uint160 capTokens; // below 2^96 per finalized root for fewer than 2^48 roots: never overflows
        uint256 capInfluence; // stored units; below 2^208 per finalized root: never overflows
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
     * @param attesterRegistry_ The AttesterRegistry of this deployment.
     * @param policy_ The first policy.
     * @param challengerRewardBps_ Share of a slashed proposer bond paid to the challenger (below 10000).
     */
    constructor(
        IMintableERC20 token_,
        IInfluence influence_,
        address governance,
        address treasury_,
        IGuardianSource guardianRegistry_,
        IAttesterRegistry attesterRegistry_,
        Policy memory policy_,
        uint16 challengerRewardBps_
    ) {
        if (address(token_) == address(0)) revert ContributionRewardsZeroToken();
        if (address(influence_) == address(0)) revert ContributionRewardsZeroInfluenceLedger();
        if (governance == address(0)) revert ContributionRewardsZeroGovernance();
        if (address(attesterRegistry_) == address(0)) revert ContributionRewardsZeroAttesterRegistry();
        token = token_;
        influence = influence_;
        attesterRegistry = attesterRegistry_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(GOVERNOR_ROLE, governance);
        _setTreasury(treasury_);
        _setGuardianRegistry(guardianRegistry_);
        _setChallengerRewardBps(challengerRewardBps_);
        _setPolicy(policy_);
    }

    // ------------------------------------------------------------------ governance

    /**
     * @notice Replace the policy; applies to every proposal and challenge made from now on (a
     * pending proposal keeps its bond, deadline and caps; a dispute its bonds, fee and deadline).
     * Only GOVERNOR_ROLE. Emits {PolicyUpdated}.
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
     * @notice Set the share of a slashed proposer bond paid to a successful challenger or prover.
     * Only GOVERNOR_ROLE.
     * @param bps Share in basis points (0..9999: an upheld self-dispute must still cost).
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
    /// @dev Only GOVERNOR_ROLE, only before the dispute's deadline. Upheld: the key is banned, the
    /// challenger gets its bond back plus the reward fixed when it challenged (`rewardBps` of the
    /// proposer bond), the treasury the rest of the proposer bond. Not upheld: the proposer gets
    /// its bond back, the treasury the challenger bond, and the key can be proposed again. Emits
    /// {DisputeEnded} (and {RootBanned}).
    function resolveDispute(Dispute calldata dispute, bool upheld) external onlyRole(GOVERNOR_ROLE) nonReentrant {
        bytes32 key = _undecided(dispute);
        // slither-disable-next-line timestamp (deadlines are days apart: a validator's few seconds of timestamp skew cannot move a decision)
        if (block.timestamp >= dispute.deadline) revert ContributionRewardsDisputeExpired(key, dispute.deadline);
        if (upheld) {
            _uphold(key, dispute, Verdict.Upheld);
            return;
        }
        delete _disputes[key];
        emit DisputeEnded(key, dispute.epoch, Verdict.NotUpheld, dispute.proposerBond, 0, dispute.challengerBond);
        _pay(dispute.proposer, dispute.proposerBond);
        _pay(treasury, dispute.challengerBond);
    }

    // ------------------------------------------------------------------ epoch lifecycle

    /// @inheritdoc IContributionRewards
    /// @dev Anyone when `openProposing`, else only PROPOSER_ROLE. Checks, in order: the slot is
    /// free, `nextEpoch <= epoch`, the epoch has ended, the policy hash, a non-zero root, the key
    /// neither banned nor disputed, and the budgets of the covered epochs (I2). Bonds
    /// `proposerBond` per covered epoch (I11). Emits {RootProposed}.
    function proposeRoot(
        uint256 epoch,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        bytes32 ledgerRoot,
        string calldata ledgerURI,
        bytes32 policyHash_
    ) external nonReentrant {
        Policy storage policy_ = _policy;
        if (!policy_.openProposing) _checkRole(PROPOSER_ROLE);
        Proposal storage p = _pending;
        if (p.status == Status.Proposed) revert ContributionRewardsProposalPending(p.epoch, p.challengeDeadline);
        uint256 first = _pool.epochs;
        _checkProposable(first, epoch, root, ledgerRoot, policyHash_);
        (p.capTokens, p.capInfluence) = _checkBudgets(first, epoch, cumulativeTokens, cumulativeInfluence);

        // I11: one bond per covered epoch (proposerBond < 2**96 and epoch < 2**48: no overflow)
        uint96 bond = SafeCast.toUint96(policy_.proposerBond * (epoch - first + 1));
        p.root = root;
        p.ledgerRoot = ledgerRoot;
        p.proposer = msg.sender;
        p.challengeDeadline = uint40(block.timestamp + policy_.challengeWindow); // window <= MAX_PERIOD
        p.epoch = uint48(epoch); // epoch < epochAt(now) < 2**48
        p.status = Status.Proposed;
        p.firstEpoch = uint48(first);
        p.cumulativeTokens = SafeCast.toUint96(cumulativeTokens);
        p.proposerBond = bond;
        p.cumulativeInfluence = SafeCast.toUint208(cumulativeInfluence);
        _emitProposed(p, ledgerURI);
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Only a guardian (the guardian registry's, or GUARDIAN_ROLE) that has not challenged
    /// this key before (I10), only before the pending proposal's deadline. Discards the root
    /// (status Challenged: the slot is free) and stores the hash of a {Dispute} holding the
    /// proposer bond and the challenger bond in force, with the challenger reward and dispute fee
    /// in force and the deadline now + `disputePeriod`. Emits {RootChallenged}.
    function challenge(uint256 epoch, bytes32 root, string calldata evidenceURI) external nonReentrant {
        if (!isGuardian(msg.sender)) revert ContributionRewardsNotGuardian(msg.sender);
        Proposal storage p = _pending;
        _checkPending(p, epoch, root);
        // slither-disable-next-line timestamp (epochs and the challenge window are days long: a validator's few seconds of timestamp skew cannot move a decision)
        if (block.timestamp >= p.challengeDeadline)
            revert ContributionRewardsChallengeWindowClosed(p.challengeDeadline);
        bytes32 ledgerRoot = p.ledgerRoot;
        bytes32 key = disputeKey(epoch, root, ledgerRoot);
        if (_challenged[key][msg.sender]) revert ContributionRewardsAlreadyChallenged(msg.sender, key);
        Policy storage policy_ = _policy;
        Dispute memory dispute = Dispute({
            epoch: uint48(epoch),
            firstEpoch: p.firstEpoch,
            root: root,
            ledgerRoot: ledgerRoot,
            proposer: p.proposer,
            proposerBond: p.proposerBond,
            challenger: msg.sender,
            challengerBond: uint96(policy_.challengerBond), // fits: checked by _setPolicy
            rewardBps: challengerRewardBps,
            feeBps: policy_.disputeFeeBps,
            deadline: uint40(block.timestamp + policy_.disputePeriod) // period <= MAX_PERIOD
        });
        _challenged[key][msg.sender] = true;
        _disputes[key] = keccak256(abi.encode(dispute));
        p.status = Status.Challenged; // I9: the slot is free and this root can no longer finalize
        emit RootChallenged(epoch, msg.sender, key, dispute, evidenceURI);
        token.safeTransferFrom(msg.sender, address(this), dispute.challengerBond);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Anyone, from the dispute's deadline on. Each party gets its bond minus `feeBps` of
    /// it, rounded up (I10: at least one unit of any bond, at most the bond as feeBps <= 10000);
    /// the treasury gets both fees; the key can be proposed again. Emits {DisputeEnded}.
    function settleDispute(Dispute calldata dispute) external nonReentrant {
        bytes32 key = _undecided(dispute);
        // slither-disable-next-line timestamp (as in resolveDispute)
        if (block.timestamp < dispute.deadline) revert ContributionRewardsDisputeOpen(key, dispute.deadline);
        delete _disputes[key];
        uint256 proposerFee = Math.mulDiv(dispute.proposerBond, dispute.feeBps, BPS, Math.Rounding.Ceil);
        uint256 challengerFee = Math.mulDiv(dispute.challengerBond, dispute.feeBps, BPS, Math.Rounding.Ceil);
        uint256 toProposer = dispute.proposerBond - proposerFee;
        uint256 toChallenger = dispute.challengerBond - challengerFee;
        emit DisputeEnded(key, dispute.epoch, Verdict.NoVerdict, toProposer, toChallenger, proposerFee + challengerFee);
        _pay(dispute.proposer, toProposer);
        _pay(dispute.challenger, toChallenger);
        _pay(treasury, proposerFee + challengerFee);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Anyone, while the proposal is pending (also after its window, until it is finalized).
    /// The prover gets the challenger reward in force of the proposer bond, the treasury the
    /// rest. Emits {UnattestedBatchProven} and {RootBanned}.
    function proveUnattestedBatch(uint256 epoch, bytes32 root, BatchProof calldata proof) external nonReentrant {
        Proposal storage p = _pending;
        _checkPending(p, epoch, root);
        bytes32 ledgerRoot = p.ledgerRoot;
        bytes32 key = disputeKey(epoch, root, ledgerRoot);
        uint256 bond = p.proposerBond;
        uint256 reward = (bond * challengerRewardBps) / BPS;
        _proveUnattested(key, p.firstEpoch, epoch, ledgerRoot, proof, reward, bond - reward);
        p.status = Status.Rejected; // I9
        _disputes[key] = BANNED;
        emit RootBanned(epoch, key, root, ledgerRoot);
        _pay(msg.sender, reward);
        _pay(treasury, bond - reward);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Anyone, while the dispute is undecided (also after its deadline, until it is
    /// settled). Ends it as {resolveDispute} upholding it would. Emits {UnattestedBatchProven}
    /// (with zero amounts), {RootBanned} and {DisputeEnded}.
    function proveUnattestedBatchInDispute(Dispute calldata dispute, BatchProof calldata proof) external nonReentrant {
        bytes32 key = _undecided(dispute);
        _proveUnattested(key, dispute.firstEpoch, dispute.epoch, dispute.ledgerRoot, proof, 0, 0);
        _uphold(key, dispute, Verdict.Proven);
    }

    /// @inheritdoc IContributionRewards
    /// @dev Anyone, once `block.timestamp >= challengeDeadline` and the proposal is still Proposed.
    /// Returns the proposer bond. Emits {RootFinalized}.
    function finalize(uint256 epoch) external nonReentrant {
        Proposal storage p = _pending;
        if (p.epoch != epoch || p.status != Status.Proposed)
            revert ContributionRewardsWrongStatus(epoch, epochStatus(epoch));
        // slither-disable-next-line timestamp (epochs and the challenge window are days long: a validator's few seconds of timestamp skew cannot move a decision)
        if (block.timestamp < p.challengeDeadline) revert ContributionRewardsChallengeWindowOpen(p.challengeDeadline);
        _finalize(p);
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
        return (_claimedTokens[account], influence.awardedBy(address(this), account));
    }

    /// @notice The first epoch without a finalized root: the first epoch the next proposal covers
    /// (and the number of epochs finalized so far).
    function nextEpoch() external view returns (uint256) {
        return _pool.epochs;
    }

    /// @notice The sum of the per-account caps of every finalized epoch (influence in stored
    /// units): no account's claimed total can exceed it (I6).
    function cumulativeAccountCap() external view returns (uint256 tokens, uint256 influenceStored) {
        Pool storage pool = _pool;
        return (pool.capTokens, pool.capInfluence);
    }

    /// @notice The most the next claim can pay `account` under the cap (I6): the
    /// {cumulativeAccountCap} minus what it was paid so far (influence in stored units).
    function accountCapRoom(address account) external view returns (uint256 tokens, uint256 influenceStored) {
        Pool storage pool = _pool;
        // I6 keeps what an account was paid at most the caps, which never decrease.
        return (
            pool.capTokens - _claimedTokens[account],
            pool.capInfluence - influence.awardedBy(address(this), account)
        );
    }

    /// @notice The proposal in the pending slot; it occupies the slot only while its status is
    /// Proposed (otherwise the status tells what became of the last one).
    function pendingProposal() external view returns (Proposal memory) {
        return _pending;
    }

    /// @notice The root that finalized `epoch` as its last covered epoch (zero if none: not yet
    /// finalized, or covered by a later catch-up root).
    function rootOf(uint256 epoch) external view returns (bytes32) {
        return _epochRoot[epoch];
    }

    /// @notice Where `epoch` stands: Finalized, Proposed (covered by the pending proposal) or None.
    function epochStatus(uint256 epoch) public view returns (Status) {
        if (epoch < _pool.epochs) return Status.Finalized;
        Proposal storage p = _pending;
        // slither-disable-next-line timestamp (compares epoch numbers, not times)
        if (p.status == Status.Proposed && p.firstEpoch <= epoch && epoch <= p.epoch) return Status.Proposed;
        return Status.None;
    }

    /// @notice The key of disputes, bans and challenges of `root` with ledger commitment
    /// `ledgerRoot` for `epoch`: `keccak256(abi.encode(epoch, root, ledgerRoot))`.
    function disputeKey(uint256 epoch, bytes32 root, bytes32 ledgerRoot) public pure returns (bytes32) {
        return keccak256(abi.encode(epoch, root, ledgerRoot));
    }

    /// @inheritdoc IContributionRewards
    function disputeHash(uint256 epoch, bytes32 root, bytes32 ledgerRoot) external view returns (bytes32) {
        bytes32 value = _disputes[disputeKey(epoch, root, ledgerRoot)];
        return value == BANNED ? bytes32(0) : value;
    }

    /// @notice Whether `root` with ledger commitment `ledgerRoot` is banned for `epoch` (a
    /// dispute upheld, or an unattested batch proven).
    function isRootBanned(uint256 epoch, bytes32 root, bytes32 ledgerRoot) external view returns (bool) {
        return _disputes[disputeKey(epoch, root, ledgerRoot)] == BANNED;
    }

    /// @notice Whether `guardian` has challenged `root` with `ledgerRoot` for `epoch` (it cannot again).
    function challengedBy(
        uint256 epoch,
        bytes32 root,
        bytes32 ledgerRoot,
        address guardian
    ) external view returns (bool) {
        return _challenged[disputeKey(epoch, root, ledgerRoot)][guardian];
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

    /// @dev The checks of {proposeRoot} that need no storage writes (I1, I9).
    function _checkProposable(
        uint256 first,
        uint256 epoch,
        bytes32 root,
        bytes32 ledgerRoot,
        bytes32 policyHash_
    ) private view {
        if (epoch < first) revert ContributionRewardsEpochOutOfOrder(epoch, first);
        uint256 current = influence.epochAt(uint48(block.timestamp));
        // slither-disable-next-line timestamp (epochs are days long: a validator's few seconds of timestamp skew cannot move a decision)
        if (current <= epoch) revert ContributionRewardsEpochNotEnded(epoch, current);
        bytes32 inForce = _policyHash;
        if (policyHash_ != inForce) revert ContributionRewardsPolicyMismatch(policyHash_, inForce);
        if (root == bytes32(0)) revert ContributionRewardsZeroRoot();
        bytes32 key = disputeKey(epoch, root, ledgerRoot);
        bytes32 dispute = _disputes[key];
        if (dispute == BANNED) revert ContributionRewardsRootBanned(key);
        if (dispute != bytes32(0)) revert ContributionRewardsRootDisputed(key);
    }

    /// @dev I2 over the covered epochs `first..epoch`, each at its growth, and their per-account
    /// caps (I6) under the policy in force: `accountCapBps` of each budget, floored as the engine
    /// floors it, influence converted to stored units at the epoch's growth as the engine converts
    /// each award. Caps are clamped to their widths, above any claim.
    function _checkBudgets(
        uint256 first,
        uint256 epoch,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence
    ) private view returns (uint96 capTokens, uint208 capInfluence) {
        Amounts memory previous = _finalized;
        if (cumulativeTokens < previous.tokens)
            revert ContributionRewardsCumulativeDecreased(previous.tokens, cumulativeTokens);
        if (cumulativeInfluence < previous.influence) {
            revert ContributionRewardsCumulativeDecreased(previous.influence, cumulativeInfluence);
        }
        Policy storage policy_ = _policy;
        uint256 epochs = epoch - first + 1;
        uint256 capBps = policy_.accountCapBps;
        {
            uint256 tokenBudget = policy_.tokenBudget; // < 2**96: checked by _setPolicy
            uint256 tokens = cumulativeTokens - previous.tokens;
            if (tokens > tokenBudget * epochs)
                revert ContributionRewardsTokenBudgetExceeded(tokens, tokenBudget * epochs);
            // slither-disable-next-line divide-before-multiply (each epoch's cap is floored on its own, as the engine floors it, then summed over the covered epochs)
            capTokens = uint96(Math.min(((tokenBudget * capBps) / BPS) * epochs, type(uint96).max));
        }
        uint256 influenceBudget = policy_.influenceBudget;
        uint256 capPerEpoch = Math.mulDiv(influenceBudget, capBps, BPS);
        uint256 budgetStored = 0;
        uint256 capStored = 0;
        for (uint256 e = first; e <= epoch; ++e) {
            // slither-disable-next-line calls-loop (a view of the system's own Influence, once per covered epoch; the proposer bonds per covered epoch, I11)
            uint256 growth = influence.growth(e);
            budgetStored += Math.mulDiv(influenceBudget, growth, Q64);
            capStored += Math.mulDiv(capPerEpoch, growth, Q64);
        }
        uint256 influenceStored = cumulativeInfluence - previous.influence;
        if (influenceStored > budgetStored)
            revert ContributionRewardsInfluenceBudgetExceeded(influenceStored, budgetStored);
        capInfluence = uint208(Math.min(capStored, type(uint208).max));
    }

    /// @dev Reverts unless the slot holds a Proposed proposal of `root` for `epoch`.
    function _checkPending(Proposal storage p, uint256 epoch, bytes32 root) private view {
        if (p.status != Status.Proposed || p.epoch != epoch || p.root != root)
            revert ContributionRewardsNotPending(epoch, root);
    }

    /// @dev The key of `dispute`, which must be the undecided dispute stored under it.
    function _undecided(Dispute calldata dispute) private view returns (bytes32 key) {
        key = disputeKey(dispute.epoch, dispute.root, dispute.ledgerRoot);
        if (_disputes[key] != keccak256(abi.encode(dispute))) revert ContributionRewardsUnknownDispute(key);
    }

    /// @dev Ends `dispute` against its root: the key is banned (I9), the challenger gets its bond
    /// and the reward fixed when it challenged, the treasury the rest of the proposer bond.
    function _uphold(bytes32 key, Dispute calldata dispute, Verdict verdict) private {
        _disputes[key] = BANNED;
        uint256 proposerBond = dispute.proposerBond;
        uint256 reward = (proposerBond * dispute.rewardBps) / BPS;
        uint256 toChallenger = dispute.challengerBond + reward;
        emit RootBanned(dispute.epoch, key, dispute.root, dispute.ledgerRoot);
        emit DisputeEnded(key, dispute.epoch, verdict, 0, toChallenger, proposerBond - reward);
        _pay(dispute.challenger, toChallenger);
        _pay(treasury, proposerBond - reward);
    }

    /// @dev The objective fraud proof against the root under `key`, covering `first..epoch`:
    /// `proof`'s batch is of a covered epoch, its epoch ledger root is in the commitment
    /// `ledgerRoot`, the batch is in that epoch ledger, and the registry judges it NotAttester, or
    /// BadSignature of an account without code (an EOA: ECDSA's answer never changes; an ERC-1271
    /// attester's can, so its batches go through a challenge). Reverts otherwise; emits
    /// {UnattestedBatchProven} with the split of the proposer bond the caller pays out.
    function _proveUnattested(
        bytes32 key,
        uint256 first,
        uint256 epoch,
        bytes32 ledgerRoot,
        BatchProof calldata proof,
        uint256 toProver,
        uint256 toTreasury
    ) private {
        IAttesterRegistry.Batch calldata batch = proof.batch;
        uint256 batchEpoch = batch.epoch;
        if (batchEpoch < first || batchEpoch > epoch)
            revert ContributionRewardsBatchNotCovered(batchEpoch, first, epoch);
        bytes32 epochLeaf = keccak256(bytes.concat(keccak256(abi.encode(batchEpoch, proof.epochLedgerRoot))));
        if (!MerkleProof.verifyCalldata(proof.ledgerProof, ledgerRoot, epochLeaf))
            revert ContributionRewardsInvalidLedgerProof();
        bytes32 leaf = Attestations.batchLeaf(batch, proof.signature);
        if (!MerkleProof.verifyCalldata(proof.batchProof, proof.epochLedgerRoot, leaf))
            revert ContributionRewardsInvalidBatchProof();
        // slither-disable-next-line calls-loop (not in a loop: the registry is this deployment's own contract)
        IAttesterRegistry.BatchStatus status = attesterRegistry.batchStatus(batch, proof.signature);
        bool provable =
            status == IAttesterRegistry.BatchStatus.NotAttester ||
                (status == IAttesterRegistry.BatchStatus.BadSignature && batch.attester.code.length == 0);
        if (!provable) revert ContributionRewardsBatchNotProvable(batch.attester, status);
        emit UnattestedBatchProven(key, epoch, msg.sender, batch.attester, batchEpoch, status, toProver, toTreasury);
    }

    /// @dev Split out of proposeRoot to keep its stack shallow; the values are warm storage reads
    /// (the policy hash is the one the proposal carried: checked equal) and the registry's log hash.
    function _emitProposed(Proposal storage p, string calldata ledgerURI) private {
        emit RootProposed(
            p.epoch,
            p.proposer,
            p.firstEpoch,
            p.root,
            p.cumulativeTokens,
            p.cumulativeInfluence,
            p.ledgerRoot,
            attesterRegistry.logHash(),
            ledgerURI,
            _policyHash,
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
        uint256 paidTokens = _claimedTokens[account];
        // slither-disable-next-line calls-loop (claimMany loops over its caller's requests; a view of the system's own ledger)
        uint256 paidInfluence = influence.awardedBy(address(this), account);
        tokens = cumulativeTokens > paidTokens ? cumulativeTokens - paidTokens : 0;
        influenceStored = cumulativeInfluence > paidInfluence ? cumulativeInfluence - paidInfluence : 0;
        if (tokens == 0 && influenceStored == 0) return (0, 0);

        Pool storage pool = _pool;
        uint96 unclaimedTokens = pool.unclaimedTokens;
        uint208 unclaimedInfluence = pool.unclaimedInfluence;
        if (tokens > unclaimedTokens || influenceStored > unclaimedInfluence)
            revert ContributionRewardsExceedsFinalizedTotals(); // I3
        // I6: what was paid is at most the caps (by induction), which never decrease.
        uint256 tokenRoom = pool.capTokens - paidTokens;
        uint256 influenceRoom = pool.capInfluence - paidInfluence;
        if (tokens > tokenRoom || influenceStored > influenceRoom) {
            revert ContributionRewardsAccountCapExceeded(account, tokens, tokenRoom, influenceStored, influenceRoom); // I6
        }
        // Both deltas are at most what is left (< 2**96, < 2**208), and by I4 the per-account
        // token sum is at most the finalized total, so the sums stay below 2**96.
        unchecked {
            pool.unclaimedTokens = unclaimedTokens - uint96(tokens);
            pool.unclaimedInfluence = unclaimedInfluence - uint208(influenceStored);
            _claimedTokens[account] = paidTokens + tokens;
        }
    }

    function _finalize(Proposal storage p) private {
        bytes32 root = p.root;
        uint256 epoch = p.epoch;
        uint256 first = p.firstEpoch;
        uint96 tokens = p.cumulativeTokens;
        uint208 influenceStored = p.cumulativeInfluence;
        Amounts memory previous = _finalized;
        Pool memory pool = _pool;
        p.status = Status.Finalized;
        _root = root;
        _finalized = Amounts(tokens, influenceStored);
        // Totals never decrease (checked at proposal), so this only adds the root's emission.
        uint208 emitted = influenceStored - previous.influence;
        pool.unclaimedTokens += tokens - previous.tokens;
        pool.unclaimedInfluence += emitted;
        // I6: the covered epochs' caps join the running sums.
        pool.capTokens += p.capTokens;
        pool.capInfluence += p.capInfluence;
        pool.epochs = uint48(epoch + 1); // I1
        _pool = pool;
        _epochRoot[epoch] = root;
        emit RootFinalized(epoch, first, root, tokens, influenceStored);
        if (emitted > 0) influence.credit(emitted); // I7
    }

    function _pay(address to, uint256 amount) private {
        if (amount > 0) token.safeTransfer(to, amount);
    }

    function _setPolicy(Policy memory policy_) private {
        if (policy_.accountCapBps == 0 || policy_.accountCapBps > BPS) {
            revert ContributionRewardsInvalidPolicy(PolicyField.AccountCapBps, policy_.accountCapBps);
        }
        if (policy_.challengeWindow == 0 || policy_.challengeWindow > MAX_PERIOD) {
            revert ContributionRewardsInvalidPolicy(PolicyField.ChallengeWindow, policy_.challengeWindow);
        }
        if (policy_.tokenBudget > type(uint96).max) {
            revert ContributionRewardsInvalidPolicy(PolicyField.TokenBudget, policy_.tokenBudget);
        }
        if (policy_.proposerBond == 0 || policy_.proposerBond > type(uint96).max) {
            revert ContributionRewardsInvalidPolicy(PolicyField.ProposerBond, policy_.proposerBond);
        }
        if (policy_.challengerBond == 0 || policy_.challengerBond > type(uint96).max) {
            revert ContributionRewardsInvalidPolicy(PolicyField.ChallengerBond, policy_.challengerBond);
        }
        if (policy_.disputePeriod < policy_.challengeWindow || policy_.disputePeriod > MAX_PERIOD) {
            revert ContributionRewardsInvalidPolicy(PolicyField.DisputePeriod, policy_.disputePeriod);
        }
        if (policy_.disputeFeeBps == 0 || policy_.disputeFeeBps > BPS) {
            revert ContributionRewardsInvalidPolicy(PolicyField.DisputeFeeBps, policy_.disputeFeeBps);
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
        if (bps >= BPS) revert ContributionRewardsInvalidBps(bps);
        challengerRewardBps = bps;
        emit ChallengerRewardUpdated(bps);
    }
}
// slither-disable-end missing-inheritance
