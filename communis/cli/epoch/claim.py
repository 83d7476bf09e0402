"""``ape run epoch claim``: claim for one account or for every account of a bundle."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from communis.chain.epochs.claims import claim_all, claim_one, load_tree
from communis.chain.epochs.contract import Sent
from communis.chain.next_steps import after_claim
from communis.cli.base import CommunisCommand
from communis.cli.epoch.options import BUNDLE, output_options
from communis.cli.epoch.output import Show, console, describe, finish, say
from communis.cli.options import account_option, deployed, rewards_option, signer


@click.command(cls=CommunisCommand)
@rewards_option
@account_option
@click.argument("bundle", type=BUNDLE)
@click.option("--for", "account", default=None, help="Claim for this account only")
@click.option("--batch", "batch_size", type=click.IntRange(1, 500), default=50, show_default=True)
@output_options
def claim(
    rewards_address: str | None,
    alias: str | None,
    bundle: Path,
    account: str | None,
    batch_size: int,
    raw: bool,
    as_json: bool,
) -> None:
    """Claim under BUNDLE (the newest finalized epoch's) for one account or for everyone."""
    rewards = deployed(rewards_address).rewards
    show = Show.read(rewards, raw)
    sender = signer(alias)
    if account:
        one = claim_one(rewards, bundle, account, sender)
        finish(show, as_json, [one], after_claim())
        return
    accounts = len(load_tree(bundle).values)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    paid = 0
    with Progress(*columns, console=console, disable=as_json) as progress:
        scan = progress.add_task("checking what is owed", total=accounts)
        pay = progress.add_task("claiming", total=None)

        def on_batch(sent: Sent, count: int) -> None:
            nonlocal paid
            paid += count
            progress.update(pay, advance=count)
            if not as_json:
                say(f"  batch of {count}: {describe(sent, show)}")

        def on_scan(done: int) -> None:
            progress.update(scan, completed=done)

        sent = claim_all(
            rewards, bundle, sender, batch_size=batch_size, on_scan=on_scan, on_batch=on_batch
        )
        progress.update(pay, total=paid)
    if as_json:
        finish(show, True, sent, after_claim(), accounts=accounts, paid=paid)
        return
    say(
        f"claimed for {paid} of {accounts} accounts in {len(sent)} transactions: "
        f"{show.tokens(sum(s.details['tokens'] for s in sent))} and "
        f"{show.stored(sum(s.details['influence_stored'] for s in sent))}, "
        f"{sum(s.gas_used for s in sent):,} gas"
    )
    finish(show, False, [], after_claim())
