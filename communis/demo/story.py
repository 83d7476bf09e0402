"""The community story of `make demo`, step by step, each step checking what it claims.

On a local chain (time travel needs one) with ape's test accounts:

- account 0 is the *foundation*: it deploys, holds the genesis allocation (it sells tokens and
  pays its bonds) and proposes the honest roots;
- accounts 1-6 are the sample community's key members (:data:`communis.demo.sample.KEY_MEMBERS`);
  3 and 6 become guardians through governance; 2 attests workshop talks;
- account 7 is the *whale*, who buys a large share of the tokens and gets no say for it;
- account 8 is *Mallory*, who proposes a root over a padded ledger;
- account 9 is a *watcher*: anyone, who finalizes, claims for everyone, proves and settles.

The sample community's three attesters (a forum bot and two curators, ``examples/attesters.json``)
and member 2 (workshop talks, a small budget) are appointed by the deployment config
(``examples/deploy-demo.toml``, ``[attesters]``); the demo signs the sample ledgers with the
attesters' test keys for the deployed registry.

1. Deploy the whole system (journaled like any deployment); the timelock owns every parameter.
2. Epoch 0 is proposed, finalized, and claimed by the key members (their influence votes).
3. The whale buys 30% of the supply and cannot propose. The contributors vote to appoint two
   guardians and to raise the curators' weight (executed when epoch 2 has just ended).
4. Epoch 1, a padded ledger: Mallory adds rows that no attester signed (she signs them herself);
   the watcher proves it on chain in one transaction and her bond is slashed, no vote. The
   honest root is proposed and finalized.
5. Epoch 2, an attester over its budget: member 2 signs three times its budget and proposes the
   root; guardian 6's ``verify`` catches it and challenges, the honest root follows at once, and
   governance upholds the challenge, removes the attester and slashes its influence.
6. Epoch 3, a challenge nobody decides: guardian 3 challenges the honest root; nobody votes; the
   dispute is settled at its deadline with both fees, the root proposed again and finalized
   within the bound T of the README.
7. The watcher claims for everyone at once: one cumulative claim per member for all epochs.

Every bond movement is compared with :func:`communis.economics.bonds.bond_flows`. Any step that
does not do what it claims raises :class:`DemoError`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn

from communis.chain import epochs
from communis.chain.accounts import is_local
from communis.chain.governance import Action, Governance, GovernanceError, for_proposer
from communis.chain.governance import Proposal as GovernorProposal
from communis.chain.system import System
from communis.demo.sample import ATTESTERS, POINT, attester_key, sign_sample_ledger, write_sample
from communis.deploy.config import DeployConfig
from communis.deploy.deployer import Deployer, plan_time
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from communis.economics.bonds import Ending, Flows, bond_flows
from communis.economics.params import Parameters
from communis.engine.address import to_checksum
from communis.engine.attest import (
    Domain,
    SigningKey,
    attest_ledger,
    attestations_path,
    read_attestations,
    write_attestations,
)
from communis.engine.bundle import EpochBuild
from communis.engine.growth import to_influence
from communis.engine.keccak import keccak
from communis.engine.policy import Policy, policy_hash
from communis.engine.roles import ROLES
from communis.engine.units import format_amount, format_duration
from communis.errors import CommunisError
from communis.report import (
    AttesterRemoval,
    BondSlash,
    EpochReport,
    ExtraSection,
    Proposal,
    ReportPaths,
    RunReport,
    SettledDispute,
    write_report,
)
from communis.report.bundles import role_rewards

EXAMPLE_EPOCHS = (0, 1, 2)
"""The epochs whose ledgers ``examples/ledgers`` holds; epoch 3 comes from the same generator."""
EPOCHS = (0, 1, 2, 3)
WHALE_SHARE_BPS = 3_000
PADDED_ROWS = 12
PADDED_POINTS = 400
WORKSHOP_BUDGET = 300
WORKSHOP_ROWS = 6
WORKSHOP_POINTS = 150
DAY = 86_400
MAX_UINT256 = 2**256 - 1


class DemoError(CommunisError, RuntimeError):
    """A step of the demo did not do what it claims."""


def whole(value: int, places: int = 0) -> str:
    """``value`` (18 decimals) rounded to ``places`` decimals, as the story prints amounts."""
    return format_amount(value, places=places, trim=False, rounding=True)


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def check(condition: bool, claim: str) -> None:
    if not condition:
        raise DemoError(f"demo step failed: {claim}")


# ----------------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class PaddedLedger:
    """Scene 2: a root over a ledger padded with unattested rows, proven wrong with no vote."""

    epoch: int
    proposer: str
    prover: str
    root: str
    ledger_root: str
    flows: Flows
    proof_gas: int


@dataclass(frozen=True)
class OverBudget:
    """Scene 3: an attester signed beyond its budget; governance removed it."""

    epoch: int
    attester: str
    points: int
    budget: int
    challenger: str
    root: str
    ledger_root: str
    flows: Flows
    influence_slashed: int
    removed_from: int
    stored_slashed: int = 0


@dataclass(frozen=True)
class Unresolved:
    """Scene 4: a challenge nobody put to a vote; the rewards were paid all the same."""

    epoch: int
    proposer: str
    challenger: str
    root: str
    flows: Flows
    epoch_end: int
    finalized_at: int
    bound: int
    """W + (P + W) + ε: the README's T minus the epoch's end, for one griefing guardian."""


@dataclass
class Vote:
    """A governance proposal on its way: created and voted, not yet executed."""

    id: int
    description: str
    proposer: Any
    epoch: int | None
    proposal: GovernorProposal


@dataclass
class Story:
    """What the demo needs along the way, and what it learns for the report."""

    project: Any
    chain: Any
    accounts: Sequence[Any]
    examples: Path
    work: Path
    console: Console
    config: DeployConfig
    system: System | None = None
    governance: Governance | None = None
    epochs: list[EpochReport] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    padded: PaddedLedger | None = None
    over_budget: OverBudget | None = None
    unresolved: Unresolved | None = None

    @property
    def foundation(self) -> Any:
        return self.accounts[0]

    @property
    def members(self) -> list[Any]:
        return list(self.accounts[1:7])

    @property
    def member_attester(self) -> Any:
        return self.accounts[2]

    @property
    def guardians(self) -> list[Any]:
        return [self.accounts[3], self.accounts[6]]

    @property
    def whale(self) -> Any:
        return self.accounts[7]

    @property
    def mallory(self) -> Any:
        return self.accounts[8]

    @property
    def watcher(self) -> Any:
        return self.accounts[9]

    @property
    def sys(self) -> System:
        assert self.system is not None
        return self.system

    @property
    def gov(self) -> Governance:
        assert self.governance is not None
        return self.governance

    @property
    def signing_domain(self) -> Domain:
        """What the attesters sign for: the deployed registry on this chain."""
        return Domain(int(self.chain.chain_id), str(self.sys.attesters.address))

    @cached_property
    def economics(self) -> Parameters:
        """The economic parameters of the deployed config (bonds, reward, fee, periods)."""
        return Parameters.from_config(self.config)

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False)

    def ledger(self, epoch: int) -> Path:
        return self.work / "ledgers" / f"epoch-{epoch}.jsonl"

    def bundle(self, epoch: int) -> Path:
        return self.work / "epochs" / str(epoch)

    # --- time --------------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.chain.pending_timestamp)

    def travel_to(self, timestamp: int) -> None:
        if timestamp > self.now():
            self.chain.pending_timestamp = timestamp
        self.chain.mine()

    def genesis(self) -> int:
        return int(self.sys.influence.genesis())

    def end_of_epoch(self, epoch: int) -> int:
        return epochs.epoch_end(self.sys.influence, epoch)

    def day(self, timestamp: int | None = None) -> str:
        """``day N`` of the community (days since epoch 0 began)."""
        when = self.now() if timestamp is None else timestamp
        return f"day {(when - self.genesis()) // DAY}"


# ----------------------------------------------------------------------------------- money


def bond_parties(story: Story, **addresses: str) -> dict[str, str]:
    """The parties of a scene whose balances its bonds move, by role (the treasury too)."""
    return {**addresses, "treasury": str(story.sys.timelock.address)}


@contextmanager
def counting(token: Any, parties: Mapping[str, str], net: dict[str, int]) -> Iterator[None]:
    """Add each party's token balance change over the block to ``net`` (by role name)."""
    before = {role: int(token.balanceOf(address)) for role, address in parties.items()}
    yield
    for role, address in parties.items():
        net[role] = net.get(role, 0) + int(token.balanceOf(address)) - before[role]


