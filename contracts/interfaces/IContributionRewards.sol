// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttesterRegistry} from "./IAttesterRegistry.sol";

/**
 * @title IContributionRewards
 * @notice Optimistic, challengeable epoch rewards: anyone with a bond (or only PROPOSER_ROLE, as
 * the policy says) posts the cumulative Merkle root of every ended epoch not yet finalized;
 * guardians may challenge it during a window, which discards it at once and opens a dispute
 * over the two bonds that governance decides before a deadline (or that ends without a verdict,
 * each party paying a fee); anyone may prove an unattested batch in the proposal's ledger
 * commitment, which rejects the root with no vote; contributors claim CommunityToken and
 * Influence against the newest finalized root.
 *
 * Leaves are OpenZeppelin StandardMerkleTree leaves of
 * `(address account, uint256 cumulativeTokens, uint256 cumulativeInfluence)`:
 * `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeTokens, cumulativeInfluence))))`,
 * where `cumulativeInfluence` is in Influence stored (growth-scaled) units.
 *
 * The ledger commitment of a proposal (`ledgerRoot`) is a StandardMerkleTree over one leaf per
 * covered epoch, `keccak256(bytes.concat(keccak256(abi.encode(uint256 epoch, bytes32
 * epochLedgerRoot))))`, where `epochLedgerRoot` is the root of that epoch's attested ledger (a
 * tree of batch leaves, see `Attestations.batchLeaf`).
 */
interface IContributionRewards {
    /// @notice The governed parameters. `policyHash = keccak256(abi.encode(policy))`; the off-chain
    /// engine computes the same hash, so this layout is part of the protocol.
    struct Policy {
        uint256 tokenBudget; // max tokens emitted per epoch
        uint256 influenceBudget; // max influence per epoch (plain influence units, 18 decimals)
        uint32[4] roleWeights; // creator, curator, guardian, participant: weight per point
        uint16 accountCapBps; // max share of an epoch budget for one account, bps 1..10000
        uint64 challengeWindow; // W, seconds (> 0)
        uint256 proposerBond; // b_p, CommunityToken units (> 0) per epoch a root covers
        uint256 challengerBond; // b_c, CommunityToken units (> 0)
        uint64 disputePeriod; // P, seconds governance has to decide a dispute (>= W)
        uint16 disputeFeeBps; // f, bps 1..10000 of its bond each party pays when a dispute ends without a verdict
        bool openProposing; // true: anyone may propose; false: only PROPOSER_ROLE
    }

    /// @notice The fields of {Policy}, in order: which one {ContributionRewardsInvalidPolicy} names.
    enum PolicyField {
        TokenBudget,
        InfluenceBudget,
        RoleWeights,
        AccountCapBps,
        ChallengeWindow,
        ProposerBond,
        ChallengerBond,
        DisputePeriod,
        DisputeFeeBps,
        OpenProposing
    }

    /// @notice What became of the proposal in the pending slot (see the state table of
    /// ContributionRewards): None (never used), Proposed (in its window, or finalizable),
    /// Challenged (discarded by a challenge: a dispute holds the bonds), Rejected (discarded by a
    /// fraud proof) or Finalized. Only Proposed occupies the slot. {epochStatus} answers None,
    /// Proposed or Finalized for an epoch.
    enum Status {
        None,
        Proposed,
        Challenged,
        Rejected,
        Finalized
    }

    /// @notice How a dispute ended.
    enum Verdict {
        Upheld, // governance: the root was wrong (banned for its epoch); the proposer bond is slashed
        NotUpheld, // governance: the challenge was wrong; the challenger bond goes to the treasury
        NoVerdict, // the deadline passed: each party paid the dispute fee
        Proven // an unattested batch was proven in its ledger commitment: as Upheld, with no vote
    }

    /// @notice The proposal in the pending slot. Packed into seven slots.
    struct Proposal {
        bytes32 root;
        bytes32 ledgerRoot; // commitment over the covered epochs' attested ledgers
        address proposer;
        uint40 challengeDeadline; // finalizable from this timestamp on; challengeable before it
        uint48 epoch; // the last covered epoch
        Status status;
        uint48 firstEpoch; // the first covered epoch (nextEpoch when proposed)
        uint96 cumulativeTokens;
        uint96 proposerBond;
        uint208 cumulativeInfluence; // stored units
        uint96 capTokens; // the covered epochs' per-account caps in tokens, at the policy proposed under
        uint208 capInfluence; // the same in stored influence (at most 2^208 - 1: no claim is larger)
    }

