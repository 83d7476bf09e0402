"""Epoch operations against a deployed ContributionRewards: the library behind `ape run epoch`.

Every function takes contract instances (from :class:`communis.chain.system.System` or
``project.ContributionRewards.at(address)``) and the account that signs, checks what the
contract would check *before* sending (so a mistake costs no gas and gets an error that says what
to do), and returns a small record of what it did. The epoch arithmetic itself is the engine's
(``communis.engine.bundle``, ``communis.engine.verify``, ``communis.engine.merkle``,
``communis.engine.commitment``); nothing here recomputes it.

The game (see the state table in ``contracts/ContributionRewards.sol``): a root covers every
ended epoch from ``nextEpoch`` to its epoch; a challenge discards it at once and opens a
*dispute* over the two bonds, which governance decides before its deadline (:func:`resolve`) or
anyone settles after it (:func:`settle`); an unattested batch in the proposal's ledger
commitment is proven with :func:`prove`, no vote needed. Disputes live on chain only as a hash;
their records come from the ``RootChallenged`` events (:func:`undecided_disputes`).

Bundles are the engine's epoch folders (``totals.json``, ``tree.json``, ``policy.json``, the
ledger, ``attestations.json``); ``epochs/<chainId>/<epoch>/`` is where ``build`` puts them by
default, and the bundles of the epochs a catch-up root covers are its sibling folders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from dataclasses import replace as dataclass_replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils import to_checksum_address

from communis.chain.governance import STATES as GOVERNOR_STATES
from communis.chain.governance import Action, Governance, Proposal, for_proposer, short_id
from communis.chain.next_steps import (
    NextStep,
    after_challenge,
    after_propose,
    after_resolution,
    after_verdict,
)
from communis.engine.attest import (
    ATTESTATIONS_FILE,
    AttestationError,
    Attestations,
    AttesterSet,
    SignedBatch,
    read_attestations,
)
from communis.engine.bundle import TREE, build_bundle, find_previous, load_totals
from communis.engine.commitment import CommitmentError, LedgerCommitment, ledger_commitment
from communis.engine.keccak import keccak
from communis.engine.merkle import MerkleTree
from communis.engine.policy import Policy, policy_hash
from communis.engine.units import UNIT, format_tokens, format_when
from communis.engine.verify import VerifyResult, verify_bundle
from communis.errors import CommunisError
from communis.publish import check_ledger_uri

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance

    from communis.economics.params import Parameters

ZERO32 = b"\0" * 32
ZERO_ADDRESS = "0x" + "00" * 20
MAX_UINT256 = 2**256 - 1
DISPUTE_ABI = "(uint48,uint48,bytes32,bytes32,address,uint96,address,uint96,uint16,uint16,uint40)"
"""``IContributionRewards.Dispute`` as an ABI tuple type."""

R = TypeVar("R", bound="DataclassInstance")


class Status(IntEnum):
    """``IContributionRewards.Status``: what became of the proposal in the pending slot (only
    PROPOSED occupies it); ``epochStatus`` answers NONE, PROPOSED or FINALIZED."""

    NONE = 0
    PROPOSED = 1
    CHALLENGED = 2
    REJECTED = 3
    FINALIZED = 4


class Verdict(IntEnum):
    """``IContributionRewards.Verdict``: how a dispute ended."""

    UPHELD = 0
    NOT_UPHELD = 1
    NO_VERDICT = 2
    PROVEN = 3


class BatchStatus(IntEnum):
    """``IAttesterRegistry.BatchStatus``."""

    VALID = 0
    OVER_BUDGET = 1
    NOT_ATTESTER = 2
    BAD_SIGNATURE = 3


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


def _now() -> int:
    import ape

    return int(ape.chain.blocks.head.timestamp)


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


def attesters_of(rewards: ContractInstance) -> ContractInstance:
    import ape

    return ape.project.AttesterRegistry.at(rewards.attesterRegistry())


@dataclass(frozen=True)
class Pending:
    """The proposal in the pending slot: a root covering epochs ``first_epoch..epoch``."""

    epoch: int
    first_epoch: int
    status: Status
    root: str
    ledger_root: str
    proposer: str
    challenge_deadline: int
    cumulative_tokens: int
    cumulative_influence: int
    proposer_bond: int


@dataclass(frozen=True)
class Dispute:
    """``IContributionRewards.Dispute``: a challenged root's bonds, what decides them and the
    deadline. The contract stores only its hash; the record comes from ``RootChallenged``."""

    epoch: int
    first_epoch: int
    root: str
    ledger_root: str
    proposer: str
    proposer_bond: int
    challenger: str
    challenger_bond: int
    reward_bps: int
    fee_bps: int
    deadline: int

    @classmethod
    def from_record(cls, record: Sequence[Any]) -> Dispute:
        """The record as an event decodes it (the struct's fields in order)."""
        (epoch, first, root, ledger_root, proposer, bond, challenger, cbond, reward, fee, end) = (
            record
        )
        return cls(
            int(epoch),
            int(first),
            _hex(bytes(root)),
            _hex(bytes(ledger_root)),
            to_checksum_address(str(proposer)),
            int(bond),
            to_checksum_address(str(challenger)),
            int(cbond),
            int(reward),
            int(fee),
            int(end),
        )

    def to_abi(self) -> tuple[Any, ...]:
        """The struct as ``resolveDispute``, ``settleDispute`` and the fraud proof take it."""
        return (
            self.epoch,
            self.first_epoch,
            _bytes32(self.root),
            _bytes32(self.ledger_root),
            self.proposer,
            self.proposer_bond,
            self.challenger,
            self.challenger_bond,
            self.reward_bps,
            self.fee_bps,
            self.deadline,
        )

    @property
    def hash(self) -> str:
        """``keccak256(abi.encode(dispute))``: what the contract keeps while it is undecided."""
        return _hex(keccak(abi_encode([DISPUTE_ABI], [self.to_abi()])))

    @property
    def key(self) -> str:
        """``disputeKey(epoch, root, ledgerRoot)``."""
        return root_key(self.epoch, self.root, self.ledger_root)


def root_key(epoch: int, root: str, ledger_root: str) -> str:
    """The key of disputes, bans and challenges: ``keccak256(abi.encode(epoch, root,
    ledgerRoot))``."""
    encoded = abi_encode(
        ["uint256", "bytes32", "bytes32"], [epoch, _bytes32(root), _bytes32(ledger_root)]
    )
    return _hex(keccak(encoded))


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
    attesters_hash: str
    pending: Pending | None
    disputes: tuple[Dispute, ...] = ()
    half_life: int = 0
    """Influence's half-life in epochs (to show stored influence in influence)."""

    def to_json(self) -> dict[str, Any]:
        """Every field in the contracts' units; amounts as decimal strings (they exceed 2**53),
        the policy in its JSON form."""
        data: dict[str, Any] = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("policy", "pending", "disputes")
        }
        data["policy"] = self.policy.to_json()
        data["pending"] = None if self.pending is None else _json_record(self.pending)
        data["disputes"] = [_json_record(d) for d in self.disputes]
        return _json_amounts(data)


