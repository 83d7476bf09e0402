"""Bonds in the story: funding them, counting balance changes, checking them against the model."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from communis.chain.epochs.contract import Sent
from communis.demo.story.state import Story, check
from communis.demo.story.steps import propose
from communis.economics.bonds import Flows


def bond_parties(story: Story, **addresses: str) -> dict[str, str]:
    """The parties of a scene whose balances its bonds move, by role (the treasury too)."""
    return {**addresses, "treasury": str(story.sys.timelock.address)}


@contextmanager
def counting(token: Any, parties: Mapping[str, str], net: dict[str, int]) -> Iterator[None]:
    """Add each party's token balance change over the block to ``net`` (by role name)."""
    before = {role: int(token.balanceOf(address)) for role, address in parties.items()}
    yield
    for role, address in parties.items():
        net[role] = net.get(role, 0) + int(token.balanceOf(address)) - before[role]


def check_flows(net: Mapping[str, int], expected: Flows, what: str) -> Flows:
    """The bonds moved exactly as the model of the epoch game says (``expected``)."""
    for role, moved in net.items():
        check(
            moved == expected.of(role),
            f"{what}: the {role}'s balance moved {moved}, the model says {expected.of(role)}",
        )
    return Flows(
        **{role: net.get(role, 0) for role in ("proposer", "challenger", "prover", "treasury")}
    )


def bonded_proposal(
    story: Story, bundle: Path, proposer: Any, *, cheat: bool = False, **others: str
) -> tuple[Sent, dict[str, str], dict[str, int]]:
    """``proposer`` (sold its bond first if need be) proposes ``bundle``'s root (``cheat``: its
    own script, which skips the tool's attester check). Returns what was sent, the scene's
    parties (the proposer, ``others`` by role, the treasury) and their balance changes so far,
    for :func:`counting` and :func:`check_flows`."""
    fund(story, proposer, story.economics.proposer_bond)
    parties = bond_parties(story, proposer=proposer.address, **others)
    net: dict[str, int] = {}
    with counting(story.sys.token, parties, net):
        sent = propose(story, bundle, proposer, cheat=cheat)
    return sent, parties, net


def fund(story: Story, account: Any, amount: int) -> None:
    """The foundation sells ``account`` tokens up to ``amount`` (for a bond)."""
    token = story.sys.token
    missing = amount - int(token.balanceOf(account))
    if missing > 0:
        token.transfer(account, missing, sender=story.foundation)
