"""The whole Communis system deployed by the real plan and deployer, as `ape run deploy` does it
(``communis.deploy.plan.build_plan`` + ``communis.deploy.deployer.Deployer``), from a deployment
config with the test parameters of :mod:`tests.helpers.constants`; and the calls a test makes to
run it: epochs settled and claimed, proposals voted through.

After the handover the timelock administers everything and the deployer keeps nothing. With
``registry_guardian`` the config names the guardian as the council's first member (the plan's
initial guardians), so the scenarios can challenge from the first epoch. One optional stand-in is
wired before the handover, as an extra plan step: ``awarder``, an account holding Influence's
AWARDER_ROLE beside ContributionRewards, so that governance tests hand out influence directly
instead of running reward epochs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak

from communis.chain.system import System
from communis.deploy.config import load
from communis.deploy.deployer import Deployer
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from communis.deploy.steps import StepSpec
from tests.helpers.constants import (
    APPLICATION_THRESHOLD,
    CHALLENGER_REWARD_BPS,
    GENESIS_SUPPLY,
    GUARDIAN_TERM,
    HALF_LIFE,
    MAX_UINT,
    MINIMUM_VOTERS,
    POLICY,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    SUPPLY_CAP,
    TIMELOCK_DELAY,
    TOKEN,
    UNIT,
    VOTE_EXTENSION,
    VOTING_DELAY,
    VOTING_PERIOD,
    WEEK,
)
from tests.helpers.epochs import Epoch, cumulative
from tests.helpers.time import travel

AWARDER_ROLE = "0x" + keccak(text="AWARDER_ROLE").hex()
REGISTRY = "GuardianRegistry"
TIMELOCK = "CommunisTimelock"
FIRST_HANDOVER_STEP = "influence.renounce"
PROPOSER_FUNDS = 10_000 * TOKEN  # what the proposer and the guardian get for their bonds


def _whole(amount: int) -> str:
    assert amount % UNIT == 0, amount
    return str(amount // UNIT)


def _days(seconds: int) -> str:
    return f"{seconds // 86400}d" if seconds % 86400 == 0 else f"{seconds}s"


def config_text(
    *,
    proposer: str,
    guardian: str,
    treasury: str,
    guardians: tuple[str, ...] = (),
    attesters: tuple[str, ...] = (),
) -> str:
    """config/deploy.toml's format with the test parameters (see tests.helpers.constants);
    ``attesters`` are appointed from epoch 0 with a budget no test ledger reaches."""
    (token_budget, influence_budget, weights, cap_bps, window, bond, challenger_bond, period, fee,
     open_proposing) = POLICY  # fmt: skip
    creator, curator, guardian_weight, participant = weights
    budgets = "".join(f'"{a}" = "1000000000"\n' for a in attesters)
    attester_table = f"\n[attesters]\n{budgets}" if attesters else ""
    return f"""version = 1

[token]
name = "Communis"
symbol = "CMN"
cap = "{_whole(SUPPLY_CAP)}"
genesis_supply = "{_whole(GENESIS_SUPPLY)}"
genesis_holder = "{treasury}"

[influence]
genesis = "now"
epoch_duration = "1w"
half_life_epochs = {HALF_LIFE}

[governance]
timelock_delay = "{_days(TIMELOCK_DELAY)}"
voting_delay = "{_days(VOTING_DELAY)}"
voting_period = "{_days(VOTING_PERIOD)}"
proposal_threshold = "{_whole(PROPOSAL_THRESHOLD)}"
quorum_percent = {QUORUM_PERCENT}
minimum_voters = {MINIMUM_VOTERS}
vote_extension = "{_days(VOTE_EXTENSION)}"
proposal_guardian = "{guardian}"
proposal_guardian_term = "{_days(GUARDIAN_TERM)}"
guardian_application_threshold = "{_whole(APPLICATION_THRESHOLD)}"