def check_flows(net: Mapping[str, int], expected: Flows, what: str) -> Flows:
    """The bonds moved exactly as the model of the epoch game says (``expected``)."""
    for role, moved in net.items():
        check(
            moved == expected.of(role),
            f"{what}: the {role}'s balance moved {moved}, the model says {expected.of(role)}",
        )
    return Flows(
        **{role: net.get(role, 0) for role in ("proposer", "challenger", "prover", "treasury")}
    )


def bonded_proposal(
    story: Story, bundle: Path, proposer: Any, *, cheat: bool = False, **others: str
) -> tuple[epochs.Sent, dict[str, str], dict[str, int]]:
    """``proposer`` (sold its bond first if need be) proposes ``bundle``'s root (``cheat``: its
    own script, which skips the tool's attester check). Returns what was sent, the scene's
    parties (the proposer, ``others`` by role, the treasury) and their balance changes so far,
    for :func:`counting` and :func:`check_flows`."""
    fund(story, proposer, story.economics.proposer_bond)
    parties = bond_parties(story, proposer=proposer.address, **others)
    net: dict[str, int] = {}
    with counting(story.sys.token, parties, net):
        sent = propose(story, bundle, proposer, cheat=cheat)
    return sent, parties, net


def fund(story: Story, account: Any, amount: int) -> None:
    """The foundation sells ``account`` tokens up to ``amount`` (for a bond)."""
    token = story.sys.token
    missing = amount - int(token.balanceOf(account))
    if missing > 0:
        token.transfer(account, missing, sender=story.foundation)


# ----------------------------------------------------------------------------------- steps


def progress_bar(story: Story, *columns: ProgressColumn) -> Progress:
    """A transient progress display on a terminal (nothing at all in a log or a pipe)."""
    return Progress(
        *columns,
        console=story.console,
        transient=True,
        disable=not story.console.is_terminal,
    )