def _json_record(record: DataclassInstance) -> dict[str, Any]:
    return _json_amounts({f.name: getattr(record, f.name) for f in fields(record)})


def _json_amounts(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every integer that JSON readers cannot hold exactly as a decimal string."""
    return {key: _json_value(value) for key, value in data.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return int(value) if abs(value) < 2**53 else str(value)


def pending_proposal(rewards: ContractInstance) -> Pending | None:
    """The proposal occupying the pending slot (status PROPOSED), or None."""
    p = rewards.pendingProposal()
    status = Status(int(p.status))
    if status != Status.PROPOSED:
        return None
    return _from_struct(Pending, p, status=status)


def undecided_disputes(
    rewards: ContractInstance, *, epoch: int | None = None, from_block: int = 0
) -> list[Dispute]:
    """The disputes not yet decided, settled or proven (of ``epoch`` only, if given): the
    ``RootChallenged`` records whose hash the contract still holds."""
    import ape

    topics = {"epoch": epoch} if epoch is not None else None
    logs = rewards.RootChallenged.range(
        from_block, ape.chain.blocks.height + 1, search_topics=topics
    )
    found: dict[str, Dispute] = {}
    for log in logs:
        dispute = Dispute.from_record(log.dispute)
        held = rewards.disputeHash(dispute.epoch, dispute.root, dispute.ledger_root)
        if _hex(held) == dispute.hash:
            found[dispute.key] = dispute
    return sorted(found.values(), key=lambda d: (d.deadline, d.epoch))


def find_dispute(
    rewards: ContractInstance, epoch: int, *, root: str | None = None, from_block: int = 0
) -> Dispute:
    """The one undecided dispute of ``epoch`` (of ``root``, when several are undecided)."""
    candidates = undecided_disputes(rewards, epoch=epoch, from_block=from_block)
    if root is not None:
        candidates = [d for d in candidates if d.root == _hex(root)]
    if not candidates:
        which = f" of root {root}" if root else ""
        raise EpochOpError(
            f"epoch {epoch} has no undecided dispute{which} (none was opened, or it was already "
            "resolved, settled or proven; see `ape run epoch status`)"
        )
    if len(candidates) > 1:
        roots = ", ".join(d.root for d in candidates)
        raise EpochOpError(
            f"epoch {epoch} has {len(candidates)} undecided disputes ({roots}): pass --root"
        )
    return candidates[0]


def status(rewards: ContractInstance, *, from_block: int = 0) -> RewardsStatus:
    influence = influence_of(rewards)
    now = _now()
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
        attesters_hash=_hex(attesters_of(rewards).logHash()),
        pending=pending_proposal(rewards),
        disputes=tuple(undecided_disputes(rewards, from_block=from_block)),
        half_life=int(influence.halfLife()),
    )


def onchain_parameters(rewards: ContractInstance, gov: Governance) -> Parameters:
    """The economic parameters in force on chain, for the attack models
    (:class:`communis.economics.params.Parameters`): the policy, the challenger reward, the
    governor and timelock settings, Influence's epoch and half-life, and the points budgets of
    the attesters appointed for the epoch running now."""
    from communis.chain.governance import governance_params
    from communis.economics.params import Parameters

    influence = influence_of(rewards)
    epoch = int(influence.epochAt(_now()))
    attesters = attester_set(rewards)
    appointed = sorted({change.attester for change in attesters.changes})
    points = [attesters.budget_at(a, epoch) for a in appointed]
    return Parameters.from_policy(
        onchain_policy(rewards),
        challenger_reward_bps=int(rewards.challengerRewardBps()),
        governance=governance_params(gov),
        epoch_duration=int(influence.epochDuration()),
        half_life_epochs=int(influence.halfLife()),
        attester_budgets=tuple(-(-budget // UNIT) for budget in points if budget > 0),
    )


# ------------------------------------------------------------------------------ bundles


def build(
    rewards: ContractInstance,
    ledger: Path,
    out_root: Path,
    *,
    previous: Path | None = None,
    overwrite: bool = False,
    draft: bool = False,
    check_attesters: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Build the epoch bundle of ``ledger`` with the policy in force and Influence's half-life,
    cumulative on the latest bundle below it in ``out_root`` (or ``previous``).

    Every row must be in a batch of the ledger's attestations file, and the AttesterRegistry
    must judge every batch valid (appointed attester with budget, signature in this
    deployment's domain), checked before anything is written: a root built on anything else
    gets its proposer bond slashed. ``draft`` builds anyway, for a look at the numbers (the
    bundle cannot be proposed). ``check_attesters=False`` skips asking the registry: only to
    play a cheat (the demo's fraud scenes, ``--no-attester-check``)."""
    from communis.engine.attest import attestations_path
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
    if check_attesters and not draft:
        files = [(epoch, attestations_path(Path(ledger)))]
        check_batches(rewards, files, what=f"build {ledger}", remedy=", or build a --draft")
    return build_bundle(
        Path(ledger),
        policy,
        half_life,
        out_root / str(epoch),
        previous=previous,
        overwrite=overwrite,
        progress=progress,
        draft=draft,
    )


def bundle_ledger_root(bundle: Path) -> bytes:
    """The attested ledger root ``bundle`` records (``Totals.ledger_root``): zero for a draft."""
    value = load_totals(bundle).ledger_root
    try:
        root = _bytes32(value)
    except (TypeError, ValueError):
        root = b""
    if len(root) != 32:
        raise EpochOpError(f"{Path(bundle) / 'totals.json'}: ledgerRoot {value!r} is not 32 bytes")
    return root


def covered_bundles(bundle: Path, first: int) -> list[tuple[int, Path]]:
    """The bundles of the epochs a root for ``bundle``'s epoch covers when ``first`` is the
    first epoch without a finalized root: ``bundle`` and its sibling folders ``first..epoch``."""
    epoch = load_totals(bundle).epoch
    out: list[tuple[int, Path]] = []
    for e in range(first, epoch + 1):
        folder = Path(bundle) if e == epoch else Path(bundle).parent / str(e)
        if not (folder / "totals.json").is_file() or load_totals(folder).epoch != e:
            raise EpochOpError(
                f"a root for epoch {epoch} covers epochs {first}..{epoch} (the first epoch without "
                f"a finalized root is {first}): the bundle of epoch {e} is missing from "
                f"{Path(bundle).parent} (build every covered epoch into the same folder)"
            )
        out.append((e, folder))
    return out


def commitment_of(bundle: Path, first: int) -> LedgerCommitment:
    """The ledger commitment of a root for ``bundle``'s epoch covering epochs from ``first``:
    what ``proposeRoot`` takes as ``ledgerRoot``."""
    entries = [(e, bundle_ledger_root(folder)) for e, folder in covered_bundles(bundle, first)]
    try:
        return ledger_commitment(entries)
    except CommitmentError as err:
        raise EpochOpError(f"{bundle}: {err}") from None


def attester_set(
    rewards: ContractInstance, *, upto: str | None = None, from_block: int = 0
) -> AttesterSet:
    """The attester set of the deployment as its registry's ``AttesterLog`` events record it,
    checked against ``logHash()`` and ``budgetAt``; with ``upto``, only the changes up to the
    one whose running log hash is ``upto`` (the set a proposal recorded as ``attestersHash``).
    Contract attesters (accounts with code) are listed as such."""
    import ape

    registry = attesters_of(rewards)
    logs = registry.AttesterLog.range(from_block, ape.chain.blocks.height + 1)
    changes = [(str(log.attester), int(log.fromEpoch), int(log.budget)) for log in logs]
    contracts = {a for a, _, _ in changes if ape.chain.provider.get_code(a)}
    chain_id, address = int(ape.chain.chain_id), str(registry.address)
    try:
        found = AttesterSet.from_chain(
            chain_id,
            address,
            changes,
            log_hash=_hex(registry.logHash()),
            budget_at=lambda a, e: int(registry.budgetAt(a, e)),
            contracts=contracts,
        )
    except AttestationError as err:
        raise EpochOpError(
            f"{err} (pass --from-block at or before the registry's deployment)"
        ) from None
    if upto is None or _hex(upto) == found.log_hash.lower():
        return found
    for count in range(len(changes) + 1):
        prefix = AttesterSet.of(chain_id, address, changes[:count], contracts)
        if prefix.log_hash.lower() == _hex(upto):
            return prefix
    raise EpochOpError(
        f"no prefix of registry {address}'s change log hashes to {_hex(upto)}: the proposal "
        "recorded an attester set this registry never had"
    )


def contract_signature_check(attester: str, digest: bytes, signature: bytes) -> bool:
    """ERC-1271: whether the contract ``attester`` accepts ``signature`` of ``digest`` now."""
    import ape

    data = bytes.fromhex("1626ba7e") + abi_encode(["bytes32", "bytes"], [digest, signature])
    try:
        answer = bytes(ape.chain.provider.web3.eth.call({"to": attester, "data": data}))
    except Exception:  # a revert is a refusal
        return False
    return answer[:4] == bytes.fromhex("1626ba7e")


def root_under_test(rewards: ContractInstance, epoch: int) -> str | None:
    """The on-chain root of ``epoch``: the pending proposal's, else the finalized one."""
    pending = pending_proposal(rewards)
    if pending is not None and pending.epoch == epoch:
        return pending.root
    root = _hex(rewards.rootOf(epoch))
    return None if root == _hex(ZERO32) else root


@dataclass(frozen=True)
class Proposed:
    """What a ``RootProposed`` event committed to."""

    epoch: int
    first_epoch: int
    root: str
    proposer: str
    cumulative_tokens: int
    cumulative_influence: int
    ledger_root: str
    attesters_hash: str
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
    (None for epoch 0, whose previous table is empty, and for an epoch a catch-up root covered
    without finalizing it on its own: see :func:`verify`)."""
    if epoch == 0:
        return None
    root = _hex(rewards.rootOf(epoch - 1))
    return None if root == _hex(ZERO32) else root


def _anchor(
    rewards: ContractInstance,
    bundle: Path,
    epoch: int,
    previous: Path | None,
    policy_hash_: str,
    half_life: int,
    problems: list[str],
) -> tuple[Path | None, str | None]:
    """The previous bundle of ``epoch`` and the root its table must hash to. ``rootOf(epoch - 1)``
    when epoch - 1 was finalized on its own; otherwise (covered by a catch-up root, or not
    finalized yet) the previous bundle is recomputed in turn, anchored the same way, and its
    recomputed root is the anchor: trust always starts from a finalized root."""
    if epoch == 0:
        return None, None
    if previous is None:
        previous = find_previous(Path(bundle).parent, epoch)
    if previous is None:
        raise EpochOpError(
            f"{bundle}: cannot find the previous epoch's bundle (epoch {epoch - 1}); pass it"
        )
    anchor = previous_root_on_chain(rewards, epoch)
    if anchor is not None:
        return previous, anchor
    prev_epoch = load_totals(previous).epoch
    before, before_root = _anchor(
        rewards, previous, prev_epoch, None, policy_hash_, half_life, problems
    )
    result = verify_bundle(
        previous,
        expected_policy_hash=policy_hash_,
        previous=before,
        previous_root=before_root,
        half_life=half_life,
    )
    problems.extend(
        f"epoch {prev_epoch} (covered, not finalized on its own): {p}" for p in result.problems
    )
    return previous, result.expected_root


def _compare_with_proposal(
    result: VerifyResult, proposal: Proposed | None, commitment: LedgerCommitment | None
) -> list[str]:
    """What the on-chain proposal committed to that the recomputation does not give."""
    if proposal is None:
        return [
            "cannot read the RootProposed event of this root: its totals, ledger commitment and "
            "policy hash were not compared (pass --from-block near the proposal, or use a node "
            "that serves logs)"
        ]
    build = result.build
    assert build is not None
    problems = []
    checks: list[tuple[str, object, object]] = [
        ("cumulativeTokens", proposal.cumulative_tokens, build.table.total_tokens),
        ("cumulativeInfluence", proposal.cumulative_influence, build.table.total_influence_stored),
    ]
    if commitment is not None:
        checks.append(("ledgerRoot", proposal.ledger_root, _hex(commitment.root)))
    for name, on_chain, recomputed in checks:
        if on_chain != recomputed:
            problems.append(
                f"{name} on chain is {on_chain}, the bundles give {recomputed}: the proposal "
                "does not commit to what was published"
            )
    return problems


def verify(
    rewards: ContractInstance, bundle: Path, *, previous: Path | None = None, from_block: int = 0
) -> VerifyResult:
    """Recompute ``bundle`` and compare it with the epoch's proposal on chain (pending or
    finalized): its root, cumulative totals, ledger commitment and policy hash.

    Nothing is taken from the bundle folder on trust: the previous epoch's table must hash to
    ``rootOf(epoch - 1)`` (or, for epochs a catch-up root covered, to the recomputation of their
    bundles back to a finalized root); the policy must hash to the policy hash the root was
    proposed under (a later policy change does not make an honest root look wrong); the
    half-life is Influence's.
    """
    epoch = load_totals(bundle).epoch
    root = root_under_test(rewards, epoch)
    if root is None:
        raise EpochOpError(f"epoch {epoch} has no root on chain (nothing proposed or finalized)")
    proposal = proposal_of(rewards, epoch, root, from_block=from_block)
    expected_hash = proposal.policy_hash if proposal else _hex(rewards.policyHash())
    attesters, attesters_hash = None, None
    if proposal is not None and load_totals(bundle).attested:
        attesters_hash = proposal.attesters_hash
        attesters = attester_set(rewards, upto=attesters_hash, from_block=from_block)
    half_life = int(influence_of(rewards).halfLife())
    problems: list[str] = []
    previous, previous_root = _anchor(
        rewards, bundle, epoch, previous, expected_hash, half_life, problems
    )
    result = verify_bundle(
        Path(bundle),
        root=root,
        policy=None if proposal else onchain_policy(rewards),
        previous=previous,
        previous_root=previous_root,
        half_life=half_life,
        expected_policy_hash=expected_hash,
        attesters=attesters,
        expected_attesters_hash=attesters_hash,
        contract_signatures=contract_signature_check if attesters is not None else None,
    )
    commitment = None
    if proposal is not None:
        commitment = commitment_of(bundle, proposal.first_epoch)
    extra = problems + _compare_with_proposal(result, proposal, commitment)
    return dataclass_replace(result, problems=(*result.problems, *extra)) if extra else result


# ------------------------------------------------------------------------------ lifecycle


@dataclass(frozen=True)
class Sent:
    """A transaction this module sent, and the numbers behind it."""

    action: str
    tx_hash: str
    gas_used: int
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The transaction and its numbers in the contracts' units (large ones as strings)."""
        head = {"action": self.action, "tx": self.tx_hash, "gas": self.gas_used}
        return {**head, **_json_amounts(self.details)}


