"""Governor proposals as records: actions, proposals, their listing and status, and
proposal ids."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from communis.engine.address import ADDRESS_RE
from communis.engine.units import format_influence, format_when

STATES = (
    "Pending",
    "Active",
    "Canceled",
    "Defeated",
    "Succeeded",
    "Queued",
    "Expired",
    "Executed",
)
SUPPORT = {"against": 0, "for": 1, "abstain": 2}

SHORT_ID_DIGITS = 8
"""Hex digits of a proposal id shown as its short id (uniform: ids are hashes)."""


def for_proposer(description: str, proposer: str) -> str:
    """``description`` with OpenZeppelin's ``#proposer=<address>`` suffix: the Governor then
    accepts the proposal only from ``proposer``, so nobody can take its id first (create the
    same proposal and cancel it) to block it."""
    suffix = f"#proposer={proposer}"
    return description if description.endswith(suffix) else description + suffix


@dataclass(frozen=True)
class Action:
    """One call the timelock will make if the proposal passes (``label`` is for people only)."""

    target: str
    value: int
    calldata: bytes
    label: str = field(default="", compare=False)


@dataclass(frozen=True)
class Proposal:
    """A governor proposal: its calls and its whole description (as proposed, suffix included).

    The one proposal type of the package: the resolution of a challenge
    (:func:`communis.chain.epochs.resolve.resolution`) and every ``ape run govern`` proposal are
    built as one, and :class:`Governance` proposes, queues and executes it."""

    actions: tuple[Action, ...]
    description: str

    @property
    def targets(self) -> list[str]:
        return [a.target for a in self.actions]

    @property
    def values(self) -> list[int]:
        return [a.value for a in self.actions]

    @property
    def calldatas(self) -> list[bytes]:
        return [a.calldata for a in self.actions]

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    def args(self) -> tuple[list[str], list[int], list[bytes], bytes]:
        """What ``hashProposal``, ``queue``, ``execute`` and ``cancel`` take."""
        return self.targets, self.values, self.calldatas, self.description_hash

    @classmethod
    def from_event(cls, log: Any) -> Proposal:
        """The proposal a ``ProposalCreated`` event records."""
        calls = zip(log.targets, log.values, log.calldatas, strict=True)
        actions = tuple(Action(str(t), int(v), bytes(c)) for t, v, c in calls)
        return cls(actions, str(log.description))


def human_description(description: str) -> str:
    """A proposal's description without the ``#proposer=<address>`` suffix."""
    head, sep, tail = description.rpartition("#proposer=")
    return head if sep and ADDRESS_RE.match(tail) else description


def short_id(proposal_id: int) -> str:
    """The first :data:`SHORT_ID_DIGITS` hex digits of a proposal id (what people type)."""
    return f"{int(proposal_id):064x}"[:SHORT_ID_DIGITS]


@dataclass(frozen=True)
class Listed:
    """A proposal as its ``ProposalCreated`` event records it."""

    proposal_id: int
    description: str
    """Without the ``#proposer=`` suffix."""
    proposer: str
    block: int

    @property
    def short(self) -> str:
        return short_id(self.proposal_id)


@dataclass(frozen=True)
class ProposalStatus:
    """The state of a proposal and the numbers behind it."""

    proposal_id: int
    state: str
    proposer: str
    for_votes: int
    against_votes: int
    abstain_votes: int
    quorum: int | None  # None while the snapshot is in the future
    snapshot: int
    deadline: int
    eta: int  # 0 unless queued
    now: int
    description: str = ""
    voters: int = 0
    """Distinct For/Abstain voters with weight (the governor's ``proposalQuorumVoters``)."""
    minimum_voters: int | None = None
    """Distinct voters quorum needs, at the snapshot (None while it is in the future)."""

    @property
    def short_id(self) -> str:
        return short_id(self.proposal_id)

    @property
    def quorum_reached(self) -> bool | None:
        if self.quorum is None:
            return None
        enough = self.for_votes + self.abstain_votes >= self.quorum
        return enough and (self.minimum_voters is None or self.voters >= self.minimum_voters)

    def render(self, *, raw: bool = False) -> str:
        """For people (influence in whole units, dates to the minute), or ``raw``: every number
        as the contract returns it (smallest units, unix seconds)."""
        amount: Callable[[int], str] = str if raw else format_influence
        when: Callable[[int], str] = str if raw else (lambda t: format_when(t, now=self.now))
        if self.quorum is None:
            quorum = "known after the snapshot"
        else:
            voters = "" if self.minimum_voters is None else f" and {self.minimum_voters} voters"
            reached = {True: "reached", False: "not reached"}[bool(self.quorum_reached)]
            quorum = (
                f"{amount(self.quorum)}{voters} ({reached}: "
                f"{amount(self.for_votes + self.abstain_votes)} for or abstaining, "
                f"{self.voters} {'voter' if self.voters == 1 else 'voters'})"
            )
        rows = [
            ("proposal", f"{self.short_id}  {self.description}".rstrip()),
            ("id", str(self.proposal_id)),
            ("state", self.state + self._state_note(when)),
            ("proposer", self.proposer),
            ("for", amount(self.for_votes)),
            ("against", amount(self.against_votes)),
            ("abstain", amount(self.abstain_votes)),
            ("quorum", quorum),
            ("snapshot", when(self.snapshot)),
            ("deadline", when(self.deadline)),
            ("eta", when(self.eta) if self.eta else "not queued"),
        ]
        return "\n".join(f"{name:>9}  {value}" for name, value in rows)

    def _state_note(self, when: Callable[[int], str]) -> str:
        if self.state == "Pending":
            return f" (voting starts after {when(self.snapshot)})"
        if self.state == "Active":
            return f" (voting ends {when(self.deadline)})"
        if self.state == "Queued" and self.eta:
            return f" (executable from {when(self.eta)})"
        return ""

    def to_json(self) -> dict[str, Any]:
        """Every field, integers above 2**53 as decimal strings (``--json``)."""
        data: dict[str, Any] = dataclasses.asdict(self)
        data["short_id"] = self.short_id
        data["quorum_reached"] = self.quorum_reached
        for key in ("proposal_id", "for_votes", "against_votes", "abstain_votes", "quorum"):
            if data[key] is not None:
                data[key] = str(data[key])
        return data