def deploy(story: Story, deployments: Path) -> None:
    chain_id = story.chain.chain_id
    if not is_local(chain_id):
        raise DemoError(f"the demo needs a local chain for time travel (chain {chain_id})")
    config = story.config
    story.say(f"[bold]1. Deploying Communis[/bold] to chain {chain_id} ({config.path})")
    journal = Journal.open(deployments, chain_id)
    plan = build_plan(config, now=plan_time(journal, story.now()))
    columns = (TextColumn("   deploying"), BarColumn(), MofNCompleteColumn())
    with progress_bar(story, *columns) as progress:
        task = progress.add_task("deploy", total=len(plan))
        deployer = Deployer(
            story.project,
            story.foundation,
            journal,
            on_step=lambda _: progress.advance(task),
        )
        deployer.run(plan, config_sha256=config.sha256)
    story.system = System.load(deployments)
    story.governance = Governance(story.sys.governor, story.sys.contracts)
    timelock = story.sys.timelock
    for name in ("CommunityToken", "Influence", "ContributionRewards", "CommunisTimelock"):
        contract = story.sys.get(name)
        check(contract.hasRole(b"\0" * 32, timelock), f"the timelock administers {name}")
        check(not contract.hasRole(b"\0" * 32, story.foundation), f"the deployer left {name}")
    registry = story.sys.attesters
    for owned in (story.sys.guardians, registry):
        check(owned.owner() == timelock.address, f"the timelock owns {owned.address}")
    story.say(f"   {len(plan)} steps; the timelock {timelock.address} owns every parameter")
    appointed = [(name, attester_key(name).address, budget) for name, _, budget in ATTESTERS]
    appointed.append(("member 2 (workshop talks)", story.member_attester.address, WORKSHOP_BUDGET))
    for name, address, budget in appointed:
        check(int(registry.budget(address)) == budget * POINT, f"attester {name} is appointed")
    names = ", ".join(f"{name} {budget:,}" for name, _, budget in appointed)
    story.say(f"   attesters appointed by the deployment config (points per epoch): {names}")
    sign_ledgers(story)


def sign_ledgers(story: Story) -> None:
    """The sample ledgers (``examples/ledgers``, epoch 3 from the same generator), signed by the
    sample attesters for the deployed registry (the examples are signed for a stand-in one)."""
    domain = story.signing_domain
    folder = story.ledger(0).parent
    folder.mkdir(parents=True, exist_ok=True)
    for epoch in EXAMPLE_EPOCHS:
        shutil.copyfile(story.examples / "ledgers" / f"epoch-{epoch}.jsonl", story.ledger(epoch))
        sign_sample_ledger(story.ledger(epoch), epoch, domain)
    generated = write_sample(story.work / "sample", epochs=(3,), domain=domain)
    for epoch, ledger in zip((3,), generated, strict=True):
        shutil.copyfile(ledger, story.ledger(epoch))
        shutil.copyfile(attestations_path(ledger), attestations_path(story.ledger(epoch)))
    story.say(
        f"   the sample ledgers of epochs {EPOCHS[0]}-{EPOCHS[-1]} (examples/ledgers, epoch 3 from "
        f"the same generator) signed by the three attesters for this registry: {folder}"
    )


def build_epoch(
    story: Story, ledger: Path, out_root: Path, *, previous: Path | None = None, cheat: bool = False
) -> EpochBuild:
    """``ledger``'s bundle (``cheat``: a cheat's own script, which skips the tool's refusal of
    batches the AttesterRegistry rejects)."""
    with progress_bar(story, TextColumn("   {task.description}")) as progress:
        task = progress.add_task("building the epoch bundle")
        build: EpochBuild = epochs.build(
            story.sys.rewards,
            ledger,
            out_root,
            previous=previous,
            overwrite=True,
            check_attesters=not cheat,
            progress=lambda note: progress.update(task, description=f"building: {note}"),
        )
    return build


def build_honest(story: Story, epoch: int) -> EpochBuild:
    build = build_epoch(story, story.ledger(epoch), story.work / "epochs")
    weights = "/".join(map(str, build.policy.role_weights))
    story.say(
        f"   the honest bundle {story.bundle(epoch)}: {len(build.scores.scores)} contributors, "
        f"root {build.root[:14]}…, weights creator/curator/guardian/participant {weights}"
    )
    return build


def propose(story: Story, bundle: Path, proposer: Any, *, cheat: bool = False) -> epochs.Sent:
    uri = f"file://{bundle.resolve()}"
    sent = epochs.propose(story.sys.rewards, bundle, proposer, uri=uri, check_attesters=not cheat)
    return sent[-1]


def finalize_and_claim(story: Story, build: EpochBuild) -> EpochReport:
    """Wait out the challenge window, finalize, let the key members claim (their influence
    votes), and report the epoch."""
    rewards = story.sys.rewards
    epoch = build.epoch
    story.travel_to(int(rewards.pendingProposal().challengeDeadline) + 1)
    epochs.finalize(rewards, epoch, story.watcher)
    check(int(rewards.nextEpoch()) == epoch + 1, f"epoch {epoch} finalized")
    claim_members(story, story.bundle(epoch))
    report = epoch_report(story, build)
    check(
        report.tokens_emitted <= build.policy.token_budget,
        f"epoch {epoch} emitted no more than its token budget",
    )
    story.epochs.append(report)
    return report


def claim_members(story: Story, bundle: Path) -> None:
    """The key members claim what they are owed (one ``claimMany``; anyone may send it)."""
    rewards = story.sys.rewards
    tree = epochs.load_tree(bundle)
    dues = [epochs.owed(rewards, tree, m.address) for m in story.members]
    requests = [
        (d.account, d.cumulative_tokens, d.cumulative_influence, d.proof)
        for d in dues
        if d.tokens or d.influence
    ]
    rewards.claimMany(requests, tree.root, sender=story.watcher)
    for due in dues:
        paid = rewards.claimed(due.account)
        check(int(paid[0]) == due.cumulative_tokens, f"{due.account} claimed its tokens")
    tokens = sum(d.tokens for d in dues)
    later = "" if story.epochs else "; everyone else may claim at any time (roots are cumulative)"
    story.say(f"   {story.day()}: finalized; the key members claim {whole(tokens)} CMN{later}")


