"""The watcher (communis.chain.watch, behind `ape run epoch watch`) on both EVMs, one poll at a
time: a padded tree is challenged, a padded ledger proven, a disputed padded ledger proven (also
while another root of its epoch is pending), an honest root verified and finalized after its
window, an expired dispute settled, bundles fetched over https checked on the previous epoch's,
blocks a node lost read again; nothing is sent twice. The long-lived process (a node restart
under it, its signals) is tested against anvil in tests/e2e/test_watch.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from communis.chain import epochs
from communis.chain.watch import Watcher, WatchOptions
from communis.engine.attest import Domain
from communis.engine.bundle import read_totals
from tests.helpers.attack_bundles import attest_bundle, pad
from tests.helpers.attest import members_ledger
from tests.helpers.https import https_server
from tests.helpers.time import end_epoch

__all__ = ["https_server"]  # the fixture


@pytest.fixture
def bundles(rewards, members, tmp_path, attest_domain) -> tuple[Path, Path]:
    """Epoch 0's honest bundle (in epochs/0, the watcher's --bundles) and a padded tree over it."""
    epochs.build(
        rewards,
        members_ledger(tmp_path, 0, members, attest_domain),
        tmp_path / "epochs",
    )
    honest = tmp_path / "epochs" / "0"
    return honest, pad(honest, tmp_path / "padded" / "0")


@pytest.fixture
def watcher(rewards, guardian, tmp_path) -> tuple[Watcher, list[str]]:
    lines: list[str] = []
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    options = WatchOptions(bundles=tmp_path / "epochs", poll=0)
    return Watcher(rewards, guardian, options, lines.append, scratch), lines


def said(lines: list[str], text: str) -> list[str]:
    return [line for line in lines if text in line]


def test_padded_tree_challenged_honest_root_finalized_dispute_settled(
    rewards, token, chain, genesis, bundles, proposer, guardian, watcher
):
    honest, padded = bundles
    w, lines = watcher
    w.tick()
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, padded, proposer)
    w.tick()
    assert rewards.epochStatus(0) == epochs.Status.NONE  # discarded at once
    [dispute] = epochs.undecided_disputes(rewards)
    assert (dispute.challenger, dispute.root) == (guardian.address, read_totals(padded)["root"])
    assert said(lines, "proposed by")
    assert said(lines, "challenged by this watcher")
    [sent] = said(lines, "sent challenge")
    assert "differ" in sent and "tx 0x" in sent

    epochs.propose(rewards, honest, proposer)
    w.tick()
    w.tick()
    assert len(said(lines, "verified: the root is the recomputed one")) == 1  # said once
    assert rewards.epochStatus(0) == epochs.Status.PROPOSED
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    w.tick()
    assert rewards.epochStatus(0) == epochs.Status.FINALIZED
    assert said(lines, "sent finalize") and said(lines, "finalized")

    chain.pending_timestamp = dispute.deadline
    chain.mine()
    before = token.balanceOf(guardian)
    w.tick()
    assert epochs.undecided_disputes(rewards) == []
    assert said(lines, "sent settleDispute") and said(lines, "(no verdict)")
    assert token.balanceOf(guardian) > before  # its bond back, less the fee
    w.tick()
    assert w.sent == {"challenge": 1, "finalize": 1, "settleDispute": 1}


def test_keeper_off_sends_nothing_for_a_passed_window(
    rewards, chain, genesis, bundles, proposer, guardian, tmp_path
):
    honest, _ = bundles
    lines: list[str] = []
    options = WatchOptions(bundles=tmp_path / "epochs", poll=0, finalize=False)
    w = Watcher(rewards, guardian, options, lines.append, tmp_path)
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, honest, proposer)
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    w.tick()
    assert rewards.epochStatus(0) == epochs.Status.PROPOSED
    assert said(lines, "finalizing is off")
    assert not w.sent


def _padded_ledger(rewards, bundle: Path, attester_registry, gov, carol, attacker, chain) -> None:
    """``bundle``'s ledger signed by carol (an attester) for three rows and by the attacker (no
    attester) for two."""
    attester_registry.appoint(carol, 10**24, sender=gov)
    domain = Domain(chain.chain_id, attester_registry.address)
    attest_bundle(bundle, domain, [(carol, [1, 2, 3]), (attacker, [4, 5])])


def test_padded_ledger_proven_not_challenged(
    rewards, token, chain, genesis, bundles, proposer, guardian, watcher, attester_registry, gov,
    carol, attacker,
):  # fmt: skip
    _, padded = bundles
    _padded_ledger(rewards, padded, attester_registry, gov, carol, attacker, chain)
    w, lines = watcher
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, padded, proposer, check_attesters=False)  # a cheat's own script
    pending = rewards.pendingProposal()
    before = token.balanceOf(guardian)
    w.tick()
    assert rewards.isRootBanned(0, pending.root, pending.ledgerRoot)
    assert epochs.undecided_disputes(rewards) == []  # proven, not challenged: no vote needed
    assert token.balanceOf(guardian) > before  # the prover's reward
    [sent] = said(lines, "sent proveUnattestedBatch")
    assert attacker.address in sent and "not attester" in sent
    assert w.sent == {"proveUnattestedBatch": 1}


@pytest.mark.parametrize("honest_pending", [False, True])
def test_disputed_padded_ledger_proven(
    rewards, chain, genesis, bundles, proposer, guardian, watcher, attester_registry, gov, carol,
    attacker, alice, token, honest_pending,
):  # fmt: skip
    """Another guardian challenged the padded ledger instead of proving it (and the honest root
    may be pending again): the watcher ends the dispute with the proof, no vote."""
    honest, padded = bundles
    _padded_ledger(rewards, padded, attester_registry, gov, carol, attacker, chain)
    attest_bundle(
        honest, Domain(chain.chain_id, attester_registry.address), [(carol, [1, 2, 3, 4, 5])]
    )
    rewards.grantRole(rewards.GUARDIAN_ROLE(), alice, sender=gov)
    token.transfer(alice, 1_000 * 10**18, sender=proposer)
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, padded, proposer, check_attesters=False)  # a cheat's own script
    epochs.challenge(rewards, 0, alice)
    if honest_pending:
        epochs.propose(rewards, honest, proposer)
    w, lines = watcher
    w.tick()
    assert epochs.undecided_disputes(rewards) == []
    assert said(lines, "(proven)")
    if honest_pending:
        assert said(lines, "verified: the root is the recomputed one")
        assert rewards.epochStatus(0) == epochs.Status.PROPOSED  # the honest root stays pending
    assert w.sent == {"proveUnattestedBatch": 1}


def test_a_root_whose_bundle_is_missing_is_challenged_only_near_the_window_end(
    rewards, chain, genesis, bundles, proposer, guardian, tmp_path
):
    _, padded = bundles
    lines: list[str] = []
    options = WatchOptions(bundles=tmp_path / "epochs", poll=0, unavailable_margin=3600)
    w = Watcher(rewards, guardian, options, lines.append, tmp_path)
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, padded, proposer, uri="https://127.0.0.1:9/nowhere/0")
    w.tick()
    assert rewards.epochStatus(0) == epochs.Status.PROPOSED
    assert said(lines, "waiting for its bundle")
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline - 3600
    chain.mine()
    w.checked.clear()  # the retry delay is wall-clock time
    w.tick()
    assert rewards.epochStatus(0) == epochs.Status.NONE
    assert said(lines, "sent challenge") and said(lines, "still unavailable")


def test_blocks_the_node_lost_are_read_again_from_where_it_agrees(
    rewards, chain, genesis, bundles, proposer, watcher
):
    """A node restarted from an older state has lost the last blocks the watcher read and mined
    others in their place: the watcher goes back to the newest block that is still as it read it
    and reads on from there (the padded root, proposed in the new blocks, is challenged)."""
    _, padded = bundles
    w, lines = watcher
    w.tick()
    kept = chain.snapshot()
    chain.mine(3)
    w.tick()  # reads blocks the node is about to lose
    chain.restore(kept)
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, padded, proposer)
    chain.mine(3)  # the new chain is as long as the one read, or longer
    w.tick()
    assert said(lines, "the chain no longer holds block")
    assert w.next_block == chain.blocks.head.number + 1
    assert said(lines, "proposed by") and said(lines, "sent challenge")
    w.tick()
    assert len(said(lines, "proposed by")) == 1 and w.sent == {"challenge": 1}


def test_bundles_fetched_over_https_are_checked_on_the_previous_epoch(
    rewards, chain, genesis, members, tmp_path, attest_domain, proposer, https_server, watcher,
    finalized_epoch_zero,
):  # fmt: skip
    """Epoch 1's bundles published over https: the watcher downloads each and lays it beside
    epoch 0's bundle from --bundles (its table anchored to epoch 0's finalized root); it
    challenges the padded one and finds the honest one right."""
    base, site = https_server
    out = finalized_epoch_zero
    epochs.build(rewards, members_ledger(tmp_path, 1, members, attest_domain), out)
    shutil.copytree(out / "1", site / "honest" / "1")
    pad(out / "1", site / "padded" / "1")
    shutil.rmtree(out / "1")  # the watcher holds only epoch 0's bundle
    w, lines = watcher
    end_epoch(chain, genesis, 1)
    epochs.propose(rewards, site / "padded" / "1", proposer, uri=f"{base}/padded/1/")
    w.tick()
    assert said(lines, f"bundle {base}/padded/1/")
    [sent] = said(lines, "sent challenge")
    assert "accounts differ" in sent
    epochs.propose(rewards, site / "honest" / "1", proposer, uri=f"{base}/honest/1/")
    w.tick()
    assert said(lines, "epoch 1: root") and said(lines, "verified: the root is the recomputed one")
    assert w.sent == {"challenge": 1}