def _sent(action: str, receipt: ReceiptAPI, **details: Any) -> Sent:
    return Sent(action, str(receipt.txn_hash), int(receipt.gas_used), details)


def _ensure_allowance(
    rewards: ContractInstance, owner: AccountAPI, amount: int, what: str
) -> Sent | None:
    """Approve ``amount`` (the ``what`` bond) for ContributionRewards, unless already approved;
    refuses when ``owner`` cannot pay it, saying where the tokens come from."""
    if amount == 0:
        return None
    token = token_of(rewards)
    balance = int(token.balanceOf(owner))
    if balance < amount:
        raise EpochOpError(
            f"{owner.address} holds {format_tokens(balance)} but the {what} bond is "
            f"{format_tokens(amount)}: fund it first, with {format_tokens(amount - balance)} "
            "more from an account holding CMN (the deployment pays the bonds of the proposers "
            "and guardians its config names out of the genesis allocation; later, governance "
            "can pay from the treasury, and members hold what they claimed)"
        )
    if int(token.allowance(owner, rewards)) >= amount:
        return None
    receipt = token.approve(rewards, amount, sender=owner)
    return _sent("approve", receipt, spender=str(rewards.address), amount=amount)


def _check_key_free(rewards: ContractInstance, epoch: int, root: str, ledger_root: str) -> None:
    if rewards.isRootBanned(epoch, root, ledger_root):
        raise EpochOpError(
            f"root {root} with ledger commitment {ledger_root} is banned for epoch {epoch} (a "
            "dispute about it was upheld, or an unattested batch proven): rebuild the bundle"
        )
    if _hex(rewards.disputeHash(epoch, root, ledger_root)) != _hex(ZERO32):
        raise EpochOpError(
            f"root {root} is under an undecided dispute for epoch {epoch}: it can be proposed "
            "again once the dispute ends without a ban (`ape run epoch settle` after its "
            f"deadline), or its rewards carried by a root for epoch {epoch + 1} once that ends"
        )


