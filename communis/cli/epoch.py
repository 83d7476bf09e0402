"""``ape run epoch <command> --network <ecosystem:network:provider>``: run the epoch game.

  build LEDGER        score a ledger with the on-chain policy into epochs/<chainId>/<epoch>/
  verify BUNDLE       recompute a bundle and compare it with the epoch's on-chain root
  propose BUNDLE      post the bundle's root (covering every ended epoch not yet finalized)
  challenge EPOCH     discard a pending root into a dispute, with the challenger bond (guardians)
  prove BUNDLE        prove an unattested batch in the proposal's ledger: rejected, no vote
  resolve EPOCH       decide a dispute: directly (GOVERNOR_ROLE) or one governance step
  settle EPOCH        end a dispute nobody decided by its deadline (each party pays the fee)
  finalize EPOCH      finalize an unchallenged root after its window
  claim BUNDLE        claim for one account (--for) or for every account, in batches
  status              where the epoch game stands, with the undecided disputes
  watch               follow the chain as a guardian: verify, challenge or prove, keep

The logic lives in :mod:`communis.chain.epochs`; this module only parses options and prints.
The contracts come from the deployment journal (deployments/<chainId>.json) unless --rewards
(and --governor) give addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from communis.chain import epochs
from communis.chain.epochs import Sent
from communis.cli.base import CommunisGroup
from communis.cli.options import account_option, deployed, governor_option, rewards_option, signer
from communis.engine.units import format_amount, format_time, parse_duration

console = Console()

BUNDLE = click.Path(exists=True, file_okay=False, path_type=Path)
FOLDER = click.Path(file_okay=False, path_type=Path)
VOTES = ("against", "for", "abstain")
epoch_argument = click.argument("epoch", type=int)


def _say(text: str) -> None:
    console.print(text, highlight=False)


def _print_sent(items: Sequence[Sent | str]) -> None:
    for item in items:
        if isinstance(item, Sent):
            numbers = ", ".join(f"{k}={v}" for k, v in item.details.items())
            _say(
                f"[green]sent[/] {item.action}  tx {item.tx_hash}  gas {item.gas_used:,}  {numbers}"
            )
        else:
            _say(f"[yellow]waiting[/] {item}")


@click.group(
    cls=CommunisGroup,
    short_help="Epoch rewards: build, verify, propose, challenge, prove, resolve, settle, claim",
)
def cli() -> None:
    """Epoch rewards operations (see `ape run epoch <command> --help`)."""


FROM_BLOCK = click.option(
    "--from-block", type=int, default=0, help="Search the contract's events from this block"
)
ROOT = click.option("--root", default=None, help="Which root's dispute, when several are open")


@cli.command()
@rewards_option
@FROM_BLOCK
def status(rewards_address: str | None, from_block: int) -> None:
    """Where the epoch game stands."""
    s = epochs.status(deployed(rewards_address).rewards, from_block=from_block)
    table = Table(title=f"ContributionRewards {s.address}", show_header=False)
    table.add_row("now", f"{format_time(s.now)} (epoch {s.current_epoch} running)")
    table.add_row(
        "next epoch to propose", f"{s.next_epoch} (ends {format_time(s.next_epoch_ends)})"
    )
    table.add_row("current root", s.current_root)
    table.add_row(
        "finalized totals",
        f"{format_amount(s.finalized_tokens)} tokens, {s.finalized_influence} stored influence",
    )
    table.add_row(
        "claimed",
        f"{format_amount(s.claimed_tokens)} tokens, {s.claimed_influence} stored influence",
    )
    p = s.policy
    table.add_row(
        "policy",
        f"{s.policy_hash}: {format_amount(p.token_budget)} tokens + "
        f"{format_amount(p.influence_budget)} influence per epoch, weights "
        f"{list(p.role_weights)}, cap {p.account_cap_bps} bps, window {p.challenge_window} s, "
        f"bonds {format_amount(p.proposer_bond)} / {format_amount(p.challenger_bond)}, "
        f"disputes {p.dispute_period} s (fee {p.dispute_fee_bps} bps), "
        f"proposing {'open to anyone' if p.open_proposing else 'PROPOSER_ROLE only'}",
    )
    table.add_row("challenger reward", f"{s.challenger_reward_bps} bps; treasury {s.treasury}")
    table.add_row("attester log", s.attesters_hash)
    if s.pending:
        q = s.pending
        covered = f"epochs {q.first_epoch}..{q.epoch}" if q.first_epoch < q.epoch else "epoch"
        table.add_row(
            f"pending: epoch {q.epoch}",
            f"root {q.root} ({covered}) by {q.proposer}, bond {format_amount(q.proposer_bond)}, "
            f"ledger {q.ledger_root}, window closes {format_time(q.challenge_deadline)}",
        )
    for d in s.disputes:
        table.add_row(
            f"dispute: epoch {d.epoch}",
            f"root {d.root} by {d.proposer} ({format_amount(d.proposer_bond)}), challenged by "
            f"{d.challenger} ({format_amount(d.challenger_bond)}); verdict due before "
            f"{format_time(d.deadline)}, then settled with a {d.fee_bps} bps fee each",
        )
    console.print(table)


@cli.command()
@rewards_option
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=FOLDER, default=None)
@click.option("--previous", type=FOLDER, default=None)
@click.option("--overwrite", is_flag=True)
def build(
    rewards_address: str | None,
    ledger: Path,
    out: Path | None,
    previous: Path | None,
    overwrite: bool,
) -> None:
    """Score LEDGER with the policy in force into an epoch bundle."""
    import ape

    rewards = deployed(rewards_address).rewards
    out = out or Path("epochs") / str(ape.chain.chain_id)
    with console.status(f"{ledger}: building") as spinner:
        result = epochs.build(
            rewards,
            ledger,
            out,
            previous=previous,
            overwrite=overwrite,
            progress=lambda step: spinner.update(f"{ledger}: {step}"),
        )
    emitted = result.totals().epoch_totals
    _say(
        f"epoch {result.epoch}: {result.ledger.rows} rows, {len(result.tree)} accounts, "
        f"{format_amount(emitted.tokens)} tokens, {format_amount(emitted.influence)} "
        f"influence; root {result.root}\nbundle: {out / str(result.epoch)}"
    )


@cli.command()
@rewards_option
@click.argument("bundle", type=BUNDLE)
@click.option("--previous", type=FOLDER, default=None)
@click.option(
    "--from-block", type=int, default=0, help="Search the proposal's event from this block"
)
def verify(
    rewards_address: str | None, bundle: Path, previous: Path | None, from_block: int
) -> None:
    """Recompute BUNDLE and compare it with the on-chain root; exit 1 naming bad accounts."""
    rewards = deployed(rewards_address).rewards
    with console.status(f"recomputing {bundle}"):
        result = epochs.verify(rewards, bundle, previous=previous, from_block=from_block)
    _say(f"epoch {result.epoch}: on-chain root {result.root}")
    _say(f"recomputed root:      {result.expected_root}")
    if result.ok:
        console.print("[green]OK[/]: the on-chain root is the recomputed one")
        return
    for problem in result.problems:
        _say(f"[red]MISMATCH[/] {problem}")
    for diff in result.differences:
        _say(f"differing account: {diff.account} ({diff.kind})")
    raise SystemExit(1)


@cli.command()
@rewards_option
@account_option
@click.argument("bundle", type=BUNDLE)
@click.option("--uri", default=None, help="Where the bundle is published [default: its path]")
def propose(rewards_address: str | None, alias: str | None, bundle: Path, uri: str | None) -> None:
    """Propose BUNDLE's root, bonding the proposer bond."""
    _print_sent(epochs.propose(deployed(rewards_address).rewards, bundle, signer(alias), uri=uri))


