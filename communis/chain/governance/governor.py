"""Governance operations on one InfluenceGovernor and the contracts it governs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from eth_utils import is_address

from communis.chain.governance.arguments import checked_address, parse_argument
from communis.chain.governance.errors import GovernanceError
from communis.chain.governance.names import GOVERNOR, INFLUENCE, REGISTRY, REWARDS, TIMELOCK
from communis.chain.governance.policy_changes import PolicyChange, policy_with
from communis.chain.governance.proposals import (
    STATES,
    SUPPORT,
    Action,
    Listed,
    Proposal,
    ProposalStatus,
    for_proposer,
    human_description,
    short_id,
)
from communis.chain.governance.settings import check_settings
from communis.engine.policy import Policy
from communis.engine.units import format_amount, format_when

if TYPE_CHECKING:
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance


_ZERO = "0x" + "00" * 20


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
        check_settings(self, proposal.actions)
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
