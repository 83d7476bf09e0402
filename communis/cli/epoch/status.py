"""``ape run epoch status`` and ``ape run epoch simulate``: where the epoch game stands, and the
attack table at the settings in force."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from communis.chain.epochs.state import RewardsStatus, onchain_parameters, status_next_steps
from communis.chain.epochs.state import status as read_status
from communis.cli.base import CommunisCommand
from communis.cli.epoch.options import FROM_BLOCK, output_options
from communis.cli.epoch.output import Show, bundle_of, console, covering, finish, say
from communis.cli.options import deployed, governor_option, rewards_option
from communis.economics.cli import assumption_options, assumptions_from
from communis.engine.units import format_when

if TYPE_CHECKING:
    from communis.engine.policy import Policy


def policy_rows(p: Policy, show: Show) -> list[tuple[str, str]]:
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


def status_text(s: RewardsStatus, show: Show) -> str:
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
        *((f"  {name}", value) for name, value in policy_rows(s.policy, show)),
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
                f"epoch {q.epoch}: root {q.root} ({covering(q.first_epoch, q.epoch)}) by "
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


@click.command(cls=CommunisCommand)
@rewards_option
@FROM_BLOCK
@output_options
def status(rewards_address: str | None, from_block: int, raw: bool, as_json: bool) -> None:
    """Where the epoch game stands: the epoch, the pending root, the undecided disputes, the
    totals and the policy; then what to do next."""
    rewards = deployed(rewards_address).rewards
    s = read_status(rewards, from_block=from_block)
    show = Show(raw, s.now, s.current_epoch, s.half_life)
    steps = status_next_steps(s, bundle_of)
    if as_json:
        finish(show, True, [], steps, status=s.to_json())
        return
    say(status_text(s, show))
    finish(show, False, [], steps)


@click.command(cls=CommunisCommand)
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
    from communis.chain.governance.governor import Governance
    from communis.economics.advisor import attack_table
    from communis.economics.attacks import evaluate

    rewards = deployed(rewards_address).rewards
    params = onchain_parameters(rewards, Governance.connect(governor_address))
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
        say(
            f"warning: profitable at these settings: {', '.join(profitable)}; a governance "
            "proposal can change them (ape run govern propose set-policy ...)"
        )
    else:
        say(f"no modelled attack pays with {watchers} independent watcher(s)")