def propose(
    rewards: ContractInstance,
    bundle: Path,
    sender: AccountAPI,
    *,
    uri: str | None = None,
    check_attesters: bool = True,
) -> list[Sent]:
    """Propose ``bundle``'s root (approving the proposer bond first if needed). The root covers
    every ended epoch from ``nextEpoch`` to the bundle's epoch (a catch-up root when more than
    one; their bundles are the sibling folders) and bonds ``proposerBond`` for each of them;
    ``ledgerRoot`` is the commitment over the covered epochs' attested ledgers. Refuses draft
    bundles, batches the AttesterRegistry rejects (unless ``check_attesters=False``: a cheat's
    own script, see :func:`build`) and, off local chains, a ``uri`` only the proposer can
    resolve (``communis.publish.check_ledger_uri``)."""
    import ape

    totals = load_totals(bundle)
    epoch = totals.epoch
    first = int(rewards.nextEpoch())
    if epoch < first:
        raise EpochOpError(
            f"epoch {epoch} is finalized already: the next root covers epochs from {first} on"
        )
    policy = onchain_policy(rewards)
    if not policy.open_proposing and not rewards.hasRole(rewards.PROPOSER_ROLE(), sender):
        raise EpochOpError(
            f"{sender.address} lacks PROPOSER_ROLE, and the policy closes proposing to it "
            "(governance grants the role, or opens proposing)"
        )
    now = _now()
    pending = pending_proposal(rewards)
    if pending is not None:
        if now < pending.challenge_deadline:
            raise EpochOpError(
                f"the root {pending.root} of epoch {pending.epoch} is pending until "
                f"{format_when(pending.challenge_deadline, now=now)}: challenge it if it is "
                f"wrong, or finalize it after its window (ape run epoch finalize {pending.epoch})"
            )
        raise EpochOpError(
            f"the root of epoch {pending.epoch} passed its window: finalize it first "
            f"(ape run epoch finalize {pending.epoch})"
        )
    ends = epoch_end(influence_of(rewards), epoch)
    if now < ends:
        raise EpochOpError(
            f"epoch {epoch} ends at {format_when(ends, now=now)}: propose after that"
        )
    in_force = _hex(rewards.policyHash())
    if totals.policy_hash != in_force:
        raise EpochOpError(
            f"the bundle was computed under policy {totals.policy_hash} but {in_force} is in "
            "force: rebuild it (ape run epoch build)"
        )
    covered = covered_bundles(bundle, first)
    drafts = [e for e, folder in covered if not load_totals(folder).attested]
    if drafts:
        raise EpochOpError(
            f"the bundle(s) of epoch(s) {drafts} are drafts: their rows are not attested, and "
            "an unattested row is provable fraud; have the attesters sign the ledger "
            "(communis attest / ape run attest) and rebuild"
        )
    ledger_uri = check_ledger_uri(uri or str(Path(bundle).resolve()), int(ape.chain.chain_id))
    if check_attesters:
        files = [(e, folder / ATTESTATIONS_FILE) for e, folder in covered]
        check_batches(rewards, files, what=f"propose {bundle}")
    commitment = commitment_of(bundle, first)
    ledger_root = _hex(commitment.root)
    _check_key_free(rewards, epoch, totals.root, ledger_root)
    bond = policy.proposer_bond * (epoch - first + 1)  # one bond per covered epoch
    done = [s for s in [_ensure_allowance(rewards, sender, bond, "proposer")] if s]
    tokens, stored = totals.cumulative_totals.tokens, totals.cumulative_totals.influence_stored
    receipt = rewards.proposeRoot(
        epoch,
        _bytes32(totals.root),
        tokens,
        stored,
        commitment.root,
        ledger_uri,
        _bytes32(in_force),
        sender=sender,
    )
    deadline = int(rewards.pendingProposal().challengeDeadline)
    done.append(
        _sent(
            "proposeRoot",
            receipt,
            epoch=epoch,
            first_epoch=first,
            root=totals.root,
            ledger_root=ledger_root,
            cumulative_tokens=tokens,
            cumulative_influence_stored=stored,
            bond=bond,
            challenge_deadline=deadline,
        )
    )
    return done


