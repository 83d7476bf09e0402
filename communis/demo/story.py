"""The community story of `make demo`, step by step, each step checking what it claims.

On a local chain (time travel needs one) with ape's test accounts:

- account 0 is the *foundation*: it deploys, holds the genesis allocation (it sells tokens to the
  whale and pays bonds) and is the bonded root proposer;
- accounts 1-6 are the sample community's key members (:data:`communis.demo.sample.KEY_MEMBERS`);
  3 and 6 become guardians through governance;
- account 7 is the *whale*, who buys a large share of the tokens and gets no say for it.

1. Deploy the whole system (journaled like any deployment); the timelock owns every parameter.
2. Epoch 0 of the sample community is proposed, finalized and claimed in batches.
3. Contributors make accounts 3 and 6 guardians (propose, vote, queue, execute).
4. Epoch 1: the proposer publishes a root padded with fake accounts; ``verify`` flags it, a
   guardian challenges, governance upholds, the proposer's bond is slashed, and the honest root
   is proposed, finalized and claimed.
5. The whale buys 30% of the supply and tries to propose: it has no voting power. Contributors
   raise the curators' weight through the timelock; epoch 2 is scored with the new weights.
6. A closing summary and the HTML/PNG report.

Any step that does not do what it claims raises :class:`DemoError`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from communis.chain import epochs
from communis.chain.accounts import is_local
from communis.chain.governance import Action, Governance
from communis.chain.system import System
from communis.deploy.config import load
from communis.deploy.console import step_progress
from communis.deploy.deployer import Deployer, plan_time
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from communis.engine.bundle import TREE, EpochBuild, replace_tree
from communis.engine.merkle import Leaf, MerkleTree
from communis.engine.policy import Policy, policy_hash
from communis.engine.roles import ROLES
from communis.engine.units import format_amount
from communis.errors import CommunisError
from communis.report import BondSlash, EpochReport, Proposal, RunReport
from communis.report.bundles import role_rewards

FAKE_ACCOUNTS = 12
WHALE_SHARE_BPS = 3_000


class DemoError(CommunisError, RuntimeError):
    """A step of the demo did not do what it claims."""


def whole(value: int, places: int = 0) -> str:
    """``value`` (18 decimals) rounded to ``places`` decimals, as the story prints amounts."""
    return format_amount(value, places=places, trim=False, rounding=True)


def check(condition: bool, claim: str) -> None:
    if not condition:
        raise DemoError(f"demo step failed: {claim}")


@dataclass
class Story:
    """What the demo needs along the way, and what it learns for the report."""

    project: Any
    chain: Any
    accounts: Sequence[Any]
    examples: Path
    work: Path
    console: Console
    system: System | None = None
    governance: Governance | None = None
    epochs: list[EpochReport] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    @property
    def foundation(self) -> Any:
        return self.accounts[0]

    @property
    def members(self) -> list[Any]:
        return list(self.accounts[1:7])

    @property
    def guardians(self) -> list[Any]:
        return [self.accounts[3], self.accounts[6]]

    @property
    def whale(self) -> Any:
        return self.accounts[7]

    @property
    def sys(self) -> System:
        assert self.system is not None
        return self.system

    @property
    def gov(self) -> Governance:
        assert self.governance is not None
        return self.governance

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False)

    # --- time --------------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.chain.pending_timestamp)

    def travel_to(self, timestamp: int) -> None:
        if timestamp > self.now():
            self.chain.pending_timestamp = timestamp
        self.chain.mine()

    def end_of_epoch(self, epoch: int) -> int:
        return epochs.epoch_end(self.sys.influence, epoch)


# ----------------------------------------------------------------------------------- steps


def deploy(story: Story, config_path: Path, deployments: Path) -> None:
    chain_id = story.chain.chain_id
    if not is_local(chain_id):
        raise DemoError(f"the demo needs a local chain for time travel (chain {chain_id})")
    config = load(config_path)
    story.say(f"[bold]1. Deploying Communis[/bold] to chain {chain_id} ({config_path})")
    journal = Journal.open(deployments, chain_id)
    plan = build_plan(config, now=plan_time(journal, story.now()))
    with step_progress(len(plan), story.console) as on_step:
        deployer = Deployer(story.project, story.foundation, journal, on_step=on_step)
        deployer.run(plan, config_sha256=config.sha256)
    story.system = System.load(deployments)
    story.governance = Governance(story.sys.governor, story.sys.contracts)
    timelock = story.sys.timelock
    for name in ("CommunityToken", "Influence", "ContributionRewards", "CommunisTimelock"):
        contract = story.sys.get(name)
        check(contract.hasRole(b"\0" * 32, timelock), f"the timelock administers {name}")
        check(not contract.hasRole(b"\0" * 32, story.foundation), f"the deployer left {name}")
    check(story.sys.guardians.owner() == timelock.address, "the timelock owns the guardians")
    story.say(f"   {len(plan)} steps; the timelock {timelock.address} owns every parameter")


def fund_bonds(story: Story) -> None:
    """The foundation gives each guardian enough tokens for a challenger bond."""
    token, rewards = story.sys.token, story.sys.rewards
    bond = int(rewards.policy().challengerBond)
    for guardian in story.guardians:
        if token.balanceOf(guardian) < bond:
            token.transfer(guardian, 2 * bond, sender=story.foundation)


def run_epoch(story: Story, epoch: int, *, fraud: bool = False) -> EpochReport:
    rewards, token = story.sys.rewards, story.sys.token
    ledger = story.examples / "ledgers" / f"epoch-{epoch}.jsonl"
    story.say(f"[bold]Epoch {epoch}[/bold]: {ledger}")
    story.travel_to(story.end_of_epoch(epoch) + 60)
    bundles = story.work / "epochs"
    with Progress(
        TextColumn("   {task.description}"), console=story.console, transient=True
    ) as progress:
        task = progress.add_task("building the epoch bundle")
        build: EpochBuild = epochs.build(
            rewards,
            ledger,
            bundles,
            overwrite=True,
            progress=lambda note: progress.update(task, description=f"building: {note}"),
        )
    bundle = bundles / str(epoch)
    weights = build.policy.role_weights
    story.say(
        f"   built {bundle}: {len(build.scores.scores)} contributors, root {build.root[:18]}…, "
        f"weights creator/curator/guardian/participant = {'/'.join(map(str, weights))}"
    )
    slashed: list[BondSlash] = []
    if fraud:
        slashed.append(catch_fraud(story, epoch, bundle))
    treasury_before = int(token.balanceOf(story.sys.timelock))
    epochs.propose(rewards, bundle, story.foundation, uri=f"file://{bundle}")
    story.travel_to(int(rewards.pendingProposal().challengeDeadline) + 1)
    epochs.finalize(rewards, epoch, story.accounts[8])
    check(epochs.status(rewards).next_epoch == epoch + 1, f"epoch {epoch} finalized")
    claim_everyone(story, bundle)
    report = epoch_report(story, build, slashed)
    check(
        report.tokens_emitted <= build.policy.token_budget,
        f"epoch {epoch} emitted no more than its token budget",
    )
    check(int(token.balanceOf(story.sys.timelock)) >= treasury_before, "treasury kept its funds")
    story.epochs.append(report)
    return report


def claim_everyone(story: Story, bundle: Path) -> None:
    rewards = story.sys.rewards
    tree = epochs.load_tree(bundle)
    columns = (TextColumn("   {task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=story.console, transient=True) as progress:
        task = progress.add_task("claiming", total=len(tree.values))
        sent = epochs.claim_all(
            rewards,
            bundle,
            story.accounts[9],  # anyone may claim for anyone: funds go to each account
            batch_size=60,
            on_batch=lambda _sent, n: progress.advance(task, n),
        )
    for leaf in tree.values:
        paid = rewards.claimed(leaf.account)
        check(int(paid[0]) == leaf.tokens, f"{leaf.account} got its cumulative tokens")
    accounts = sum(s.details["accounts"] for s in sent)
    tokens = sum(s.details["tokens"] for s in sent)
    gas = sum(s.gas_used for s in sent)
    story.say(
        f"   claimed for {accounts} accounts in {len(sent)} transactions: "
        f"{whole(tokens)} CMN, {gas:,} gas"
    )


def pad_bundle(honest: Path, out: Path, fakes: int) -> tuple[Path, list[str]]:
    """A dishonest proposer's bundle: the honest ledger with a tree that moves 40% of every
    account's tokens and influence to fake accounts (totals unchanged: within budget)."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(honest, out)
    tree = MerkleTree.load(honest / TREE)
    total_tokens = sum(leaf.tokens for leaf in tree.values)
    total_influence = sum(leaf.influence for leaf in tree.values)
    kept = [Leaf(v.account, v.tokens * 6 // 10, v.influence * 6 // 10) for v in tree.values]
    stolen_tokens = total_tokens - sum(v.tokens for v in kept)
    stolen_influence = total_influence - sum(v.influence for v in kept)
    fake = [f"0x{0xFA4E << 144 | i:040x}" for i in range(1, fakes + 1)]
    from communis.engine.address import to_checksum

    fake = [to_checksum(a) for a in fake]
    leaves = kept + [
        Leaf(
            a,
            stolen_tokens // fakes + (stolen_tokens % fakes if i == 0 else 0),
            stolen_influence // fakes + (stolen_influence % fakes if i == 0 else 0),
        )
        for i, a in enumerate(fake)
    ]
    replace_tree(out, MerkleTree.build(leaves))
    return out, fake


def catch_fraud(story: Story, epoch: int, honest: Path) -> BondSlash:
    rewards, token = story.sys.rewards, story.sys.token
    padded, fakes = pad_bundle(honest, story.work / "padded" / str(epoch), FAKE_ACCOUNTS)
    proposer = story.foundation
    bond = int(rewards.policy().proposerBond)
    proposer_before = int(token.balanceOf(proposer))
    epochs.propose(rewards, padded, proposer, uri=f"file://{padded}")
    story.say(f"   the proposer publishes a root padded with {len(fakes)} fake accounts")

    previous = story.work / "epochs" / str(epoch - 1) if epoch > 0 else None
    result = epochs.verify(rewards, padded, previous=previous)
    flagged = {d.account for d in result.differences}
    check(not result.ok, "verify flags the padded root")
    check(set(fakes) <= flagged, "verify names every fake account")
    story.say(
        f"   [red]verify: mismatch[/red], {len(result.differences)} differing accounts "
        f"including all {len(fakes)} fakes"
    )
    guardian = story.guardians[0]
    guardian_before = int(token.balanceOf(guardian))
    epochs.challenge(rewards, epoch, guardian, evidence="verify: fake accounts in the tree")
    story.say(f"   guardian {guardian.address} challenges with a bond")

    check(epochs.status(rewards).next_epoch == epoch, f"epoch {epoch} can be proposed again")
    dispute = epochs.find_dispute(rewards, epoch)
    text = epochs.resolution_text(dispute, upheld=True)
    calldata = bytes(rewards.resolveDispute.encode_input(dispute.to_abi(), True))
    pass_proposal(story, [Action(str(rewards.address), 0, calldata, text)], text, epoch=epoch)
    check(
        bool(rewards.isRootBanned(epoch, dispute.root, dispute.ledger_root)),
        "the padded root is banned for its epoch",
    )
    lost = proposer_before - int(token.balanceOf(proposer))
    check(lost == bond, "the proposer's bond is slashed")
    gained = int(token.balanceOf(guardian)) - guardian_before
    check(gained > 0, "the guardian gets its bond back and a reward")
    story.say(
        f"   upheld: proposer lost its {whole(bond)} CMN bond; the guardian earned "
        f"{whole(gained)} CMN net; the fake accounts are erased"
    )
    return BondSlash(proposer.address, bond, "root padded with fake accounts")


def pass_proposal(
    story: Story, actions: list[Action], description: str, *, epoch: int | None = None
) -> int:
    """Propose, vote with the key members (except the parties of a dispute it resolves, whom
    the governor bars), queue and execute through the timelock."""
    gov, governor = story.gov, story.gov.governor
    proposer = max(story.members, key=lambda m: int(governor.getVotes(m, governor.clock() - 1)))
    proposal_id = gov.propose(actions, description, sender=proposer)
    story.travel_to(int(governor.proposalSnapshot(proposal_id)) + 1)
    for member in story.members:
        if governor.isDisputeParty(proposal_id, member):
            continue
        gov.vote(proposal_id, "for", sender=member, reason="contributors agree")
    check(
        int(governor.proposalVotes(proposal_id)[1])
        >= int(governor.quorum(governor.proposalSnapshot(proposal_id))),
        "contributors reach quorum",
    )
    story.travel_to(int(governor.proposalDeadline(proposal_id)) + 1)
    gov.queue(proposal_id, sender=proposer)
    story.travel_to(int(governor.proposalEta(proposal_id)) + 1)
    gov.execute(proposal_id, sender=proposer)
    status = gov.status(proposal_id)
    check(status.state == "Executed", f"proposal '{description}' executed")
    story.say(
        f"   proposal '{description}': {whole(status.for_votes, 1)} influence for, quorum "
        f"{whole(status.quorum or 0, 1)}; queued, executed by the timelock"
    )
    story.proposals.append(
        Proposal(
            id=proposal_id,
            description=description,
            outcome="Executed",
            votes_for=int(status.for_votes),
            votes_against=int(status.against_votes),
            votes_abstain=int(status.abstain_votes),
            proposer=proposer.address,
            epoch=epoch,
        )
    )
    return proposal_id


def appoint_guardians(story: Story) -> None:
    story.say("[bold]Governance[/bold]: contributors appoint guardians")
    actions = [story.gov.grant_guardian(g.address) for g in story.guardians]
    pass_proposal(story, actions, "Appoint accounts 3 and 6 as guardians")
    for guardian in story.guardians:
        check(story.sys.rewards.isGuardian(guardian), f"{guardian.address} is a guardian")


def whale_and_weights(story: Story) -> Policy:
    token, governor = story.sys.token, story.gov.governor
    whale = story.whale
    amount = int(token.totalSupply()) * WHALE_SHARE_BPS // 10_000
    token.transfer(whale, amount, sender=story.foundation)
    story.travel_to(story.now() + 1)
    votes = int(governor.getVotes(whale, governor.clock() - 1))
    share = amount * 100 / int(token.totalSupply())
    story.say(
        f"[bold]The whale[/bold] buys {whole(amount)} CMN ({share:.0f}% of the supply): "
        f"voting power {votes}"
    )
    check(votes == 0, "tokens bought give no votes")
    rewards = story.sys.rewards
    current = epochs.onchain_policy(rewards)
    weights = list(current.role_weights)
    weights[ROLES.index("creator")] = 1
    weights[ROLES.index("participant")] = 5
    grab = replace(current, role_weights=tuple(weights))
    try:
        story.gov.propose([policy_action(rewards, grab)], "Whale: pay participants", sender=whale)
    except Exception as err:
        story.say(f"   the whale cannot propose: {str(err).splitlines()[0]}")
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
    story.say("[bold]Governance[/bold]: contributors raise the curators' weight")
    proposal_id = pass_proposal(
        story, [policy_action(rewards, new_policy)], "Raise the curators' weight to 6"
    )
    check(
        bytes(rewards.policyHash()) == policy_hash(new_policy),
        "the new role weights are in force",
    )
    check(
        not governor.hasVoted(proposal_id, whale),
        "the whale had no say in the weights",
    )
    return new_policy


def policy_action(rewards: Any, policy: Policy) -> Action:
    calldata = bytes(rewards.setPolicy.encode_input(policy.to_abi()))
    weights = "/".join(map(str, policy.role_weights))
    return Action(rewards.address, 0, calldata, f"ContributionRewards.setPolicy(weights {weights})")


# ----------------------------------------------------------------------------------- report


def epoch_report(story: Story, build: EpochBuild, slashed: list[BondSlash]) -> EpochReport:
    """The epoch's rewards split by role in proportion to each role's weighted points."""
    influence = story.sys.influence
    tokens = build.scores.tokens.amounts
    plain_influence = build.scores.influence.amounts
    rewards = role_rewards(build.ledger.points, build.policy.role_weights, tokens, plain_influence)
    story.seen |= set(build.ledger.points)
    balances = {a: int(influence.balanceOf(a)) for a in sorted(story.seen)}
    clock = int(story.gov.governor.clock())
    return EpochReport(
        epoch=build.epoch,
        token_budget=build.policy.token_budget,
        influence_budget=build.policy.influence_budget,
        tokens_emitted=sum(tokens.values()),
        influence_emitted=sum(plain_influence.values()),
        rewards=tuple(rewards),
        influence_balances=balances,
        quorum=int(story.gov.governor.quorum(clock - 1)),
        treasury_balance=int(story.sys.token.balanceOf(story.sys.timelock)),
        bonds_slashed=tuple(slashed),
    )


def run_report(story: Story, network: str) -> RunReport:
    return RunReport(
        epochs=tuple(story.epochs),
        proposals=tuple(story.proposals),
        notes=tuple(story.notes),
        title="Communis demo: a sample community over three epochs",
        network=network,
        token_symbol=str(story.sys.token.symbol()),
    )
