"""The moves of the epoch game: propose, challenge, prove, settle, resolve and finalize."""

from __future__ import annotations

from pathlib import Path

import click

from communis.chain.epochs.disputes import challenge as challenge_root
from communis.chain.epochs.disputes import settle as settle_dispute
from communis.chain.epochs.fraud_proof import prove as prove_unattested
from communis.chain.epochs.propose import finalize as finalize_root
from communis.chain.epochs.propose import propose as propose_root
from communis.chain.epochs.resolve import resolution_next_steps
from communis.chain.epochs.resolve import resolve as resolve_dispute
from communis.chain.next_steps import (
    after_challenge,
    after_finalize,
    after_propose,
    after_prove,
    after_settle,
)
from communis.cli.base import CommunisCommand
from communis.cli.epoch.options import (
    BUNDLE,
    FROM_BLOCK,
    NO_ATTESTER_CHECK,
    ROOT,
    VOTES,
    epoch_argument,
    output_options,
)
from communis.cli.epoch.output import Show, bundle_of, finish
from communis.cli.options import account_option, deployed, governor_option, rewards_option, signer


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@click.argument("bundle", type=BUNDLE)
@click.option("--uri", default=None, help="Where the bundle is published [default: its path]")
@NO_ATTESTER_CHECK
@output_options
def propose(
    rewards_address: str | None,
    alias: str | None,
    bundle: Path,
    uri: str | None,
    unchecked: bool,
    raw: bool,
    as_json: bool,
) -> None:
    """Propose BUNDLE's root, bonding the proposer bond (one per epoch the root covers)."""
    rewards = deployed(rewards_address).rewards
    sent = propose_root(rewards, bundle, signer(alias), uri=uri, check_attesters=not unchecked)
    details = sent[-1].details
    steps = after_propose(details["epoch"], details["challenge_deadline"])
    finish(Show.read(rewards, raw), as_json, sent, steps)


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@epoch_argument
@click.option("--evidence", default="", help="URI of the evidence (e.g. a verify report)")
@output_options
def challenge(
    rewards_address: str | None,
    alias: str | None,
    epoch: int,
    evidence: str,
    raw: bool,
    as_json: bool,
) -> None:
    """Challenge the pending root of EPOCH, bonding the challenger bond (guardians only): the
    root is discarded at once and a dispute holds both bonds."""
    rewards = deployed(rewards_address).rewards
    sent = challenge_root(rewards, epoch, signer(alias), evidence=evidence)
    steps = after_challenge(epoch, sent[-1].details["dispute_deadline"], bundle_of(epoch))
    finish(Show.read(rewards, raw), as_json, sent, steps)


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@click.argument("bundle", type=BUNDLE)
@FROM_BLOCK
@output_options
def prove(
    rewards_address: str | None,
    alias: str | None,
    bundle: Path,
    from_block: int,
    raw: bool,
    as_json: bool,
) -> None:
    """Prove that the root proposed (or disputed) for BUNDLE's epoch commits to a batch no
    attester signed: it is rejected with no vote and the proposer bond slashed."""
    rewards = deployed(rewards_address).rewards
    sent = prove_unattested(rewards, bundle, signer(alias), from_block=from_block)
    epoch = sent.details["epoch"]
    finish(Show.read(rewards, raw), as_json, [sent], after_prove(epoch, "BUNDLE"))


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@epoch_argument
@ROOT
@FROM_BLOCK
@output_options
def settle(
    rewards_address: str | None,
    alias: str | None,
    epoch: int,
    root: str | None,
    from_block: int,
    raw: bool,
    as_json: bool,
) -> None:
    """End EPOCH's dispute after its deadline, with no verdict (anyone): each party pays the
    dispute fee of its bond."""
    rewards = deployed(rewards_address).rewards
    sent = settle_dispute(rewards, epoch, signer(alias), root=root, from_block=from_block)
    finish(Show.read(rewards, raw), as_json, [sent], after_settle(epoch, bundle_of(epoch)))


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@epoch_argument
@click.option("--uphold/--reject", required=True, help="Is the challenge right?")
@governor_option
@click.option("--direct", is_flag=True, help="Resolve directly (sender holds GOVERNOR_ROLE)")
@click.option("--vote", type=click.Choice(VOTES), default=None, help="Cast a vote")
@ROOT
@FROM_BLOCK
@output_options
def resolve(
    rewards_address: str | None,
    alias: str | None,
    epoch: int,
    uphold: bool,
    governor_address: str | None,
    direct: bool,
    vote: str | None,
    root: str | None,
    from_block: int,
    raw: bool,
    as_json: bool,
) -> None:
    """Decide EPOCH's dispute before its deadline; through governance, each run does the next
    step (propose, vote, queue, execute). The dispute's parties cannot vote."""
    contracts = deployed(rewards_address, governor_address)
    governor = None if direct else contracts.need_governor()
    support = None if vote is None else VOTES.index(vote)
    rewards = contracts.rewards
    sent = resolve_dispute(
        rewards,
        epoch,
        uphold,
        signer(alias),
        governor=governor,
        vote=support,
        root=root,
        from_block=from_block,
    )
    steps = resolution_next_steps(
        rewards,
        epoch,
        uphold,
        governor=governor,
        root=root,
        from_block=from_block,
        bundle=bundle_of(epoch),
    )
    finish(Show.read(rewards, raw), as_json, sent, steps)


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@epoch_argument
@output_options
def finalize(
    rewards_address: str | None, alias: str | None, epoch: int, raw: bool, as_json: bool
) -> None:
    """Finalize EPOCH's unchallenged root after its window (anyone)."""
    rewards = deployed(rewards_address).rewards
    sent = finalize_root(rewards, epoch, signer(alias))
    finish(Show.read(rewards, raw), as_json, [sent], after_finalize(epoch, bundle_of(epoch)))
