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
  simulate            the attack table at the policy and governor settings in force
  watch               follow the chain as a guardian: verify, prove or challenge, finalize, settle

Every command shows amounts in CMN and influence and times as dates and durations (``--raw``:
the contracts' units; ``--json``: everything for scripts) and ends with what to do next and
when. The logic lives in :mod:`communis.chain.epochs`; this module only parses options and
prints. The contracts come from the deployment journal (deployments/<chainId>.json) unless
--rewards (and --governor) give addresses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from communis.chain import epochs
from communis.chain.epochs import Sent
from communis.chain.governance import short_id
from communis.chain.next_steps import (
    NextStep,
    after_build,
    after_challenge,
    after_claim,
    after_finalize,
    after_propose,
    after_prove,
    after_settle,
)
from communis.cli.base import CommunisGroup, next_steps_text
from communis.cli.options import account_option, deployed, governor_option, rewards_option, signer
from communis.economics.cli import assumption_options, assumptions_from
from communis.engine.checks import epoch_order_warning
from communis.engine.growth import to_influence
from communis.engine.units import (
    format_duration,
    format_influence,
    format_tokens,
    format_when,
    parse_duration,
)

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from communis.engine.policy import Policy

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False, soft_wrap=True)  # soft_wrap: lines never break mid-sentence

BUNDLE = click.Path(exists=True, file_okay=False, path_type=Path)
FOLDER = click.Path(file_okay=False, path_type=Path)
VOTES = ("against", "for", "abstain")
epoch_argument = click.argument("epoch", type=int)


def output_options(function: F) -> F:
    """``--raw`` and ``--json``: the contracts' units, for people or for scripts."""
    function = click.option(
        "--json", "as_json", is_flag=True, help="JSON for scripts (the contracts' units)"
    )(function)
    return click.option(
        "--raw", is_flag=True, help="Amounts in smallest units, times in unix seconds"
    )(function)


@dataclass(frozen=True)
class Show:
    """How amounts and times are shown: for people, or (``raw``) as the contracts hold them.
    Stored influence is shown as influence at ``epoch`` (the epoch running now)."""

    raw: bool
    now: int
    epoch: int
    half_life: int

    @classmethod
    def read(cls, rewards: ContractInstance, raw: bool) -> Show:
        import ape

        influence = epochs.influence_of(rewards)
        now = int(ape.chain.blocks.head.timestamp)
        return cls(raw, now, int(influence.epochAt(now)), int(influence.halfLife()))

    def tokens(self, value: int) -> str:
        return f"{value} token units" if self.raw else format_tokens(value)

    def influence(self, value: int) -> str:
        """Plain influence (a budget, an epoch's emission)."""
        return f"{value} influence units" if self.raw else format_influence(value)

    def stored(self, value: int) -> str:
        """Stored (growth-scaled) influence, as influence now."""
        if self.raw:
            return f"{value} stored influence units"
        return format_influence(to_influence(value, self.epoch, self.half_life)) + " now"

    def when(self, timestamp: int) -> str:
        return str(timestamp) if self.raw else format_when(timestamp, now=self.now)

    def duration(self, seconds: int) -> str:
        return f"{seconds} s" if self.raw else format_duration(seconds)

    def bps(self, bps: int) -> str:
        return f"{bps} bps" if self.raw else f"{bps / 100:g}%"


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def _covering(first: int, last: int) -> str:
    return f"epochs {first} to {last}" if first < last else f"epoch {last}"


