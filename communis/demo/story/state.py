"""The story's state: who plays which part, the deployed system, and what each scene found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rich.console import Console

from communis.chain.epochs.state import epoch_end
from communis.chain.governance.governor import Governance
from communis.chain.governance.proposals import Proposal as GovernorProposal
from communis.chain.system import System
from communis.deploy.config import DeployConfig
from communis.economics.bonds import Flows
from communis.economics.params import Parameters
from communis.engine.attest.hashing import Domain
from communis.engine.units import format_amount
from communis.errors import CommunisError
from communis.report import EpochReport, Proposal

EXAMPLE_EPOCHS = (0, 1, 2)
"""The epochs whose ledgers ``examples/ledgers`` holds; epoch 3 comes from the same generator."""
EPOCHS = (0, 1, 2, 3)
WHALE_SHARE_BPS = 3_000
PADDED_ROWS = 12
PADDED_POINTS = 400
WORKSHOP_BUDGET = 300
WORKSHOP_ROWS = 6
WORKSHOP_POINTS = 150
DAY = 86_400
MAX_UINT256 = 2**256 - 1


class DemoError(CommunisError, RuntimeError):
    """A step of the demo did not do what it claims."""


def whole(value: int, places: int = 0) -> str:
    """``value`` (18 decimals) rounded to ``places`` decimals, as the story prints amounts."""
    return format_amount(value, places=places, trim=False, rounding=True)


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def check(condition: bool, claim: str) -> None:
    if not condition:
        raise DemoError(f"demo step failed: {claim}")


@dataclass(frozen=True)
class PaddedLedger:
    """Scene 2: a root over a ledger padded with unattested rows, proven wrong with no vote."""

    epoch: int
    proposer: str
    prover: str
    root: str
    ledger_root: str
    flows: Flows
    proof_gas: int


@dataclass(frozen=True)
class OverBudget:
    """Scene 3: an attester signed beyond its budget; governance removed it."""

    epoch: int
    attester: str
    points: int
    budget: int
    challenger: str
    root: str
    ledger_root: str
    flows: Flows
    influence_slashed: int
    removed_from: int
    stored_slashed: int = 0


@dataclass(frozen=True)
class Unresolved:
    """Scene 4: a challenge nobody put to a vote; the rewards were paid all the same."""

    epoch: int
    proposer: str
    challenger: str
    root: str
    flows: Flows
    epoch_end: int
    finalized_at: int
    bound: int
    """W + (P + W) + ε: the README's T minus the epoch's end, for one griefing guardian."""


@dataclass
class Vote:
    """A governance proposal on its way: created and voted, not yet executed."""

    id: int
    description: str
    proposer: Any
    epoch: int | None
    proposal: GovernorProposal


@dataclass
class Story:
    """What the demo needs along the way, and what it learns for the report."""

    project: Any
    chain: Any
    accounts: Sequence[Any]
    examples: Path
    work: Path
    console: Console
    config: DeployConfig
    system: System | None = None
    governance: Governance | None = None
    epochs: list[EpochReport] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    padded: PaddedLedger | None = None
    over_budget: OverBudget | None = None
    unresolved: Unresolved | None = None

    @property
    def foundation(self) -> Any:
        return self.accounts[0]

    @property
    def members(self) -> list[Any]:
        return list(self.accounts[1:7])

    @property
    def member_attester(self) -> Any:
        return self.accounts[2]

    @property
    def guardians(self) -> list[Any]:
        return [self.accounts[3], self.accounts[6]]

    @property
    def whale(self) -> Any:
        return self.accounts[7]

    @property
    def mallory(self) -> Any:
        return self.accounts[8]

    @property
    def watcher(self) -> Any:
        return self.accounts[9]

    @property
    def sys(self) -> System:
        assert self.system is not None
        return self.system

    @property
    def gov(self) -> Governance:
        assert self.governance is not None
        return self.governance

    @property
    def signing_domain(self) -> Domain:
        """What the attesters sign for: the deployed registry on this chain."""
        return Domain(int(self.chain.chain_id), str(self.sys.attesters.address))

    @cached_property
    def economics(self) -> Parameters:
        """The economic parameters of the deployed config (bonds, reward, fee, periods)."""
        return Parameters.from_config(self.config)

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False)

    def ledger(self, epoch: int) -> Path:
        return self.work / "ledgers" / f"epoch-{epoch}.jsonl"

    def bundle(self, epoch: int) -> Path:
        return self.work / "epochs" / str(epoch)

    # --- time --------------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.chain.pending_timestamp)

    def travel_to(self, timestamp: int) -> None:
        if timestamp > self.now():
            self.chain.pending_timestamp = timestamp
        self.chain.mine()

    def genesis(self) -> int:
        return int(self.sys.influence.genesis())

    def end_of_epoch(self, epoch: int) -> int:
        return epoch_end(self.sys.influence, epoch)

    def day(self, timestamp: int | None = None) -> str:
        """``day N`` of the community (days since epoch 0 began)."""
        when = self.now() if timestamp is None else timestamp
        return f"day {(when - self.genesis()) // DAY}"