def _pending_of(rewards: ContractInstance, epoch: int, what: str) -> Pending:
    pending = pending_proposal(rewards)
    if pending is None or pending.epoch != epoch:
        if pending is not None:
            raise EpochOpError(
                f"the pending root is epoch {pending.epoch}'s (covering {pending.first_epoch}.."
                f"{pending.epoch}), not epoch {epoch}'s: {what} {pending.epoch}"
            )
        raise EpochOpError(f"epoch {epoch} has no pending root to {what}")
    return pending


def challenge(
    rewards: ContractInstance, epoch: int, sender: AccountAPI, *, evidence: str = ""
) -> list[Sent]:
    """Challenge the pending root of ``epoch`` (approving the challenger bond first if needed):
    the root is discarded at once and a dispute holds both bonds until governance decides or
    its deadline passes."""
    pending = _pending_of(rewards, epoch, "challenge")
    if _now() >= pending.challenge_deadline:
        raise EpochOpError(
            f"the challenge window of epoch {epoch} closed at "
            f"{format_when(pending.challenge_deadline)}: the root can only be finalized now"
        )
    if not rewards.isGuardian(sender):
        raise EpochOpError(
            f"{sender.address} is not a guardian (governance adds them to the GuardianRegistry)"
        )
    if rewards.challengedBy(epoch, pending.root, pending.ledger_root, sender):
        raise EpochOpError(
            f"{sender.address} already challenged root {pending.root} of epoch {epoch}: a "
            "guardian challenges a root once (another guardian may)"
        )
    bond = onchain_policy(rewards).challenger_bond
    done = [s for s in [_ensure_allowance(rewards, sender, bond, "challenger")] if s]
    receipt = rewards.challenge(epoch, _bytes32(pending.root), evidence, sender=sender)
    dispute = Dispute.from_record(receipt.decode_logs(rewards.RootChallenged)[0].dispute)
    done.append(
        _sent(
            "challenge",
            receipt,
            epoch=epoch,
            root=pending.root,
            bond=bond,
            evidence=evidence,
            dispute_deadline=dispute.deadline,
        )
    )
    return done


def finalize(rewards: ContractInstance, epoch: int, sender: AccountAPI) -> Sent:
    """Finalize the unchallenged root of ``epoch`` (and every epoch it covers) once its window
    has passed."""
    pending = _pending_of(rewards, epoch, "finalize")
    now = _now()
    if now < pending.challenge_deadline:
        raise EpochOpError(
            f"the challenge window of epoch {epoch} is open until "
            f"{format_when(pending.challenge_deadline, now=now)}: finalize after that"
        )
    receipt = rewards.finalize(epoch, sender=sender)
    return _sent(
        "finalize",
        receipt,
        epoch=epoch,
        first_epoch=pending.first_epoch,
        root=pending.root,
        bond_returned=pending.proposer_bond,
    )


def settle(
    rewards: ContractInstance,
    epoch: int,
    sender: AccountAPI,
    *,
    root: str | None = None,
    from_block: int = 0,
) -> Sent:
    """End ``epoch``'s undecided dispute after its deadline (anyone): each party pays the
    dispute fee of its bond to the treasury and gets the rest back."""
    dispute = find_dispute(rewards, epoch, root=root, from_block=from_block)
    now = _now()
    if now < dispute.deadline:
        raise EpochOpError(
            f"the dispute of epoch {epoch} is open for a verdict until "
            f"{format_when(dispute.deadline, now=now)}: settle it after that"
        )
    receipt = rewards.settleDispute(dispute.to_abi(), sender=sender)
    [ended] = receipt.decode_logs(rewards.DisputeEnded)
    return _sent(
        "settleDispute",
        receipt,
        epoch=epoch,
        root=dispute.root,
        to_proposer=int(ended.toProposer),
        to_challenger=int(ended.toChallenger),
        to_treasury=int(ended.toTreasury),
    )


# ------------------------------------------------------------------------------ fraud proof


@dataclass(frozen=True)
class UnattestedBatch:
    """A batch of a proposal's ledger commitment that its signer could not attest, and the
    ``BatchProof`` that proves it on chain."""

    epoch: int
    attester: str
    status: BatchStatus
    file_line: int
    proof: tuple[Any, ...]


def _attestations(folder: Path) -> Attestations | None:
    path = folder / ATTESTATIONS_FILE
    return read_attestations(path) if path.is_file() else None


