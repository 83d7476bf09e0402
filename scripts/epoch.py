"""`ape run epoch <command> --network <ecosystem:network:provider>`: run the epoch game.

  build LEDGER        score a ledger with the on-chain policy into epochs/<chainId>/<epoch>/
  verify BUNDLE       recompute a bundle and compare it with the epoch's on-chain root
  propose BUNDLE      post the bundle's root with the proposer bond
  challenge EPOCH     dispute a pending root with the challenger bond (guardians)
  resolve EPOCH       uphold/reject a challenge: directly (GOVERNOR_ROLE) or one governance step
  finalize EPOCH      finalize an unchallenged root after its window
  claim BUNDLE        claim for one account (--for) or for every account, in batches
  status              where the epoch game stands

The logic lives in communis/chain/epochs.py; this file only parses options and prints. The
contracts come from the deployment journal (deployments/<chainId>.json) unless --rewards (and
--governor) give addresses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from ape.cli import ConnectedProviderCommand, network_option
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()


def _units(value: int) -> str:
    whole, frac = divmod(int(value), 10**18)
    return f"{whole:,}.{frac:018d}".rstrip("0").rstrip(".")


def _when(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _contracts(rewards_address: str | None, governor_address: str | None = None) -> tuple:
    import ape

    from communis.chain.system import NotDeployedError, System

    if rewards_address:
        rewards = ape.project.ContributionRewards.at(rewards_address)
        governor = ape.project.InfluenceGovernor.at(governor_address) if governor_address else None
        return rewards, governor
    try:
        system = System.load()
        rewards = system.get("ContributionRewards")
        if governor_address:
            return rewards, ape.project.InfluenceGovernor.at(governor_address)
        governor = system.contracts.get("InfluenceGovernor")
        return rewards, governor
    except NotDeployedError as err:
        raise click.ClickException(f"{err} (or pass --rewards ADDRESS)") from None


def _account(alias: str | None) -> Any:
    import ape

    from communis.chain.accounts import AccountError, load_account

    try:
        return load_account(alias, ape.chain.chain_id)
    except AccountError as err:
        raise click.ClickException(str(err)) from None


def _print_sent(items: list) -> None:
    from communis.chain.epochs import Sent

    for item in items:
        if isinstance(item, Sent):
            numbers = ", ".join(f"{k}={v}" for k, v in item.details.items())
            console.print(
                f"[green]sent[/] {item.action}  tx {item.tx_hash}  "
                f"gas {item.gas_used:,}  {numbers}",
                highlight=False,
            )
        else:
            console.print(f"[yellow]waiting[/] {item}", highlight=False)


def _errors():
    from communis.chain.epochs import EpochOpError
    from communis.engine.bundle import BundleError
    from communis.engine.ledger import LedgerError
    from communis.engine.merkle import MerkleError
    from communis.engine.policy import PolicyError

    return (EpochOpError, BundleError, LedgerError, MerkleError, PolicyError)


def rewards_option(f):
    return click.option(
        "--rewards", "rewards_address", default=None, help="ContributionRewards address"
    )(f)


def account_option(f):
    return click.option("--account", "alias", default=None, help="ape account alias (TEST::n)")(f)


@click.group(short_help="Epoch rewards: build, verify, propose, challenge, resolve, claim")
def cli():
    """Epoch rewards operations (see `ape run epoch <command> --help`)."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
def status(ecosystem, network, provider, rewards_address):
    """Where the epoch game stands."""
    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    s = epochs.status(rewards)
    table = Table(title=f"ContributionRewards {s.address}", show_header=False)
    table.add_row("now", f"{_when(s.now)} (epoch {s.current_epoch} running)")
    table.add_row("next epoch to propose", f"{s.next_epoch} (ends {_when(s.next_epoch_ends)})")
    table.add_row("current root", s.current_root)
    table.add_row(
        "finalized totals",
        f"{_units(s.finalized_tokens)} tokens, {s.finalized_influence} stored influence",
    )
    table.add_row(
        "claimed", f"{_units(s.claimed_tokens)} tokens, {s.claimed_influence} stored influence"
    )
    p = s.policy
    table.add_row(
        "policy",
        f"{s.policy_hash}: {_units(p.token_budget)} tokens + {_units(p.influence_budget)} "
        f"influence per epoch, weights {list(p.role_weights)}, cap {p.account_cap_bps} bps, "
        f"window {p.challenge_window} s, bonds {_units(p.proposer_bond)} / "
        f"{_units(p.challenger_bond)}",
    )
    table.add_row("challenger reward", f"{s.challenger_reward_bps} bps; treasury {s.treasury}")
    if s.pending:
        q = s.pending
        table.add_row(
            f"epoch {q.epoch}",
            f"{q.status.name} root {q.root} by {q.proposer}, bond {_units(q.proposer_bond)}, "
            f"window closes {_when(q.challenge_deadline)}",
        )
        if q.challenger != "0x0000000000000000000000000000000000000000":
            table.add_row("challenger", f"{q.challenger}, bond {_units(q.challenger_bond)}")
    console.print(table)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--previous", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--overwrite", is_flag=True)
