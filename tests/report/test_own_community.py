"""The report of one's own community: from its epoch bundles (communis.report.bundles), told in
words (communis.report.story: what happened, the risks, the glossary) and written as HTML by
`communis report BUNDLES --out DIR`."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.engine.bundle import build_bundle
from communis.engine.policy import DEFAULT_POLICY
from communis.report.__main__ import main as report_main
from communis.report.bundles import BundlesError, find_bundles, run_from_bundles
from communis.report.model import BondSlash, Proposal
from communis.report.story import GLOSSARY, risks, story
from tests.helpers.attest import attested
from tests.helpers.ledger import account, jsonl, row, write

pytestmark = pytest.mark.offchain

HALF_LIFE = 26
ROLES = ("creator", "curator", "guardian", "participant", "creator", "curator")


@pytest.fixture
def bundles(tmp_path: Path) -> Path:
    """Two epochs of a community of six under the default policy (a 5% cap)."""
    out = tmp_path / "epochs"
    previous = None
    for epoch in (0, 1):
        rows = [
            row(epoch, account(i), role, str(10 + 5 * i + epoch), f"e{epoch}/r{i}")
            for i, role in enumerate(ROLES)
        ]
        ledger = write(tmp_path / f"epoch-{epoch}.jsonl", jsonl(rows))
        build_bundle(
            attested(ledger), DEFAULT_POLICY, HALF_LIFE, out / str(epoch), previous=previous
        )
        previous = out / str(epoch)
    return out


def test_a_run_from_bundles(bundles: Path) -> None:
    assert [p.name for p in find_bundles([bundles])] == ["0", "1"]
    run = run_from_bundles([bundles], title="Six", quorum_percent=10)
    assert [e.epoch for e in run.epochs] == [0, 1]
    first = run.epochs[0]
    cap = DEFAULT_POLICY.token_budget * DEFAULT_POLICY.account_cap_bps // 10_000
    assert first.tokens_emitted == 6 * cap  # everyone capped
    assert sum(r.tokens for r in first.rewards) <= first.tokens_emitted
    assert {r.role for r in first.rewards} == set(ROLES)
    assert len(first.influence_balances) == 6
    assert first.quorum == sum(first.influence_balances.values()) // 10
    # influence decays: an epoch-0 award is worth less at the end of epoch 1
    second = run.epochs[1]
    assert second.influence_balances[account(0)] < 2 * first.influence_balances[account(0)]


def test_the_story_and_the_risks_in_words(bundles: Path) -> None:
    slash = {1: [BondSlash(account(9), 1_000 * 10**18, "root padded with fake accounts")]}
    vote = Proposal(7, "Raise the curators' weight", "Executed", 30 * 10**18, 0, 0, epoch=1)
    run = run_from_bundles([bundles], quorum_percent=10, proposals=[vote], slashed=slash)
    text = " ".join(story(run))
    assert "This report covers epochs 0 to 1 of Our community" in text
    assert "6 members earned 60,000 CMN" in text
    assert "The per-account cap bound every one of them" in text
    assert "Fraud caught: the proposer" in text and "1,000 CMN was slashed" in text
    assert (
        "“Raise the curators' weight” in epoch 1 passed and was executed (30 influence for" in text
    )
    found = " ".join(risks(run))
    assert "One member alone can reach quorum" in found  # 1/6 of the influence > 10%
    assert "left 70% of its token budget unpaid" in found
    assert "cap bound every member" in found
    safer = run_from_bundles([bundles], quorum_percent=40)
    assert not any("alone" in r for r in risks(safer))
    assert {term for term, _ in GLOSSARY} >= {
        "Gini coefficient",
        "Nakamoto coefficient",
        "Stored versus current influence",
    }


def test_the_story_tells_proofs_removed_attesters_and_undecided_disputes(bundles: Path) -> None:
    from dataclasses import replace

    from communis.report.model import AttesterRemoval, SettledDispute

    run = run_from_bundles([bundles], quorum_percent=10)
    first, second = run.epochs
    proven = BondSlash(account(8), 1_000 * 10**18, "rows no attester signed", proven=True)
    removed = AttesterRemoval(account(7), 4, 593 * 10**18, "signed over its budget")
    settled = SettledDispute(
        account(9), 200 * 10**18, account(3), 50 * 10**18, 1_382_461, 1_555_261
    )
    run = replace(
        run,
        epochs=(
            replace(first, bonds_slashed=(proven,), attesters_removed=(removed,)),
            replace(second, disputes_settled=(settled,)),
        ),
    )
    text = " ".join(story(run))
    assert "Fraud proven: the proposer" in text
    assert "in one transaction, with no vote: the proposer's bond of 1,000 CMN was slashed" in text
    assert (
        "was removed by governance from epoch 4 on (signed over its budget) and 593 of its" in text
    )
    assert "was never put to a vote" in text
    assert "the challenger paid 50 CMN and the proposer 200 CMN" in text
    assert "finalized 16d 0h after it ended, within the bound of 18d 0h" in text


def test_communis_report_from_bundles(bundles: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"
    assert report_main([str(bundles), "--out", str(out), "--quorum-percent", "10"]) == 0
    html = (out / "index.html").read_text()
    for section in ("story", "risks", "glossary", "top-earners", "run", "epoch-0", "epoch-1"):
        assert f'<section id="{section}"' in html
    assert "One member alone can reach quorum" in html
    assert "What happened" in html and "Top earners" in html
    assert report_main([str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert "not a bundle folder" in capsys.readouterr().err
    with pytest.raises(BundlesError, match="no epoch bundles"):
        find_bundles([tmp_path / "report"])
