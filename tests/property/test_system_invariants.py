"""System invariants under random operation (hypothesis stateful testing against the EVM).

A state machine drives the whole system, handed over to the timelock, through random sequences
of: awards recorded in the next epoch's ledger, honest and padded root proposals by the bonded
proposer or any member (open proposing), single-epoch or catch-up (trees built with
``communis.engine.merkle``), challenges (the root is discarded into a dispute), dispute
resolutions and parameter changes through the governor and the timelock (propose, vote, queue,
execute; the dispute's parties never vote), disputes settled without a verdict at their
deadline, finalizations, claims (single and batched), delegations, attempts by non-governance
accounts to change parameters, and time passing (decay).

After every step it checks:

1. token supply == genesis + everything claimed, and <= cap;
2. stored influence total == the finalized cumulative influence (credited at finalization,
   claimed or not) >= the sum of the stored balances of every account the machine touched
   (== the sum of the votes of their delegates) == the influence claimed;
3. no account has been paid more than its cumulative leaf in the newest finalized table, nor
   more than the per-account caps of the finalized epochs, and each account's room under the cap
   is those caps minus what it was paid (a claim beyond it reverts);
4. no epoch emitted more than its budget (tokens and stored influence), and the contract never
   paid out more than it finalized;
5. every parameter equals the model's, which changes only when a proposal executes through the
   timelock (and every direct attempt reverted);
6. at every past proposal snapshot the governor's tally is the stored units of the voters divided
   by the snapshot's growth, and the outcome (for > against, quorum) from those stored units is the
   same at the snapshot's epoch and after years of decay, unless within rounding of a tie;
7. bounded time: the pending proposal finalizes at its proposal time + W, every undecided dispute
   ends at its challenge time + P (the rules finalize and settle exactly then, with no vote);
8. bonds conserved: the contract holds exactly the pending proposal's bond (one proposer bond
   per epoch it covers) plus both bonds of every undecided dispute;
9. no payout from a challenged root: the finalized root is never one under an undecided dispute
   nor a banned one, and a banned or disputed root is refused when proposed again.

CI runs a bounded, derandomized run on both EVMs; ``COMMUNIS_FUZZ_EXAMPLES=<n>`` (and
optionally ``COMMUNIS_FUZZ_STEPS``) raises the budget for a longer, randomized run.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

import ape
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from communis.engine.growth import ONE, growth, to_influence, to_stored
from communis.engine.policy import BPS
from tests.helpers.constants import (
    ABSTAIN,
    AGAINST,
    APPLICATION_THRESHOLD,
    CHALLENGER_REWARD_BPS,
    EXECUTED,
    FOR,
    GENESIS_SUPPLY,
    HALF_LIFE,
    POLICY,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    SUCCEEDED,
    SUPPLY_CAP,
    TOKEN,
    VOTING_DELAY,
    VOTING_PERIOD,
    WEEK,
)
from tests.helpers.epochs import Epoch, dispute_hash, dispute_of
from tests.helpers.epochs import cumulative as build_epoch
from tests.helpers.epochs import propose as propose_as
from tests.helpers.governance import propose
from tests.helpers.read_batch import ReadBatch, batched_invariants
from tests.helpers.system import Full, claim, earn, end_epoch
from tests.helpers.time import travel

EXAMPLES = int(os.environ.get("COMMUNIS_FUZZ_EXAMPLES", "0"))
STEPS = int(os.environ.get("COMMUNIS_FUZZ_STEPS", "0"))
LONG = EXAMPLES > 0
CI_SETTINGS = settings(
    max_examples=EXAMPLES or 12,
    stateful_step_count=STEPS or (40 if LONG else 15),
    derandomize=not LONG,
    # Shrinking replays whole EVM histories (minutes); CI reports the failing run unshrunk.
    phases=list(Phase) if LONG else [p for p in Phase if p != Phase.shrink],
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
OPENINGS = 6  # how an example starts (see System.start)
PROPOSED = 1
W, PROPOSER_BOND, CHALLENGER_BOND, DISPUTE_PERIOD = POLICY[4], POLICY[5], POLICY[6], POLICY[7]
NOBODY = to_checksum_address("0x" + "de" * 20)  # a fake account a padded root pays
CAP_TOKENS = POLICY[0] * POLICY[3] // BPS  # the per-account cap of one epoch
CAP_INFLUENCE = POLICY[1] * POLICY[3] // BPS  # (plain units)


def epoch_cap(epoch: int) -> tuple[int, int]:
    """The per-account cap of ``epoch``: tokens, and influence in stored units."""
    return CAP_TOKENS, to_stored(CAP_INFLUENCE, epoch, HALF_LIFE)


@dataclass
class Vote:
    voter: str
    support: int


@dataclass
class Open:
    """An undecided dispute: its record (as resolveDispute takes it), whether the root was
    honest, and when it was challenged."""

    record: list
    honest: bool
    challenged_at: int

    @property
    def key(self) -> tuple[int, bytes]:
        return self.record[0], bytes(self.record[2])

    @property
    def parties(self) -> set[str]:
        return {str(self.record[4]).lower(), str(self.record[6]).lower()}


@dataclass
class Recorded:
    """A governor proposal the machine voted on: its snapshot and who voted what."""

    id: int
    snapshot: int
    votes: list[Vote] = field(default_factory=list)


def decision(for_votes: int, against: int, abstain: int, total: int) -> bool:
    return for_votes > against and (for_votes + abstain) * 100 >= total * QUORUM_PERCENT


class System(RuleBasedStateMachine):
    """Random operation of one freshly deployed system (the chain is reverted per example)."""

    # Set by the test before the machine runs.
    chain = None
    full: Full = None
    base = None
    members: ClassVar[list] = []
    cheater = None  # the bonded proposer, which a padded root also pays
    outsiders: ClassVar[list] = []
    roles: ClassVar[tuple] = ()  # MINTER, AWARDER, GOVERNOR (rewards), PROPOSER (timelock)
    seen: ClassVar[Counter] = Counter()  # what the run did, over all examples
    bootstrap: Epoch = None  # epoch 0, finalized and claimed before the base snapshot
    bootstrap_emission: tuple = ()
    opening: ClassVar[int | None] = None  # pinned by the fixed-seed run, drawn otherwise

    def __init__(self) -> None:
        super().__init__()
        self.seen["examples"] += 1
        chain = type(self).chain
        chain.restore(type(self).base)
        type(self).base = chain.snapshot()
        self.draft: dict[str, tuple[int, int]] = {}
        # Every example starts after epoch 0: members earned influence (claimed), so governance
        # can act from the first step.
        self.finalized: Epoch | None = self.bootstrap
        self.pending: Epoch | None = None
        self.pending_honest = True
        self.pending_first = 0  # the first epoch the pending root covers
        self.pending_at = 0  # when it was proposed
        self.disputes: list[Open] = []
        self.banned: set[tuple[int, bytes]] = set()
        self.claimed: dict[str, tuple[int, int]] = dict(self.bootstrap.table)
        # cap_sums[n]: the sum of the per-account caps of the first n finalized epochs.
        self.cap_sums: list[tuple[int, int]] = [(0, 0), epoch_cap(0)]
        # epoch, tokens, stored influence, token budget, influence budget (stored)
        self.emissions: list[tuple[int, int, int, int, int]] = [self.bootstrap_emission]
        self.delegate_of: dict[str, str] = {}
        self.params = self.read_params()
        self.recorded: list[Recorded] = []
        self.steps = 0

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def f(self) -> Full:
        return type(self).full

    @property
    def accounts(self) -> list:
        return [*self.members, self.cheater]

    def now(self) -> int:
        return self.chain.blocks.head.timestamp

    def next_epoch(self) -> int:
        return 0 if self.finalized is None else self.finalized.number + 1

    def read_params(self) -> dict:
        f = self.f
        return {
            "policyHash": bytes(f.rewards.policyHash()),
            "treasury": f.rewards.treasury(),
            "challengerRewardBps": f.rewards.challengerRewardBps(),
            "guardianRegistry": f.rewards.guardianRegistry(),
            "applicationThreshold": f.registry.applicationThreshold(),
            "proposalThreshold": f.governor.proposalThreshold(),
            "votingDelay": f.governor.votingDelay(),
            "votingPeriod": f.governor.votingPeriod(),
            "quorumNumerator": f.governor.quorumNumerator(),
            "registryOwner": f.registry.owner(),
            "guardianCount": f.registry.guardianCount(),
        }

    def eligible_proposer(self):
        """A member whose votes now reach the proposal threshold (with room for the decay of
        crossing an epoch boundary before the proposal lands), if any. The governor counts the
        votes of the second before the proposal's block. That block's timestamp is the head's or
        later (anvil may mine it at the head's), so both the votes of the second before the head
        and the votes as of the head (after a delegation or a claim mined in it) must reach it."""
        clock = self.now()
        for account in self.accounts:
            before = self.f.governor.getVotes(account, clock - 1)
            if min(before, self.f.influence.getVotes(account)) >= PROPOSAL_THRESHOLD * 11 // 10:
                return account
        return None

    def govern(
        self, actions, description: str, supports: list[int], barred: set[str] = frozenset()
    ) -> bool:
        """Propose ``actions``, vote with every account (``supports`` cycled) except the
        ``barred`` ones (whose votes must be refused), and queue and execute if it passed.
        Returns whether it executed."""
        governor = self.f.governor
        proposer = self.eligible_proposer()
        assert proposer is not None
        description = f"{description} #{self.steps}"
        proposal = propose(governor, proposer, actions, description)
        record = Recorded(proposal.id, governor.proposalSnapshot(proposal.id))
        travel(self.chain, record.snapshot + 1)
        for index, voter in enumerate(self.accounts):
            support = supports[index % len(supports)]
            if voter.address.lower() in barred:
                with ape.reverts(governor.InfluenceGovernorDisputeParty):
                    governor.castVote(proposal.id, support, sender=voter)
                self.seen["party's vote refused"] += 1
                continue
            governor.castVote(proposal.id, support, sender=voter)
            record.votes.append(Vote(voter.address, support))
        self.recorded.append(record)
        self.seen["votes cast"] += len(record.votes)
        travel(self.chain, governor.proposalDeadline(proposal.id) + 1)
        if governor.state(proposal.id) != SUCCEEDED:
            return False
        governor.queue(*proposal.args, sender=self.outsiders[0])
        travel(self.chain, governor.proposalEta(proposal.id) + 1)
        governor.execute(*proposal.args, sender=self.outsiders[0])
        assert governor.state(proposal.id) == EXECUTED
        self.seen["executed through the timelock"] += 1
        return True

    # -- rules -----------------------------------------------------------------------------------

    @initialize(drawn=st.integers(0, OPENINGS - 1))
    def start(self, drawn: int) -> None:
        """Start after a parameter change executed through the governor and the timelock, with
        an honest root in its window, with a padded root under an undecided dispute, after a
        catch-up root was finalized and claimed, after a dispute nobody decided was settled at its
        deadline, or after nobody challenged a padded root and the cheater's claim beyond its cap
        was refused; the random steps continue from there. A long run draws the opening; the
        fixed-seed run pins each in turn (:attr:`opening`), so that it reaches every part of the
        game whatever its random steps do. The opening is never read from state outside the
        example, which would make hypothesis's replays diverge."""
        self.steps += 1
        opening = drawn if self.opening is None else self.opening
        if opening == 0:
            self.change_parameter("challengerRewardBps", 5_000, [FOR])
        elif opening == 1:
            self.award(member=0, tokens=100, influence=10)
            self.propose_root(padded=False, catch_up=False, by=3)
        elif opening == 2:
            self.propose_root(padded=True, catch_up=False, by=3)
            self.challenge()
        elif opening == 3:
            self.award(member=1, tokens=200, influence=20)
            self.propose_root(padded=False, catch_up=True, by=0)
            self.finalize()
            self.claim_all()
        elif opening == 4:
            self.propose_root(padded=True, catch_up=False, by=2)
            self.challenge()
            self.settle(which=0)
        elif opening == 5:
            self.propose_root(padded=True, catch_up=False, by=2)
            self.finalize()
            self.claim(who=len(self.members), by=0)  # the cheater

    def teardown(self) -> None:
        self.seen["steps"] += self.steps

    @rule(
        member=st.integers(0, 2),
        tokens=st.integers(0, 4_000),
        influence=st.integers(0, 400),
    )
    def award(self, member: int, tokens: int, influence: int) -> None:
        """Record a contribution in the next epoch's ledger (off chain), capped per account and
        epoch as the engine caps it (only a padded root pays beyond the cap)."""
        self.steps += 1
        account = self.members[member].address
        old = self.draft.get(account, (0, 0))
        self.draft[account] = (
            min(old[0] + tokens * TOKEN, CAP_TOKENS),
            min(old[1] + influence * TOKEN, CAP_INFLUENCE),
        )

    @precondition(lambda self: self.pending is None)
    @rule(padded=st.booleans(), catch_up=st.booleans(), by=st.integers(0, 3))
    def propose_root(self, padded: bool, catch_up: bool, by: int) -> None:
        """A root for the next epoch, or a catch-up root covering it and the one after, by the
        bonded proposer or any member (open proposing)."""
        self.steps += 1
        first = self.next_epoch()
        number = first + (1 if catch_up else 0)
        awards = dict(self.draft)
        if padded:  # pay an account nobody earned anything for, and the cheater beyond its cap
            awards[NOBODY] = (1_000 * TOKEN, 100 * TOKEN)
            awards[self.cheater.address] = (self.beyond_the_cap(first, number, awards), 100 * TOKEN)
        epoch = build_epoch(number, awards, self.finalized)
        end_epoch(self.chain, self.f, number)
        rewards = self.f.rewards
        proposer = self.accounts[by]
        previous = self.finalized.totals
        tokens = epoch.totals[0] - previous[0]
        stored = epoch.totals[1] - previous[1]
        budget = sum(int(rewards.influenceBudgetStored(e)) for e in range(first, number + 1))
        key = (number, bytes(epoch.root))
        if tokens > POLICY[0] * (number - first + 1) or stored > budget:
            with ape.reverts():
                propose_as(rewards, epoch, proposer)
            self.draft.clear()  # over budget: the ledger is rejected, the epoch stays open
            return
        if key in self.banned:
            with ape.reverts(rewards.ContributionRewardsRootBanned):
                propose_as(rewards, epoch, proposer)
            self.seen["banned root refused"] += 1
            return
        if any(d.key == key for d in self.disputes):
            with ape.reverts(rewards.ContributionRewardsRootDisputed):
                propose_as(rewards, epoch, proposer)
            self.seen["disputed root refused"] += 1
            return
        receipt = propose_as(rewards, epoch, proposer)
        self.pending, self.pending_honest = epoch, not padded
        self.pending_first, self.pending_at = first, receipt.timestamp
        self.seen["root proposed"] += 1
        self.seen["catch-up root proposed"] += int(catch_up)

    @precondition(lambda self: self.pending is not None)
    @rule()
    def challenge(self) -> None:
        """The guardian challenges the pending root (if it has not challenged this root
        before): it is discarded at once, whatever governance later does."""
        self.steps += 1
        rewards, pending = self.f.rewards, self.pending
        if self.now() + 1 >= rewards.pendingProposal().challengeDeadline:
            return
        if rewards.challengedBy(pending.number, pending.root, pending.ledger_root, self.f.guardian):
            with ape.reverts(rewards.ContributionRewardsAlreadyChallenged):
                rewards.challenge(pending.number, pending.root, "", sender=self.f.guardian)
            return
        receipt = rewards.challenge(
            pending.number, pending.root, "ipfs://report", sender=self.f.guardian
        )
        record = dispute_of(receipt, rewards)
        self.disputes.append(Open(record, self.pending_honest, receipt.timestamp))
        self.pending = None
        self.seen["challenged"] += 1

    @precondition(lambda self: self.disputes)
    @rule(which=st.integers(0, 3), against=st.booleans())
    def resolve(self, which: int, against: bool) -> None:
        """Governance decides a dispute before its deadline: upheld if the root was padded (the
        honest majority votes so), unless the dice make the members vote against the verdict.
        The dispute's parties cannot vote."""
        self.steps += 1
        dispute = self.disputes[which % len(self.disputes)]
        governor = self.f.governor
        path = governor.votingDelay() + governor.votingPeriod() + self.f.timelock.getMinDelay()
        if self.eligible_proposer() is None or self.now() + path + 3 >= dispute.record[10]:
            return  # too late for a verdict: the dispute can only be settled
        upheld = not dispute.honest
        action = [(self.f.rewards, "resolveDispute", (dispute.record, upheld))]
        supports = [AGAINST] if against else [FOR, FOR, ABSTAIN]
        if not self.govern(action, "resolve", supports, barred=dispute.parties):
            return
        self.disputes.remove(dispute)
        if upheld:
            self.banned.add(dispute.key)
        self.seen["dispute decided"] += 1

    @precondition(lambda self: self.disputes)
    @rule(which=st.integers(0, 3))
    def settle(self, which: int) -> None:
        """Nobody decided: at its deadline anyone ends the dispute, each party paying the fee."""
        self.steps += 1
        dispute = self.disputes[which % len(self.disputes)]
        travel(self.chain, dispute.record[10])
        self.f.rewards.settleDispute(dispute.record, sender=self.outsiders[0])
        self.disputes.remove(dispute)
        self.seen["dispute settled"] += 1

    @precondition(lambda self: self.pending is not None)
    @rule()
    def finalize(self) -> None:
        self.steps += 1
        travel(self.chain, self.f.rewards.pendingProposal().challengeDeadline)
        self.f.rewards.finalize(self.pending.number, sender=self.outsiders[0])
        self.record_finalized()

    def record_finalized(self) -> None:
        rewards = self.f.rewards
        epoch = self.pending
        covered = range(self.pending_first, epoch.number + 1)
        previous = self.finalized.totals
        tokens, stored = (int(x) for x in rewards.finalizedTotals())
        self.emissions.append(
            (
                epoch.number,
                tokens - previous[0],
                stored - previous[1],
                int(POLICY[0]) * len(covered),
                sum(int(rewards.influenceBudgetStored(e)) for e in covered),
            )
        )
        self.finalized, self.pending = epoch, None
        last = self.cap_sums[-1]
        caps = [epoch_cap(e) for e in covered]
        self.cap_sums.append((last[0] + sum(c[0] for c in caps), last[1] + sum(c[1] for c in caps)))
        self.draft.clear()
        self.seen["finalized"] += 1

    def beyond_the_cap(self, first: int, number: int, awards: dict) -> int:
        """What a padded root awards the cheater in tokens: one base unit above every cap it
        could reach once the root finalizes (so its claim must be refused, I6) when the root's
        budget has room for that; otherwise one epoch's cap and a token more (the padded root
        is still within budget and can be challenged or proven)."""
        epochs = number - first + 1
        caps_after = self.cap_sums[-1][0] + CAP_TOKENS * epochs
        had = self.finalized.table.get(self.cheater.address, (0, 0))[0] if self.finalized else 0
        room = POLICY[0] * epochs - sum(tokens for tokens, _ in awards.values())
        beyond = caps_after - had + 1
        return beyond if beyond <= room else CAP_TOKENS + TOKEN

    def owed(self, account: str) -> bool:
        if self.finalized is None or account not in self.finalized.table:
            return False
        leaf = self.finalized.leaf(account)
        paid = self.claimed.get(account, (0, 0))
        return leaf[0] > paid[0] or leaf[1] > paid[1]

    def room(self, account: str) -> tuple[int, int]:
        """What the cap lets ``account`` be paid now: the caps of every finalized epoch minus
        what it was paid."""
        now, paid = self.cap_sums[-1], self.claimed.get(account, (0, 0))
        return now[0] - paid[0], now[1] - paid[1]

    def within_cap(self, account: str) -> bool:
        leaf = self.finalized.leaf(account)
        paid = self.claimed.get(account, (0, 0))
        room = self.room(account)
        return max(leaf[0] - paid[0], 0) <= room[0] and max(leaf[1] - paid[1], 0) <= room[1]

    def paid(self, account: str) -> None:
        self.claimed[account] = self.finalized.leaf(account)

    @precondition(lambda self: self.finalized is not None)
    @rule(who=st.integers(0, 3), by=st.integers(0, 3))
    def claim(self, who: int, by: int) -> None:
        self.steps += 1
        account, sender = self.accounts[who], self.accounts[by]
        if not self.owed(account.address):
            with ape.reverts():
                self.try_claim(account, sender)
            return
        if not self.within_cap(account.address):
            with ape.reverts(self.f.rewards.ContributionRewardsAccountCapExceeded):
                claim(self.f, self.finalized, account, sender)
            self.seen["claim beyond the cap refused"] += 1
            return
        claim(self.f, self.finalized, account, sender, expected_root=self.finalized.root)
        self.paid(account.address)
        self.seen["claimed"] += 1

    def try_claim(self, account, sender) -> None:
        if self.finalized is not None and account.address in self.finalized.table:
            claim(self.f, self.finalized, account, sender)
        else:  # not in the table: the best an account can do is a forged leaf
            self.f.rewards.claim(account, TOKEN, 0, [], b"\0" * 32, sender=sender)

    @precondition(lambda self: self.finalized is not None)
    @rule()
    def claim_all(self) -> None:
        """The batch claim of `ape run epoch claim`: one claimMany for every account in the
        table within its cap, those already paid up included (skipped, not reverted)."""
        self.steps += 1
        batch = [a for a in self.finalized.table if a != NOBODY and self.within_cap(a)]
        due = [a for a in batch if self.owed(a)]
        if not due:
            return
        rewards = self.f.rewards
        requests = [(a, *self.finalized.leaf(a), self.finalized.proof(a)) for a in batch]
        receipt = rewards.claimMany(requests, self.finalized.root, sender=self.outsiders[0])
        assert [str(e.account) for e in receipt.events.filter(rewards.Claimed)] == due
        for a in due:
            self.paid(a)
        self.seen["claimed"] += len(due)
        self.seen["paid-up accounts skipped in a batch"] += len(batch) - len(due)

    @rule(who=st.integers(0, 3), to=st.integers(0, 3))
    def delegate(self, who: int, to: int) -> None:
        self.steps += 1
        account, delegatee = self.accounts[who], self.accounts[to]
        self.f.influence.invoke_transaction("delegate", delegatee, sender=account)
        self.delegate_of[account.address] = delegatee.address

    @rule(
        which=st.sampled_from(["applicationThreshold", "challengerRewardBps"]),
        value=st.integers(0, 9_999),  # 10000 is refused: an upheld self-dispute must cost
        supports=st.lists(st.sampled_from([FOR, AGAINST, ABSTAIN]), min_size=1, max_size=4),
    )
    def change_parameter(self, which: str, value: int, supports: list[int]) -> None:
        """A parameter change through the governor and the timelock (passes or not)."""
        self.steps += 1
        if self.pending is not None or self.eligible_proposer() is None:
            return
        target = (
            (self.f.registry, "setApplicationThreshold", (value * TOKEN // 100,))
            if which == "applicationThreshold"
            else (self.f.rewards, "setChallengerRewardBps", (value,))
        )
        if self.govern([target], f"set {which}", supports):
            self.params[which] = target[2][0]

    @rule(who=st.integers(0, 4), which=st.integers(0, 5))
    def unauthorized_change(self, who: int, which: int) -> None:
        self.steps += 1
        someone = [*self.accounts, self.f.guardian][who]
        f = self.f
        call = [
            lambda: f.rewards.setPolicy(POLICY, sender=someone),
            lambda: f.rewards.setTreasury(someone, sender=someone),
            lambda: f.rewards.setChallengerRewardBps(1, sender=someone),
            lambda: f.registry.setApplicationThreshold(1, sender=someone),
            lambda: f.governor.setProposalThreshold(1, sender=someone),
            lambda: f.rewards.grantRole(f.rewards.PROPOSER_ROLE(), someone, sender=someone),
        ][which]
        with ape.reverts():
            call()

    @rule(days=st.integers(1, 120))
    def wait(self, days: int) -> None:
        self.steps += 1
        travel(self.chain, self.now() + days * 24 * 3600)

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def supply_is_genesis_plus_claims(self) -> None:
        token, rewards = self.f.token, self.f.rewards
        claimed_tokens = sum(t for t, _ in self.claimed.values())
        supply = token.totalSupply()
        assert supply == GENESIS_SUPPLY + claimed_tokens <= SUPPLY_CAP
        assert rewards.totalClaimed()[0] == claimed_tokens

    @invariant()
    def influence_total_is_everything_finalized(self) -> None:
        influence = self.f.influence
        touched = [a.address for a in self.accounts] + [NOBODY]
        balances = sum(influence.storedBalanceOf(a) for a in touched)
        total = influence.storedTotalSupply()
        finalized = sum(e[2] for e in self.emissions)
        assert total == finalized == self.f.rewards.finalizedTotals()[1]
        assert balances == sum(s for _, s in self.claimed.values()) <= total
        delegates = {self.delegate_of.get(a, a) for a in touched}
        assert sum(influence.getStoredVotes(d) for d in delegates) == balances

    @invariant()
    def nobody_paid_beyond_the_cap(self) -> None:
        rewards = self.f.rewards
        caps = self.cap_sums[-1]
        assert tuple(int(x) for x in rewards.cumulativeAccountCap()) == caps
        for account in [a.address for a in self.accounts] + [NOBODY]:
            paid = self.claimed.get(account, (0, 0))
            assert paid[0] <= caps[0] and paid[1] <= caps[1]
            assert tuple(int(x) for x in rewards.accountCapRoom(account)) == self.room(account)

    @invariant()
    def nobody_paid_more_than_its_leaf(self) -> None:
        rewards = self.f.rewards
        for account in [a.address for a in self.accounts] + [NOBODY]:
            paid = tuple(int(x) for x in rewards.claimed(account))
            assert paid == self.claimed.get(account, (0, 0))
            leaf = (0, 0)
            if self.finalized is not None and account in self.finalized.table:
                leaf = self.finalized.leaf(account)
            assert paid[0] <= leaf[0] and paid[1] <= leaf[1]

    @invariant()
    def no_epoch_above_its_budget(self) -> None:
        rewards = self.f.rewards
        for _, tokens, stored, token_budget, influence_budget in self.emissions:
            assert 0 <= tokens <= token_budget and 0 <= stored <= influence_budget
        finalized = rewards.finalizedTotals()
        claimed = rewards.totalClaimed()
        assert claimed[0] <= finalized[0] and claimed[1] <= finalized[1]
        assert finalized[0] == sum(e[1] for e in self.emissions)
        assert finalized[1] == sum(e[2] for e in self.emissions)

    @invariant()
    def only_the_timelock_changed_parameters(self) -> None:
        assert self.read_params() == self.params
        f = self.f
        minter, awarder, governor, proposer = type(self).roles
        for account in [*self.accounts, f.guardian]:
            assert not f.token.hasRole(minter, account)
            assert not f.influence.hasRole(awarder, account)
            assert not f.rewards.hasRole(governor, account)
            assert not f.timelock.hasRole(proposer, account)

    @invariant()
    def bounded_time(self) -> None:
        """Every deadline is fixed when its state begins: nothing waits on governance."""
        rewards = self.f.rewards
        if self.pending is not None:
            assert rewards.pendingProposal().challengeDeadline == self.pending_at + W
        for d in self.disputes:
            assert d.record[10] == d.challenged_at + DISPUTE_PERIOD
            assert rewards.disputeHash(*d.key, d.record[3]) == dispute_hash(d.record)

    @invariant()
    def bonds_conserved(self) -> None:
        held = 0
        if self.pending is not None:  # one proposer bond per covered epoch (I11)
            held = PROPOSER_BOND * (self.pending.number - self.pending_first + 1)
        held += sum(d.record[5] + d.record[7] for d in self.disputes)
        assert self.f.token.balanceOf(self.f.rewards) == held

    @invariant()
    def no_payout_from_a_challenged_root(self) -> None:
        final = (self.finalized.number, bytes(self.finalized.root))
        assert final not in self.banned
        assert all(d.key != final for d in self.disputes)
        assert bytes(self.f.rewards.currentRoot()) == bytes(self.finalized.root)
        if self.pending is None:
            assert self.f.rewards.pendingProposal().status != PROPOSED

    @invariant()
    def outcomes_at_a_snapshot_survive_decay(self) -> None:
        influence, governor = self.f.influence, self.f.governor
        later = int(influence.currentEpoch()) + 2 * HALF_LIFE
        for record in self.recorded:
            s = record.snapshot
            epoch = int(influence.epochAt(s))
            stored = {FOR: 0, AGAINST: 0, ABSTAIN: 0}
            for vote in record.votes:
                stored[vote.support] += influence.getPastStoredVotes(vote.voter, s)
            total = influence.getPastStoredTotalSupply(s)
            # The governor counted each vote as its stored units decayed to the snapshot.
            against, for_, abstain = governor.proposalVotes(record.id)
            weights = {FOR: 0, AGAINST: 0, ABSTAIN: 0}
            for vote in record.votes:
                weights[vote.support] += to_influence(
                    influence.getPastStoredVotes(vote.voter, s), epoch, HALF_LIFE
                )
            assert (for_, against, abstain) == (weights[FOR], weights[AGAINST], weights[ABSTAIN])
            assert governor.quorum(s) == to_influence(total, epoch, HALF_LIFE) * 20 // 100
            # The same stored units decayed two half-lives further decide the same way.
            worst = growth(later, HALF_LIFE)
            margin_vote = abs(stored[FOR] - stored[AGAINST]) * ONE
            margin_quorum = abs((stored[FOR] + stored[ABSTAIN]) * 100 - total * 20) * ONE
            if margin_vote > 4 * worst and margin_quorum > 400 * worst:
                now = decision(for_, against, abstain, to_influence(total, epoch, HALF_LIFE))
                decayed = decision(
                    *(to_influence(stored[k], later, HALF_LIFE) for k in (FOR, AGAINST, ABSTAIN)),
                    to_influence(total, later, HALF_LIFE),
                )
                assert (
                    now == decayed == decision(stored[FOR], stored[AGAINST], stored[ABSTAIN], total)
                )


def test_system_invariants(
    chain, project, deployed_system, deployer, alice, bob, carol, proposer, guardian, attacker
):
    full = deployed_system
    assert full.proposer == proposer and full.guardian == guardian
    assert full.governor.votingDelay() == VOTING_DELAY
    assert full.governor.votingPeriod() == VOTING_PERIOD
    assert full.registry.applicationThreshold() == APPLICATION_THRESHOLD
    assert full.rewards.challengerRewardBps() == CHALLENGER_REWARD_BPS
    System.chain = chain
    System.full = full
    System.members = [alice, bob, carol]
    System.cheater = proposer
    System.outsiders = [attacker]
    System.roles = (
        full.token.MINTER_ROLE(),
        full.influence.AWARDER_ROLE(),
        full.rewards.GOVERNOR_ROLE(),
        full.timelock.PROPOSER_ROLE(),
    )
    System.bootstrap = earn(
        chain,
        full,
        {
            alice: (600 * TOKEN, 40 * TOKEN),
            bob: (300 * TOKEN, 30 * TOKEN),
            carol: (100 * TOKEN, 20 * TOKEN),
        },
    )
    System.bootstrap_emission = (
        0,
        *System.bootstrap.totals,
        int(POLICY[0]),
        int(full.rewards.influenceBudgetStored(0)),
    )
    for member in System.members:  # open proposing: any member may bond and propose
        full.token.transfer(member, 20 * PROPOSER_BOND, sender=full.treasury)
        full.token.approve(full.rewards, 2**256 - 1, sender=member)
    reads = ReadBatch.deploy(project, deployer)  # each invariant check reads in one call
    System.base = chain.snapshot()
    System.seen.clear()
    with batched_invariants(System, reads, chain):
        if LONG:
            run_state_machine_as_test(System, settings=CI_SETTINGS)
        else:  # each opening in turn, CI_SETTINGS' examples shared among them
            per_opening = settings(CI_SETTINGS, max_examples=CI_SETTINGS.max_examples // OPENINGS)
            try:
                for opening in range(OPENINGS):
                    System.opening = opening
                    run_state_machine_as_test(System, settings=per_opening)
            finally:
                System.opening = None
    print(f"system invariants: {dict(System.seen)}")
    print(f"invariant reads: {reads.batched} in batches, {reads.sent_alone} alone")
    if not LONG:  # the fixed-seed run must reach every part of the system, or it proves little
        required = ("root proposed", "challenged", "finalized", "claimed", "votes cast")
        required += ("catch-up root proposed", "dispute settled", "claim beyond the cap refused")
        for what in (*required, "executed through the timelock"):
            assert System.seen[what] > 0, (what, System.seen)
    # Leave the chain as the fixtures expect to find it.
    chain.restore(System.base)
    assert WEEK == 7 * 24 * 3600
