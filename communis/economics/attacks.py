"""One closed-form model per attack: its expected cost, gain and profit, and where it stops paying.

Every model takes :class:`~communis.economics.params.Parameters` (what the community set) and
:class:`~communis.economics.params.Assumptions` (what it assumes) and returns an
:class:`AttackResult` in token smallest units. *Gain* is what the attacker expects to win, *cost*
what it expects to lose (its bonds, from :mod:`communis.economics.bonds`, exactly as the contract
moves them, weighted by the chance of each ending), *profit* the difference. An attack is
*profitable* when its expected profit is positive; :attr:`AttackResult.unprofitable_when` states
the parameter region where it is not, holding the other values fixed.

The models follow the epoch game as specified: a challenge discards the root at once and opens a
dispute that governance decides (upheld: the proposer bond is slashed, ``challengerRewardBps`` of
it to the challenger; not upheld: the challenger bond goes to the treasury) or that times out
after the dispute period (each party pays ``disputeFeeBps`` of its bond); a root with rows no
registered attester signed is rejected by a one-transaction proof with no vote; a party to a
dispute cannot vote on it; quorum needs ``quorum`` of all earned influence and ``minimumVoters``
distinct voters; one account receives at most ``accountCapBps`` of an epoch's budget.

``attacker_net(key, params, ending)`` answers, for the attacks whose money moves through bonds,
what the attacker gains or loses on chain for one ending: the number a test compares with balance
changes on an EVM.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from communis.economics.bonds import Ending, bond_flows, verdict
from communis.economics.params import Assumptions, Parameters, tokens
from communis.engine.policy import BPS
from communis.engine.units import UNIT, format_amount, format_duration


@dataclass(frozen=True, slots=True)
class AttackResult:
    """One attack at one set of parameters and assumptions (amounts in token smallest units)."""

    key: str
    """Short name, what ``--accept-risk`` takes."""
    title: str
    cost: int
    gain: int
    unprofitable_when: str
    detail: str
    profitable_override: bool | None = None
    """For attacks judged by a rule rather than by tokens (capture by one member)."""

    @property
    def profit(self) -> int:
        return self.gain - self.cost

    @property
    def profitable(self) -> bool:
        if self.profitable_override is not None:
            return self.profitable_override
        return self.profit > 0


def cmn(amount: int | float | Fraction) -> str:
    """Smallest units as whole CMN, rounded (``12,345 CMN``)."""
    return format_amount(round(amount), places=0, rounding=True) + " CMN"


def price_text(amount: float | Fraction) -> str:
    """A price in smallest units per whole unit, to three decimals (``0.26 CMN``)."""
    return format_amount(round(amount), places=3, rounding=True) + " CMN"


def _pct(bps: float) -> str:
    return f"{bps / 100:.4g}%"


# ----------------------------------------------------------------------------- bond scenarios

# Which parties of a proposal the attacker plays, per attack whose money moves through bonds.
ATTACKER_SIDES: dict[str, tuple[str, ...]] = {
    "fraudulent-root": ("proposer",),
    "padded-ledger": ("proposer",),
    "griefing": ("challenger",),
    "self-dispute": ("proposer", "challenger"),
    "proposal-spam": ("proposer",),
    "bribery": ("proposer",),
}


def attacker_net(key: str, params: Parameters, ending: Ending, *, epochs: int = 1) -> int:
    """What the attacker of ``key`` gains (> 0) or loses (< 0) through the bonds when its
    proposal, covering ``epochs`` epochs, ends in ``ending``: exact, as the contract moves it
    (rewards rounded down, fees up)."""
    return -_loss(params, ending, ATTACKER_SIDES[key], epochs)


def _loss(
    params: Parameters,
    ending: Ending,
    sides: tuple[str, ...] = ("proposer",),
    epochs: int = 1,
) -> int:
    flows = bond_flows(params, ending, epochs)
    return -sum(flows.of(side) for side in sides)


def fraud_stake(params: Parameters, epochs_covered: int = 1, unclaimed_backlog: int = 0) -> int:
    """What a fraudulent root that finalizes pays its proposer's fresh accounts at most (token
    smallest units): the token budgets of the epochs it covers (I2) plus the finalized tokens
    nobody has claimed yet (the claim pool, I3), exact."""
    return epochs_covered * params.token_budget + unclaimed_backlog


def fresh_account_room(params: Parameters, finalized_epochs: int) -> int:
    """The most one fresh account can claim once ``finalized_epochs`` epochs are finalized: the
    token caps of all of them (I6, each floored as the contract floors it), exact. A fraudulent
    root needs ``ceil(stake / room)`` fresh accounts to take its whole stake."""
    return finalized_epochs * (params.token_budget * params.account_cap_bps // BPS)


# ----------------------------------------------------------------------------- helpers


def _min_bond(gain: float, detect: float, per_bond: float) -> float | None:
    """Smallest proposer bond with ``(1 - d) G < d * per_bond * b`` (None: none suffices)."""
    if detect <= 0 or per_bond <= 0:
        return None
    return (1 - detect) * gain / (detect * per_bond)


def _min_watchers(miss: float, gain: float, loss: float) -> int | None:
    """Fewest watchers with ``miss^w G < (1 - miss^w) L`` (None: no number suffices)."""
    if loss <= 0:
        return None
    if gain <= 0:
        return 0
    if miss <= 0:
        return 1
    if miss >= 1:
        return None
    # miss^w < L / (G + L)
    return max(0, math.floor(math.log(loss / (gain + loss)) / math.log(miss)) + 1)


def _min_window(a: Assumptions, watchers: int, gain: float, loss: float) -> float | None:
    """Shortest challenge window (seconds) that makes the fraud unprofitable (None: none does)."""
    if watchers <= 0 or loss <= 0:
        return None
    if gain <= 0 or a.watcher_downtime_bps == 0:
        return 0.0
    target = (loss / (gain + loss)) ** (1 / watchers)  # per-watcher miss must stay below this
    downtime = a.watcher_downtime_bps / BPS
    if target >= downtime:
        return 0.0
    return a.watcher_outage * math.log(downtime / target)


def _mechanical_fraud(
    key: str, title: str, p: Parameters, a: Assumptions, ending: Ending, how_caught: str
) -> AttackResult:
    stake = fraud_stake(p, a.epochs_covered, a.unclaimed_backlog)
    loss = _loss(p, ending, epochs=a.epochs_covered)
    miss = a.all_miss(p.challenge_window)
    detect = 1 - miss
    gain = miss * stake
    cost = detect * loss
    per_bond = loss / p.proposer_bond  # the loss per unit of proposerBond (n units here)
    regions = []
    bond = _min_bond(stake, float(detect), per_bond)
    if bond is not None:
        regions.append(f"proposer bond > {cmn(bond)}")
    watchers = _min_watchers(a.watcher_miss(p.challenge_window), stake, loss)
    if watchers is not None:
        regions.append(f">= {watchers} watcher(s)")
    window = _min_window(a, a.watchers, stake, loss)
    if window is not None and window > 0:
        regions.append(f"challenge window > {format_duration(math.ceil(window))}")
    covered = f"{a.epochs_covered} epoch(s) of {cmn(p.token_budget)}"
    if a.unclaimed_backlog:
        covered += f" + {cmn(a.unclaimed_backlog)} unclaimed"
    detail = (
        f"stake {cmn(stake)} ({covered}); {a.watchers} watcher(s) miss a "
        f"{format_duration(p.challenge_window)} window with p = {float(miss):.3g}; {how_caught}: "
        f"loses {cmn(loss)}"
    )
    return AttackResult(
        key=key,
        title=title,
        cost=tokens(cost),
        gain=tokens(gain),
        unprofitable_when=" or ".join(regions) if regions else "never (no watcher, no loss)",
        detail=detail,
    )


# ----------------------------------------------------------------------------- the attacks


def fraudulent_root(p: Parameters, a: Assumptions) -> AttackResult:
    """A proposer posts a padded tree (leaves that the committed ledger does not give) paying its
    own fresh accounts. Undetected within the window it finalizes and they claim the stake: the
    covered epochs' token budgets plus any unclaimed backlog (fresh accounts have the cap room of
    every finalized epoch). Detected, a guardian challenges, the root is discarded at once and the
    dispute slashes the bond (upheld) or, without a vote, the dispute fee."""
    ending = verdict(p, governance_votes=a.governance_votes, proposer_right=False)
    how = "governance upholds" if a.governance_votes else "the dispute times out"
    return _mechanical_fraud(
        "fraudulent-root",
        "Fraudulent root (padded tree)",
        p,
        a,
        ending,
        f"challenged, {how}",
    )


def padded_ledger(p: Parameters, a: Assumptions) -> AttackResult:
    """A proposer pads the ledger with rows no registered attester signed. Anyone holding the
    bundle proves one such batch in one transaction: the root is rejected and banned, the bond
    slashed, no vote needed (so a silent governance does not soften the loss)."""
    return _mechanical_fraud(
        "padded-ledger",
        "Padded ledger (unattested rows)",
        p,
        a,
        Ending.PROVEN,
        f"proven in one transaction (prover earns {cmn(p.reward(a.epochs_covered))})",
    )


def corrupt_attester(p: Parameters, a: Assumptions) -> AttackResult:
    """An appointed attester signs invented rows, within its budget, for accounts it controls.
    Its signatures are valid, so no proof applies: only an audit of the evidence catches it, then
    a challenge discards the epoch's root and governance removes the attester. Until then it
    takes a share of each epoch's budget bounded by its points budget. The design has no attester
    bond (its influence can be slashed, which is not tokens), so this is a residual risk the
    community accepts by appointing attesters: the loss per epoch is bounded by the budget."""
    budget = a.attester_budget
    if budget is None:
        budget = max(p.attester_budgets, default=0)
    weighted = p.max_weight * budget
    per_epoch = Fraction(p.token_budget * weighted, weighted + a.honest_score)
    detect = a.any_of(a.audit_bps)
    epochs = (1 - detect) / detect if detect > 0 else Fraction(p.half_life_epochs)
    gain = per_epoch * epochs
    if not budget:
        detail = "no attester in the config: nobody can sign rows yet"
    else:
        detail = (
            f"budget {budget:,} points at weight {p.max_weight} against {a.honest_score:,} honest "
            f"weighted points: {cmn(per_epoch)} per epoch for {float(epochs):.3g} expected epochs "
            f"before an audit ({_pct(a.audit_bps)} per watcher per epoch) catches it; no bond"
        )
    region = (
        "attester budget = 0, or an attester bond > "
        f"{cmn(gain)} (loss bounded: {cmn(per_epoch)} per epoch)"
        if budget
        else "attester budget = 0 (now); each budget B exposes B's share of an epoch's tokens"
    )
    return AttackResult(
        key="corrupt-attester",
        title="Corrupt attester within its budget",
        cost=0,
        gain=tokens(gain),
        unprofitable_when=region,
        detail=detail,
    )


def sybil_split(p: Parameters, a: Assumptions) -> AttackResult:
    """A member whose real work exceeds the per-account cap splits it across several accounts to
    collect what the cap would have redistributed. Nothing on chain links accounts to people: the
    deterrent is that watchers link the accounts and attesters then stop signing the person's
    rows, so it loses its capped income for ``expulsion_epochs``."""
    share, cap = a.top_share_bps, p.account_cap_bps
    horizon = a.expulsion_epochs if a.expulsion_epochs is not None else p.half_life_epochs
    detect = a.any_of(a.link_bps)
    if share <= cap:
        return AttackResult(
            key="sybil-split",
            title="Sybil splitting around the cap",
            cost=0,
            gain=0,
            unprofitable_when=f"top natural share <= cap ({_pct(cap)})",
            detail=f"top natural share {_pct(share)} is within the cap: splitting gains nothing",
        )
    extra = Fraction((share - cap) * p.token_budget, BPS)
    penalty = Fraction(horizon * cap * p.token_budget, BPS)
    accounts = math.ceil(share / cap)
    threshold = float(extra / (extra + penalty))
    return AttackResult(
        key="sybil-split",
        title="Sybil splitting around the cap",
        cost=tokens(detect * penalty),
        gain=tokens((1 - detect) * extra),
        unprofitable_when=(
            f"accounts linked with >= {threshold:.1%} per epoch (now {float(detect):.1%}), or "
            f"cap >= {_pct(share)}"
        ),
        detail=(
            f"a member with {_pct(share)} of the score splits into {accounts} accounts: "
            f"+{cmn(extra)} per epoch; linked ({_pct(a.link_bps)} per watcher per epoch) it loses "
            f"{horizon} epochs at the cap ({cmn(penalty)})"
        ),
    )


def _delay(
    key: str, title: str, p: Parameters, a: Assumptions, what: str, condition: str
) -> AttackResult:
    """An attack whose only gain is a delay of an honest root: it costs what the bonds of the
    attacker's sides lose at the ending governance gives (not upheld, or the timeout)."""
    ending = verdict(p, governance_votes=a.governance_votes, proposer_right=True)
    sides = ATTACKER_SIDES[key]
    loss = _loss(p, ending, sides)
    cheapest = min(_loss(p, e, sides) for e in (Ending.UPHELD, Ending.NOT_UPHELD, Ending.TIMED_OUT))
    victim = -bond_flows(p, ending).proposer if "proposer" not in sides else 0
    return AttackResult(
        key=key,
        title=title,
        cost=loss,
        gain=a.external_gain,
        unprofitable_when=f"always while an outside gain < {cmn(loss)} per delay ({condition})",
        detail=(
            f"{what} by <= {format_duration(p.dispute_delay)}; it loses {cmn(loss)} "
            f"({ending.value}), at least {cmn(cheapest)} whatever the verdict; the honest "
            f"proposer loses {cmn(victim)}"
        ),
    )