@dataclass(frozen=True)
class JudgedBatch:
    """A batch of an attestations file as the attester registry judges it now."""

    epoch: int
    path: Path
    """The attestations file."""
    index: int
    signed: SignedBatch
    status: BatchStatus
    contract: bool
    """The attester is an account with code (ERC-1271): a bad signature is not provable."""

    @property
    def provable(self) -> bool:
        """Whether anyone can prove it on chain (``proveUnattestedBatch``) and slash the bond of
        a root that commits to it: NotAttester, or a bad signature of an EOA."""
        bad_eoa = self.status == BatchStatus.BAD_SIGNATURE and not self.contract
        return self.status == BatchStatus.NOT_ATTESTER or bad_eoa

    @property
    def where(self) -> str:
        return f"{self.path}:{self.signed.file_line}"


def judge_batches(rewards: ContractInstance, path: Path, epoch: int) -> list[JudgedBatch]:
    """Every batch of the attestations file ``path`` (an epoch's), judged by the deployment's
    AttesterRegistry (``batchStatus``: membership in ``epoch``, budget, signature in its
    domain)."""
    import ape

    registry = attesters_of(rewards)
    judged = []
    for index, signed in enumerate(read_attestations(path).batches):
        b = signed.batch
        args = (b.attester, b.epoch, b.rows_root, b.points, b.row_count, signed.signature)
        status = BatchStatus(int(registry.batchStatus(*args)))
        contract = bool(ape.chain.provider.get_code(b.attester))
        judged.append(JudgedBatch(epoch, Path(path), index, signed, status, contract))
    return judged


def _judgement(batch: JudgedBatch) -> str:
    b = batch.signed.batch
    reasons = {
        BatchStatus.NOT_ATTESTER: f"{b.attester} is not an attester in epoch {b.epoch}",
        BatchStatus.OVER_BUDGET: f"{b.attester}'s batch exceeds its points budget for epoch "
        f"{b.epoch}",
        BatchStatus.BAD_SIGNATURE: f"the signature is not {b.attester}'s in this deployment's "
        "domain (chain id and AttesterRegistry)",
    }
    return f"{batch.where}: {reasons.get(batch.status, batch.status.name)} [{batch.status.name}]"


def check_batches(
    rewards: ContractInstance, files: Sequence[tuple[int, Path]], *, what: str, remedy: str = ""
) -> None:
    """Refuse (``what``: the action refused) unless the registry judges every batch of the
    attestations ``files`` (``(epoch, path)``; missing files are skipped) valid: a root
    committing to a provable batch loses its proposer bond to anyone holding the bundle, and one
    over budget or with a contract attester's bad signature to a challenge."""
    bad = [
        judged
        for epoch, path in files
        if Path(path).is_file()
        for judged in judge_batches(rewards, path, epoch)
        if judged.status != BatchStatus.VALID
    ]
    if bad:
        raise EpochOpError(
            f"refused to {what}: the AttesterRegistry rejects {len(bad)} batch(es): "
            f"{'; '.join(_judgement(j) for j in bad)}. A root built on them would be rejected "
            "and its proposer bond slashed: have an appointed attester sign those rows "
            f"(`ape run attest`) and build again{remedy}"
        )


def find_unattested_batch(
    rewards: ContractInstance, bundle: Path, first: int, ledger_root: str
) -> UnattestedBatch | None:
    """The first batch in the attestations of the epochs ``first..bundle's epoch`` that the
    attester registry judges NotAttester, or BadSignature of an account without code (an EOA),
    with its two-level proof against the commitment ``ledger_root``; None if there is none."""
    commitment = commitment_of(bundle, first)
    if _hex(commitment.root) != _hex(ledger_root):
        raise EpochOpError(
            f"the ledger commitment of {bundle} and its sibling bundles is "
            f"{_hex(commitment.root)}, not the proposal's {_hex(ledger_root)}: prove with the "
            "bundles the proposer published"
        )
    for epoch, folder in covered_bundles(bundle, first):
        attestations = _attestations(folder)
        if attestations is None:
            continue
        tree = attestations.ledger_tree()
        if tree.root != commitment.ledger_root(epoch):
            raise EpochOpError(
                f"{folder / ATTESTATIONS_FILE}: its batches hash to {_hex(tree.root)}, not the "
                f"ledger root {_hex(commitment.ledger_root(epoch))} its totals.json records"
            )
        for judged in judge_batches(rewards, folder / ATTESTATIONS_FILE, epoch):
            if judged.provable:
                b, signed = judged.signed.batch, judged.signed
                proof = (
                    b.attester,
                    b.epoch,
                    b.rows_root,
                    b.points,
                    b.row_count,
                    signed.signature,
                    tree.root,
                    tree.proof(judged.index),
                    commitment.proof_for(epoch),
                )
                return UnattestedBatch(epoch, b.attester, judged.status, signed.file_line, proof)
    return None


def prove(
    rewards: ContractInstance, bundle: Path, sender: AccountAPI, *, from_block: int = 0
) -> Sent:
    """Prove on chain that the root proposed (or disputed) for ``bundle``'s epoch commits to a
    batch nobody accountable signed: the root is rejected and banned, the proposer bond slashed
    (the sender gets the challenger reward of a pending root), no vote needed."""
    epoch = load_totals(bundle).epoch
    pending = pending_proposal(rewards)
    other_root: EpochOpError | None = None
    if pending is not None and pending.epoch == epoch:
        try:
            found = find_unattested_batch(rewards, bundle, pending.first_epoch, pending.ledger_root)
        except EpochOpError as err:  # the bundle of another root: a disputed one, perhaps
            other_root, found = err, None
        if found is not None:
            receipt = rewards.proveUnattestedBatch(
                epoch, _bytes32(pending.root), found.proof, sender=sender
            )
            return _proven(receipt, rewards, found, pending.root)
    for dispute in undecided_disputes(rewards, epoch=epoch, from_block=from_block):
        if _hex(commitment_of(bundle, dispute.first_epoch).root) != dispute.ledger_root:
            continue
        found = find_unattested_batch(rewards, bundle, dispute.first_epoch, dispute.ledger_root)
        if found is not None:
            receipt = rewards.proveUnattestedBatchInDispute(
                dispute.to_abi(), found.proof, sender=sender
            )
            return _proven(receipt, rewards, found, dispute.root)
    if other_root is not None:
        raise other_root
    if pending is None or pending.epoch != epoch:
        raise EpochOpError(
            f"epoch {epoch} has no pending root, nor an undecided dispute over a root built from "
            f"{bundle}: nothing to prove against"
        )
    raise EpochOpError(
        f"every batch of {bundle}'s attestations was signed by an attester of its epoch (or by a "
        "contract attester, whose signatures only a challenge can dispute): nothing to prove; "
        "if the root is still wrong, challenge it"
    )


