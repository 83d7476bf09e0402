"""What the story reports: each epoch's rewards and influence, the run, and a summary."""

from __future__ import annotations

from pathlib import Path

from communis.demo.story.state import EPOCHS, WHALE_SHARE_BPS, Story, check, whole
from communis.engine.bundle import EpochBuild
from communis.engine.growth import to_influence
from communis.engine.units import format_duration
from communis.report import EpochReport, ExtraSection, ReportPaths, RunReport, write_report
from communis.report.bundles import role_rewards


def influence_now(story: Story, build: EpochBuild) -> dict[str, int]:
    """Each account's influence now, once it has claimed: its cumulative stored units (the tree)
    at the current epoch's growth, as Influence's ``balanceOf`` computes it (checked on a key
    member, who claimed), less what governance slashed."""
    influence = story.sys.influence
    epoch, half_life = int(influence.currentEpoch()), int(influence.halfLife())
    slashed = story.over_budget.stored_slashed if story.over_budget else 0
    culprit = story.over_budget.attester if story.over_budget else None
    out = {
        leaf.account: to_influence(
            leaf.influence - (slashed if leaf.account == culprit else 0), epoch, half_life
        )
        for leaf in build.tree.values
    }
    probe = story.members[0].address
    check(out[probe] == int(influence.balanceOf(probe)), "influence balances are exact")
    return out


def epoch_report(story: Story, build: EpochBuild) -> EpochReport:
    """The epoch's rewards split by role in proportion to each role's weighted points."""
    tokens = build.scores.tokens.amounts
    plain_influence = build.scores.influence.amounts
    rewards = role_rewards(build.ledger.points, build.policy.role_weights, tokens, plain_influence)
    clock = int(story.gov.governor.clock())
    return EpochReport(
        epoch=build.epoch,
        token_budget=build.policy.token_budget,
        influence_budget=build.policy.influence_budget,
        tokens_emitted=sum(tokens.values()),
        influence_emitted=sum(plain_influence.values()),
        rewards=tuple(rewards),
        influence_balances=influence_now(story, build),
        quorum=int(story.gov.governor.quorum(clock - 1)),
        treasury_balance=int(story.sys.token.balanceOf(story.sys.timelock)),
    )


def run_report(story: Story, network: str) -> RunReport:
    return RunReport(
        epochs=tuple(story.epochs),
        proposals=tuple(story.proposals),
        notes=tuple(story.notes),
        title="Communis demo: a sample community over four epochs",
        network=network,
        token_symbol=str(story.sys.token.symbol()),
    )


def summary(story: Story) -> list[str]:
    """What the demo showed, one line per scene, in human units."""
    padded, over, late = story.padded, story.over_budget, story.unresolved
    assert padded is not None and over is not None and late is not None
    paid = sum(e.tokens_emitted for e in story.epochs)
    accounts = len({r.account for e in story.epochs for r in e.rewards})
    p = story.economics
    return [
        f"epochs {EPOCHS[0]}-{EPOCHS[-1]}: {whole(paid)} CMN paid to {accounts} members, every "
        "claim checked against the chain",
        f"padded ledger (epoch {padded.epoch}): proven in one transaction ({padded.proof_gas:,} "
        f"gas), no vote; the proposer lost {whole(-padded.flows.proposer)} CMN, the prover got "
        f"{whole(padded.flows.prover)}",
        f"attester over its budget (epoch {over.epoch}): {whole(over.points)} points signed "
        f"against a budget of {whole(over.budget)}; challenged, upheld by governance: bond "
        f"{whole(-over.flows.proposer)} CMN lost, attester removed from epoch "
        f"{over.removed_from} on, {whole(over.influence_slashed, 1)} influence slashed",
        f"challenge nobody decided (epoch {late.epoch}): settled at its deadline, fees "
        f"{whole(-late.flows.challenger)} CMN (guardian) and {whole(-late.flows.proposer)} CMN "
        f"(proposer); paid {format_duration(late.finalized_at - late.epoch_end)} after the "
        f"epoch ended, T = {format_duration(late.bound)} (ε included)",
        f"whale: {WHALE_SHARE_BPS // 100}% of the tokens, no votes; governance appointed two "
        "guardians and raised the curators' weight to 6",
        f"every bond moved exactly as communis.economics models it (bonds "
        f"{whole(p.proposer_bond)}/{whole(p.challenger_bond)} CMN, reward "
        f"{p.challenger_reward_bps // 100}%, dispute fee {p.dispute_fee_bps // 100}%)",
    ]


def write_demo_report(story: Story, network: str, out: Path) -> ReportPaths:
    """The HTML/PNG report of the run, with the economics of the demo's config ("Why cheating
    does not pay": its attack table and charts) as a section of the page."""
    from communis.economics.report import analyse_config, write_section

    section = write_section(analyse_config(story.config), out)
    extra = ExtraSection("economics", "why cheating does not pay", section.html)
    return write_report(run_report(story, network), out, extra=[extra])