    /// @notice A challenged root's bonds and what decides them. Stored only as its hash
    /// (`keccak256(abi.encode(dispute))`, under {disputeKey}); the full record is in
    /// {RootChallenged}, and {resolveDispute}, {settleDispute} and
    /// {proveUnattestedBatchInDispute} take it back and check it against the hash.
    struct Dispute {
        uint48 epoch;
        uint48 firstEpoch;
        bytes32 root;
        bytes32 ledgerRoot;
        address proposer;
        uint96 proposerBond;
        address challenger;
        uint96 challengerBond;
        uint16 rewardBps; // the challenger's share of a slashed proposer bond, fixed when challenged
        uint16 feeBps; // what each party pays without a verdict, fixed when challenged
        uint40 deadline; // governance decides before it; from it on anyone settles
    }

    /// @notice A signed batch of an attester and the two proofs that put it into a proposal's
    /// ledger commitment: the batch leaf in its epoch's ledger tree (`batchProof` against
    /// `epochLedgerRoot`), and that epoch's leaf in the commitment (`ledgerProof`).
    struct BatchProof {
        IAttesterRegistry.Batch batch;
        bytes signature;
        bytes32 epochLedgerRoot;
        bytes32[] batchProof;
        bytes32[] ledgerProof;
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
    /// @notice A successful challenger (or prover) now receives `bps` of the slashed proposer bond.
    event ChallengerRewardUpdated(uint16 bps);
    /// @notice Guardianship is now read from `registry` (zero: only GUARDIAN_ROLE counts).
    event GuardianRegistryUpdated(address indexed registry);