@cli.command()
@rewards_option
@account_option
@epoch_argument
@click.option("--evidence", default="", help="URI of the evidence (e.g. a verify report)")
def challenge(rewards_address: str | None, alias: str | None, epoch: int, evidence: str) -> None:
    """Challenge the pending root of EPOCH, bonding the challenger bond (guardians only): the
    root is discarded at once and a dispute holds both bonds."""
    rewards = deployed(rewards_address).rewards
    _print_sent(epochs.challenge(rewards, epoch, signer(alias), evidence=evidence))


@cli.command()
@rewards_option
@account_option
@click.argument("bundle", type=BUNDLE)
@FROM_BLOCK
def prove(rewards_address: str | None, alias: str | None, bundle: Path, from_block: int) -> None:
    """Prove that the root proposed (or disputed) for BUNDLE's epoch commits to a batch no
    attester signed: it is rejected with no vote and the proposer bond slashed."""
    rewards = deployed(rewards_address).rewards
    _print_sent([epochs.prove(rewards, bundle, signer(alias), from_block=from_block)])


@cli.command()
@rewards_option
@account_option
@epoch_argument
@ROOT
@FROM_BLOCK
def settle(
    rewards_address: str | None, alias: str | None, epoch: int, root: str | None, from_block: int
) -> None:
    """End EPOCH's dispute after its deadline, with no verdict (anyone): each party pays the
    dispute fee of its bond."""
    rewards = deployed(rewards_address).rewards
    sent = epochs.settle(rewards, epoch, signer(alias), root=root, from_block=from_block)
    _print_sent([sent])