def claim_everyone(story: Story) -> None:
    """The watcher claims for every member at once: one claim each covers every epoch."""
    rewards = story.sys.rewards
    bundle = story.bundle(int(rewards.nextEpoch()) - 1)
    tree = epochs.load_tree(bundle)
    story.say("[bold]7. Claims[/bold]")
    columns = (TextColumn("   {task.description}"), BarColumn(), MofNCompleteColumn())
    with progress_bar(story, *columns) as progress:
        task = progress.add_task("claiming", total=len(tree.values))
        sent = epochs.claim_all(
            rewards,
            bundle,
            story.watcher,  # anyone may claim for anyone: funds go to each account
            batch_size=60,
            on_batch=lambda _sent, n: progress.advance(task, n),
        )
    # Each account's claims are capped by its leaf, so totals equal to the tree's mean that every
    # account got everything (cumulative trees list every account ever paid).
    claimed, finalized = rewards.totalClaimed(), rewards.finalizedTotals()
    check(
        int(claimed[0]) == sum(leaf.tokens for leaf in tree.values) == int(finalized[0])
        and int(claimed[1]) == int(finalized[1]),
        "every account got its cumulative tokens and influence",
    )
    accounts = sum(s.details["accounts"] for s in sent)
    tokens = sum(s.details["tokens"] for s in sent)
    story.say(
        f"   {story.day()}: the watcher claims for the {accounts} other members in {len(sent)} "
        f"transactions ({whole(tokens)} CMN, one claim each for epochs "
        f"{EPOCHS[0]}-{EPOCHS[-1]}); every account holds what the last root says"
    )


def pay_epoch(story: Story, epoch: int) -> EpochReport:
    """An uneventful epoch: the honest root is proposed, finalized and claimed."""
    story.travel_to(story.end_of_epoch(epoch) + 60)
    story.say(f"[bold]2. Epoch {epoch}[/bold] ends on {story.day()}")
    build = build_honest(story, epoch)
    propose(story, story.bundle(epoch), story.foundation)
    story.say("   the foundation proposes it with its bond; nobody challenges")
    return finalize_and_claim(story, build)


# ----------------------------------------------------------------------------------- governance


def open_vote(
    story: Story,
    actions: list[Action],
    description: str,
    *,
    epoch: int | None = None,
    parties: Sequence[Any] = (),
) -> Vote:
    """Propose and vote with the key members, except the ``parties`` of the dispute it resolves
    (the governor bars them: checked); the vote stays open until :func:`enact`."""
    gov, governor = story.gov, story.gov.governor
    voters = [m for m in story.members if m not in parties]
    proposer = max(voters, key=lambda m: int(governor.getVotes(m, governor.clock() - 1)))
    proposal_id = gov.propose(actions, description, sender=proposer)
    for party in parties:
        check(
            bool(governor.isDisputeParty(proposal_id, party)),
            f"{party.address}, a party of the dispute, may not vote on its verdict",
        )
    snapshot = int(governor.proposalSnapshot(proposal_id))
    story.travel_to(snapshot + 1)
    barred = [party.address for party in parties]
    for member in voters:
        gov.vote(proposal_id, "for", sender=member, reason="contributors agree")
    for_votes = int(governor.proposalVotes(proposal_id)[1])
    quorum = int(governor.quorum(snapshot))
    check(for_votes >= quorum, f"contributors reach quorum on '{description}'")
    closes = story.day(int(governor.proposalDeadline(proposal_id)))
    parties = f"; {', '.join(map(short, barred))} may not vote (dispute parties)" if barred else ""
    story.say(
        f"   {story.day()}: {whole(for_votes, 1)} influence votes for, quorum {whole(quorum, 1)}"
        f"{parties}; the vote closes on {closes}"
    )
    proposal = GovernorProposal(tuple(actions), for_proposer(description, proposer.address))
    check(story.gov.proposal_id(proposal) == proposal_id, "the proposal is the one voted on")
    return Vote(proposal_id, description, proposer, epoch, proposal)


def enact(story: Story, vote: Vote) -> None:
    """Close the vote, queue the proposal and execute it through the timelock."""
    gov, governor = story.gov, story.gov.governor
    story.travel_to(int(governor.proposalDeadline(vote.id)) + 1)
    gov.queue(vote.id, sender=vote.proposer, proposal=vote.proposal)
    story.travel_to(int(governor.proposalEta(vote.id)) + 1)
    gov.execute(vote.id, sender=vote.proposer, proposal=vote.proposal)
    check(gov.state(vote.id) == "Executed", f"proposal '{vote.description}' executed")
    against, for_votes, abstain = (int(v) for v in governor.proposalVotes(vote.id))
    story.proposals.append(
        Proposal(
            id=vote.id,
            description=vote.description,
            outcome="Executed",
            votes_for=for_votes,
            votes_against=against,
            votes_abstain=abstain,
            proposer=vote.proposer.address,
            epoch=vote.epoch,
        )
    )
    story.say(f"   {story.day()}: '{vote.description}' passed; the timelock executed it")


