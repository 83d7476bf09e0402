"""Epoch operations against a deployed ContributionRewards: the library behind `ape run epoch`.

Every function takes contract instances (from :class:`communis.chain.system.System` or
``project.ContributionRewards.at(address)``) and the account that signs, checks what the
contract would check *before* sending (so a mistake costs no gas and gets an error that says what
to do), and returns a small record of what it did. The epoch arithmetic itself is the engine's
(``communis.engine.bundle``, ``communis.engine.verify``, ``communis.engine.merkle``); nothing here
recomputes it.

Bundles are the engine's epoch folders (``totals.json``, ``tree.json``, ``policy.json``, the
ledger); ``epochs/<chainId>/<epoch>/`` is where ``build`` puts them by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from dataclasses import replace as dataclass_replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from communis.chain.governance import STATES as GOVERNOR_STATES
from communis.chain.governance import Action, Governance, Proposal, for_proposer
from communis.engine.bundle import TREE, build_bundle, find_previous, load_totals
from communis.engine.merkle import MerkleTree
from communis.engine.policy import Policy, policy_hash
from communis.engine.verify import VerifyResult, verify_bundle
from communis.errors import CommunisError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance

ZERO32 = b"\0" * 32
ZERO_ADDRESS = "0x" + "00" * 20
MAX_UINT256 = 2**256 - 1

R = TypeVar("R", bound="DataclassInstance")


class Status(IntEnum):
    """``IContributionRewards.Status``."""

    NONE = 0
    PROPOSED = 1
    CHALLENGED = 2
    REJECTED = 3
    FINALIZED = 4


class EpochOpError(CommunisError, RuntimeError):
    """An epoch operation cannot be done now; the message says why and what to do."""


def _hex(value: bytes | str) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text


def _bytes32(value: bytes | str) -> bytes:
    return bytes.fromhex(_hex(value)[2:].rjust(64, "0"))


def _from_struct(cls: type[R], source: Any, **given: Any) -> R:
    """``cls`` filled from a contract struct or event whose fields are ``cls``'s in camelCase:
    bytes become 0x hex, addresses strings, numbers ints; ``given`` fields are taken as they
    are."""
    values = dict(given)
    for f in fields(cls):
        if f.name in values:
            continue
        head, *rest = f.name.split("_")
        value = getattr(source, head + "".join(word.title() for word in rest))
        if isinstance(value, bytes | bytearray):
            values[f.name] = _hex(bytes(value))
        else:
            values[f.name] = str(value) if isinstance(value, str) else int(value)
    return cls(**values)


# ------------------------------------------------------------------------------ reading state


def onchain_policy(rewards: ContractInstance) -> Policy:
    """The policy in force, as the engine's :class:`Policy` (its hash is checked)."""
    policy = Policy.from_abi(rewards.policy())
    if policy_hash(policy) != _bytes32(rewards.policyHash()):
        raise EpochOpError("the engine's policy hash differs from the contract's policyHash()")
    return policy


def epoch_end(influence: ContractInstance, epoch: int) -> int:
    """When ``epoch`` ends (and can be proposed): ``genesis + (epoch + 1) * epochDuration``."""
    return int(influence.genesis()) + (epoch + 1) * int(influence.epochDuration())


def influence_of(rewards: ContractInstance) -> ContractInstance:
    import ape

    return ape.project.Influence.at(rewards.influence())


def token_of(rewards: ContractInstance) -> ContractInstance:
    import ape

    return ape.project.CommunityToken.at(rewards.token())


@dataclass(frozen=True)
class Pending:
    epoch: int
    status: Status
    root: str
    proposer: str
    challenge_deadline: int
    cumulative_tokens: int
    cumulative_influence: int
    proposer_bond: int
    challenger: str
    challenger_bond: int


@dataclass(frozen=True)
class RewardsStatus:
    """Everything `ape run epoch status` prints."""

    address: str
    now: int
    current_epoch: int
    next_epoch: int
    next_epoch_ends: int
    current_root: str
    finalized_tokens: int
    finalized_influence: int
    claimed_tokens: int
    claimed_influence: int
    policy: Policy
    policy_hash: str
    challenger_reward_bps: int
    treasury: str
    pending: Pending | None


def pending_proposal(rewards: ContractInstance) -> Pending | None:
    """The proposal in flight (Proposed or Challenged, or Rejected awaiting a new one)."""
    p = rewards.pendingProposal()
    status = Status(int(p.status))
    if status in (Status.NONE, Status.FINALIZED):
        return None
    return _from_struct(Pending, p, status=status)


