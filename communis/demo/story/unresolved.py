"""Scene 4: a challenge nobody decides, settled at its deadline; the rewards are paid within T."""

from __future__ import annotations

from dataclasses import replace

from communis.chain.epochs.disputes import challenge, settle
from communis.chain.epochs.state import find_dispute, pending_proposal
from communis.demo.story.money import bonded_proposal, check_flows, counting, fund
from communis.demo.story.over_budget import over_budget_verdict
from communis.demo.story.state import Story, Unresolved, Vote, check, short, whole
from communis.demo.story.steps import build_honest, finalize_and_claim, propose
from communis.economics.bonds import Ending, bond_flows
from communis.engine.units import format_duration
from communis.report import SettledDispute


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
        challenge(rewards, epoch, griefer, evidence="")
    dispute = find_dispute(rewards, epoch, root=build.root, from_block=since)
    check(pending_proposal(rewards) is None, "the challenged root is discarded at once")
    story.say(
        f"   the foundation proposes the honest root; guardian {short(griefer.address)} "
        "challenges it without a reason: it is discarded at once, and it cannot be proposed "
        f"again while its dispute is open (until {story.day(dispute.deadline)}); nobody puts "
        "the dispute to a vote"
    )
    over_budget_verdict(story, *verdict)
    story.travel_to(dispute.deadline)
    with counting(token, parties, net):
        settled = settle(rewards, epoch, story.watcher, root=build.root, from_block=since)
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