def policy_action(rewards: Any, policy: Policy) -> Action:
    calldata = bytes(rewards.setPolicy.encode_input(policy.to_abi()))
    weights = "/".join(map(str, policy.role_weights))
    return Action(rewards.address, 0, calldata, f"ContributionRewards.setPolicy(weights {weights})")


def call(contract: Any, name: str, label: str, *args: Any) -> Action:
    calldata = bytes(getattr(contract, name).encode_input(*args))
    return Action(str(contract.address), 0, calldata, label)


def whale_and_first_proposal(story: Story) -> tuple[Vote, Policy]:
    """The whale buys tokens and gets no say; the contributors propose guardians, a member
    attester and a higher curators' weight."""
    token, governor, rewards = story.sys.token, story.gov.governor, story.sys.rewards
    whale = story.whale
    amount = int(token.totalSupply()) * WHALE_SHARE_BPS // 10_000
    token.transfer(whale, amount, sender=story.foundation)
    story.travel_to(story.now() + 1)
    votes = int(governor.getVotes(whale, governor.clock() - 1))
    share = amount * 100 / int(token.totalSupply())
    story.say(
        f"[bold]3. The whale[/bold] buys {whole(amount)} CMN ({share:.0f}% of the supply): "
        f"voting power {votes}"
    )
    check(votes == 0, "tokens bought give no votes")
    current = epochs.onchain_policy(rewards)
    weights = list(current.role_weights)
    weights[ROLES.index("creator")] = 1
    weights[ROLES.index("participant")] = 5
    grab = replace(current, role_weights=tuple(weights))
    try:
        story.gov.propose([policy_action(rewards, grab)], "Whale: pay participants", sender=whale)
    except GovernanceError as err:
        story.say(f"   the whale cannot even propose: {str(err).splitlines()[0]}")
    else:
        raise DemoError("demo step failed: the whale could propose")
    story.proposals.append(
        Proposal(
            id=0,
            description="Whale: pay participants (refused before voting)",
            outcome="Refused: no influence",
            proposer=whale.address,
        )
    )

    weights = list(current.role_weights)
    weights[ROLES.index("curator")] = current.role_weights[ROLES.index("curator")] + 3
    new_policy = replace(current, role_weights=tuple(weights))
    actions = [story.gov.grant_guardian(g.address) for g in story.guardians]
    actions.append(policy_action(rewards, new_policy))
    description = "Appoint guardians 3 and 6; raise the curators' weight from 3 to 6"
    story.say(f"   the contributors propose: {description}")
    return open_vote(story, actions, description), new_policy


def first_proposal_executed(story: Story, vote: Vote, policy: Policy) -> None:
    enact(story, vote)
    rewards = story.sys.rewards
    for guardian in story.guardians:
        check(bool(rewards.isGuardian(guardian)), f"{guardian.address} is a guardian")
    check(bytes(rewards.policyHash()) == policy_hash(policy), "the new role weights are in force")
    check(not story.gov.governor.hasVoted(vote.id, story.whale), "the whale had no say")
    first, second = (short(g.address) for g in story.guardians)
    weights = "/".join(map(str, policy.role_weights))
    story.say(f"   guardians {first} and {second}; weights {weights} in force")


# ----------------------------------------------------------------------------------- scene 2


def invented(label: str, count: int) -> list[str]:
    """``count`` fresh addresses nobody holds a key for (derived from ``label``)."""
    return [
        to_checksum("0x" + keccak(f"communis-demo/{label}/{i}".encode())[:20].hex())
        for i in range(count)
    ]


def extended_bundle(
    story: Story, epoch: int, folder: str, signer: Any, accounts: list[str], points: int, ref: str
) -> Path:
    """The bundle of ``epoch``'s honest ledger with one creator row of ``points`` per account
    appended (evidence ``<ref>-<n>``), signed by ``signer`` (the other rows keep the attesters'
    batches), built into ``work/<folder>/epochs`` as the cheat builds it (no attester check)."""
    rows = [
        {
            "epoch": epoch,
            "account": a,
            "role": "creator",
            "points": str(points),
            "ref": f"{ref}-{i}",
        }
        for i, a in enumerate(accounts)
    ]
    ledger = story.work / folder / "ledgers" / f"epoch-{epoch}.jsonl"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    honest_rows = story.ledger(epoch).read_text(encoding="utf-8")
    first = honest_rows.count("\n") + 1
    ledger.write_text(honest_rows + "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    signed = attest_ledger(
        ledger,
        SigningKey(signer.private_key),
        story.signing_domain,
        epoch,
        lines=[(first, first + len(rows) - 1)],
        existing=read_attestations(attestations_path(story.ledger(epoch))),
    )
    write_attestations(signed.attestations, attestations_path(ledger))
    out_root = story.work / folder / "epochs"
    build_epoch(story, ledger, out_root, previous=story.bundle(epoch - 1), cheat=True)
    return out_root / str(epoch)


def flagged(story: Story, bundle: Path, epoch: int, code: str) -> list[str]:
    """The attesters whose batches ``verify`` reports with ``code`` (it must find the bundle
    wrong)."""
    result = epochs.verify(story.sys.rewards, bundle, previous=story.bundle(epoch - 1))
    check(not result.ok, f"verify rejects the root of {bundle}")
    found = result.attestations
    return [p.attester or "" for p in found.problems if p.code == code] if found else []


