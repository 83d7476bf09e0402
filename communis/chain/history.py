"""What only the chain knows about a community's past, for its report: governance proposals and
how they ended, bonds slashed for false roots, the quorum and the treasury.

:func:`chain_facts` reads them from the contracts' events and state; ``ape run chain report``
joins them with the epoch bundles (:func:`communis.report.bundles.run_from_bundles`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from communis.chain.epochs import BatchStatus, Dispute, Verdict, _hex, root_key
from communis.report.model import BondSlash, Proposal

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from communis.chain.system import System

UPHELD_REASON = "a guardian challenged it and governance upheld the challenge"
PROVEN_REASON = "a batch signed by {status} in its ledger, proven on chain with no vote"


@dataclass(frozen=True)
class ChainFacts:
    proposals: tuple[Proposal, ...]
    slashed: dict[int, list[BondSlash]] = field(default_factory=dict)
    quorum_percent: int | None = None
    treasury: int = 0
    treasury_epoch: int | None = None
    """The epoch running when the treasury was read (the report shows it there)."""


def _events(contract: Any, name: str, head: int) -> list[Any]:
    """The events ``name`` of ``contract`` (none if its ABI has no such event)."""
    if not any(abi.type == "event" and abi.name == name for abi in contract.contract_type.abi):
        return []
    return list(getattr(contract, name).range(0, head + 1))


def slashed_bonds(rewards: ContractInstance, head: int) -> dict[int, list[BondSlash]]:
    """Proposer bonds slashed, by epoch: a dispute that ended Upheld or Proven
    (``DisputeEnded``, its proposer and bond from the ``RootChallenged`` record under the same
    key), and a pending root rejected by a fraud proof (``UnattestedBatchProven`` with a bond
    split between prover and treasury, its proposer from ``RootProposed`` under the same key),
    in ``rewards``' events up to block ``head``."""
    records = [Dispute.from_record(log.dispute) for log in _events(rewards, "RootChallenged", head)]
    disputes = {d.key: d for d in records}
    proposers = {
        root_key(int(log.epoch), _hex(log.root), _hex(log.ledgerRoot)): str(log.proposer)
        for log in _events(rewards, "RootProposed", head)
    }
    proven = {_hex(log.key): log for log in _events(rewards, "UnattestedBatchProven", head)}
    slashed: dict[int, list[BondSlash]] = {}
    for log in _events(rewards, "DisputeEnded", head):
        verdict = Verdict(int(log.verdict))
        dispute = disputes.get(_hex(log.key))
        if verdict not in (Verdict.UPHELD, Verdict.PROVEN) or dispute is None:
            continue
        proof = proven.get(_hex(log.key))
        reason = (
            UPHELD_REASON if proof is None else PROVEN_REASON.format(status=_status(proof.status))
        )
        lost = dispute.proposer_bond - int(log.toProposer)
        slashed.setdefault(dispute.epoch, []).append(BondSlash(dispute.proposer, lost, reason))
    for key, log in proven.items():
        bond = int(log.toProver) + int(log.toTreasury)
        if not bond:
            continue  # a disputed root (no split here): its DisputeEnded counted it
        reason = PROVEN_REASON.format(status=_status(log.status))
        epoch = int(log.epoch)
        slashed.setdefault(epoch, []).append(BondSlash(proposers.get(key, ""), bond, reason))
    return slashed


def _status(value: Any) -> str:
    return {
        BatchStatus.NOT_ATTESTER: "no attester",
        BatchStatus.BAD_SIGNATURE: "nobody (a bad signature)",
    }.get(BatchStatus(int(value)), BatchStatus(int(value)).name)


def proposals(system: System) -> list[Proposal]:
    """Every governance proposal with its outcome and votes."""
    from communis.chain.governance import Governance

    gov = Governance(system.governor, system.contracts)
    influence = system.influence
    found = []
    import ape

    for item in gov.listed():
        status = gov.status(item.proposal_id)
        created = int(ape.chain.blocks[item.block].timestamp)
        found.append(
            Proposal(
                id=item.proposal_id,
                description=item.description,
                outcome=status.state,
                votes_for=status.for_votes,
                votes_against=status.against_votes,
                votes_abstain=status.abstain_votes,
                proposer=item.proposer,
                epoch=int(influence.epochAt(created)),
            )
        )
    return found


def chain_facts(system: System) -> ChainFacts:
    import ape

    from communis.chain.governance import Governance, governance_params

    head = int(ape.chain.blocks.height)
    gov = Governance(system.governor, system.contracts)
    now = int(ape.chain.blocks.head.timestamp)
    return ChainFacts(
        proposals=tuple(proposals(system)),
        slashed=slashed_bonds(system.rewards, head),
        quorum_percent=governance_params(gov).quorum_percent,
        treasury=int(system.token.balanceOf(system.rewards.treasury())),
        treasury_epoch=int(system.influence.epochAt(now)),
    )
