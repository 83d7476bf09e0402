"""Governance of a deployed Communis system: build actions, propose, vote, queue, execute, status.

A thin ``ape run govern`` CLI sits on top; this module is usable on its own from any ape script::

    from communis.chain.governance import Governance

    gov = Governance.connect()  # addresses from deployments/<chainId>.json
    action = gov.set_parameter("GuardianRegistry", "setApplicationThreshold", ["12e18"])
    proposal_id = gov.propose([action], "Raise the guardian bar", sender=account)
    action, changes = gov.set_policy({"curator-weight": "6"})   # from the policy in force
    print(gov.status(gov.resolve("Raise the guardian bar")).render())

A proposal is referred to by its full id (decimal or 0x hex), by its short id (the first hex
digits of the id, as ``status`` shows them: ``a1b2c3d4``) or by its description. A contract is
referred to by its journal name (``GuardianRegistry``) wherever an address is expected.

Before a proposal is sent, the settings it would leave are checked with the deployment's own
rules (:meth:`Governance.check_settings`): a reward policy or quorum under which one account alone
could reach quorum is refused, and so is a dispute period shorter than the governance path (a
policy's ``disputePeriod``, or longer voting, extension or timelock delays), in which no verdict
on a dispute could arrive. A vote without weight at the snapshot is refused too (it would count
nothing).

Numbers of influence are shown in whole influence (18 decimals); votes and quorum are read at the
proposal's snapshot, so they are already decayed to that timepoint and comparable with each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import is_address, keccak, to_checksum_address

from communis.engine.address import ADDRESS_RE, checksum_problem
from communis.engine.policy import Policy
from communis.engine.roles import ROLES
from communis.engine.units import (
    UnitsError,
    format_amount,
    format_duration,
    format_influence,
    format_when,
    parse_amount,
    parse_duration,
)
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
REWARDS = "ContributionRewards"

SHORT_ID_DIGITS = 8
"""Hex digits of a proposal id shown as its short id (uniform: ids are hashes)."""

if TYPE_CHECKING:
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance

    from communis.deploy.config import GovernanceParams


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


def parse_argument(
    text: str, abi_type: str, *, address_of: Callable[[str], str] | None = None
) -> Any:
    """A command-line string as a value of the Solidity ``abi_type``.

    Integers accept decimal, ``0x`` hex and exponent notation (``12e18``); ``bool`` accepts
    true/false/1/0; ``address`` must be a valid address, or a name ``address_of`` knows (a
    contract of the journal, an account alias); ``bytes``/``bytesN`` are ``0x`` hex.
    """
    if abi_type.endswith("]") or abi_type.startswith("tuple"):
        raise GovernanceError(
            f"arrays and tuples are not supported on the command line ({abi_type})"
            + ("; for the reward policy use `propose set-policy`" if "tuple" in abi_type else "")
        )
    if abi_type.startswith(("uint", "int")):
        try:
            if text.lower().startswith("0x"):
                return int(text, 16)
            number = Decimal(text.replace("_", ""))
        except (InvalidOperation, ValueError):
            raise GovernanceError(f"{text!r} is not an integer ({abi_type})") from None
        if number != number.to_integral_value():
            raise GovernanceError(f"{text!r} is not a whole number ({abi_type})")
        return int(number)
    if abi_type == "bool":
        return parse_bool(text)
    if abi_type == "address":
        return address_of(text) if address_of else checked_address(text)
    if abi_type.startswith("bytes"):
        if not text.startswith("0x"):
            raise GovernanceError(f"{text!r}: {abi_type} must be 0x-prefixed hex")
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            raise GovernanceError(f"{text!r}: {abi_type} must be 0x-prefixed hex") from None
    return text


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered not in {"true", "false", "1", "0", "yes", "no"}:
        raise GovernanceError(f"{text!r} is not a bool (true/false)")
    return lowered in {"true", "1", "yes"}


def checked_address(text: str) -> str:
    """``text`` as a checksummed address; a wrong EIP-55 checksum is refused (the address may
    be mistyped), never silently corrected."""
    if ADDRESS_RE.match(text):
        problem = checksum_problem(text)
        if problem:
            raise GovernanceError(problem)
        return to_checksum_address(text)
    raise GovernanceError(f"{text!r} is not an address (0x and 40 hex digits) nor a known name")


# ------------------------------------------------------------------------------ the policy


@dataclass(frozen=True)
class PolicyChange:
    """One field of the reward policy as a proposal would change it."""

    option: str
    """The command-line name (``curator-weight``, ``token-budget``)."""
    before: str
    after: str


def _kind(f: dataclasses.Field[Any]) -> str:
    name, typ = f.name, str(f.type)
    if name == "role_weights":
        return "weights"
    if typ == "bool":
        return "bool"
    if name.endswith(("_budget", "_bond")):
        return "amount"
    if name.endswith(("_window", "_period")):
        return "duration"
    if name.endswith("_bps"):
        return "bps"
    return "int"


def policy_options() -> dict[str, tuple[str, str, int | None]]:
    """``{option: (kind, Policy field, role index or None)}`` for every policy field: role
    weights as ``<role>-weight``, the others by their field name with dashes. Derived from the
    :class:`Policy` dataclass, so a new policy field gets its option without an edit here."""
    options: dict[str, tuple[str, str, int | None]] = {}
    for f in dataclasses.fields(Policy):
        kind = _kind(f)
        if kind == "weights":
            for index, role in enumerate(ROLES):
                options[f"{role}-weight"] = ("int", f.name, index)
        else:
            options[f.name.replace("_", "-")] = (kind, f.name, None)
    return options


def _unit_of(field_name: str) -> str:
    return "influence" if "influence" in field_name else "CMN"


def _show(kind: str, field_name: str, value: Any) -> str:
    if kind == "amount":
        return f"{format_amount(int(value), places=4)} {_unit_of(field_name)}"
    if kind == "duration":
        return format_duration(int(value))
    if kind == "bps":
        return f"{int(value)} bps ({int(value) / 100:g}%)"
    if kind == "bool":
        return str(bool(value)).lower()
    return str(value)


def _parse(kind: str, option: str, text: str) -> Any:
    try:
        if kind == "amount":
            return parse_amount(text)
        if kind == "duration":
            return parse_duration(text)
    except UnitsError as err:
        raise GovernanceError(f"--{option}: {err}") from None
    if kind == "bool":
        return parse_bool(text)
    if not text.strip().isdigit():
        raise GovernanceError(f"--{option}: {text!r} is not a whole number")
    return int(text)


def policy_with(policy: Policy, changes: Mapping[str, str]) -> tuple[Policy, list[PolicyChange]]:
    """``policy`` with ``changes`` (``{option: text}``, options of :func:`policy_options`,
    amounts in whole tokens, durations as ``2d``) applied, and the fields that differ."""
    options = policy_options()
    values: dict[str, Any] = {f.name: getattr(policy, f.name) for f in dataclasses.fields(Policy)}
    weights = list(policy.role_weights)
    for option, text in changes.items():
        if option not in options:
            known = ", ".join(f"--{o}" for o in options)
            raise GovernanceError(f"no policy field --{option} (known: {known})")
        kind, name, index = options[option]
        value = _parse(kind, option, text)
        if index is not None:
            weights[index] = value
        else:
            values[name] = value
    values["role_weights"] = tuple(weights)
    try:
        updated = Policy(**values)
    except CommunisError as err:
        raise GovernanceError(f"the new policy is invalid: {err}") from None
    diff = []
    for option, (kind, name, index) in options.items():
        old, new = getattr(policy, name), getattr(updated, name)
        if index is not None:
            old, new = old[index], new[index]
        if old != new:
            diff.append(PolicyChange(option, _show(kind, name, old), _show(kind, name, new)))
    return updated, diff


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

    def influence(self) -> ContractInstance:
        """The governor's votes token (Influence)."""
        import ape

        if INFLUENCE not in self.contracts:
            self.contracts[INFLUENCE] = ape.project.Influence.at(self.governor.token())
        return self.contracts[INFLUENCE]

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

    def address_of(self, text: str) -> str:
        """An address typed by a person: a 0x address (its EIP-55 checksum checked), a contract
        of the journal (``GuardianRegistry``), ``ContractType@0xaddress``, or an account alias
        (``TEST::3``, a keystore alias)."""
        if text.startswith("0x") or text.startswith("0X"):
            return checked_address(text)
        if text in self.contracts or "@" in text:
            return str(self.contract(text).address)
        from communis.chain.accounts import AccountError, address_of_alias

        try:
            return address_of_alias(text)
        except AccountError as err:
            if text.startswith("TEST::"):
                raise GovernanceError(str(err)) from None
            known = ", ".join(sorted(self.contracts)) or "none"
            raise GovernanceError(
                f"{text!r} is not an address, a contract of this system ({known}) or an account "
                "alias (TEST::n, or `ape accounts list`)"
            ) from None

    # --- actions ---------------------------------------------------------------------------

    def raw(self, target: str, value: int, calldata: bytes | str) -> Action:
        """A call given as target (an address or a contract name), value (wei) and calldata."""
        address = self.address_of(target)
        if isinstance(calldata, str):
            text = calldata[2:] if calldata.startswith("0x") else calldata
            try:
                calldata = bytes.fromhex(text)
            except ValueError:
                raise GovernanceError(f"calldata {calldata!r} is not hex") from None
        shown = target if target == address else f"{target} ({address})"
        return Action(address, value, calldata, f"raw call to {shown}")

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
            parse_argument(text, item.type, address_of=self.address_of)
            for text, item in zip(args, abi.inputs, strict=True)
        ]
        encoded = getattr(contract, function).encode_input(*values)
        shown = ", ".join(str(v) for v in values)
        return Action(contract.address, 0, bytes(encoded), f"{contract_name}.{function}({shown})")

    def policy_in_force(self) -> Policy:
        """The reward policy ContributionRewards applies now."""
        return Policy.from_abi(self.contract(REWARDS).policy())

    def set_policy(self, changes: Mapping[str, str]) -> tuple[Action, list[PolicyChange]]:
        """A ``setPolicy`` call: the policy in force with ``changes`` (``{option: text}``, see
        :func:`policy_with`), and what it changes. Refuses a proposal that changes nothing."""
        rewards = self.contract(REWARDS)
        policy, diff = policy_with(self.policy_in_force(), changes)
        if not diff:
            raise GovernanceError("the new policy equals the one in force: nothing to propose")
        calldata = bytes(rewards.setPolicy.encode_input(policy.to_abi()))
        fields = "field" if len(diff) == 1 else "fields"
        label = f"ContributionRewards.setPolicy (the policy in force, {len(diff)} {fields} changed)"
        return Action(str(rewards.address), 0, calldata, label), diff

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
        self.check_settings(proposal.actions)
        threshold = self.governor.proposalThreshold()
        votes = self.influence().getVotes(sender.address)
        if votes >= threshold > self.governor.getVotes(sender.address, self._now() - 1):
            # Influence claimed in the newest block counts from the next second on (the governor
            # reads the second before the proposing block, and nodes estimate gas on the newest
            # block): a live chain gets there with its next block; a local chain mines one.
            import ape

            from communis.chain.accounts import is_local
            from communis.chain.clock import move_to

            if is_local(int(ape.chain.chain_id)):
                move_to(self._now() + 1, "one second, so that the newest claim counts")
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
            raise GovernanceError(f"{sender.address} already voted on {short_id(proposal_id)}")
        snapshot = int(self.governor.proposalSnapshot(proposal_id))
        if int(self.governor.getVotes(sender.address, snapshot)) == 0:
            raise GovernanceError(
                f"{sender.address} has no influence at the snapshot of proposal "
                f"{short_id(proposal_id)} ({format_when(snapshot)}): its vote would count "
                "nothing, so none was sent (influence earned or delegated after the snapshot "
                "counts for later proposals only)"
            )
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
                f"proposal {short_id(proposal_id)} is in the timelock until "
                f"{format_when(eta, now=now)}"
            )
        return self.governor.execute(*(proposal or self.find(proposal_id)).args(), sender=sender)

    def cancel(self, proposal_id: int, *, sender: AccountAPI) -> None:
        """Cancel a proposal: the proposal guardian before its sunset and before execution (also
        while it waits in the timelock) unless the proposal is protected (it only changes the
        guardian or resolves challenges), or the proposer while it is still pending."""
        self._expect(proposal_id, {"Pending", "Active", "Succeeded", "Queued"}, "cancel")
        guardian = self.governor.proposalGuardian()
        proposer = self.governor.proposalProposer(proposal_id)
        state = self.state(proposal_id)
        targets, values, calldatas, _ = self.find(proposal_id).args()
        protected = bool(self.governor.isProtectedProposal(targets, values, calldatas))
        allowed = (sender.address == guardian and not protected) or (
            sender.address == proposer and (state == "Pending" or guardian == _ZERO)
        )
        if not allowed:
            raise GovernanceError(
                f"{sender.address} cannot cancel proposal {short_id(proposal_id)} ({state}): only "
                f"the proposal guardian {guardian} can (before its sunset, and never a proposal "
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
        listed = {p.proposal_id: p for p in self.listed()}.get(proposal_id)
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
            description=listed.description if listed else "",
            voters=int(governor.proposalQuorumVoters(proposal_id)),
            minimum_voters=int(governor.minimumVoters(snapshot)) if snapshot < clock else None,
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

    def listed(self, *, from_block: int = 0) -> list[Listed]:
        """Every proposal of the governor, oldest first (from its ProposalCreated events)."""
        import ape

        logs = self.governor.ProposalCreated.range(from_block, ape.chain.blocks.height + 1)
        return [
            Listed(
                proposal_id=int(log.proposalId),
                description=human_description(str(log.description)),
                proposer=str(log.proposer),
                block=int(log.block_number),
            )
            for log in logs
        ]

    def resolve(self, ref: str | int, *, from_block: int = 0) -> int:
        """The id of the proposal ``ref`` names: a full id (decimal, or 0x and 64 hex digits),
        a short id (a prefix of at least 4 hex digits of the id, as ``status`` shows it) or its
        description (the whole text, case ignored, or a part only one proposal's contains).
        Among proposals with the same description, the newest that is not canceled."""
        if isinstance(ref, int):
            return ref
        text = ref.strip()
        if text.isdigit() and len(text) > 16:
            return int(text)
        hex_text = text[2:] if text.lower().startswith("0x") else text
        if len(hex_text) == 64 and all(c in "0123456789abcdefABCDEF" for c in hex_text):
            return int(hex_text, 16)
        listed = self.listed(from_block=from_block)
        if 4 <= len(hex_text) < 64 and all(c in "0123456789abcdef" for c in hex_text.lower()):
            found = [p for p in listed if f"{p.proposal_id:064x}".startswith(hex_text.lower())]
            if len(found) == 1:
                return found[0].proposal_id
            if len(found) > 1:
                raise GovernanceError(
                    f"{text!r} starts the ids of {len(found)} proposals: give more digits"
                )
        wanted = text.casefold()
        for match in (
            lambda p: p.description.casefold() == wanted,
            lambda p: wanted in p.description.casefold(),
        ):
            found = [p for p in listed if match(p)]
            distinct = {p.description for p in found}
            if len(distinct) == 1:
                live = [p for p in found if self.status(p.proposal_id).state != "Canceled"]
                return (live or found)[-1].proposal_id
            if len(distinct) > 1:
                choices = "; ".join(f"{p.short} {p.description!r}" for p in found)
                raise GovernanceError(f"{text!r} matches several proposals: {choices}")
        raise GovernanceError(
            f"no proposal matches {text!r} ({len(listed)} on governor {self.governor.address}; "
            "`ape run govern status` lists them)"
        )

    # --- checks ----------------------------------------------------------------------------

    def check_settings(self, actions: Sequence[Action]) -> None:
        """Refuse actions that would leave settings the deployment refuses, checked with the
        deployment's own rules on the settings the proposal would leave in force:

        - a reward policy or quorum under which one account alone can meet quorum
          (:func:`communis.deploy.config._check_no_capture`);
        - a dispute period shorter than the governance path, a policy's ``disputePeriod`` or a
          longer voting delay, voting period, late-quorum extension or timelock delay
          (:func:`communis.deploy.config.check_dispute_period`): no verdict on a dispute could
          arrive before its deadline."""
        from communis.deploy.config import (
            ConfigError,
            RewardsParams,
            _check_no_capture,
            check_dispute_period,
        )

        proposed, settings = self._proposed_settings(actions)
        if proposed is None and settings is None:
            return
        current = governance_params(self)
        left = settings or current
        where = Path("the settings it would leave")
        try:
            if proposed is not None or left.quorum_percent != current.quorum_percent:
                rewards = self.contract(REWARDS)
                params = RewardsParams(
                    policy=proposed or self.policy_in_force(),
                    challenger_reward_bps=int(rewards.challengerRewardBps()),
                    proposers=(),
                )
                _check_no_capture(where, left, params)
            if REWARDS in self.contracts:  # else no dispute period is known (a bare --governor)
                check_dispute_period(where, left, proposed or self.policy_in_force())
        except ConfigError as err:
            raise GovernanceError(f"refused before sending anything: {err}") from None

    def _proposed_settings(
        self, actions: Sequence[Action]
    ) -> tuple[Policy | None, GovernanceParams | None]:
        """The policy and the governance settings ``actions`` leave in force (None for what
        they leave alone): the reward policy, the quorum, the voting delay and period, the
        late-quorum extension and the timelock delay."""
        import dataclasses as dc

        policy: Policy | None = None
        changed: dict[str, Any] = {}
        rewards = self.contracts.get(REWARDS)
        timelock = self.contracts.get(TIMELOCK)
        governor = self.governor
        setters = {
            "voting_delay": governor.setVotingDelay,
            "voting_period": governor.setVotingPeriod,
            "vote_extension": governor.setLateQuorumVoteExtension,
        }
        for action in actions:
            if rewards is not None and action.target == rewards.address:
                args = _decoded(rewards.setPolicy, action.calldata)
                if args is not None:
                    policy = Policy.from_abi(next(iter(args.values())))
            if action.target == governor.address:
                args = _decoded(governor.updateQuorumNumerator, action.calldata)
                if args is not None:
                    numerator = int(next(iter(args.values())))
                    changed["quorum_percent"] = numerator * 100 // int(governor.quorumDenominator())
                for name, setter in setters.items():
                    args = _decoded(setter, action.calldata)
                    if args is not None:
                        changed[name] = int(next(iter(args.values())))
            if timelock is not None and action.target == timelock.address:
                args = _decoded(timelock.updateDelay, action.calldata)
                if args is not None:
                    changed["timelock_delay"] = int(next(iter(args.values())))
        if not changed:
            return policy, None
        return policy, dc.replace(governance_params(self), **changed)

    # --- helpers ---------------------------------------------------------------------------

    def state(self, proposal_id: int) -> str:
        """The proposal's state (``Pending``, ``Active``, ...), read without the rest of
        :meth:`status` (which also scans the governor's events for the description)."""
        if int(self.governor.proposalSnapshot(proposal_id)) == 0:
            raise GovernanceError(f"no proposal {proposal_id} on governor {self.governor.address}")
        return STATES[int(self.governor.state(proposal_id))]

    def _expect(self, proposal_id: int, states: set[str], doing: str) -> None:
        state = self.state(proposal_id)
        if state not in states:
            raise GovernanceError(
                f"cannot {doing} proposal {short_id(proposal_id)}: it is {state} "
                f"(needs {' or '.join(sorted(states))})"
            )

    @staticmethod
    def _now() -> int:
        import ape

        return int(ape.chain.blocks.head.timestamp)


def _decoded(method: Any, calldata: bytes) -> dict[str, Any] | None:
    """The arguments of ``calldata`` if it calls ``method`` (an ape method handler), else None."""
    import ape

    ecosystem = ape.chain.provider.network.ecosystem
    for abi in method.abis:
        selector = bytes(ecosystem.get_method_selector(abi))
        if bytes(calldata[:4]) == selector:
            return dict(ecosystem.decode_calldata(abi, bytes(calldata[4:])))
    return None


def governance_params(gov: Governance) -> GovernanceParams:
    """The governance settings in force on chain, in the deployment config's record
    (:class:`communis.deploy.config.GovernanceParams`), so the deployment's checks apply to
    them. The quorum is a whole percent, rounded down (a stricter check where it has a
    fraction)."""
    from communis.deploy.config import GovernanceParams

    governor = gov.governor
    registry = gov.contracts.get(REGISTRY)
    timelock = gov.contracts.get(TIMELOCK)
    guardian = str(governor.proposalGuardian())
    return GovernanceParams(
        timelock_delay=int(timelock.getMinDelay()) if timelock is not None else 0,
        voting_delay=int(governor.votingDelay()),
        voting_period=int(governor.votingPeriod()),
        proposal_threshold=int(governor.proposalThreshold()),
        quorum_percent=int(governor.quorumNumerator()) * 100 // int(governor.quorumDenominator()),
        minimum_voters=int(governor.minimumVoters()),
        vote_extension=int(governor.lateQuorumVoteExtension()),
        proposal_guardian="none" if int(guardian, 16) == 0 else guardian,
        guardian_application_threshold=(
            int(registry.applicationThreshold()) if registry is not None else 0
        ),
    )