def _proven(
    receipt: ReceiptAPI, rewards: ContractInstance, found: UnattestedBatch, root: str
) -> Sent:
    [event] = receipt.decode_logs(rewards.UnattestedBatchProven)
    return _sent(
        "proveUnattestedBatch",
        receipt,
        epoch=found.epoch,
        root=root,
        attester=found.attester,
        status=found.status.name,
        attestations_line=found.file_line,
        reward=int(event.toProver),
    )


# ------------------------------------------------------------------------------ resolve


def resolution(
    rewards: ContractInstance, dispute: Dispute, upheld: bool, proposer: str
) -> Proposal:
    """The resolution proposal of ``dispute`` as ``proposer`` submits it: one call to
    ``resolveDispute``; the description ends in ``#proposer=<address>``, so only ``proposer``
    can create it and nobody can block it by creating (and cancelling) the same proposal first.
    The governor bars the dispute's proposer and challenger from voting on it."""
    calldata = bytes(rewards.resolveDispute.encode_input(dispute.to_abi(), upheld))
    text = resolution_text(dispute, upheld)
    action = Action(str(rewards.address), 0, calldata, text)
    return Proposal((action,), for_proposer(text, proposer))


def resolution_text(dispute: Dispute, upheld: bool) -> str:
    """The human part of a resolution proposal's description."""
    verdict = "uphold" if upheld else "reject"
    return (
        f"ContributionRewards: {verdict} the challenge of epoch {dispute.epoch} "
        f"(root {dispute.root}, challenger {dispute.challenger})"
    )


def _proposal_state(governor: ContractInstance, proposal_id: int) -> str | None:
    try:
        return GOVERNOR_STATES[int(governor.state(proposal_id))]
    except Exception:  # GovernorNonexistentProposal
        return None


def find_resolution(
    governor: ContractInstance,
    rewards: ContractInstance,
    dispute: Dispute,
    upheld: bool,
    *,
    from_block: int = 0,
) -> Proposal | None:
    """The newest resolution proposal of ``dispute`` that was not cancelled, whoever proposed it
    (from the ProposalCreated events)."""
    import ape

    logs = governor.ProposalCreated.range(from_block, ape.chain.blocks.height + 1)
    for log in reversed(list(logs)):
        wanted = resolution(rewards, dispute, upheld, str(log.proposer))
        same = Proposal.from_event(log) == wanted
        if same and _proposal_state(governor, int(log.proposalId)) != "Canceled":
            return wanted
    return None


def _earliest_execution(governor: ContractInstance) -> int:
    """When a resolution proposed now could execute at the earliest: the vote's start and
    length and the timelock's delay (a late quorum can only add to it)."""
    import ape

    timelock = ape.project.CommunisTimelock.at(governor.timelock())
    return (
        _now()
        + int(governor.votingDelay())
        + int(governor.votingPeriod())
        + int(timelock.getMinDelay())
    )


def resolve(
    rewards: ContractInstance,
    epoch: int,
    upheld: bool,
    sender: AccountAPI,
    *,
    governor: ContractInstance | None = None,
    vote: int | None = None,
    root: str | None = None,
    from_block: int = 0,
) -> list[Sent | str]:
    """Move the resolution of ``epoch``'s undecided dispute one step forward (``root``: which
    one, when several are undecided).

    Without ``governor`` the sender must hold GOVERNOR_ROLE (before the handover to the
    timelock) and the dispute is resolved directly. With ``governor``, each call advances the
    governance proposal: propose it, vote (``vote``: 0 against, 1 for, 2 abstain) while active,
    queue it once it succeeded, execute it once the timelock delay passed. The proposal is the
    newest live one for this resolution, whoever created it (``from_block``: where to search its
    event), else a new one by the sender. A verdict must execute before the dispute's deadline;
    after it, :func:`settle` ends the dispute. Returns what was sent and, as strings, what is
    left to wait for.
    """
    dispute = find_dispute(rewards, epoch, root=root, from_block=from_block)
    if _now() >= dispute.deadline:
        raise EpochOpError(
            f"the deadline of epoch {epoch}'s dispute ({format_when(dispute.deadline)}) has "
            f"passed: no verdict can arrive any more; settle it (ape run epoch settle {epoch})"
        )
    if governor is None:
        if not rewards.hasRole(rewards.GOVERNOR_ROLE(), sender):
            raise EpochOpError(
                f"{sender.address} lacks GOVERNOR_ROLE: resolve through the governor (--governor)"
            )
        receipt = rewards.resolveDispute(dispute.to_abi(), upheld, sender=sender)
        return [_sent("resolveDispute", receipt, epoch=epoch, root=dispute.root, upheld=upheld)]

    gov = Governance(governor)
    r = find_resolution(governor, rewards, dispute, upheld, from_block=from_block)
    r = r or resolution(rewards, dispute, upheld, sender.address)
    proposal_id = gov.proposal_id(r)
    state = _proposal_state(governor, proposal_id)
    done: list[Sent | str] = []
    if state is None:
        earliest = _earliest_execution(governor)
        if earliest >= dispute.deadline:
            raise EpochOpError(
                f"a resolution proposed now executes at the earliest at {format_when(earliest)}, "
                f"not before the dispute's deadline {format_when(dispute.deadline)}: it would "
                f"fail; settle the dispute after its deadline instead (ape run epoch settle "
                f"{epoch})"
            )
        receipt = gov.submit(r, sender=sender)
        starts = int(governor.proposalSnapshot(proposal_id))
        done.append(
            _sent(
                "governor.propose", receipt, proposal_id=proposal_id, epoch=epoch, snapshot=starts
            )
        )
    elif state == "Pending":
        starts = int(governor.proposalSnapshot(proposal_id))
        done.append(
            f"resolution proposal {short_id(proposal_id)} is pending: voting starts after "
            f"{format_when(starts)}"
        )
    elif state == "Active":
        if vote is None:
            ends = int(governor.proposalDeadline(proposal_id))
            done.append(
                f"resolution proposal {short_id(proposal_id)} is open for votes until "
                f"{format_when(ends)}: pass --vote for, against or abstain"
            )
        elif governor.isDisputeParty(proposal_id, sender):
            raise EpochOpError(
                f"{sender.address} is a party of epoch {epoch}'s dispute (its proposer or "
                "challenger): it cannot vote on the proposal that resolves it"
            )
        else:
            receipt = gov.cast(proposal_id, vote, sender=sender)
            ends = int(governor.proposalDeadline(proposal_id))
            done.append(
                _sent(
                    "governor.castVote",
                    receipt,
                    proposal_id=proposal_id,
                    support=vote,
                    voting_deadline=ends,
                )
            )
    elif state == "Succeeded":
        receipt = gov.queue(proposal_id, sender=sender, proposal=r)
        eta = int(governor.proposalEta(proposal_id))
        done.append(_sent("governor.queue", receipt, proposal_id=proposal_id, eta=eta))
    elif state == "Queued":
        eta = int(governor.proposalEta(proposal_id))
        if _now() < eta:
            done.append(
                f"resolution proposal {short_id(proposal_id)} is queued; executable from "
                f"{format_when(eta)} (the dispute's deadline is {format_when(dispute.deadline)})"
            )
        else:
            receipt = gov.execute(proposal_id, sender=sender, proposal=r)
            done.append(
                _sent(
                    "governor.execute", receipt, proposal_id=proposal_id, epoch=epoch, upheld=upheld
                )
            )
    else:
        done.append(
            f"resolution proposal {short_id(proposal_id)} is {state}: nothing more to do (the "
            f"dispute ends without a verdict at {format_when(dispute.deadline)})"
        )
    return done