    /// @notice `proposer` bonded `bond` tokens behind `root` as the cumulative state after every
    /// epoch from `firstEpoch` to `epoch`; `ledgerRoot` commits to their attested ledgers and
    /// `attestersHash` is the attester registry's {IAttesterRegistry-logHash} when proposed.
    event RootProposed(
        uint256 indexed epoch,
        address indexed proposer,
        uint256 firstEpoch,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        bytes32 ledgerRoot,
        bytes32 attestersHash,
        string ledgerURI,
        bytes32 policyHash,
        uint256 bond,
        uint256 challengeDeadline
    );
    /// @notice `challenger`, a guardian, disputed the pending root: it is discarded, and
    /// `dispute` (stored as its hash under `key`) holds both bonds until a verdict or its deadline.
    event RootChallenged(
        uint256 indexed epoch,
        address indexed challenger,
        bytes32 indexed key,
        Dispute dispute,
        string evidenceURI
    );
    /// @notice The dispute under `key` (a root of `epoch`) ended with `verdict`; the amounts say
    /// where the bonds went.
    event DisputeEnded(
        bytes32 indexed key,
        uint256 indexed epoch,
        Verdict verdict,
        uint256 toProposer,
        uint256 toChallenger,
        uint256 toTreasury
    );
    /// @notice `prover` proved that `attester`'s batch for `batchEpoch` in the ledger commitment of
    /// the root under `key` is not attested (`status`): the root is rejected and banned with no
    /// vote. `toProver` and `toTreasury` split the proposer bond of a pending root; both are zero
    /// for a disputed root, whose bonds {DisputeEnded} accounts for.
    event UnattestedBatchProven(
        bytes32 indexed key,
        uint256 indexed epoch,
        address indexed prover,
        address attester,
        uint256 batchEpoch,
        IAttesterRegistry.BatchStatus status,
        uint256 toProver,
        uint256 toTreasury
    );
    /// @notice `root` with ledger commitment `ledgerRoot` can never be proposed for `epoch` again.
    event RootBanned(uint256 indexed epoch, bytes32 indexed key, bytes32 root, bytes32 ledgerRoot);
    /// @notice `root` is now the claimable state, covering every epoch from `firstEpoch` to `epoch`.
    event RootFinalized(
        uint256 indexed epoch,
        uint256 firstEpoch,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence
    );
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
    /// @notice The attester registry given to the constructor was the zero address.
    error ContributionRewardsZeroAttesterRegistry();
    /// @notice The treasury (constructor or {setTreasury}) was the zero address.
    error ContributionRewardsZeroTreasury();
    /// @notice Policy `field` holds `value`, which is out of its range: `accountCapBps` and
    /// `disputeFeeBps` must be 1..10000, `challengeWindow` non-zero, `disputePeriod` at least
    /// `challengeWindow`, both bonds non-zero, and `tokenBudget`, `proposerBond` and
    /// `challengerBond` at most 2^96 - 1.
    error ContributionRewardsInvalidPolicy(PolicyField field, uint256 value);
    /// @notice A challenger reward of `bps`: it must stay below 10000 (so that an upheld
    /// self-dispute still costs its proposer).
    error ContributionRewardsInvalidBps(uint256 bps);
    /// @notice `epoch` is already finalized: `expected` is the first epoch without a root.
    error ContributionRewardsEpochOutOfOrder(uint256 epoch, uint256 expected);
    /// @notice `epoch` has not ended yet (`currentEpoch` is running).
    error ContributionRewardsEpochNotEnded(uint256 epoch, uint256 currentEpoch);
    /// @notice A proposal for `epoch` occupies the slot: challenge it, or finalize it once its
    /// window closes at `deadline`, before proposing.
    error ContributionRewardsProposalPending(uint256 epoch, uint256 deadline);
    /// @notice The proposal was computed under `given`, but `current` is the policy in force.
    error ContributionRewardsPolicyMismatch(bytes32 given, bytes32 current);
    /// @notice A zero root was proposed.
    error ContributionRewardsZeroRoot();
    /// @notice Cumulative totals may never go down.
    error ContributionRewardsCumulativeDecreased(uint256 previous, uint256 proposed);
    /// @notice The covered epochs would emit `amount` tokens but their budgets sum to `budget`.
    error ContributionRewardsTokenBudgetExceeded(uint256 amount, uint256 budget);
    /// @notice The covered epochs would award `amount` stored influence but their budgets sum to
    /// `budget` (stored units, each epoch at its growth).
    error ContributionRewardsInfluenceBudgetExceeded(uint256 amount, uint256 budget);
    /// @notice `epoch` is not in the status this action needs (`status` is what it is).
    error ContributionRewardsWrongStatus(uint256 epoch, Status status);
    /// @notice The pending slot holds no proposal of `root` for `epoch` (another one, or none).
    error ContributionRewardsNotPending(uint256 epoch, bytes32 root);
    /// @notice The challenge window of the pending root closes at `deadline`.
    error ContributionRewardsChallengeWindowOpen(uint256 deadline);
    /// @notice The challenge window of the pending root closed at `deadline`.
    error ContributionRewardsChallengeWindowClosed(uint256 deadline);
    /// @notice `account` is not a guardian.
    error ContributionRewardsNotGuardian(address account);
    /// @notice `guardian` already challenged this root with this ledger commitment for this epoch (`key`).
    error ContributionRewardsAlreadyChallenged(address guardian, bytes32 key);
    /// @notice This root with this ledger commitment is banned for its epoch (`key`).
    error ContributionRewardsRootBanned(bytes32 key);
    /// @notice This root with this ledger commitment is under an undecided dispute for its epoch (`key`).
    error ContributionRewardsRootDisputed(bytes32 key);
    /// @notice The dispute record given is not the undecided dispute under `key` (decided,
    /// settled, or a record that differs from the one {RootChallenged} logged).
    error ContributionRewardsUnknownDispute(bytes32 key);
    /// @notice Governance can no longer decide the dispute under `key`: its deadline `deadline` passed.
    error ContributionRewardsDisputeExpired(bytes32 key, uint256 deadline);
    /// @notice The dispute under `key` is open for a verdict until `deadline`.
    error ContributionRewardsDisputeOpen(bytes32 key, uint256 deadline);
    /// @notice A batch of `batchEpoch` is not one of the covered epochs `firstEpoch..epoch`.
    error ContributionRewardsBatchNotCovered(uint256 batchEpoch, uint256 firstEpoch, uint256 epoch);
    /// @notice The epoch ledger root is not in the proposal's ledger commitment.
    error ContributionRewardsInvalidLedgerProof();
    /// @notice The batch is not in the epoch ledger root.
    error ContributionRewardsInvalidBatchProof();
    /// @notice The batch is not provably unattested: the registry judges it `status` (Valid or
    /// OverBudget, which go through a challenge; or BadSignature of a contract attester, whose
    /// ERC-1271 answer can change and goes through a challenge too).
    error ContributionRewardsBatchNotProvable(address attester, IAttesterRegistry.BatchStatus status);
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
    /// @notice Paying `account` `tokens` and `influenceStored` would take its claimed total past
    /// the per-account caps of every finalized epoch: it may receive at most `tokenRoom` and
    /// `influenceRoom` (stored units) now.
    error ContributionRewardsAccountCapExceeded(
        address account,
        uint256 tokens,
        uint256 tokenRoom,
        uint256 influenceStored,
        uint256 influenceRoom
    );

