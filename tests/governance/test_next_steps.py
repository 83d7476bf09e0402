"""The "next:" line every epoch and govern command ends with (communis.chain.next_steps), and
the message of a reset chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.chain.next_steps import (
    after_build,
    after_finalize,
    after_gov,
    after_propose,
    render_steps,
    reset_message,
)

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