def _describe(sent: Sent, show: Show) -> str:
    """One line for a transaction sent: what it did, in the units people read."""
    d = sent.details
    action = sent.action
    if action == "approve":
        what = f"{show.tokens(d['amount'])} for ContributionRewards to take as the bond"
    elif action == "proposeRoot":
        what = (
            f"root {d['root']} for {_covering(d['first_epoch'], d['epoch'])}, cumulative "
            f"{show.tokens(d['cumulative_tokens'])} and "
            f"{show.stored(d['cumulative_influence_stored'])}; bond {show.tokens(d['bond'])}; "
            f"challenge window closes {show.when(d['challenge_deadline'])}"
        )
    elif action == "challenge":
        evidence = f"; evidence {d['evidence']}" if d.get("evidence") else ""
        what = (
            f"root {d['root']} of epoch {d['epoch']} discarded into a dispute, bond "
            f"{show.tokens(d['bond'])}; a verdict is due before "
            f"{show.when(d['dispute_deadline'])}{evidence}"
        )
    elif action == "finalize":
        what = (
            f"{_covering(d['first_epoch'], d['epoch'])} finalized with root {d['root']}; the "
            f"proposer's bond of {show.tokens(d['bond_returned'])} is back"
        )
    elif action == "settleDispute":
        what = (
            f"epoch {d['epoch']}'s dispute over root {d['root']} ended without a verdict: "
            f"{show.tokens(d['to_proposer'])} back to the proposer, "
            f"{show.tokens(d['to_challenger'])} to the challenger, "
            f"{show.tokens(d['to_treasury'])} in fees to the treasury"
        )
    elif action == "proveUnattestedBatch":
        judged = {"NOT_ATTESTER": "no attester signed", "BAD_SIGNATURE": "badly signed"}
        reward = (
            f"you receive {show.tokens(d['reward'])}"
            if d["reward"]
            else "the challenger gets its bond back and the reward"
        )
        what = (
            f"{d['attester']}'s batch for epoch {d['epoch']} (attestations line "
            f"{d['attestations_line']}): {judged.get(d['status'], d['status'])}; root {d['root']} "
            f"rejected and banned, the proposer's bond slashed, {reward}"
        )
    elif action in ("resolveDispute", "governor.execute"):
        verdict = (
            "upheld: the root is banned and the proposer's bond slashed"
            if d["upheld"]
            else "rejected: the proposer's bond is back, the challenger's goes to the treasury"
        )
        what = f"the challenge of epoch {d['epoch']} is {verdict}"
    elif action == "governor.propose":
        what = (
            f"resolution proposal {short_id(d['proposal_id'])} created; voting starts after "
            f"{show.when(d['snapshot'])}"
        )
    elif action == "governor.castVote":
        what = (
            f"voted {VOTES[d['support']]} on resolution proposal {short_id(d['proposal_id'])}; "
            f"voting ends {show.when(d['voting_deadline'])}"
        )
    elif action == "governor.queue":
        what = (
            f"resolution proposal {short_id(d['proposal_id'])} queued; executable from "
            f"{show.when(d['eta'])}"
        )
    elif action == "claim":
        what = (
            f"{show.tokens(d['tokens'])} and {show.stored(d['influence_stored'])} to {d['account']}"
        )
    elif action == "claimMany":
        what = (
            f"{d['accounts']} accounts paid {show.tokens(d['tokens'])} and "
            f"{show.stored(d['influence_stored'])}"
        )
    else:
        what = ", ".join(f"{k}={v}" for k, v in d.items())
    return f"sent {action}: {what}  (tx {sent.tx_hash}, gas {sent.gas_used:,})"


def _finish(
    show: Show,
    as_json: bool,
    items: Sequence[Sent | str],
    steps: Sequence[NextStep] = (),
    **extra: Any,
) -> None:
    """Print what a command did and what comes next (``--json``: one JSON object)."""
    if as_json:
        record = {
            **extra,
            "sent": [item.to_json() for item in items if isinstance(item, Sent)],
            "waiting": [item for item in items if isinstance(item, str)],
            "next": [
                {"command": s.command, "after": s.after, "why": s.why, "advance": s.advance}
                for s in steps
            ],
        }
        click.echo(json.dumps(record, indent=2))
        return
    for item in items:
        _say(_describe(item, show) if isinstance(item, Sent) else f"waiting: {item}")
    if steps:
        _say(next_steps_text(steps))