@cli.command()
@rewards_option
@account_option
@epoch_argument
@click.option("--uphold/--reject", required=True, help="Is the challenge right?")
@governor_option
@click.option("--direct", is_flag=True, help="Resolve directly (sender holds GOVERNOR_ROLE)")
@click.option("--vote", type=click.Choice(VOTES), default=None, help="Cast a vote")
@ROOT
@FROM_BLOCK
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
) -> None:
    """Decide EPOCH's dispute before its deadline; through governance, each run does the next
    step (propose, vote, queue, execute). The dispute's parties cannot vote."""
    contracts = deployed(rewards_address, governor_address)
    governor = None if direct else contracts.need_governor()
    support = None if vote is None else VOTES.index(vote)
    sent = epochs.resolve(
        contracts.rewards,
        epoch,
        uphold,
        signer(alias),
        governor=governor,
        vote=support,
        root=root,
        from_block=from_block,
    )
    _print_sent(sent)


@cli.command()
@rewards_option
@account_option
@epoch_argument
def finalize(rewards_address: str | None, alias: str | None, epoch: int) -> None:
    """Finalize EPOCH's unchallenged root after its window (anyone)."""
    rewards = deployed(rewards_address).rewards
    _print_sent([epochs.finalize(rewards, epoch, signer(alias))])


@cli.command()
@rewards_option
@account_option
@click.argument("bundle", type=BUNDLE)
@click.option("--for", "account", default=None, help="Claim for this account only")
@click.option("--batch", "batch_size", type=click.IntRange(1, 500), default=50, show_default=True)
def claim(
    rewards_address: str | None,
    alias: str | None,
    bundle: Path,
    account: str | None,
    batch_size: int,
) -> None:
    """Claim under BUNDLE (the newest finalized epoch's) for one account or for everyone."""
    rewards = deployed(rewards_address).rewards
    sender = signer(alias)
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
    paid = 0
    with Progress(*columns, console=console) as progress:
        scan = progress.add_task("checking what is owed", total=accounts)
        pay = progress.add_task("claiming", total=None)

        def on_batch(sent: Sent, count: int) -> None:
            nonlocal paid
            paid += count
            progress.update(pay, advance=count)
            _say(
                f"  batch of {count}: tx {sent.tx_hash} gas {sent.gas_used:,} "
                f"tokens {format_amount(sent.details['tokens'])}"
            )

        def on_scan(done: int) -> None:
            progress.update(scan, completed=done)

        sent = epochs.claim_all(
            rewards, bundle, sender, batch_size=batch_size, on_scan=on_scan, on_batch=on_batch
        )
        progress.update(pay, total=paid)
    _say(
        f"claimed for {paid} of {accounts} accounts in {len(sent)} transactions: "
        f"{format_amount(sum(s.details['tokens'] for s in sent))} tokens, "
        f"{sum(s.details['influence_stored'] for s in sent)} stored influence, "
        f"{sum(s.gas_used for s in sent):,} gas"
    )


@cli.command()
@rewards_option
@account_option
@click.option(
    "--bundles",
    type=FOLDER,
    default=None,
    help="Local bundle copies: <epoch>/, <CID>/, <CID>.car [default: epochs/<chainId>]",
)
@click.option("--poll", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option("--finalize/--no-finalize", default=True, show_default=True)
@click.option("--settle/--no-settle", default=True, show_default=True)
@click.option(
    "--unavailable-margin",
    default="1h",
    show_default=True,
    help="Challenge a root whose bundle is still unavailable this long before its window "
    "closes (0: never)",
)
@FROM_BLOCK
def watch(
    rewards_address: str | None,
    alias: str | None,
    bundles: Path | None,
    poll: float,
    finalize: bool,
    settle: bool,
    unavailable_margin: str,
    from_block: int,
) -> None:
    """Follow the chain as a guardian until Ctrl-C or SIGTERM: verify each proposed root,
    prove an unattested batch or challenge a wrong root before its window closes; as a keeper,
    finalize verified roots after their window and settle disputes after their deadline."""
    import ape

    from communis.chain.watch import WatchOptions, watch

    account = signer(alias)  # refused before anything else on a live chain with a test key
    rewards = deployed(rewards_address).rewards
    options = WatchOptions(
        bundles=bundles or Path("epochs") / str(ape.chain.chain_id),
        poll=poll,
        finalize=finalize,
        settle=settle,
        unavailable_margin=parse_duration(unavailable_margin),
        from_block=from_block,
    )
    watch(rewards, account, options, log=click.echo)
