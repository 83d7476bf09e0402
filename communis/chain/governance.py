"""Governance of a deployed Communis system: build actions, propose, vote, queue, execute, status.

A thin ``ape run govern`` CLI sits on top; this module is usable on its own from any ape script::

    from communis.chain.governance import Governance

    gov = Governance.connect()  # addresses from deployments/<chainId>.json
    action = gov.set_parameter("GuardianRegistry", "setApplicationThreshold", ["12e18"])
    proposal_id = gov.propose([action], "Raise the guardian bar", sender=account)
    print(gov.status(proposal_id).render())

Numbers of influence are shown in whole influence (18 decimals); votes and quorum are read at the
proposal's snapshot, so they are already decayed to that timepoint and comparable with each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import is_address, keccak, to_checksum_address

from communis.engine.units import format_amount, format_time
from communis.errors import CommunisError

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
_ZERO = "0x" + "00" * 20

#: Names of the governance contracts in the deployment journal.
GOVERNOR = "InfluenceGovernor"
REGISTRY = "GuardianRegistry"
INFLUENCE = "Influence"
TIMELOCK = "CommunisTimelock"

if TYPE_CHECKING:
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance


class GovernanceError(CommunisError, RuntimeError):
    """A governance step cannot be carried out; the message says why and what to do."""


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
    (:func:`communis.chain.epochs.resolution`) and every ``ape run govern`` proposal are built
    as one, and :class:`Governance` proposes, queues and executes it."""

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

    @property
    def quorum_reached(self) -> bool | None:
        if self.quorum is None:
            return None
        return self.for_votes + self.abstain_votes >= self.quorum

    def render(self) -> str:
        quorum = "after the snapshot" if self.quorum is None else format_amount(self.quorum)
        reached = {None: "", True: " (reached)", False: " (not reached)"}[self.quorum_reached]
        rows = [
            ("proposal", str(self.proposal_id)),
            ("state", self.state),
            ("proposer", self.proposer),
            ("for", format_amount(self.for_votes)),
            ("against", format_amount(self.against_votes)),
            ("abstain", format_amount(self.abstain_votes)),
            ("quorum", quorum + reached),
            ("snapshot", format_time(self.snapshot, now=self.now)),
            ("deadline", format_time(self.deadline, now=self.now)),
            ("eta", format_time(self.eta, now=self.now) if self.eta else "not queued"),
        ]
        return "\n".join(f"{name:>9}  {value}" for name, value in rows)


def parse_argument(text: str, abi_type: str) -> Any:
    """A command-line string as a value of the Solidity ``abi_type``.

    Integers accept decimal, ``0x`` hex and exponent notation (``12e18``); ``bool`` accepts
    true/false/1/0; ``address`` must be a valid address; ``bytes``/``bytesN`` are ``0x`` hex.
    """
    if abi_type.endswith("]") or abi_type.startswith("tuple"):
        raise GovernanceError(
            f"arrays and tuples are not supported on the command line ({abi_type})"
        )
    if abi_type.startswith(("uint", "int")):
        try:
            if text.lower().startswith("0x"):
                return int(text, 16)
            number = Decimal(text.replace("_", ""))
        except InvalidOperation:
            raise GovernanceError(f"{text!r} is not an integer ({abi_type})") from None
        if number != number.to_integral_value():
            raise GovernanceError(f"{text!r} is not a whole number ({abi_type})")
        return int(number)
    if abi_type == "bool":
        lowered = text.lower()
        if lowered not in {"true", "false", "1", "0"}:
            raise GovernanceError(f"{text!r} is not a bool (true/false)")
        return lowered in {"true", "1"}
    if abi_type == "address":
        if not is_address(text):
            raise GovernanceError(f"{text!r} is not an address")
        return to_checksum_address(text)
    if abi_type.startswith("bytes"):
        if not text.startswith("0x"):
            raise GovernanceError(f"{text!r}: {abi_type} must be 0x-prefixed hex")
        return bytes.fromhex(text[2:])
    return text