def resolution_next_steps(
    rewards: ContractInstance,
    epoch: int,
    upheld: bool,
    *,
    governor: ContractInstance | None = None,
    root: str | None = None,
    from_block: int = 0,
    bundle: Path | str = "BUNDLE",
) -> list[NextStep]:
    """What to do after :func:`resolve` moved ``epoch``'s dispute one step, read from the chain:
    the next governance step of its resolution (and when), or, once decided, proposing again;
    settling once no verdict can arrive."""
    disputes = undecided_disputes(rewards, epoch=epoch, from_block=from_block)
    if root is not None:
        disputes = [d for d in disputes if d.root == _hex(root)]
    if len(disputes) != 1:
        return after_verdict(epoch, upheld, bundle) if not disputes else []
    [dispute] = disputes
    settle = NextStep(
        f"ape run epoch settle {epoch}",
        after=dispute.deadline,
        advance="dispute-end",
        why="no verdict arrived before the deadline: anyone ends the dispute; each party pays "
        "the dispute fee",
    )
    r = None if governor is None else find_resolution(governor, rewards, dispute, upheld)
    if governor is None or r is None:
        return after_challenge(epoch, dispute.deadline, bundle)
    proposal_id = Governance(governor).proposal_id(r)
    state = _proposal_state(governor, proposal_id)
    if state == "Pending":
        return after_resolution(
            "propose", epoch, upheld, int(governor.proposalSnapshot(proposal_id))
        )
    if state == "Active":
        return after_resolution("vote", epoch, upheld, int(governor.proposalDeadline(proposal_id)))
    if state == "Succeeded":
        return [
            NextStep(
                f"ape run epoch resolve {epoch} {'--uphold' if upheld else '--reject'}",
                why="queues the resolution in the timelock",
            )
        ]
    if state == "Queued":
        return after_resolution("queue", epoch, upheld, int(governor.proposalEta(proposal_id)))
    return [settle]


def status_next_steps(s: RewardsStatus, bundle_of: Callable[[int], str]) -> list[NextStep]:
    """What the epoch game waits for, from its status: finalizing or challenging the pending
    root, deciding or settling a dispute, proposing the next ended epoch. ``bundle_of``: the
    bundle folder of an epoch, as the command would name it."""
    steps: list[NextStep] = []
    if s.pending is not None:
        q = s.pending
        if s.now < q.challenge_deadline:
            steps += after_propose(q.epoch, q.challenge_deadline)
        else:
            steps.append(NextStep(f"ape run epoch finalize {q.epoch}", why="its window has passed"))
    for d in s.disputes:
        if s.now < d.deadline:
            steps += after_challenge(d.epoch, d.deadline, bundle_of(d.epoch))[:1]
        steps.append(
            NextStep(
                f"ape run epoch settle {d.epoch}",
                after=d.deadline,
                advance="dispute-end",
                why="ends the dispute without a verdict; each party pays the dispute fee",
            )
        )
    if s.pending is None:
        last = max(s.current_epoch - 1, s.next_epoch)
        covered = (
            f"epochs {s.next_epoch} to {last} (one catch-up root)"
            if last > s.next_epoch
            else f"epoch {s.next_epoch}"
        )
        steps.append(
            NextStep(
                f"ape run epoch propose {bundle_of(last)}",
                after=s.next_epoch_ends,
                advance="epoch-end",
                why=f"the next root covers {covered}; `ape run epoch build LEDGER` makes the "
                "bundle",
            )
        )
    return steps


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
    return _owed(tree, leaf.account, (int(paid[0]), int(paid[1])))


def _owed(tree: MerkleTree, account: str, paid: tuple[int, int]) -> Owed:
    leaf = tree.leaf(account)
    return Owed(
        account=leaf.account,
        tokens=max(leaf.tokens - paid[0], 0),
        influence=max(leaf.influence - paid[1], 0),
        cumulative_tokens=leaf.tokens,
        cumulative_influence=leaf.influence,
        proof=tree.proof(leaf.account),
    )


CLAIMED_READS_PER_CALL = 200
"""How many ``claimed(account)`` reads :func:`claimed_amounts` packs into one ``eth_call``."""


def claimed_amounts(
    rewards: ContractInstance,
    accounts: Sequence[str],
    *,
    on_read: Callable[[int], None] | None = None,
) -> list[tuple[int, int]]:
    """What each of ``accounts`` has claimed so far (tokens, influence in stored units), read
    through the contract's ``multicall`` in one ``eth_call`` per
    :data:`CLAIMED_READS_PER_CALL` accounts instead of one per account (``on_read``: called
    with the number read so far)."""
    out: list[tuple[int, int]] = []
    for start in range(0, len(accounts), CLAIMED_READS_PER_CALL):
        chunk = accounts[start : start + CLAIMED_READS_PER_CALL]
        calls = [bytes(rewards.claimed.encode_input(account)) for account in chunk]
        for data in rewards.multicall.call(calls):
            tokens, stored = abi_decode(["uint256", "uint256"], bytes(data))
            out.append((int(tokens), int(stored)))
        if on_read:
            on_read(len(out))
    return out


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
    accounts = [leaf.account for leaf in tree.values]
    paid = claimed_amounts(rewards, accounts, on_read=on_scan)
    dues = [
        due
        for due in (_owed(tree, a, p) for a, p in zip(accounts, paid, strict=True))
        if due.tokens or due.influence
    ]
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