@contextmanager
def _working(text: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A spinner saying what is being done (none when ``quiet``: JSON output); yields a
    function that updates its text."""
    if quiet:
        yield lambda _: None
        return
    with console.status(text) as spinner:
        yield lambda step: spinner.update(f"{text}: {step}")


def _bundle_of(epoch: int) -> str:
    """The default bundle folder of ``epoch`` (``build``'s), if it exists; else BUNDLE."""
    import ape

    folder = Path("epochs") / str(ape.chain.chain_id) / str(epoch)
    return str(folder) if (folder / "totals.json").is_file() else "BUNDLE"


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
NO_ATTESTER_CHECK = click.option(
    "--no-attester-check",
    "unchecked",
    is_flag=True,
    help="Skip asking the AttesterRegistry about the batches: only to play a cheat (a root on "
    "batches it rejects loses its proposer bond to anyone who proves it)",
)


def _policy_rows(p: Policy, show: Show) -> list[tuple[str, str]]:
    roles = ("creator", "curator", "guardian", "participant")
    weights = ", ".join(f"{role} {w}" for role, w in zip(roles, p.role_weights, strict=True))
    proposing = "open to anyone" if p.open_proposing else "PROPOSER_ROLE only"
    return [
        ("budgets", f"{show.tokens(p.token_budget)} and {show.influence(p.influence_budget)}"),
        ("weights", weights),
        ("cap", f"{show.bps(p.account_cap_bps)} of each budget per account"),
        ("window", f"{show.duration(p.challenge_window)} to challenge a root"),
        (
            "bonds",
            f"proposer {show.tokens(p.proposer_bond)}, challenger {show.tokens(p.challenger_bond)}",
        ),
        (
            "disputes",
            f"{show.duration(p.dispute_period)} for a verdict; without one each party pays "
            f"{show.bps(p.dispute_fee_bps)} of its bond",
        ),
        ("proposing", proposing),
    ]


def _status_text(s: epochs.RewardsStatus, show: Show) -> str:
    ended = "ended" if s.next_epoch_ends <= s.now else "ends"
    now = str(s.now) if show.raw else format_when(s.now)
    rows: list[tuple[str, str]] = [
        ("rewards", f"ContributionRewards {s.address}"),
        ("now", f"{now}, epoch {s.current_epoch} running"),
        ("next epoch", f"{s.next_epoch} to propose; it {ended} {show.when(s.next_epoch_ends)}"),
        ("claims use", f"root {s.current_root}"),
        (
            "finalized",
            f"{show.tokens(s.finalized_tokens)} and {show.stored(s.finalized_influence)}",
        ),
        ("claimed", f"{show.tokens(s.claimed_tokens)} and {show.stored(s.claimed_influence)}"),
        ("policy", s.policy_hash),
        *((f"  {name}", value) for name, value in _policy_rows(s.policy, show)),
        (
            "slashed",
            f"{show.bps(s.challenger_reward_bps)} of a slashed proposer bond to who caught it, "
            f"the rest to the treasury {s.treasury}",
        ),
        ("attesters", f"log hash {s.attesters_hash}"),
    ]
    if s.pending:
        q = s.pending
        rows.append(
            (
                "pending",
                f"epoch {q.epoch}: root {q.root} ({_covering(q.first_epoch, q.epoch)}) by "
                f"{q.proposer}, bond {show.tokens(q.proposer_bond)}; challenge window closes "
                f"{show.when(q.challenge_deadline)}",
            )
        )
    else:
        rows.append(("pending", "none"))
    for d in s.disputes:
        rows.append(
            (
                "dispute",
                f"epoch {d.epoch}: root {d.root} by {d.proposer} "
                f"({show.tokens(d.proposer_bond)}), challenged by {d.challenger} "
                f"({show.tokens(d.challenger_bond)}); verdict due before "
                f"{show.when(d.deadline)}, then anyone settles it ({show.bps(d.fee_bps)} "
                "fee each)",
            )
        )
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


@cli.command()
@rewards_option
@FROM_BLOCK
@output_options
def status(rewards_address: str | None, from_block: int, raw: bool, as_json: bool) -> None:
    """Where the epoch game stands: the epoch, the pending root, the undecided disputes, the
    totals and the policy; then what to do next."""
    rewards = deployed(rewards_address).rewards
    s = epochs.status(rewards, from_block=from_block)
    show = Show(raw, s.now, s.current_epoch, s.half_life)
    steps = epochs.status_next_steps(s, _bundle_of)
    if as_json:
        _finish(show, True, [], steps, status=s.to_json())
        return
    _say(_status_text(s, show))
    _finish(show, False, [], steps)


@cli.command()
@rewards_option
@governor_option
@assumption_options
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts (the contracts' units)")
def simulate(
    rewards_address: str | None,
    governor_address: str | None,
    watchers: int,
    governance: str,
    epochs_covered: int,
    as_json: bool,
) -> None:
    """The attack table at the policy and governor settings in force on chain: the cost, gain
    and expected profit of every modelled attack, and where it stops paying (the advisor of
    `communis simulate` and `ape run deploy`)."""
    from communis.chain.governance import Governance
    from communis.economics.advisor import attack_table
    from communis.economics.attacks import evaluate

    rewards = deployed(rewards_address).rewards
    params = epochs.onchain_parameters(rewards, Governance.connect(governor_address))
    results = evaluate(params, assumptions_from(watchers, governance, epochs_covered))
    if as_json:
        rows = [
            {
                "attack": r.key,
                "cost": str(round(r.cost)),
                "gain": str(round(r.gain)),
                "profit": str(round(r.profit)),
                "profitable": r.profitable,
                "unprofitableWhen": r.unprofitable_when,
            }
            for r in results
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    console.print(attack_table(results, f"Attacks at the settings in force on {rewards.address}"))
    profitable = [r.key for r in results if r.profitable]
    if profitable:
        _say(
            f"warning: profitable at these settings: {', '.join(profitable)}; a governance "
            "proposal can change them (ape run govern propose set-policy ...)"
        )
    else:
        _say(f"no modelled attack pays with {watchers} independent watcher(s)")


@cli.command()
@rewards_option
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=FOLDER, default=None)
@click.option("--previous", type=FOLDER, default=None)
@click.option("--overwrite", is_flag=True)
@click.option(
    "--draft",
    is_flag=True,
    help="Build even if rows are not attested (a look at the numbers: it cannot be proposed)",
)
@NO_ATTESTER_CHECK
@output_options
def build(
    rewards_address: str | None,
    ledger: Path,
    out: Path | None,
    previous: Path | None,
    overwrite: bool,
    draft: bool,
    unchecked: bool,
    raw: bool,
    as_json: bool,
) -> None:
    """Score LEDGER with the policy in force into an epoch bundle. Every row must be signed by
    an attester the AttesterRegistry accepts (ape run attest), unless --draft."""
    import ape

    rewards = deployed(rewards_address).rewards
    show = Show.read(rewards, raw)
    out = out or Path("epochs") / str(ape.chain.chain_id)
    with _working(f"{ledger}: building", as_json) as progress:
        result = epochs.build(
            rewards,
            ledger,
            out,
            previous=previous,
            overwrite=overwrite,
            draft=draft,
            check_attesters=not unchecked,
            progress=progress,
        )
    bundle = out / str(result.epoch)
    warnings = result.scores.warnings(result.policy.account_cap_bps)
    order = epoch_order_warning(result.epoch, int(rewards.nextEpoch()), show.epoch)
    warnings += [order] if order else []
    ends = epochs.epoch_end(epochs.influence_of(rewards), result.epoch)
    steps = after_build(result.epoch, bundle, ends, ledger=None if result.attested else ledger)
    emitted = result.totals().epoch_totals
    if as_json:
        summary = {
            "epoch": result.epoch,
            "bundle": str(bundle),
            "root": result.root,
            "rows": result.ledger.rows,
            "accounts": len(result.tree),
            "tokens": str(emitted.tokens),
            "influence": str(emitted.influence),
            "attested": result.attested,
            "ledgerRoot": result.ledger_root,
            "warnings": warnings,
        }
        _finish(show, True, [], steps, **summary)
        return
    _say(
        f"epoch {result.epoch}: {result.ledger.rows} rows, {len(result.tree)} accounts, "
        f"{show.tokens(emitted.tokens)} and {show.influence(emitted.influence)}; root "
        f"{result.root}"
    )
    signed = (
        f"every row attested, ledger root {result.ledger_root}"
        if result.attested
        else "DRAFT: not every row is attested, it cannot be proposed"
    )
    _say(f"bundle: {bundle} ({signed})")
    for warning in warnings:
        _say(f"warning: {warning}")
    _finish(show, False, [], steps)


@cli.command()
@rewards_option
@click.argument("bundle", type=BUNDLE)
@click.option("--previous", type=FOLDER, default=None)
@click.option(
    "--from-block", type=int, default=0, help="Search the proposal's event from this block"
)
@output_options
def verify(
    rewards_address: str | None,
    bundle: Path,
    previous: Path | None,
    from_block: int,
    raw: bool,
    as_json: bool,
) -> None:
    """Recompute BUNDLE and compare it with the on-chain root; exit 1 naming bad accounts."""
    rewards = deployed(rewards_address).rewards
    show = Show.read(rewards, raw)
    with _working(f"recomputing {bundle}", as_json):
        result = epochs.verify(rewards, bundle, previous=previous, from_block=from_block)
    pending = epochs.pending_proposal(rewards)
    steps: list[NextStep] = []
    if pending is not None and pending.epoch == result.epoch:
        if result.ok:
            steps = after_propose(result.epoch, pending.challenge_deadline)[:1]
        else:
            steps = [
                NextStep(
                    f"ape run epoch prove {bundle}",
                    why="if a batch in it was not signed by an attester: rejected with no vote",
                ),
                NextStep(
                    f"ape run epoch challenge {result.epoch} --evidence URI --account GUARDIAN",
                    why=f"a guardian, before {format_when(pending.challenge_deadline)}",
                ),
            ]
    if as_json:
        _finish(
            show,
            True,
            [],
            steps,
            epoch=result.epoch,
            ok=result.ok,
            root=result.root,
            recomputed=result.expected_root,
            problems=list(result.problems),
            differences=[{"account": d.account, "kind": d.kind} for d in result.differences],
        )
        raise SystemExit(0 if result.ok else 1)
    _say(f"epoch {result.epoch}: on-chain root {result.root}")
    _say(f"recomputed root:      {result.expected_root}")
    if result.ok:
        _say("OK: the on-chain root is the recomputed one")
    else:
        for problem in result.problems:
            _say(f"MISMATCH {problem}")
        for diff in result.differences:
            _say(f"differing account: {diff.account} ({diff.kind})")
    _finish(show, False, [], steps)
    if not result.ok:
        raise SystemExit(1)


@cli.command()
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
    sent = epochs.propose(rewards, bundle, signer(alias), uri=uri, check_attesters=not unchecked)
    details = sent[-1].details
    steps = after_propose(details["epoch"], details["challenge_deadline"])
    _finish(Show.read(rewards, raw), as_json, sent, steps)


@cli.command()
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
    sent = epochs.challenge(rewards, epoch, signer(alias), evidence=evidence)
    steps = after_challenge(epoch, sent[-1].details["dispute_deadline"], _bundle_of(epoch))
    _finish(Show.read(rewards, raw), as_json, sent, steps)


@cli.command()
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
    sent = epochs.prove(rewards, bundle, signer(alias), from_block=from_block)
    epoch = sent.details["epoch"]
    _finish(Show.read(rewards, raw), as_json, [sent], after_prove(epoch, "BUNDLE"))


@cli.command()
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
    sent = epochs.settle(rewards, epoch, signer(alias), root=root, from_block=from_block)
    _finish(Show.read(rewards, raw), as_json, [sent], after_settle(epoch, _bundle_of(epoch)))


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
    sent = epochs.resolve(
        rewards,
        epoch,
        uphold,
        signer(alias),
        governor=governor,
        vote=support,
        root=root,
        from_block=from_block,
    )
    steps = epochs.resolution_next_steps(
        rewards,
        epoch,
        uphold,
        governor=governor,
        root=root,
        from_block=from_block,
        bundle=_bundle_of(epoch),
    )
    _finish(Show.read(rewards, raw), as_json, sent, steps)


@cli.command()
@rewards_option
@account_option
@epoch_argument
@output_options
def finalize(
    rewards_address: str | None, alias: str | None, epoch: int, raw: bool, as_json: bool
) -> None:
    """Finalize EPOCH's unchallenged root after its window (anyone)."""
    rewards = deployed(rewards_address).rewards
    sent = epochs.finalize(rewards, epoch, signer(alias))
    _finish(Show.read(rewards, raw), as_json, [sent], after_finalize(epoch, _bundle_of(epoch)))


@cli.command()
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
        one = epochs.claim_one(rewards, bundle, account, sender)
        _finish(show, as_json, [one], after_claim())
        return
    accounts = len(epochs.load_tree(bundle).values)
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
                _say(f"  batch of {count}: {_describe(sent, show)}")

        def on_scan(done: int) -> None:
            progress.update(scan, completed=done)

        sent = epochs.claim_all(
            rewards, bundle, sender, batch_size=batch_size, on_scan=on_scan, on_batch=on_batch
        )
        progress.update(pay, total=paid)
    if as_json:
        _finish(show, True, sent, after_claim(), accounts=accounts, paid=paid)
        return
    _say(
        f"claimed for {paid} of {accounts} accounts in {len(sent)} transactions: "
        f"{show.tokens(sum(s.details['tokens'] for s in sent))} and "
        f"{show.stored(sum(s.details['influence_stored'] for s in sent))}, "
        f"{sum(s.gas_used for s in sent):,} gas"
    )
    _finish(show, False, [], after_claim())


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