def status(rewards: ContractInstance) -> RewardsStatus:
    import ape

    influence = influence_of(rewards)
    now = ape.chain.blocks.head.timestamp
    next_epoch = int(rewards.nextEpoch())
    finalized = rewards.finalizedTotals()
    claimed = rewards.totalClaimed()
    return RewardsStatus(
        address=str(rewards.address),
        now=now,
        current_epoch=int(influence.epochAt(now)),
        next_epoch=next_epoch,
        next_epoch_ends=epoch_end(influence, next_epoch),
        current_root=_hex(rewards.currentRoot()),
        finalized_tokens=int(finalized[0]),
        finalized_influence=int(finalized[1]),
        claimed_tokens=int(claimed[0]),
        claimed_influence=int(claimed[1]),
        policy=onchain_policy(rewards),
        policy_hash=_hex(rewards.policyHash()),
        challenger_reward_bps=int(rewards.challengerRewardBps()),
        treasury=str(rewards.treasury()),
        pending=pending_proposal(rewards),
    )


# ------------------------------------------------------------------------------ build / verify


def build(
    rewards: ContractInstance,
    ledger: Path,
    out_root: Path,
    *,
    previous: Path | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Build the epoch bundle of ``ledger`` with the policy in force and Influence's half-life,
    cumulative on the latest bundle below it in ``out_root`` (or ``previous``)."""
    from communis.engine.ledger import read_ledger

    policy = onchain_policy(rewards)
    half_life = int(influence_of(rewards).halfLife())
    epoch = read_ledger(Path(ledger)).epoch
    if previous is None:
        previous = find_previous(out_root, epoch)
    if epoch > 0 and previous is None:
        raise EpochOpError(
            f"epoch {epoch} is cumulative on epoch {epoch - 1}: build that first or pass --previous"
        )
    return build_bundle(
        Path(ledger),
        policy,
        half_life,
        out_root / str(epoch),
        previous=previous,
        overwrite=overwrite,
        progress=progress,
    )


def root_under_test(rewards: ContractInstance, epoch: int) -> str | None:
    """The on-chain root of ``epoch``: the pending proposal's, else the finalized one."""
    pending = pending_proposal(rewards)
    if pending is not None and pending.epoch == epoch and pending.status != Status.REJECTED:
        return pending.root
    root = _hex(rewards.rootOf(epoch))
    return None if root == _hex(ZERO32) else root


@dataclass(frozen=True)
class Proposed:
    """What a ``RootProposed`` event committed to."""

    epoch: int
    root: str
    proposer: str
    cumulative_tokens: int
    cumulative_influence: int
    ledger_hash: str
    policy_hash: str


def proposal_of(
    rewards: ContractInstance, epoch: int, root: str, *, from_block: int = 0
) -> Proposed | None:
    """The latest ``RootProposed`` event of ``epoch`` with ``root`` (None if there is none or the
    node cannot return the logs)."""
    import ape

    try:
        logs = rewards.RootProposed.range(
            from_block, ape.chain.blocks.height + 1, search_topics={"epoch": epoch}
        )
        found = [log for log in logs if _hex(log.root) == root]
    except Exception:  # an RPC that limits log ranges
        return None
    if not found:
        return None
    return _from_struct(Proposed, found[-1])


def proposed_policy_hash(
    rewards: ContractInstance, epoch: int, root: str, *, from_block: int = 0
) -> str | None:
    """The policy hash ``root`` was proposed under for ``epoch`` (from its RootProposed event;
    None if the node cannot return the logs)."""
    proposal = proposal_of(rewards, epoch, root, from_block=from_block)
    return proposal.policy_hash if proposal else None


def previous_root_on_chain(rewards: ContractInstance, epoch: int) -> str | None:
    """The finalized root of ``epoch - 1``, the trust anchor of ``epoch``'s previous table
    (None for epoch 0, whose previous table is empty)."""
    if epoch == 0:
        return None
    root = _hex(rewards.rootOf(epoch - 1))
    if root == _hex(ZERO32):
        raise EpochOpError(
            f"epoch {epoch - 1} has no finalized root on chain: epoch {epoch} builds on it and "
            "cannot be verified before it is finalized"
        )
    return root


def _compare_with_proposal(result: VerifyResult, proposal: Proposed | None) -> list[str]:
    """What the on-chain proposal committed to that the recomputation does not give."""
    if proposal is None:
        return [
            "cannot read the RootProposed event of this root: its totals, ledger hash and "
            "policy hash were not compared (pass --from-block near the proposal, or use a node "
            "that serves logs)"
        ]
    build = result.build
    assert build is not None
    problems = []
    checks = (
        ("cumulativeTokens", proposal.cumulative_tokens, build.table.total_tokens),
        ("cumulativeInfluence", proposal.cumulative_influence, build.table.total_influence_stored),
        ("ledgerHash", proposal.ledger_hash, build.ledger.keccak),
    )
    for name, on_chain, recomputed in checks:
        if on_chain != recomputed:
            problems.append(
                f"{name} on chain is {on_chain}, the recomputation gives {recomputed}: claims "
                "would not add up to what was proposed"
            )
    return problems


def verify(
    rewards: ContractInstance, bundle: Path, *, previous: Path | None = None, from_block: int = 0
) -> VerifyResult:
    """Recompute ``bundle`` and compare it with the epoch's proposal on chain (pending or
    finalized): its root, cumulative totals, ledger hash and policy hash.

    Nothing is taken from the bundle folder on trust: the previous epoch's table must hash to
    ``rootOf(epoch - 1)``; the policy must hash to the policy hash the root was proposed under
    (a later policy change does not make an honest root look wrong); the half-life is
    Influence's.
    """
    epoch = load_totals(bundle).epoch
    previous_root = previous_root_on_chain(rewards, epoch)
    if previous is None and previous_root is not None:
        previous = find_previous(Path(bundle).parent, epoch)
        if previous is None:
            raise EpochOpError(
                f"{bundle}: cannot find the previous epoch's bundle (epoch {epoch - 1}); pass it"
            )
    root = root_under_test(rewards, epoch)
    if root is None:
        raise EpochOpError(f"epoch {epoch} has no root on chain (nothing proposed or finalized)")
    proposal = proposal_of(rewards, epoch, root, from_block=from_block)
    result = verify_bundle(
        Path(bundle),
        root=root,
        policy=None if proposal else onchain_policy(rewards),
        previous=previous,
        previous_root=previous_root,
        half_life=int(influence_of(rewards).halfLife()),
        expected_policy_hash=proposal.policy_hash if proposal else _hex(rewards.policyHash()),
    )
    extra = _compare_with_proposal(result, proposal)
    return dataclass_replace(result, problems=(*result.problems, *extra)) if extra else result


# ------------------------------------------------------------------------------ lifecycle


@dataclass(frozen=True)
class Sent:
    """A transaction this module sent, and the numbers behind it."""

    action: str
    tx_hash: str
    gas_used: int
    details: dict[str, Any] = field(default_factory=dict)


def _sent(action: str, receipt: ReceiptAPI, **details: Any) -> Sent:
    return Sent(action, str(receipt.txn_hash), int(receipt.gas_used), details)


def _ensure_allowance(rewards: ContractInstance, owner: AccountAPI, amount: int) -> Sent | None:
    if amount == 0:
        return None
    token = token_of(rewards)
    balance = int(token.balanceOf(owner))
    if balance < amount:
        raise EpochOpError(
            f"{owner.address} holds {balance} token units but the bond is {amount}: fund it first"
        )
    if int(token.allowance(owner, rewards)) >= amount:
        return None
    receipt = token.approve(rewards, amount, sender=owner)
    return _sent("approve", receipt, spender=str(rewards.address), amount=amount)


def propose(
    rewards: ContractInstance, bundle: Path, sender: AccountAPI, *, uri: str | None = None
) -> list[Sent]:
    """Propose ``bundle``'s root (approving the proposer bond first if needed)."""
    import ape

    totals = load_totals(bundle)
    epoch = totals.epoch
    expected = int(rewards.nextEpoch())
    if epoch != expected:
        raise EpochOpError(
            f"epoch {epoch} cannot be proposed: the next epoch to propose is {expected}"
        )
    pending = pending_proposal(rewards)
    if pending is not None and pending.status in (Status.PROPOSED, Status.CHALLENGED):
        raise EpochOpError(f"epoch {pending.epoch} is still {pending.status.name.lower()}")
    influence = influence_of(rewards)
    now = ape.chain.blocks.head.timestamp
    ends = epoch_end(influence, epoch)
    if now < ends:
        raise EpochOpError(f"epoch {epoch} ends at {ends} (in {ends - now} s): propose after that")
    in_force = _hex(rewards.policyHash())
    if totals.policy_hash != in_force:
        raise EpochOpError(
            f"the bundle was computed under policy {totals.policy_hash} but {in_force} is in "
            "force: rebuild it (ape run epoch build)"
        )
    if not rewards.hasRole(rewards.PROPOSER_ROLE(), sender):
        raise EpochOpError(f"{sender.address} lacks PROPOSER_ROLE (governance grants it)")
    bond = int(rewards.policy().proposerBond)
    done = [s for s in [_ensure_allowance(rewards, sender, bond)] if s]
    tokens, stored = totals.cumulative_totals.tokens, totals.cumulative_totals.influence_stored
    receipt = rewards.proposeRoot(
        epoch,
        _bytes32(totals.root),
        tokens,
        stored,
        uri or str(Path(bundle).resolve()),
        _bytes32(totals.ledger.keccak256),
        _bytes32(in_force),
        sender=sender,
    )
    deadline = int(rewards.pendingProposal().challengeDeadline)
    done.append(
        _sent(
            "proposeRoot",
            receipt,
            epoch=epoch,
            root=totals.root,
            cumulative_tokens=tokens,
            cumulative_influence_stored=stored,
            bond=bond,
            challenge_deadline=deadline,
        )
    )
    return done


def challenge(
    rewards: ContractInstance, epoch: int, sender: AccountAPI, *, evidence: str = ""
) -> list[Sent]:
    """Challenge the pending root of ``epoch`` (approving the challenger bond first if needed)."""
    import ape

    pending = pending_proposal(rewards)
    if pending is None or pending.epoch != epoch or pending.status != Status.PROPOSED:
        raise EpochOpError(f"epoch {epoch} has no proposed root to challenge")
    now = ape.chain.blocks.head.timestamp
    if now >= pending.challenge_deadline:
        raise EpochOpError(
            f"the challenge window of epoch {epoch} closed at {pending.challenge_deadline}"
        )
    if not rewards.isGuardian(sender):
        raise EpochOpError(
            f"{sender.address} is not a guardian (governance adds them to the GuardianRegistry)"
        )
    bond = int(rewards.policy().challengerBond)
    done = [s for s in [_ensure_allowance(rewards, sender, bond)] if s]
    receipt = rewards.challenge(epoch, evidence, sender=sender)
    done.append(_sent("challenge", receipt, epoch=epoch, bond=bond, evidence=evidence))
    return done


def finalize(rewards: ContractInstance, epoch: int, sender: AccountAPI) -> Sent:
    """Finalize the unchallenged root of ``epoch`` once its window has passed."""
    import ape

    pending = pending_proposal(rewards)
    if pending is None or pending.epoch != epoch or pending.status != Status.PROPOSED:
        raise EpochOpError(f"epoch {epoch} has no proposed, unchallenged root to finalize")
    now = ape.chain.blocks.head.timestamp
    if now < pending.challenge_deadline:
        wait = pending.challenge_deadline - now
        raise EpochOpError(f"the challenge window of epoch {epoch} is open for {wait} more s")
    receipt = rewards.finalize(epoch, sender=sender)
    return _sent(
        "finalize", receipt, epoch=epoch, root=pending.root, bond_returned=pending.proposer_bond
    )


# ------------------------------------------------------------------------------ resolve


def resolution(rewards: ContractInstance, epoch: int, upheld: bool, proposer: str) -> Proposal:
    """The resolution proposal of ``epoch``'s challenge as ``proposer`` submits it: one call to
    ``resolveChallenge``; the description ends in ``#proposer=<address>``, so only
    ``proposer`` can create it and nobody can block it by creating (and cancelling) the same
    proposal first."""
    calldata = bytes(rewards.resolveChallenge.encode_input(epoch, upheld))
    text = resolution_text(epoch, upheld)
    action = Action(str(rewards.address), 0, calldata, text)
    return Proposal((action,), for_proposer(text, proposer))


def resolution_text(epoch: int, upheld: bool) -> str:
    """The human part of a resolution proposal's description."""
    verdict = "uphold" if upheld else "reject"
    return f"ContributionRewards: {verdict} the challenge of epoch {epoch}"


def _proposal_state(governor: ContractInstance, proposal_id: int) -> str | None:
    try:
        return GOVERNOR_STATES[int(governor.state(proposal_id))]
    except Exception:  # GovernorNonexistentProposal
        return None


def find_resolution(
    governor: ContractInstance,
    rewards: ContractInstance,
    epoch: int,
    upheld: bool,
    *,
    from_block: int = 0,
) -> Proposal | None:
    """The newest resolution proposal of ``epoch``'s challenge that was not cancelled, whoever
    proposed it (from the ProposalCreated events)."""
    import ape

    logs = governor.ProposalCreated.range(from_block, ape.chain.blocks.height + 1)
    for log in reversed(list(logs)):
        wanted = resolution(rewards, epoch, upheld, str(log.proposer))
        same = Proposal.from_event(log) == wanted
        if same and _proposal_state(governor, int(log.proposalId)) != "Canceled":
            return wanted
    return None


def resolve(
    rewards: ContractInstance,
    epoch: int,
    upheld: bool,
    sender: AccountAPI,
    *,
    governor: ContractInstance | None = None,
    vote: int | None = None,
    from_block: int = 0,
) -> list[Sent | str]:
    """Move the resolution of ``epoch``'s challenge one step forward.

    Without ``governor`` the sender must hold GOVERNOR_ROLE (before the handover to the
    timelock) and the challenge is resolved directly. With ``governor``, each call advances the
    governance proposal: propose it, vote (``vote``: 0 against, 1 for, 2 abstain) while active,
    queue it once it succeeded, execute it once the timelock delay passed. The proposal is the
    newest live one for this resolution, whoever created it (``from_block``: where to search its
    event), else a new one by the sender. Returns what was sent and, as strings, what is left to
    wait for.
    """
    pending = pending_proposal(rewards)
    if pending is None or pending.epoch != epoch or pending.status != Status.CHALLENGED:
        raise EpochOpError(f"epoch {epoch} has no challenge to resolve")
    if governor is None:
        if not rewards.hasRole(rewards.GOVERNOR_ROLE(), sender):
            raise EpochOpError(
                f"{sender.address} lacks GOVERNOR_ROLE: resolve through the governor (--governor)"
            )
        receipt = rewards.resolveChallenge(epoch, upheld, sender=sender)
        return [_sent("resolveChallenge", receipt, epoch=epoch, upheld=upheld)]

    import ape

    gov = Governance(governor)
    r = find_resolution(governor, rewards, epoch, upheld, from_block=from_block)
    r = r or resolution(rewards, epoch, upheld, sender.address)
    proposal_id = gov.proposal_id(r)
    state = _proposal_state(governor, proposal_id)
    done: list[Sent | str] = []
    if state is None:
        receipt = gov.submit(r, sender=sender)
        done.append(_sent("governor.propose", receipt, proposal_id=proposal_id, epoch=epoch))
        starts = int(governor.proposalSnapshot(proposal_id))
        done.append(f"proposal {proposal_id} created; voting starts after {starts}")
    elif state == "Pending":
        done.append(f"voting starts after {int(governor.proposalSnapshot(proposal_id))}")
    elif state == "Active":
        if vote is None:
            ends = int(governor.proposalDeadline(proposal_id))
            done.append(f"proposal {proposal_id} is open for votes until {ends}")
        else:
            receipt = gov.cast(proposal_id, vote, sender=sender)
            done.append(_sent("governor.castVote", receipt, proposal_id=proposal_id, support=vote))
    elif state == "Succeeded":
        receipt = gov.queue(proposal_id, sender=sender, proposal=r)
        eta = int(governor.proposalEta(proposal_id))
        done.append(_sent("governor.queue", receipt, proposal_id=proposal_id, eta=eta))
    elif state == "Queued":
        eta = int(governor.proposalEta(proposal_id))
        if ape.chain.blocks.head.timestamp < eta:
            done.append(f"queued; executable from {eta}")
        else:
            receipt = gov.execute(proposal_id, sender=sender, proposal=r)
            done.append(_sent("governor.execute", receipt, proposal_id=proposal_id, epoch=epoch))
    else:
        done.append(f"proposal {proposal_id} is {state}: nothing more to do")
    return done


# ------------------------------------------------------------------------------ claims


@dataclass(frozen=True)
class Owed:
    account: str
    tokens: int
    influence: int
    cumulative_tokens: int
    cumulative_influence: int
    proof: list[bytes]


def load_tree(bundle: Path) -> MerkleTree:
    return MerkleTree.load(Path(bundle) / TREE, validate=False)


def _claimable_tree(rewards: ContractInstance, bundle: Path) -> MerkleTree:
    tree = load_tree(bundle)
    current = _hex(rewards.currentRoot())
    if tree.root_hex != current:
        raise EpochOpError(
            f"{bundle} has root {tree.root_hex} but claims use the newest finalized root "
            f"{current}: claim with that epoch's bundle"
        )
    return tree


def owed(rewards: ContractInstance, tree: MerkleTree, account: str) -> Owed:
    leaf = tree.leaf(account)
    paid = rewards.claimed(leaf.account)
    return Owed(
        account=leaf.account,
        tokens=max(leaf.tokens - int(paid[0]), 0),
        influence=max(leaf.influence - int(paid[1]), 0),
        cumulative_tokens=leaf.tokens,
        cumulative_influence=leaf.influence,
        proof=tree.proof(leaf.account),
    )


def claim_one(rewards: ContractInstance, bundle: Path, account: str, sender: AccountAPI) -> Sent:
    """Claim everything ``account`` is owed under the current root (anyone may send it)."""
    tree = _claimable_tree(rewards, bundle)
    try:
        due = owed(rewards, tree, account)
    except KeyError as err:
        raise EpochOpError(str(err.args[0])) from None
    if due.tokens == 0 and due.influence == 0:
        raise EpochOpError(f"{due.account} has already claimed everything up to this root")
    receipt = rewards.claim(
        due.account,
        due.cumulative_tokens,
        due.cumulative_influence,
        due.proof,
        tree.root,
        sender=sender,
    )
    return _sent(
        "claim", receipt, account=due.account, tokens=due.tokens, influence_stored=due.influence
    )


def _batches(items: Sequence[Owed], size: int) -> Iterator[Sequence[Owed]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _wait_for_pending(sender: AccountAPI, timeout: float, poll: float = 0.5) -> None:
    """Wait until ``sender`` has no transaction in the node's pool.

    A batch sent by an interrupted run may still be pending: scanning before it is mined would
    count its accounts as unpaid and send a second batch for them, which would only skip them
    (claimMany) but pay its gas for nothing. Raises EpochOpError if it stays pending."""
    import time

    import ape

    eth = ape.chain.provider.web3.eth
    deadline = time.monotonic() + timeout
    while True:
        mined = eth.get_transaction_count(sender.address, "latest")
        pending = eth.get_transaction_count(sender.address, "pending")
        if pending <= mined:
            return
        if time.monotonic() > deadline:
            raise EpochOpError(
                f"{sender.address} has {pending - mined} transaction(s) pending (a batch of an "
                "interrupted run?): wait until they are mined or replaced, then rerun; accounts "
                "already paid are skipped"
            )
        time.sleep(poll)


def claim_all(
    rewards: ContractInstance,
    bundle: Path,
    sender: AccountAPI,
    *,
    batch_size: int = 50,
    on_scan: Callable[[int], None] | None = None,
    on_batch: Callable[[Sent, int], None] | None = None,
    pending_timeout: float = 120.0,
) -> list[Sent]:
    """Claim for every account of ``bundle`` that is owed something, ``batch_size`` claims per
    transaction (``claimMany``, which skips accounts paid by someone else meanwhile). Safe to
    rerun after an interruption (the RPC node or this process dying mid-batch): it first waits
    for the sender's pending transactions (a batch already sent), then reads what each account
    was already paid from the contract, so a rerun sends only what is still owed and nothing is
    claimed twice."""
    if batch_size < 1:
        raise EpochOpError("batch size must be at least 1")
    _wait_for_pending(sender, pending_timeout)
    tree = _claimable_tree(rewards, bundle)
    dues: list[Owed] = []
    for index, leaf in enumerate(tree.values):
        due = owed(rewards, tree, leaf.account)
        if due.tokens or due.influence:
            dues.append(due)
        if on_scan:
            on_scan(index + 1)
    sent: list[Sent] = []
    for batch in _batches(dues, batch_size):
        requests = [
            (d.account, d.cumulative_tokens, d.cumulative_influence, d.proof) for d in batch
        ]
        # claimMany skips an account someone else paid since the scan instead of reverting.
        receipt = rewards.claimMany(requests, tree.root, sender=sender)
        paid = receipt.decode_logs(rewards.Claimed)
        result = _sent(
            "claimMany",
            receipt,
            accounts=len(paid),
            tokens=sum(int(log.tokens) for log in paid),
            influence_stored=sum(int(log.influenceStored) for log in paid),
        )
        sent.append(result)
        if on_batch:
            on_batch(result, len(batch))
    return sent