def griefing(p: Parameters, a: Assumptions) -> AttackResult:
    """A guardian challenges an honest root to delay it. The root is discarded and cannot be
    proposed again while its dispute is undecided, so it is delayed by at most D = P + W (later
    catch-up roots carry its rewards); the guardian cannot challenge that root again."""
    return _delay(
        "griefing",
        "Griefing challenges",
        p,
        a,
        "each griefer delays an honest root once",
        "challenger bond > 0, dispute fee > 0",
    )


def self_dispute(p: Parameters, a: Assumptions) -> AttackResult:
    """A proposer challenges its own honest root from a guardian account to delay the epoch. As
    proposer and challenger it nets the two sides: upheld costs ``b_p - reward`` (the reward stays
    below 100%), not upheld ``b_c``, a timeout both fees. It cannot vote on its own dispute."""
    return _delay(
        "self-dispute",
        "Self-dispute to delay",
        p,
        a,
        "delays its own epoch",
        "challengerRewardBps < 10000, challenger bond > 0, dispute fee > 0",
    )


def _bribe_needed(p: Parameters, a: Assumptions, epochs: int) -> Fraction:
    turnout = p.quorum_bps if a.honest_turnout_bps is None else a.honest_turnout_bps
    return Fraction(max(p.quorum_bps, turnout) * p.total_influence(epochs), BPS)


