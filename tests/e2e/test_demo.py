"""`make demo`'s story on eth-tester, then each scene's outcome read back from the chain: the bonds
moved exactly as the epoch game's rules say, the padded root banned with no vote, the attester
over its budget removed and its influence slashed, the undecided dispute settled with both fees
and its epoch paid within the bound T. (The story runs once, on the in-process EVM: it takes a
while; `make demo NETWORK=ethereum:local:foundry` runs it on anvil.)"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from communis.chain import epochs
from communis.chain.epochs import Verdict
from communis.chain.history import PROVEN_REASON, UPHELD_REASON, slashed_bonds
from communis.demo import story as demo
from communis.demo.sample import POINT
from communis.deploy.config import load
from communis.engine.units import format_duration
from communis.report import BondSlash

ROOT = Path(__file__).resolve().parents[2]


def _events(contract, name: str, chain, **topics) -> list:
    logs = getattr(contract, name).range(0, chain.blocks.height + 1)
    return [log for log in logs if all(getattr(log, k) == v for k, v in topics.items())]


def _when(chain, log) -> int:
    return int(chain.blocks[log.block_number].timestamp)


def test_demo_tells_the_whole_story_and_the_chain_agrees(project, chain, accounts, tmp_path):
    if chain.provider.name != "test":
        pytest.skip("the demo's story runs once, on eth-tester (make demo NETWORK=... for anvil)")
    out = io.StringIO()
    story = demo.Story(
        project=project,
        chain=chain,
        accounts=accounts,
        examples=ROOT / "examples",
        work=tmp_path / "demo",
        console=Console(file=out, width=250),
        config=load(ROOT / "examples" / "deploy-demo.toml"),
    )
    demo.run(story, tmp_path / "deployments")
    text = out.getvalue()

    system, p = story.sys, story.economics
    rewards, token, registry, influence = (
        system.rewards, system.token, system.attesters, system.influence
    )  # fmt: skip
    treasury = system.timelock.address
    reward, fee_p, fee_c = p.reward(), p.fee(p.proposer_bond), p.fee(p.challenger_bond)
    mallory, watcher, culprit = story.mallory, story.watcher, story.member_attester
    griefer, challenger = story.guardians
    assert story.padded and story.over_budget and story.unresolved

    # The padded ledger: proven in one transaction by the watcher, no vote; the root is banned.
    [proven] = _events(rewards, "UnattestedBatchProven", chain, epoch=1)
    assert (proven.prover, proven.attester) == (watcher.address, mallory.address)
    assert (int(proven.toProver), int(proven.toTreasury)) == (reward, p.proposer_bond - reward)
    assert rewards.isRootBanned(1, story.padded.root, story.padded.ledger_root)
    assert token.balanceOf(mallory) == 0  # she bought exactly her bond, and lost it
    assert token.balanceOf(watcher) == reward  # the prover's share; claiming for all pays nothing
    assert "is not an attester in epoch 1 [not-attester]" in text

    # The attester over its budget: challenged, upheld by governance, removed, influence slashed.
    [upheld] = _events(rewards, "DisputeEnded", chain, epoch=2)
    assert int(upheld.verdict) == Verdict.UPHELD
    assert int(upheld.toProposer) == 0
    assert int(upheld.toChallenger) == p.challenger_bond + reward
    assert int(upheld.toTreasury) == p.proposer_bond - reward
    [challenged] = _events(rewards, "RootChallenged", chain, epoch=2)
    assert challenged.challenger == challenger.address
    assert rewards.isRootBanned(2, story.over_budget.root, story.over_budget.ledger_root)
    assert not registry.isAttester(culprit)
    assert registry.budgetAt(culprit, 2) == demo.WORKSHOP_BUDGET * POINT  # the past stays
    assert registry.budgetAt(culprit, story.over_budget.removed_from) == 0
    # Slashed: all it had earned by epoch 2; what it holds now, epoch 3 paid it as a member.
    earned = [epochs.load_tree(story.bundle(e)).leaf(culprit.address).influence for e in (2, 3)]
    [slashed] = _events(influence, "Slashed", chain)
    assert earned[0] > 0
    assert slashed.account == culprit.address and int(slashed.storedUnits) == earned[0]
    assert influence.storedBalanceOf(culprit) == earned[1] - earned[0]
    assert "900 points attested, the budget is 300 [over-budget]" in text

    # The challenge nobody decided: settled after its deadline, each side paid the fee.
    [timed_out] = _events(rewards, "DisputeEnded", chain, epoch=3)
    assert int(timed_out.verdict) == Verdict.NO_VERDICT
    assert int(timed_out.toProposer) == p.proposer_bond - fee_p
    assert int(timed_out.toChallenger) == p.challenger_bond - fee_c
    assert int(timed_out.toTreasury) == fee_p + fee_c
    [grief] = _events(rewards, "RootChallenged", chain, epoch=3)
    assert grief.challenger == griefer.address
    assert _when(chain, timed_out) >= epochs.Dispute.from_record(grief.dispute).deadline
    # ... and its epoch was paid within T = epoch end + ε + W + (P + W), ε the first proposal's
    # delay after the epoch ended.
    ended = epochs.epoch_end(influence, 3)
    first = _events(rewards, "RootProposed", chain, epoch=3)[0]
    [final] = _events(rewards, "RootFinalized", chain, epoch=3)
    epsilon = _when(chain, first) - ended
    bound = epsilon + p.challenge_window + p.dispute_period + p.challenge_window
    assert 0 < _when(chain, final) - ended <= bound
    assert rewards.rootOf(3) == final.root and rewards.nextEpoch() == 4
    assert tuple(rewards.totalClaimed()) == tuple(
        rewards.finalizedTotals()
    )  # everyone claimed everything

    # Four epochs paid in full; treasury = the two slashed shares plus both fees; no bond left.
    assert [e.tokens_emitted for e in story.epochs] == [p.token_budget] * 4
    assert token.balanceOf(treasury) == 2 * (p.proposer_bond - reward) + fee_p + fee_c
    assert token.balanceOf(rewards) == 0
    # The whale has no say; the curators' weight was raised by governance.
    governor = story.gov.governor
    assert governor.getVotes(story.whale, governor.clock() - 1) == 0
    assert tuple(rewards.policy().roleWeights) == (5, 6, 4, 1)

    # What `ape run chain report` reads back about the slashed bonds is what the story did.
    assert slashed_bonds(system.rewards, chain.blocks.height) == {
        1: [BondSlash(mallory.address, p.proposer_bond, PROVEN_REASON, proven=True)],
        2: [BondSlash(culprit.address, p.proposer_bond, UPHELD_REASON)],
    }

    lines = demo.summary(story)
    paid = format_duration(p.dispute_period + p.challenge_window)  # P + W, and a few minutes
    assert len(lines) == 6 and f"paid {paid} after the epoch ended" in lines[3]

    paths = demo.write_demo_report(story, "ethereum:local:test", tmp_path / "report")
    page = paths.html.read_text(encoding="utf-8")
    for said in (
        "Fraud proven",
        "was removed by governance",
        "was never put to a vote",
        'id="economics"',
        "Why cheating does not pay",
        "fraud proof, no vote",
    ):
        assert said in page
    assert len(list(paths.out_dir.glob("*.png"))) >= 4 * 3 + 4 + 7