    /**
     * @notice Propose the cumulative root after `epoch`, covering every ended epoch from
     * `nextEpoch` to `epoch` (a catch-up root when more than one). Pulls the proposer bond,
     * `proposerBond` times the number of epochs covered, with transferFrom (approve or permit
     * first): a root that can pay n budgets stakes n bonds.
     * @param epoch The last epoch this root closes (ended: below the current epoch).
     * @param root StandardMerkleTree root of the cumulative table after `epoch`.
     * @param cumulativeTokens Sum of all leaves' cumulative tokens.
     * @param cumulativeInfluence Sum of all leaves' cumulative influence, in stored units.
     * @param ledgerRoot The ledger commitment over the covered epochs (see the interface notice;
     * zero for unattested, draft ledgers).
     * @param ledgerURI Where the bundles (ledgers, attestations, policy, trees) are published.
     * @param policyHash Hash of the policy the root was computed with; must be the one in force.
     */
    function proposeRoot(
        uint256 epoch,
        bytes32 root,
        uint256 cumulativeTokens,
        uint256 cumulativeInfluence,
        bytes32 ledgerRoot,
        string calldata ledgerURI,
        bytes32 policyHash
    ) external;

    /**
     * @notice Dispute the pending root during its window, bonding the challenger bond. The root is
     * discarded at once and its epochs can be proposed again; a dispute holds both bonds.
     * @param epoch The pending proposal's (last) epoch.
     * @param root The pending proposal's root: naming it makes sure a challenge never lands on
     * another root proposed in the meantime.
     * @param evidenceURI Where the evidence (e.g. a failing `verify` report) is published.
     */
    function challenge(uint256 epoch, bytes32 root, string calldata evidenceURI) external;

    /**
     * @notice Governance decides a dispute before its deadline: upheld bans the root for its epoch
     * and slashes the proposer bond; not upheld slashes the challenger bond.
     * @param dispute The record {RootChallenged} logged.
     * @param upheld Whether the challenge is right (the root is wrong).
     */
    function resolveDispute(Dispute calldata dispute, bool upheld) external;

    /**
     * @notice End a dispute that governance did not decide by its deadline: each party pays the
     * dispute fee (`feeBps` of its bond, rounded up: never zero) to the treasury and gets the
     * rest of its bond back. Anyone may call.
     * @param dispute The record {RootChallenged} logged.
     */
    function settleDispute(Dispute calldata dispute) external;

    /**
     * @notice Prove that the pending proposal's ledger commitment holds a batch its signer could
     * not attest (not an attester in that epoch, or an EOA attester's invalid signature): the
     * root is rejected and banned for its epoch, the proposer bond slashed, the caller rewarded.
     * @param epoch The pending proposal's (last) epoch.
     * @param root The pending proposal's root.
     * @param proof The batch and its two inclusion proofs.
     */
    function proveUnattestedBatch(uint256 epoch, bytes32 root, BatchProof calldata proof) external;

    /**
     * @notice {proveUnattestedBatch} against an undecided dispute's root: it ends the dispute as
     * upheld, with no vote (the challenger gets its bond back and the reward).
     * @param dispute The record {RootChallenged} logged.
     * @param proof The batch and its two inclusion proofs.
     */
    function proveUnattestedBatchInDispute(Dispute calldata dispute, BatchProof calldata proof) external;

    /**
     * @notice The hash of the undecided dispute of `root` with ledger commitment `ledgerRoot` for
     * `epoch` (`keccak256(abi.encode(dispute))`), or zero if there is none.
     * @param epoch The disputed proposal's (last) epoch.
     * @param root The disputed root.
     * @param ledgerRoot The disputed proposal's ledger commitment.
     */
    function disputeHash(uint256 epoch, bytes32 root, bytes32 ledgerRoot) external view returns (bytes32);

    /**
     * @notice Finalize the unchallenged pending root of `epoch` once its window has passed, and
     * with it every epoch it covers; anyone may call.
     * @param epoch The pending proposal's (last) epoch.
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
