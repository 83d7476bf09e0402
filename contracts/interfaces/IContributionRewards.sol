// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IContributionRewards
 * @notice Optimistic, challengeable epoch rewards: a bonded proposer posts each epoch's cumulative
 * Merkle root, guardians may challenge it during a window, governance resolves challenges, and
 * contributors claim CommunityToken and Influence against the newest finalized root.
 *
 * Leaves are OpenZeppelin StandardMerkleTree leaves of
 * `(address account, uint256 cumulativeTokens, uint256 cumulativeInfluence)`:
 * `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeTokens, cumulativeInfluence))))`,
 * where `cumulativeInfluence` is in Influence stored (growth-scaled) units.
 */
interface IContributionRewards {
    /// @notice The governed parameters. `policyHash = keccak256(abi.encode(policy))`; the off-chain
    /// engine computes the same hash, so this layout is part of the protocol.
    struct Policy {
        uint256 tokenBudget; // max tokens emitted per epoch
        uint256 influenceBudget; // max influence per epoch (plain influence units, 18 decimals)
        uint32[4] roleWeights; // creator, curator, guardian, participant: weight per point
        uint16 accountCapBps; // max share of an epoch budget for one account, bps 1..10000
        uint64 challengeWindow; // seconds
        uint256 proposerBond; // CommunityToken units
        uint256 challengerBond; // CommunityToken units
    }

    /// @notice The fields of {Policy}, in order: which one {ContributionRewardsInvalidPolicy} names.
    enum PolicyField {
        TokenBudget,
        InfluenceBudget,
        RoleWeights,
        AccountCapBps,
        ChallengeWindow,
        ProposerBond,
        ChallengerBond
    }

    /// @notice Lifecycle of an epoch's root: None -> Proposed -> Finalized once the window passes,
    /// or Proposed -> Challenged -> Rejected (challenge upheld: the epoch can be proposed again) or
    /// Finalized (challenge not upheld).
    enum Status {
        None,
        Proposed,
        Challenged,
        Rejected,
        Finalized
    }

    /// @notice The one proposal in flight (or the last one decided). Packed into seven slots.
    struct Proposal {
        bytes32 root;
        address proposer;
        uint40 challengeDeadline; // finalizable from this timestamp on; challengeable before it
        Status status;
        uint48 epoch;
        uint96 cumulativeTokens;
        uint96 proposerBond;
        uint16 challengerRewardBps; // fixed when challenged: the reward the challenger bonded for
        uint208 cumulativeInfluence; // stored units
        uint96 challengerBond;
        address challenger;
        uint96 capTokens; // this epoch's per-account cap in tokens, at the policy it was proposed under
        uint208 capInfluence; // the same in stored influence (at most 2^208 - 1: no claim is larger)
    }

    /// @notice One entry of {claimMany}: a leaf of the newest finalized root and its proof.
    struct ClaimRequest {
        address account;
        uint256 cumulativeTokens;
        uint256 cumulativeInfluence; // stored units
        bytes32[] proof;
    }

    /// @notice The policy in force changed.
    event PolicyUpdated(bytes32 indexed policyHash, Policy policy);
    /// @notice Slashed bonds now go to `treasury`.
    event TreasuryUpdated(address indexed treasury);
    /// @notice A successful challenger now receives `bps` of the slashed proposer bond.
    event ChallengerRewardUpdated(uint16 bps);
    /// @notice Guardianship is now read from `registry` (zero: only GUARDIAN_ROLE counts).
    event GuardianRegistryUpdated(address indexed registry);

    /// @notice `proposer` bonded `bond` tokens behind `root` as the cumulative state after `epoch`.
    event RootProposed(
        uint256 indexed epoch,
        address indexed proposer,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        string ledgerURI,
        bytes32 ledgerHash,
        bytes32 policyHash,
        uint256 bond,
        uint256 challengeDeadline
    );
    /// @notice `challenger`, a guardian, bonded `bond` tokens disputing the root of `epoch`.
    event RootChallenged(uint256 indexed epoch, address indexed challenger, uint256 bond, string evidenceURI);
    /// @notice Governance decided the challenge of `epoch`; the amounts say where the bonds went.
    event ChallengeResolved(
        uint256 indexed epoch,
        bool upheld,
        uint256 toProposer,
        uint256 toChallenger,
        uint256 toTreasury
    );
    /// @notice The root of `epoch` was discarded; the epoch can be proposed again.
    event RootRejected(uint256 indexed epoch, bytes32 root);
    /// @notice `root` is now the claimable state, covering every epoch up to `epoch`.
    event RootFinalized(uint256 indexed epoch, bytes32 root, uint256 cumulativeTokens, uint256 cumulativeInfluence);
    /// @notice `account` received `tokens` and `influenceStored` (claimed by `caller` against `root`).
    event Claimed(
        address indexed account,
        address indexed caller,
        bytes32 indexed root,
        uint256 tokens,
        uint256 influenceStored
    );

