"""Verifying a bundle against the chain: the root under test, the trusted previous root, the
proposal's commitments."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from pathlib import Path
from typing import TYPE_CHECKING

from communis.chain.epochs.attesters import attester_set, contract_signature_check
from communis.chain.epochs.commitment import commitment_of
from communis.chain.epochs.contract import ZERO32, EpochOpError, as_hex, from_struct, influence_of
from communis.chain.epochs.state import onchain_policy, pending_proposal
from communis.engine.bundle import find_previous, load_totals
from communis.engine.commitment import LedgerCommitment
from communis.engine.verify import VerifyResult, verify_bundle

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


def root_under_test(rewards: ContractInstance, epoch: int) -> str | None:
    """The on-chain root of ``epoch``: the pending proposal's, else the finalized one."""
    pending = pending_proposal(rewards)
    if pending is not None and pending.epoch == epoch:
        return pending.root
    root = as_hex(rewards.rootOf(epoch))
    return None if root == as_hex(ZERO32) else root


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
        found = [log for log in logs if as_hex(log.root) == root]
    except Exception:  # an RPC that limits log ranges
        return None
    if not found:
        return None
    return from_struct(Proposed, found[-1])


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
    root = as_hex(rewards.rootOf(epoch - 1))
    return None if root == as_hex(ZERO32) else root


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
        checks.append(("ledgerRoot", proposal.ledger_root, as_hex(commitment.root)))
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
    expected_hash = proposal.policy_hash if proposal else as_hex(rewards.policyHash())
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