[rewards]
token_budget = "{_whole(token_budget)}"
influence_budget = "{_whole(influence_budget)}"
creator_weight = {creator}
curator_weight = {curator}
guardian_weight = {guardian_weight}
participant_weight = {participant}
account_cap_bps = {cap_bps}
challenge_window = "{_days(window)}"
proposer_bond = "{_whole(bond)}"
challenger_bond = "{_whole(challenger_bond)}"
dispute_period = "{_days(period)}"
dispute_fee_bps = {fee}
challenger_reward_bps = {CHALLENGER_REWARD_BPS}
open_proposing = {"true" if open_proposing else "false"}
proposers = ["{proposer}"]
guardians = [{", ".join(f'"{g}"' for g in guardians)}]
{attester_table}"""


def with_stand_ins(plan: list[StepSpec], *, awarder: Any = None) -> list[StepSpec]:
    """``plan`` with the stand-in step of the module docstring, run before the handover."""
    extra: list[StepSpec] = []
    if awarder is not None:
        extra.append(
            StepSpec(
                "influence.awarder.stand-in",
                "call",
                "Influence",
                (AWARDER_ROLE, awarder),
                function="grantRole",
                target="Influence",
            )
        )
    cut = [s.name for s in plan].index(FIRST_HANDOVER_STEP)
    return [*plan[:cut], *extra, *plan[cut:]]


@dataclass
class Full:
    token: Any
    influence: Any
    timelock: Any
    governor: Any
    registry: Any
    rewards: Any
    genesis: int
    proposer: Any  # bonded root proposer
    guardian: Any  # the governor's proposal guardian (and the registry's, if wired)
    treasury: Any  # holds the genesis allocation (an EOA, so tests can hand out tokens)
    awarder: Any = None  # AWARDER_ROLE stand-in, if wired
    journal: Path | None = None


@dataclass(frozen=True)
class Roles:
    """Who plays which part in a deployed test system (see :class:`Full`), and how it is wired:
    ``registry_guardian``: the guardian also in the guardian registry; ``fund_bonds``: the
    proposer and the guardian get tokens for their bonds from the treasury and approve
    ContributionRewards."""

    proposer: Any
    guardian: Any
    treasury: Any
    awarder: Any = None
    registry_guardian: bool = True
    fund_bonds: bool = True
    attesters: tuple[str, ...] = ()


def deploy_system(project, chain, deployer, journals: Path, roles: Roles) -> Full:
    """Run the deployment plan into a fresh journal folder ``journals``."""
    path = journals / "deploy.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = config_text(
        proposer=roles.proposer.address,
        guardian=roles.guardian.address,
        treasury=roles.treasury.address,
        guardians=(roles.guardian.address,) if roles.registry_guardian else (),
        attesters=roles.attesters,
    )
    path.write_text(text)
    genesis = chain.pending_timestamp
    plan = with_stand_ins(
        build_plan(load(path), now=genesis),
        awarder=roles.awarder.address if roles.awarder is not None else None,
    )
    Deployer(project, deployer, Journal.open(journals, chain.chain_id)).run(plan)
    system = System.load(journals)
    contracts = (system.token, system.influence, system.timelock, system.governor)
    people = (roles.proposer, roles.guardian, roles.treasury, roles.awarder)
    full = Full(*contracts, system.guardians, system.rewards, genesis, *people, journals)
    for account in (roles.proposer, roles.guardian) if roles.fund_bonds else ():
        full.token.transfer(account, PROPOSER_FUNDS, sender=roles.treasury)
        full.token.approve(full.rewards, MAX_UINT, sender=account)
    return full


# --- rewards ----------------------------------------------------------------------------------


def end_epoch(chain, full: Full, epoch: int) -> None:
    """Mine a block at the end of ``epoch`` (at least one second after the head)."""
    travel(chain, full.genesis + (epoch + 1) * WEEK)


def propose_root(full: Full, epoch: Epoch, *, totals: tuple[int, int] | None = None) -> Any:
    tokens, stored = totals or epoch.totals
    return full.rewards.proposeRoot(
        epoch.number,
        epoch.root,
        tokens,
        stored,
        epoch.ledger_root,
        f"ipfs://bundle/{epoch.number}",
        full.rewards.policyHash(),
        sender=full.proposer,
    )


def settle(chain, full: Full, epoch: Epoch) -> None:
    """Propose ``epoch`` once it ended, and finalize it after the challenge window."""
    end_epoch(chain, full, epoch.number)
    propose_root(full, epoch)
    travel(chain, full.rewards.pendingProposal().challengeDeadline)
    full.rewards.finalize(epoch.number, sender=full.proposer)


def claim(full: Full, epoch: Epoch, account, sender, *, expected_root: bytes = b"\0" * 32):
    tokens, stored = epoch.leaf(account)
    return full.rewards.claim(
        account, tokens, stored, epoch.proof(account), expected_root, sender=sender
    )


def earn(chain, full: Full, awards: dict, previous: Epoch | None = None) -> Epoch:
    """Run the next epoch with ``awards`` ({account: (tokens, influence)}) and claim it for
    every awarded account; returns the epoch (its cumulative table)."""
    number = 0 if previous is None else previous.number + 1
    epoch = cumulative(number, awards, previous)
    settle(chain, full, epoch)
    for account in awards:
        claim(full, epoch, account, account)
    travel(chain, chain.blocks.head.timestamp + 1)  # the claims are now in the past
    return epoch
