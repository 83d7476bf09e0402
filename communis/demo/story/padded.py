"""Scene 2: a root over a ledger padded with unattested rows, proven wrong with no vote."""

from __future__ import annotations

from dataclasses import replace

from rich.markup import escape

from communis.chain.epochs.fraud_proof import prove
from communis.chain.epochs.state import pending_proposal
from communis.demo.sample import POINT
from communis.demo.story.cheats import extended_bundle, flagged, invented
from communis.demo.story.money import bonded_proposal, check_flows, counting
from communis.demo.story.state import (
    PADDED_POINTS,
    PADDED_ROWS,
    PaddedLedger,
    Story,
    check,
    short,
    whole,
)
from communis.demo.story.steps import build_honest, finalize_and_claim, propose
from communis.economics.bonds import Ending, bond_flows
from communis.report import BondSlash


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
        proof = prove(rewards, bundle, watcher)
    root, ledger_root = sent.details["root"], sent.details["ledger_root"]
    check(bool(rewards.isRootBanned(epoch, root, ledger_root)), "the padded root is banned")
    check(pending_proposal(rewards) is None, f"epoch {epoch} can be proposed again")
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