def bribery(p: Parameters, a: Assumptions) -> AttackResult:
    """A party to a dispute buys other members' votes (or delegations) for the verdict it wants;
    its own influence cannot vote. The verdict only moves bonds (the root stays discarded
    whatever it says), so the most a bribe can win is the proposer bond (or, for a challenger,
    its bond plus the reward). It must bring more votes than the honest side and at least the
    quorum, from ``minimumVoters`` distinct accounts."""
    # tokens per unit of influence (both in smallest units)
    price = Fraction(a.vote_price_bps * p.token_budget, BPS * p.influence_budget)
    proposer_default = verdict(p, governance_votes=a.governance_votes, proposer_right=False)
    gain_proposer = _loss(p, proposer_default) - _loss(p, Ending.NOT_UPHELD)
    gain_challenger = p.challenger_bond + p.reward()
    stake = max(gain_proposer, gain_challenger)
    needed = _bribe_needed(p, a, a.community_age)
    cost = price * needed
    first = next(
        (n for n in range(1, 100 * p.half_life_epochs) if price * _bribe_needed(p, a, n) > stake),
        None,
    )
    region = (
        f"vote price > {price_text(stake / needed * UNIT)} per influence" if needed else "never"
    )
    if first is not None:
        region += f"; at this price from epoch {first} on"
    return AttackResult(
        key="bribery",
        title="Buying votes to decide a dispute",
        cost=tokens(cost),
        gain=stake,
        unprofitable_when=region,
        detail=(
            f"needs {format_amount(round(needed), places=0, rounding=True)} influence from >= "
            f"{p.minimum_voters} non-party voters after {a.community_age} epochs at "
            f"{price_text(price * UNIT)} per influence; the root stays discarded whatever the "
            "verdict"
        ),
    )


