"""The "next:" line every epoch and govern command ends with (communis.chain.next_steps), and
the message of a reset chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.chain.epochs import Dispute, Pending, RewardsStatus, Status, status_next_steps
from communis.chain.next_steps import (
    after_attest,
    after_build,
    after_challenge,
    after_deploy,
    after_finalize,
    after_gov,
    after_propose,
    after_prove,
    after_resolution,
    after_settle,
    after_verdict,
    render_steps,
    reset_message,
)
from communis.engine.policy import DEFAULT_POLICY

pytestmark = pytest.mark.offchain

DAY = 86_400
NETWORK = "ethereum:localnet"


def test_a_step_that_waits_says_when_and_how_to_get_there_on_a_local_chain() -> None:
    steps = after_propose(0, window_closes=2 * DAY)
    text = render_steps(steps, now=0, network=NETWORK, local=True)
    first, second, third = text.splitlines()
    assert first == (
        "next: after 1970-01-03 00:00 UTC (in 2d 0h) run "
        "`ape run epoch finalize 0 --network ethereum:localnet` (when nobody challenged it)"
    )
    assert second.strip() == (
        "(on this local chain, `ape run chain advance --to window-end --network "
        "ethereum:localnet` gets there now)"
    )
    assert third.startswith("  or: run `ape run epoch challenge 0 --account GUARDIAN")
    live = render_steps(steps, now=0, network="ethereum:sepolia:URL", local=False)
    assert "chain advance" not in live


def test_a_step_whose_time_has_come_is_just_the_command() -> None:
    step = after_build(3, Path("epochs/31337/3"), epoch_ends=100)[0]
    assert step.render(now=100) == (
        "next: run `ape run epoch propose epochs/31337/3` (epoch 3 must have ended)"
    )
    assert "claim epochs/31337/3" in after_finalize(3, "epochs/31337/3")[0].command


def test_governance_steps() -> None:
    vote, queue, execute = (
        after_gov("propose", "a1b2c3d4", 10)[0],
        after_gov("vote", "a1b2c3d4", 20)[0],
        after_gov("queue", "a1b2c3d4", 30)[0],
    )
    assert (vote.command, vote.after, vote.advance) == (
        "ape run govern vote a1b2c3d4 for",
        11,
        "vote-start",
    )
    assert (queue.command, queue.after, queue.advance) == (
        "ape run govern queue a1b2c3d4",
        21,
        "vote-end",
    )
    assert (execute.command, execute.after, execute.advance) == (
        "ape run govern execute a1b2c3d4",
        30,
        "timelock",
    )


def test_a_reset_chain_says_what_to_do() -> None:
    text = reset_message(Path("deployments/31337.json"), 31337, ["CommunityToken", "Influence"])
    assert text.startswith("this chain was reset (deployments/31337.json lists CommunityToken,")
    assert "use `make node`" in text
    assert "`mv deployments/31337.json deployments/31337.reset.json` and `ape run deploy`" in text


def test_after_deploy_and_attest() -> None:
    [attest] = after_deploy(1)
    assert attest.command == "ape run attest LEDGER --epoch 0 --account ATTESTER"
    assert "`ape run epoch build LEDGER`" in attest.why
    [redeploy] = after_deploy(0, "community.toml")
    assert redeploy.command == "ape run deploy --config community.toml"
    assert "once [attesters] names an attester" in redeploy.why
    [more] = after_attest("c/epoch-0.jsonl", 0, unsigned=2)
    assert more.command == "ape run attest c/epoch-0.jsonl --epoch 0 --account ATTESTER"
    assert more.why.startswith("2 rows are not signed yet")
    [build] = after_attest("c/epoch-0.jsonl", 0, unsigned=0)
    assert build.command == "ape run epoch build c/epoch-0.jsonl"
    [draft] = after_build(2, Path("e/2"), epoch_ends=100, ledger="l-2.jsonl")
    assert draft.command == "ape run attest l-2.jsonl --epoch 2 --account ATTESTER"
    assert "`ape run epoch build l-2.jsonl --overwrite`" in draft.why


def test_a_dispute_is_decided_settled_or_proposed_around() -> None:
    deadline = 14 * DAY
    resolve, again, settle = after_challenge(3, deadline, "epochs/31337/3")
    assert (resolve.command, resolve.after) == ("ape run epoch resolve 3 --uphold", None)
    assert "before 1970-01-15 00:00 UTC" in resolve.why
    assert again.command == "ape run epoch propose epochs/31337/3" and again.after is None
    assert (settle.command, settle.after, settle.advance) == (
        "ape run epoch settle 3",
        deadline,
        "dispute-end",
    )
    text = render_steps(after_challenge(3, deadline), now=0, network=NETWORK, local=True)
    assert "  or: after 1970-01-15 00:00 UTC (in 14d 0h) run `ape run epoch settle 3" in text
    assert "`ape run chain advance --to dispute-end --network ethereum:localnet`" in text

    [vote] = after_resolution("propose", 3, True, 100)
    assert (vote.command, vote.after, vote.advance) == (
        "ape run epoch resolve 3 --uphold --vote for --account MEMBER",
        101,
        "vote-start",
    )
    queue, others = after_resolution("vote", 3, False, 200)
    assert (queue.command, queue.after, queue.advance) == (
        "ape run epoch resolve 3 --reject",
        201,
        "vote-end",
    )
    assert others.command.endswith("--vote for --account MEMBER") and others.after is None
    [execute] = after_resolution("queue", 3, True, 300)
    assert (execute.after, execute.advance) == (300, "timelock")

    for steps in (after_verdict(3, True), after_verdict(3, False), after_settle(3), after_prove(3)):
        [step] = steps
        assert step.command == "ape run epoch propose BUNDLE"
    assert "banned" in after_verdict(3, True)[0].why
    assert "may be proposed again" in after_verdict(3, False)[0].why


def _status(**changes) -> RewardsStatus:
    base = dict(
        address="0x" + "11" * 20,
        now=10 * DAY,
        current_epoch=1,
        next_epoch=0,
        next_epoch_ends=7 * DAY,
        current_root="0x" + "00" * 32,
        finalized_tokens=0,
        finalized_influence=0,
        claimed_tokens=0,
        claimed_influence=0,
        policy=DEFAULT_POLICY,
        policy_hash="0x" + "22" * 32,
        challenger_reward_bps=5000,
        treasury="0x" + "33" * 20,
        attesters_hash="0x" + "44" * 32,
        pending=None,
    )
    return RewardsStatus(**{**base, **changes})


def test_status_says_what_the_game_waits_for() -> None:
    def commands(s: RewardsStatus) -> list[tuple[str, int | None]]:
        return [(step.command, step.after) for step in status_next_steps(s, lambda e: f"b/{e}")]

    # Epoch 0 ended without a root: propose it now; epochs 0..2 ended: one catch-up root.
    assert commands(_status()) == [("ape run epoch propose b/0", 7 * DAY)]
    [late] = status_next_steps(_status(current_epoch=3), lambda e: f"b/{e}")
    assert late.command == "ape run epoch propose b/2" and "epochs 0 to 2" in late.why
    pending = Pending(0, 0, Status.PROPOSED, "0xr", "0xl", "0xp", 12 * DAY, 1, 1, 1)
    assert commands(_status(pending=pending))[0] == ("ape run epoch finalize 0", 12 * DAY)
    past = _status(pending=pending, now=13 * DAY)
    assert commands(past) == [("ape run epoch finalize 0", None)]
    dispute = Dispute(0, 0, "0xr", "0xl", "0xp", 1, "0xc", 1, 5000, 2000, 20 * DAY)
    assert commands(_status(disputes=(dispute,))) == [
        ("ape run epoch resolve 0 --uphold", None),
        ("ape run epoch settle 0", 20 * DAY),
        ("ape run epoch propose b/0", 7 * DAY),
    ]
    after_deadline = _status(disputes=(dispute,), now=21 * DAY, current_epoch=2)
    assert commands(after_deadline)[:1] == [("ape run epoch settle 0", 20 * DAY)]