def build(ecosystem, network, provider, rewards_address, ledger, out, previous, overwrite):
    """Score LEDGER with the policy in force into an epoch bundle."""
    import ape

    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    out = out or Path("epochs") / str(ape.chain.chain_id)
    try:
        with console.status(f"{ledger}: building") as spinner:
            result = epochs.build(
                rewards,
                ledger,
                out,
                previous=previous,
                overwrite=overwrite,
                progress=lambda step: spinner.update(f"{ledger}: {step}"),
            )
    except _errors() as err:
        raise click.ClickException(str(err)) from None
    totals = result.totals()
    console.print(
        f"epoch {result.epoch}: {result.ledger.rows} rows, {len(result.tree)} accounts, "
        f"{_units(int(totals['epochTotals']['tokens']))} tokens, "
        f"{_units(int(totals['epochTotals']['influence']))} influence; root {result.root}\n"
        f"bundle: {out / str(result.epoch)}",
        highlight=False,
    )


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--previous", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option(
    "--from-block", type=int, default=0, help="Search the proposal's event from this block"
)
def verify(ecosystem, network, provider, rewards_address, bundle, previous, from_block):
    """Recompute BUNDLE and compare it with the on-chain root; exit 1 naming bad accounts."""
    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    try:
        with console.status(f"recomputing {bundle}"):
            result = epochs.verify(rewards, bundle, previous=previous, from_block=from_block)
    except _errors() as err:
        raise click.ClickException(str(err)) from None
    console.print(f"epoch {result.epoch}: on-chain root {result.root}", highlight=False)
    console.print(f"recomputed root:      {result.expected_root}", highlight=False)
    if result.ok:
        console.print("[green]OK[/]: the on-chain root is the recomputed one")
        return
    for problem in result.problems:
        console.print(f"[red]MISMATCH[/] {problem}", highlight=False)
    for diff in result.differences:
        console.print(f"differing account: {diff.account} ({diff.kind})", highlight=False)
    raise SystemExit(1)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@account_option
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--uri", default=None, help="Where the bundle is published [default: its path]")
def propose(ecosystem, network, provider, rewards_address, alias, bundle, uri):
    """Propose BUNDLE's root, bonding the proposer bond."""
    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    try:
        _print_sent(epochs.propose(rewards, bundle, _account(alias), uri=uri))
    except _errors() as err:
        raise click.ClickException(str(err)) from None


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@account_option
@click.argument("epoch", type=int)
@click.option("--evidence", default="", help="URI of the evidence (e.g. a verify report)")
def challenge(ecosystem, network, provider, rewards_address, alias, epoch, evidence):
    """Challenge the pending root of EPOCH, bonding the challenger bond (guardians only)."""
    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    try:
        _print_sent(epochs.challenge(rewards, epoch, _account(alias), evidence=evidence))
    except _errors() as err:
        raise click.ClickException(str(err)) from None


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@account_option
@click.argument("epoch", type=int)
@click.option("--uphold/--reject", required=True, help="Is the challenge right?")
@click.option("--governor", "governor_address", default=None, help="InfluenceGovernor address")
@click.option("--direct", is_flag=True, help="Resolve directly (sender holds GOVERNOR_ROLE)")
@click.option(
    "--vote", type=click.Choice(["against", "for", "abstain"]), default=None, help="Cast a vote"
)
def resolve(
    ecosystem, network, provider, rewards_address, alias, epoch, uphold, governor_address,
    direct, vote,
):  # fmt: skip
    """Resolve EPOCH's challenge; through governance, each run does the next step (propose,
    vote, queue, execute)."""
    from communis.chain import epochs

    rewards, governor = _contracts(rewards_address, governor_address)
    if direct:
        governor = None
    elif governor is None:
        raise click.ClickException("no governor known: pass --governor ADDRESS (or --direct)")
    support = None if vote is None else ["against", "for", "abstain"].index(vote)
    try:
        _print_sent(
            epochs.resolve(rewards, epoch, uphold, _account(alias), governor=governor, vote=support)
        )
    except _errors() as err:
        raise click.ClickException(str(err)) from None


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@account_option
@click.argument("epoch", type=int)
def finalize(ecosystem, network, provider, rewards_address, alias, epoch):
    """Finalize EPOCH's unchallenged root after its window (anyone)."""
    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    try:
        _print_sent([epochs.finalize(rewards, epoch, _account(alias))])
    except _errors() as err:
        raise click.ClickException(str(err)) from None


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@rewards_option
@account_option
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--for", "account", default=None, help="Claim for this account only")
@click.option("--batch", "batch_size", type=click.IntRange(1, 500), default=50, show_default=True)
def claim(ecosystem, network, provider, rewards_address, alias, bundle, account, batch_size):
    """Claim under BUNDLE (the newest finalized epoch's) for one account or for everyone."""
    from communis.chain import epochs

    rewards, _ = _contracts(rewards_address)
    sender = _account(alias)
    try:
        if account:
            _print_sent([epochs.claim_one(rewards, bundle, account, sender)])
            return
        accounts = len(epochs.load_tree(bundle).values)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            scan = progress.add_task("checking what is owed", total=accounts)
            pay = progress.add_task("claiming", total=None)
            paid = {"accounts": 0}

            def on_batch(sent, count):
                paid["accounts"] += count
                progress.update(pay, advance=count)
                console.print(
                    f"  batch of {count}: tx {sent.tx_hash} gas {sent.gas_used:,} "
                    f"tokens {_units(sent.details['tokens'])}",
                    highlight=False,
                )

            def on_scan(done):
                progress.update(scan, completed=done)

            sent = epochs.claim_all(
                rewards,
                bundle,
                sender,
                batch_size=batch_size,
                on_scan=on_scan,
                on_batch=on_batch,
            )
            progress.update(pay, total=paid["accounts"])
    except _errors() as err:
        raise click.ClickException(str(err)) from None
    total_tokens = sum(s.details["tokens"] for s in sent)
    console.print(
        f"claimed for {paid['accounts']} of {accounts} accounts in {len(sent)} transactions: "
        f"{_units(total_tokens)} tokens, "
        f"{sum(s.details['influence_stored'] for s in sent)} stored influence, "
        f"{sum(s.gas_used for s in sent):,} gas",
        highlight=False,
    )