def proposal_spam(p: Parameters, a: Assumptions) -> AttackResult:
    """Someone proposes garbage roots to hold the pending slot and tire guardians. Each is
    challenged (a missed one is the fraudulent-root attack) and costs the bond or the fee; each
    holds the slot for at most the challenge window."""
    ending = verdict(p, governance_votes=a.governance_votes, proposer_right=False)
    loss = _loss(p, ending)
    detect = a.detection(p.challenge_window)
    guardian = bond_flows(p, ending).challenger
    who = "anyone" if p.open_proposing else "only PROPOSER_ROLE holders"
    return AttackResult(
        key="proposal-spam",
        title="Proposal spam",
        cost=tokens(detect * loss),
        gain=a.external_gain,
        unprofitable_when=f"always while an outside gain < {cmn(detect * loss)} per spam",
        detail=(
            f"{who} can propose; each spam holds the slot <= "
            f"{format_duration(p.challenge_window)}, costs {cmn(loss)} ({ending.value}); the "
            f"challenging guardian nets {cmn(guardian)}"
        ),
    )


def quorum_capture(p: Parameters, a: Assumptions, measured: int | None = None) -> AttackResult:
    """One member, or a few top contributors, reaching quorum alone. One account holds at most
    the cap of the total influence (README, "No capture by one member"), so quorum takes at least
    ``ceil(quorum / cap)`` accounts at the cap and ``minimumVoters`` distinct voters. ``measured``:
    the fewest accounts that held quorum in the simulation (after its first half-life)."""
    by_cap = math.ceil(p.quorum_bps / p.account_cap_bps)
    fewest = max(by_cap, p.minimum_voters)
    alone = p.account_cap_bps >= p.quorum_bps or p.minimum_voters < 2
    detail = (
        f"one account holds <= {_pct(p.account_cap_bps)} < quorum {_pct(p.quorum_bps)}: quorum "
        f"needs >= {by_cap} capped accounts and {p.minimum_voters} voters"
    )
    if measured is not None:
        detail += f"; simulated: never fewer than {measured} accounts"
    return AttackResult(
        key="quorum-capture",
        title="Capture of quorum by top contributors",
        cost=0,
        gain=0,
        unprofitable_when=(
            f"cap < quorum and minimumVoters >= 2: a coalition of >= {fewest} members is needed"
        ),
        detail=detail,
        profitable_override=alone,
    )


