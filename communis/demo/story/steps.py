"""The story's ordinary steps: deploying, signing the ledgers, building, proposing, finalizing and
claiming an epoch."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn

from communis.chain.accounts import is_local
from communis.chain.epochs.build import build as build_on_chain
from communis.chain.epochs.claims import claim_all, load_tree, owed
from communis.chain.epochs.contract import Sent
from communis.chain.epochs.propose import finalize
from communis.chain.epochs.propose import propose as propose_root
from communis.chain.governance.governor import Governance
from communis.chain.system import System
from communis.demo.sample import ATTESTERS, POINT, attester_key, sign_sample_ledger, write_sample
from communis.demo.story.report import epoch_report
from communis.demo.story.state import (
    EPOCHS,
    EXAMPLE_EPOCHS,
    WORKSHOP_BUDGET,
    DemoError,
    Story,
    check,
    whole,
)
from communis.deploy.deployer import Deployer, plan_time
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from communis.engine.attest.files import attestations_path
from communis.engine.bundle import EpochBuild
from communis.report import EpochReport


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
        build: EpochBuild = build_on_chain(
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


def propose(story: Story, bundle: Path, proposer: Any, *, cheat: bool = False) -> Sent:
    uri = f"file://{bundle.resolve()}"
    sent = propose_root(story.sys.rewards, bundle, proposer, uri=uri, check_attesters=not cheat)
    return sent[-1]


def finalize_and_claim(story: Story, build: EpochBuild) -> EpochReport:
    """Wait out the challenge window, finalize, let the key members claim (their influence
    votes), and report the epoch."""
    rewards = story.sys.rewards
    epoch = build.epoch
    story.travel_to(int(rewards.pendingProposal().challengeDeadline) + 1)
    finalize(rewards, epoch, story.watcher)
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
    tree = load_tree(bundle)
    dues = [owed(rewards, tree, m.address) for m in story.members]
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
    tree = load_tree(bundle)
    story.say("[bold]7. Claims[/bold]")
    columns = (TextColumn("   {task.description}"), BarColumn(), MofNCompleteColumn())
    with progress_bar(story, *columns) as progress:
        task = progress.add_task("claiming", total=len(tree.values))
        sent = claim_all(
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
