"""Scene 3: an attester signs over its budget; a guardian challenges, governance upholds."""

from __future__ import annotations

from dataclasses import replace

from rich.markup import escape

from communis.chain.epochs.disputes import challenge
from communis.chain.epochs.resolve import resolution_text
from communis.chain.epochs.state import find_dispute, pending_proposal
from communis.demo.sample import POINT
from communis.demo.story.cheats import extended_bundle, flagged, invented
from communis.demo.story.governance import call, enact, open_vote
from communis.demo.story.money import bond_parties, bonded_proposal, check_flows, counting, fund
from communis.demo.story.state import (
    MAX_UINT256,
    WORKSHOP_BUDGET,
    WORKSHOP_POINTS,
    WORKSHOP_ROWS,
    OverBudget,
    Story,
    Vote,
    check,
    short,
    whole,
)
from communis.demo.story.steps import build_honest, finalize_and_claim, propose
from communis.economics.bonds import Ending, Flows, bond_flows
from communis.report import AttesterRemoval, BondSlash


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
        challenge(rewards, epoch, challenger, evidence=f"verify: over-budget ({points} points)")
    root, ledger_root = sent.details["root"], sent.details["ledger_root"]
    dispute = find_dispute(rewards, epoch, root=root, from_block=since)
    check(pending_proposal(rewards) is None, "the challenged root is discarded at once")
    story.say(
        f"   the root is discarded at once; a dispute holds both bonds until "
        f"{story.day(dispute.deadline)}"
    )
    build = build_honest(story, epoch)
    propose(story, story.bundle(epoch), story.foundation)
    story.say("   the foundation proposes the honest root right away")
    influence = story.sys.influence
    who = culprit.address
    uphold = resolution_text(dispute, True)
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