class Governance:
    """Governance operations on one InfluenceGovernor and the contracts it governs."""

    def __init__(
        self, governor: ContractInstance, contracts: Mapping[str, ContractInstance] | None = None
    ) -> None:
        self.governor = governor
        self.contracts: dict[str, ContractInstance] = dict(contracts or {})
        self.contracts.setdefault(GOVERNOR, governor)

    # --- connecting ------------------------------------------------------------------------

    @classmethod
    def connect(
        cls, governor_address: str | None = None, *, deployments: Path | None = None
    ) -> Governance:
        """From the deployment journal (``deployments/<chainId>.json`` unless ``deployments``
        names another folder), or from an explicit governor address."""
        import ape

        if governor_address is None:
            from communis.chain.system import NotDeployedError, System

            try:
                system = System.load(deployments)
                governor = system.get(GOVERNOR)
            except NotDeployedError as err:
                raise GovernanceError(f"{err} (or pass --governor ADDRESS)") from None
            return cls(governor, system.contracts)
        if not is_address(governor_address):
            raise GovernanceError(f"--governor {governor_address!r} is not an address")
        governor = ape.project.InfluenceGovernor.at(governor_address)
        contracts = {
            INFLUENCE: ape.project.Influence.at(governor.token()),
            TIMELOCK: ape.project.CommunisTimelock.at(governor.timelock()),
        }
        return cls(governor, contracts)

    def contract(self, name: str) -> ContractInstance:
        """A governed contract by journal name, or ``ContractType@0xaddress``."""
        import ape

        if "@" in name:
            kind, address = name.split("@", 1)
            if not is_address(address):
                raise GovernanceError(f"{address!r} is not an address")
            try:
                return ape.project.get_contract(kind).at(address)
            except Exception as err:  # ape raises several types for an unknown contract type
                raise GovernanceError(f"unknown contract type {kind!r}") from err
        try:
            return self.contracts[name]
        except KeyError:
            known = ", ".join(sorted(self.contracts)) or "none"
            raise GovernanceError(
                f"no contract called {name!r} in this system (known: {known}); "
                "use ContractType@0xaddress for others"
            ) from None

    # --- actions ---------------------------------------------------------------------------

    @staticmethod
    def raw(target: str, value: int, calldata: bytes | str) -> Action:
        """A call given as target, value (wei) and calldata."""
        if not is_address(target):
            raise GovernanceError(f"target {target!r} is not an address")
        if isinstance(calldata, str):
            text = calldata[2:] if calldata.startswith("0x") else calldata
            try:
                calldata = bytes.fromhex(text)
            except ValueError:
                raise GovernanceError(f"calldata {calldata!r} is not hex") from None
        return Action(to_checksum_address(target), value, calldata, f"raw call to {target}")

    def set_parameter(self, contract_name: str, function: str, args: Sequence[str]) -> Action:
        """A call to a governed (state-changing) function, arguments given as strings."""
        contract = self.contract(contract_name)
        abis = [
            abi
            for abi in contract.contract_type.abi
            if abi.type == "function" and abi.name == function and len(abi.inputs) == len(args)
        ]
        if not abis:
            raise GovernanceError(
                f"{contract_name} has no function {function} taking {len(args)} argument(s)"
            )
        abi = abis[0]
        if abi.stateMutability in {"view", "pure"}:
            raise GovernanceError(f"{contract_name}.{function} is a view, not a setter")
        values = [
            parse_argument(text, item.type) for text, item in zip(args, abi.inputs, strict=True)
        ]
        encoded = getattr(contract, function).encode_input(*values)
        shown = ", ".join(str(v) for v in values)
        return Action(contract.address, 0, bytes(encoded), f"{contract_name}.{function}({shown})")

    def grant_guardian(self, account: str) -> Action:
        return self.set_parameter(REGISTRY, "grantGuardian", [account])

    def revoke_guardian(self, account: str) -> Action:
        return self.set_parameter(REGISTRY, "revokeGuardian", [account])

    # --- lifecycle -------------------------------------------------------------------------

    def propose(self, actions: Sequence[Action], description: str, *, sender: AccountAPI) -> int:
        """Submit a proposal; returns its id. The sender needs the proposal threshold. The
        description gets the ``#proposer=`` suffix (see :func:`for_proposer`)."""
        if not description.strip():
            raise GovernanceError("a proposal needs a description")
        proposal = Proposal(tuple(actions), for_proposer(description, sender.address))
        receipt = self.submit(proposal, sender=sender)
        return int(receipt.events.filter(self.governor.ProposalCreated)[0].proposalId)

    def proposal_id(self, proposal: Proposal) -> int:
        return int(self.governor.hashProposal(*proposal.args()))

    def submit(self, proposal: Proposal, *, sender: AccountAPI) -> ReceiptAPI:
        """Propose ``proposal`` as it stands; returns the receipt."""
        if not proposal.actions:
            raise GovernanceError("a proposal needs at least one action")
        threshold = self.governor.proposalThreshold()
        clock = self.governor.clock()
        votes = self.governor.getVotes(sender.address, clock - 1)
        if votes < threshold:
            raise GovernanceError(
                f"{sender.address} has {format_amount(votes)} influence, the proposal threshold "
                f"is {format_amount(threshold)}: earn or be delegated more influence first"
            )
        return self.governor.propose(
            proposal.targets,
            proposal.values,
            proposal.calldatas,
            proposal.description,
            sender=sender,
        )

    def vote(self, proposal_id: int, support: str, *, sender: AccountAPI, reason: str = "") -> int:
        """Cast a vote (for/against/abstain); returns the weight counted."""
        try:
            choice = SUPPORT[support.lower()]
        except KeyError:
            raise GovernanceError(f"support must be one of {', '.join(SUPPORT)}") from None
        receipt = self.cast(proposal_id, choice, sender=sender, reason=reason)
        return int(receipt.events.filter(self.governor.VoteCast)[0].weight)

    def cast(
        self, proposal_id: int, support: int, *, sender: AccountAPI, reason: str = ""
    ) -> ReceiptAPI:
        """Cast a vote (0 against, 1 for, 2 abstain); returns the receipt."""
        self._expect(proposal_id, {"Active"}, "vote")
        if self.governor.hasVoted(proposal_id, sender.address):
            raise GovernanceError(f"{sender.address} already voted on {proposal_id}")
        if reason:
            return self.governor.castVoteWithReason(proposal_id, support, reason, sender=sender)
        return self.governor.castVote(proposal_id, support, sender=sender)

    def queue(
        self, proposal_id: int, *, sender: AccountAPI, proposal: Proposal | None = None
    ) -> ReceiptAPI:
        """Queue a succeeded proposal in the timelock (``proposal``: its calls, if known;
        else they are read from its event); returns the receipt."""
        self._expect(proposal_id, {"Succeeded"}, "queue")
        return self.governor.queue(*(proposal or self.find(proposal_id)).args(), sender=sender)

    def execute(
        self, proposal_id: int, *, sender: AccountAPI, proposal: Proposal | None = None
    ) -> ReceiptAPI:
        """Execute a queued proposal once the timelock delay has passed; returns the receipt."""
        self._expect(proposal_id, {"Queued"}, "execute")
        eta = self.governor.proposalEta(proposal_id)
        now = self._now()
        if now < eta:
            raise GovernanceError(
                f"proposal {proposal_id} is in the timelock until {format_time(eta, now=now)}"
            )
        return self.governor.execute(*(proposal or self.find(proposal_id)).args(), sender=sender)

    def cancel(self, proposal_id: int, *, sender: AccountAPI) -> None:
        """Cancel a proposal: the proposal guardian before its sunset and before execution (also
        while it waits in the timelock) unless the proposal is protected (it only changes the
        guardian or resolves challenges), or the proposer while it is still pending."""
        self._expect(proposal_id, {"Pending", "Active", "Succeeded", "Queued"}, "cancel")
        guardian = self.governor.proposalGuardian()
        proposer = self.governor.proposalProposer(proposal_id)
        state = self.status(proposal_id).state
        targets, values, calldatas, _ = self.find(proposal_id).args()
        protected = bool(self.governor.isProtectedProposal(targets, values, calldatas))
        allowed = (sender.address == guardian and not protected) or (
            sender.address == proposer and (state == "Pending" or guardian == _ZERO)
        )
        if not allowed:
            raise GovernanceError(
                f"{sender.address} cannot cancel proposal {proposal_id} ({state}): only the "
                f"proposal guardian {guardian} can (before its sunset, and never a proposal "
                "that only changes the guardian or resolves challenges), or the proposer while "
                "it is pending"
            )
        self.governor.cancel(*self.find(proposal_id).args(), sender=sender)

    def status(self, proposal_id: int) -> ProposalStatus:
        governor = self.governor
        snapshot = governor.proposalSnapshot(proposal_id)
        if snapshot == 0:
            raise GovernanceError(f"no proposal {proposal_id} on governor {governor.address}")
        against, for_votes, abstain = governor.proposalVotes(proposal_id)
        clock = governor.clock()
        return ProposalStatus(
            proposal_id=proposal_id,
            state=STATES[governor.state(proposal_id)],
            proposer=governor.proposalProposer(proposal_id),
            for_votes=for_votes,
            against_votes=against,
            abstain_votes=abstain,
            quorum=governor.quorum(snapshot) if snapshot < clock else None,
            snapshot=snapshot,
            deadline=governor.proposalDeadline(proposal_id),
            eta=governor.proposalEta(proposal_id),
            now=self._now(),
        )

    def find(self, proposal_id: int, *, from_block: int = 0) -> Proposal:
        """The proposal's calls, from its ProposalCreated event."""
        import ape

        head = ape.chain.blocks.height
        for log in self.governor.ProposalCreated.range(from_block, head + 1):
            if log.proposalId == proposal_id:
                return Proposal.from_event(log)
        raise GovernanceError(f"no ProposalCreated event for proposal {proposal_id}")

    def proposals(self, *, from_block: int = 0) -> Iterable[int]:
        import ape

        for log in self.governor.ProposalCreated.range(from_block, ape.chain.blocks.height + 1):
            yield log.proposalId

    # --- helpers ---------------------------------------------------------------------------

    def _expect(self, proposal_id: int, states: set[str], doing: str) -> None:
        state = self.status(proposal_id).state
        if state not in states:
            raise GovernanceError(
                f"cannot {doing} proposal {proposal_id}: it is {state} "
                f"(needs {' or '.join(sorted(states))})"
            )

    @staticmethod
    def _now() -> int:
        import ape

        return int(ape.chain.blocks.head.timestamp)