def padded_ledger(story: Story, epoch: int) -> None:
    """Mallory pads the ledger with rows nobody accountable signed; anyone proves it."""
    rewards, token = story.sys.rewards, story.sys.token
    story.travel_to(story.end_of_epoch(epoch) + 60)
    story.say(f"[bold]4. Epoch {epoch}: a padded ledger[/bold] ({story.day()})")
    mallory, watcher = story.mallory, story.watcher
    # Mallory is no attester: her signature vouches for nothing.
    fakes = invented("fake", PADDED_ROWS)
    ref = f"forum/post/{epoch}-padded"
    bundle = extended_bundle(story, epoch, "padded", mallory, fakes, PADDED_POINTS, ref)
    sent, parties, net = bonded_proposal(story, bundle, mallory, cheat=True, prover=watcher.address)
    story.say(
        f"   Mallory ({short(mallory.address)}) adds {PADDED_ROWS} rows for invented accounts "
        f"({whole(PADDED_ROWS * PADDED_POINTS * POINT)} creator points), signs them herself and "
        f"proposes the root with a {whole(story.economics.proposer_bond)} CMN bond"
    )
    check(
        flagged(story, bundle, epoch, "not-attester") == [mallory.address],
        "verify names Mallory's batch: she is not an attester",
    )
    story.say(
        f"   [red]verify[/red]: {short(mallory.address)} is not an attester in epoch {epoch} "
        f"{escape('[not-attester]')}: her {PADDED_ROWS} rows count for nothing, the root differs"
    )
    with counting(token, parties, net):
        proof = epochs.prove(rewards, bundle, watcher)
    root, ledger_root = sent.details["root"], sent.details["ledger_root"]
    check(bool(rewards.isRootBanned(epoch, root, ledger_root)), "the padded root is banned")
    check(epochs.pending_proposal(rewards) is None, f"epoch {epoch} can be proposed again")
    flows = check_flows(net, bond_flows(story.economics, Ending.PROVEN), "the fraud proof")
    story.say(
        f"   the watcher ({short(watcher.address)}) proves it on chain in one transaction "
        f"({proof.gas_used:,} gas), no vote: the root is banned, Mallory loses her bond: "
        f"{whole(flows.prover)} CMN to the watcher, {whole(flows.treasury)} CMN to the treasury"
    )
    story.padded = PaddedLedger(
        epoch, mallory.address, watcher.address, root, ledger_root, flows, proof.gas_used
    )
    build = build_honest(story, epoch)
    propose(story, story.bundle(epoch), story.foundation)
    story.say("   the foundation proposes the honest root")
    report = finalize_and_claim(story, build)
    slash = BondSlash(mallory.address, -flows.proposer, "rows no attester signed", proven=True)
    story.epochs[-1] = replace(report, bonds_slashed=(slash,))


# ----------------------------------------------------------------------------------- scene 3


def over_budget(story: Story, epoch: int) -> tuple[Vote, dict[str, int]]:
    """Member 2 attests three times its budget and proposes; a guardian challenges, the honest
    root follows at once, and governance starts voting on the verdict."""
    rewards, token, registry = story.sys.rewards, story.sys.token, story.sys.attesters
    story.travel_to(story.end_of_epoch(epoch) + 60)
    story.say(f"[bold]5. Epoch {epoch}: an attester over its budget[/bold] ({story.day()})")
    culprit, challenger = story.member_attester, story.guardians[1]
    check(bool(registry.isAttesterAt(culprit, epoch)), f"member 2 attests in epoch {epoch}")
    talks = [culprit.address, *invented("friend", WORKSHOP_ROWS - 1)]
    ref = f"workshop/{epoch}"
    bundle = extended_bundle(story, epoch, "over-budget", culprit, talks, WORKSHOP_POINTS, ref)
    points = WORKSHOP_ROWS * WORKSHOP_POINTS
    fund(story, challenger, story.economics.challenger_bond)
    sent, parties, net = bonded_proposal(
        story, bundle, culprit, cheat=True, challenger=challenger.address
    )
    story.say(
        f"   member 2 ({short(culprit.address)}), who attests workshop talks with a budget of "
        f"{WORKSHOP_BUDGET} points, signs {WORKSHOP_ROWS} talks worth {points} points for itself "
        "and five new accounts, and proposes the root with its bond"
    )
    check(
        flagged(story, bundle, epoch, "over-budget") == [culprit.address],
        "verify names member 2's batch: over its budget",
    )
    story.say(
        f"   [red]verify[/red] (guardian {short(challenger.address)}): {points} points attested, "
        f"the budget is {WORKSHOP_BUDGET} {escape('[over-budget]')}; a judgement, not a proof, "
        "so it challenges"
    )
    since = int(story.chain.blocks.height)
    with counting(token, parties, net):
        epochs.challenge(
            rewards, epoch, challenger, evidence=f"verify: over-budget ({points} points)"
        )
    root, ledger_root = sent.details["root"], sent.details["ledger_root"]
    dispute = epochs.find_dispute(rewards, epoch, root=root, from_block=since)
    check(epochs.pending_proposal(rewards) is None, "the challenged root is discarded at once")
    story.say(
        f"   the root is discarded at once; a dispute holds both bonds until "
        f"{story.day(dispute.deadline)}"
    )
    build = build_honest(story, epoch)
    propose(story, story.bundle(epoch), story.foundation)
    story.say("   the foundation proposes the honest root right away")
    influence = story.sys.influence
    who = culprit.address
    uphold = epochs.resolution_text(dispute, True)
    actions = [
        call(rewards, "resolveDispute", uphold, dispute.to_abi(), True),
        call(registry, "remove", f"AttesterRegistry.remove({who})", who),
        call(influence, "slash", f"Influence.slash({who}, all)", who, MAX_UINT256),
    ]
    description = (
        f"Uphold the challenge of epoch {epoch}; remove attester {short(culprit.address)} and "
        "slash its influence"
    )
    story.say(f"   the contributors propose: {description}")
    vote = open_vote(story, actions, description, epoch=epoch, parties=(culprit, challenger))
    finalize_and_claim(story, build)
    story.over_budget = OverBudget(
        epoch,
        culprit.address,
        points * POINT,
        WORKSHOP_BUDGET * POINT,
        challenger.address,
        root,
        ledger_root,
        Flows(),
        0,
        0,
    )
    return vote, net