    /// @notice The `token_` given to the constructor was the zero address.
    error ContributionRewardsZeroToken();
    /// @notice The `influence_` ledger given to the constructor was the zero address.
    error ContributionRewardsZeroInfluenceLedger();
    /// @notice The `governance` given to the constructor was the zero address.
    error ContributionRewardsZeroGovernance();
    /// @notice The treasury (constructor or {setTreasury}) was the zero address.
    error ContributionRewardsZeroTreasury();
    /// @notice Policy `field` holds `value`, which is out of its range: `accountCapBps` must be
    /// 1..10000, `challengeWindow` non-zero, `tokenBudget`, `proposerBond` and `challengerBond`
    /// at most 2^96 - 1.
    error ContributionRewardsInvalidPolicy(PolicyField field, uint256 value);
    /// @notice A basis-point value above 10000.
    error ContributionRewardsInvalidBps(uint256 bps);
    /// @notice Only `expected` (the epoch after the last finalized one) can be proposed now.
    error ContributionRewardsEpochOutOfOrder(uint256 epoch, uint256 expected);
    /// @notice `epoch` has not ended yet (`currentEpoch` is running).
    error ContributionRewardsEpochNotEnded(uint256 epoch, uint256 currentEpoch);
    /// @notice The root of `epoch` is still undecided (Proposed or Challenged).
    error ContributionRewardsProposalPending(uint256 epoch);
    /// @notice The proposal was computed under `given`, but `current` is the policy in force.
    error ContributionRewardsPolicyMismatch(bytes32 given, bytes32 current);
    /// @notice A zero root was proposed.
    error ContributionRewardsZeroRoot();
    /// @notice Cumulative totals may never go down.
    error ContributionRewardsCumulativeDecreased(uint256 previous, uint256 proposed);
    /// @notice The epoch would emit `amount` tokens but the budget is `budget`.
    error ContributionRewardsTokenBudgetExceeded(uint256 amount, uint256 budget);
    /// @notice The epoch would award `amount` stored influence but the budget is `budget` (stored units).
    error ContributionRewardsInfluenceBudgetExceeded(uint256 amount, uint256 budget);
    /// @notice `epoch` is not in the status this action needs (`status` is what it is).
    error ContributionRewardsWrongStatus(uint256 epoch, Status status);
    /// @notice The challenge window of the pending root closes at `deadline`.
    error ContributionRewardsChallengeWindowOpen(uint256 deadline);
    /// @notice The challenge window of the pending root closed at `deadline`.
    error ContributionRewardsChallengeWindowClosed(uint256 deadline);
    /// @notice `account` is not a guardian.
    error ContributionRewardsNotGuardian(address account);
    /// @notice No root has been finalized yet.
    error ContributionRewardsNoFinalizedRoot();
    /// @notice The caller expected `expected` but `current` is the newest finalized root.
    error ContributionRewardsRootChanged(bytes32 expected, bytes32 current);
    /// @notice The leaf is not in the current root.
    error ContributionRewardsInvalidProof();
    /// @notice `account` has already received everything this leaf entitles it to.
    error ContributionRewardsNothingToClaim(address account);
    /// @notice Paying this claim would exceed the finalized cumulative totals (a forged root's leaves).
    error ContributionRewardsExceedsFinalizedTotals();
    /// @notice Paying `account` `tokens` and `influenceStored` would exceed the per-account cap of
    /// the epochs finalized since its last claim: it may receive at most `tokenRoom` and
    /// `influenceRoom` (stored units) now.
    error ContributionRewardsAccountCapExceeded(
        address account,
        uint256 tokens,
        uint256 tokenRoom,
        uint256 influenceStored,
        uint256 influenceRoom
    );

    /**
     * @notice Propose the cumulative root after `epoch` (the epoch after the last finalized one,
     * already ended). Pulls the proposer bond with transferFrom (approve or permit first).
     * @param epoch The epoch this root closes.
     * @param root StandardMerkleTree root of the cumulative table after `epoch`.
     * @param cumulativeTokens Sum of all leaves' cumulative tokens.
     * @param cumulativeInfluence Sum of all leaves' cumulative influence, in stored units.
     * @param ledgerURI Where the epoch bundle (ledger, policy, tree.json) is published.
     * @param ledgerHash Content hash of the ledger.
     * @param policyHash Hash of the policy the root was computed with; must be the one in force.
     */
    function proposeRoot(
        uint256 epoch,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        string calldata ledgerURI,
        bytes32 ledgerHash,
        bytes32 policyHash
    ) external;

    /**
     * @notice Dispute the pending root of `epoch` during its window, bonding the challenger bond.
     * @param epoch The epoch whose root is disputed.
     * @param evidenceURI Where the evidence (e.g. a failing `verify` report) is published.
     */
    function challenge(uint256 epoch, string calldata evidenceURI) external;

    /**
     * @notice Governance decides a challenge: upheld rejects the root and slashes the proposer;
     * not upheld finalizes the root and slashes the challenger.
     * @param epoch The challenged epoch.
     * @param upheld Whether the challenge is right (the root is wrong).
     */
    function resolveChallenge(uint256 epoch, bool upheld) external;

    /**
     * @notice Finalize the unchallenged root of `epoch` once its window has passed; anyone may call.
     * @param epoch The pending epoch.
     */
    function finalize(uint256 epoch) external;

    /**
     * @notice Pay `account` what its cumulative leaf in the newest finalized root adds to what it
     * was already paid. Anyone may call; tokens and influence always go to `account`.
     * @param account The leaf's account, receiver of the payout.
     * @param cumulativeTokens The leaf's cumulative tokens.
     * @param cumulativeInfluence The leaf's cumulative influence (stored units).
     * @param proof StandardMerkleTree proof of the leaf.
     * @param expectedRoot The root the proof was built for; bytes32(0) skips the check.
     */
    function claim(
        address account,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        bytes32[] calldata proof,
        bytes32 expectedRoot
    ) external;

    /**
     * @notice {claim} for each of `requests`, skipping the accounts already paid up to their leaf
     * (so that a claim sent first by someone else cannot revert the batch). Still reverts on
     * anything else a single claim reverts on (a bad proof, the cap, the finalized totals).
     * @param requests The leaves and proofs.
     * @param expectedRoot The root the proofs were built for; bytes32(0) skips the check.
     * @return paid How many of `requests` were paid (the others were already paid up).
     */
    function claimMany(ClaimRequest[] calldata requests, bytes32 expectedRoot) external returns (uint256 paid);
}