MODELS: tuple[Callable[[Parameters, Assumptions], AttackResult], ...] = (
    fraudulent_root,
    padded_ledger,
    corrupt_attester,
    sybil_split,
    griefing,
    self_dispute,
    bribery,
    proposal_spam,
    quorum_capture,
)
KEYS: tuple[str, ...] = (
    "fraudulent-root",
    "padded-ledger",
    "corrupt-attester",
    "sybil-split",
    "griefing",
    "self-dispute",
    "bribery",
    "proposal-spam",
    "quorum-capture",
)


def evaluate(
    params: Parameters, assumptions: Assumptions, *, measured_quorum: int | None = None
) -> list[AttackResult]:
    """Every modelled attack at ``params`` under ``assumptions``, in :data:`KEYS` order."""
    results = [model(params, assumptions) for model in MODELS[:-1]]
    results.append(quorum_capture(params, assumptions, measured_quorum))
    return results


__all__ = [
    "ATTACKER_SIDES",
    "KEYS",
    "MODELS",
    "AttackResult",
    "attacker_net",
    "bribery",
    "cmn",
    "corrupt_attester",
    "evaluate",
    "fraud_stake",
    "fraudulent_root",
    "fresh_account_room",
    "griefing",
    "padded_ledger",
    "proposal_spam",
    "quorum_capture",
    "self_dispute",
    "sybil_split",
]