def over_budget_verdict(story: Story, vote: Vote, net: dict[str, int]) -> None:
    """Governance upholds the challenge, removes the attester and slashes its influence."""
    scene = story.over_budget
    assert scene is not None
    rewards, token, registry = story.sys.rewards, story.sys.token, story.sys.attesters
    influence = story.sys.influence
    culprit = scene.attester
    parties = bond_parties(story, proposer=culprit, challenger=scene.challenger)
    before = int(influence.balanceOf(culprit))
    stored = int(influence.storedBalanceOf(culprit))
    check(before > 0, "member 2 holds influence")
    with counting(token, parties, net):
        enact(story, vote)
    flows = check_flows(net, bond_flows(story.economics, Ending.UPHELD), "the upheld challenge")
    check(bool(rewards.isRootBanned(scene.epoch, scene.root, scene.ledger_root)), "root banned")
    check(not registry.isAttester(culprit), "member 2 is no longer an attester")
    check(bool(registry.isAttesterAt(culprit, scene.epoch)), "its past epochs stay as they were")
    check(int(influence.balanceOf(culprit)) == 0, "member 2's influence is slashed")
    removed_from = int(registry.currentEpoch())
    story.say(
        f"   upheld: member 2 lost its {whole(-flows.proposer)} CMN bond, guardian "
        f"{short(scene.challenger)} earned {whole(flows.challenger)} CMN, the treasury "
        f"{whole(flows.treasury)} CMN; the root is banned; member 2 is no attester from epoch "
        f"{removed_from} on and its {whole(before, 1)} influence is slashed"
    )
    story.over_budget = replace(
        scene,
        flows=flows,
        influence_slashed=before,
        removed_from=removed_from,
        stored_slashed=stored,
    )
    index = next(i for i, e in enumerate(story.epochs) if e.epoch == scene.epoch)
    report = story.epochs[index]
    story.epochs[index] = replace(
        report,
        bonds_slashed=(BondSlash(culprit, -flows.proposer, "attester over its budget"),),
        attesters_removed=(
            AttesterRemoval(culprit, removed_from, before, "signed over its budget"),
        ),
    )


# ----------------------------------------------------------------------------------- scene 4


def unresolved(story: Story, epoch: int, verdict: tuple[Vote, dict[str, int]]) -> None:
    """A guardian challenges the honest root and nobody puts it to a vote: the dispute ends at
    its deadline with both fees, and the rewards are paid within the bound T."""
    rewards, token = story.sys.rewards, story.sys.token
    ended = story.end_of_epoch(epoch)
    story.travel_to(ended + 60)
    story.say(f"[bold]6. Epoch {epoch}: a challenge nobody decides[/bold] ({story.day()})")
    build = build_honest(story, epoch)
    griefer, proposer = story.guardians[0], story.foundation
    fund(story, griefer, story.economics.challenger_bond)
    first_proposed, since = story.now(), int(story.chain.blocks.height)
    _, parties, net = bonded_proposal(
        story, story.bundle(epoch), proposer, challenger=griefer.address
    )
    with counting(token, parties, net):
        epochs.challenge(rewards, epoch, griefer, evidence="")
    dispute = epochs.find_dispute(rewards, epoch, root=build.root, from_block=since)
    check(epochs.pending_proposal(rewards) is None, "the challenged root is discarded at once")
    story.say(
        f"   the foundation proposes the honest root; guardian {short(griefer.address)} "
        "challenges it without a reason: it is discarded at once, and it cannot be proposed "
        f"again while its dispute is open (until {story.day(dispute.deadline)}); nobody puts "
        "the dispute to a vote"
    )
    over_budget_verdict(story, *verdict)
    story.travel_to(dispute.deadline)
    with counting(token, parties, net):
        settled = epochs.settle(rewards, epoch, story.watcher, root=build.root, from_block=since)
    flows = check_flows(net, bond_flows(story.economics, Ending.TIMED_OUT), "the settlement")
    story.say(
        f"   {story.day()}: the deadline passes and the watcher settles the dispute: no verdict, "
        f"each side pays {story.economics.dispute_fee_bps // 100}% of its bond to the treasury: "
        f"the guardian {whole(-flows.challenger)} CMN, the proposer {whole(-flows.proposer)} CMN "
        f"({settled.gas_used:,} gas)"
    )
    propose(story, story.bundle(epoch), proposer)
    story.say("   the foundation proposes the same root again")
    report = finalize_and_claim(story, build)
    finalized_at = story.now()
    p = story.economics
    epsilon = first_proposed - ended
    bound = epsilon + p.challenge_window + (p.dispute_period + p.challenge_window)
    check(finalized_at - ended <= bound, f"epoch {epoch} is paid within the bound T")
    story.say(
        f"   paid {format_duration(finalized_at - ended)} after the epoch ended; the bound for "
        f"one griefing guardian is T = epoch end + ε + W + (P + W) = "
        f"{format_duration(bound - epsilon)} + ε (ε = {format_duration(epsilon)} here)"
    )
    story.unresolved = Unresolved(
        epoch, proposer.address, griefer.address, build.root, flows, ended, finalized_at, bound
    )
    story.epochs[-1] = replace(
        report,
        disputes_settled=(
            SettledDispute(
                proposer.address,
                -flows.proposer,
                griefer.address,
                -flows.challenger,
                delay=finalized_at - ended,
                bound=bound,
            ),
        ),
    )


# ----------------------------------------------------------------------------------- report


def influence_now(story: Story, build: EpochBuild) -> dict[str, int]:
    """Each account's influence now, once it has claimed: its cumulative stored units (the tree)
    at the current epoch's growth, as Influence's ``balanceOf`` computes it (checked on a key
    member, who claimed), less what governance slashed."""
    influence = story.sys.influence
    epoch, half_life = int(influence.currentEpoch()), int(influence.halfLife())
    slashed = story.over_budget.stored_slashed if story.over_budget else 0
    culprit = story.over_budget.attester if story.over_budget else None
    out = {
        leaf.account: to_influence(
            leaf.influence - (slashed if leaf.account == culprit else 0), epoch, half_life
        )
        for leaf in build.tree.values
    }
    probe = story.members[0].address
    check(out[probe] == int(influence.balanceOf(probe)), "influence balances are exact")
    return out


def epoch_report(story: Story, build: EpochBuild) -> EpochReport:
    """The epoch's rewards split by role in proportion to each role's weighted points."""
    tokens = build.scores.tokens.amounts
    plain_influence = build.scores.influence.amounts
    rewards = role_rewards(build.ledger.points, build.policy.role_weights, tokens, plain_influence)
    clock = int(story.gov.governor.clock())
    return EpochReport(
        epoch=build.epoch,
        token_budget=build.policy.token_budget,
        influence_budget=build.policy.influence_budget,
        tokens_emitted=sum(tokens.values()),
        influence_emitted=sum(plain_influence.values()),
        rewards=tuple(rewards),
        influence_balances=influence_now(story, build),
        quorum=int(story.gov.governor.quorum(clock - 1)),
        treasury_balance=int(story.sys.token.balanceOf(story.sys.timelock)),
    )


def run_report(story: Story, network: str) -> RunReport:
    return RunReport(
        epochs=tuple(story.epochs),
        proposals=tuple(story.proposals),
        notes=tuple(story.notes),
        title="Communis demo: a sample community over four epochs",
        network=network,
        token_symbol=str(story.sys.token.symbol()),
    )


def summary(story: Story) -> list[str]:
    """What the demo showed, one line per scene, in human units."""
    padded, over, late = story.padded, story.over_budget, story.unresolved
    assert padded is not None and over is not None and late is not None
    paid = sum(e.tokens_emitted for e in story.epochs)
    accounts = len({r.account for e in story.epochs for r in e.rewards})
    p = story.economics
    return [
        f"epochs {EPOCHS[0]}-{EPOCHS[-1]}: {whole(paid)} CMN paid to {accounts} members, every "
        "claim checked against the chain",
        f"padded ledger (epoch {padded.epoch}): proven in one transaction ({padded.proof_gas:,} "
        f"gas), no vote; the proposer lost {whole(-padded.flows.proposer)} CMN, the prover got "
        f"{whole(padded.flows.prover)}",
        f"attester over its budget (epoch {over.epoch}): {whole(over.points)} points signed "
        f"against a budget of {whole(over.budget)}; challenged, upheld by governance: bond "
        f"{whole(-over.flows.proposer)} CMN lost, attester removed from epoch "
        f"{over.removed_from} on, {whole(over.influence_slashed, 1)} influence slashed",
        f"challenge nobody decided (epoch {late.epoch}): settled at its deadline, fees "
        f"{whole(-late.flows.challenger)} CMN (guardian) and {whole(-late.flows.proposer)} CMN "
        f"(proposer); paid {format_duration(late.finalized_at - late.epoch_end)} after the "
        f"epoch ended, T = {format_duration(late.bound)} (ε included)",
        f"whale: {WHALE_SHARE_BPS // 100}% of the tokens, no votes; governance appointed two "
        "guardians and raised the curators' weight to 6",
        f"every bond moved exactly as communis.economics models it (bonds "
        f"{whole(p.proposer_bond)}/{whole(p.challenger_bond)} CMN, reward "
        f"{p.challenger_reward_bps // 100}%, dispute fee {p.dispute_fee_bps // 100}%)",
    ]


def run(story: Story, deployments: Path) -> None:
    """The whole story, scene after scene (see the module's docstring)."""
    deploy(story, deployments)
    pay_epoch(story, 0)
    vote, policy = whale_and_first_proposal(story)
    padded_ledger(story, 1)
    first_proposal_executed(story, vote, policy)
    verdict = over_budget(story, 2)
    unresolved(story, 3, verdict)
    claim_everyone(story)


def write_demo_report(story: Story, network: str, out: Path) -> ReportPaths:
    """The HTML/PNG report of the run, with the economics of the demo's config ("Why cheating
    does not pay": its attack table and charts) as a section of the page."""
    from communis.economics.report import analyse_config, write_section

    section = write_section(analyse_config(story.config), out)
    extra = ExtraSection("economics", "why cheating does not pay", section.html)
    return write_report(run_report(story, network), out, extra=[extra])
