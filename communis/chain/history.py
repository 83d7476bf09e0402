"""What only the chain knows about a community's past, for its report: governance proposals and
how they ended, bonds slashed for false roots, the quorum and the treasury.

:func:`chain_facts` reads them from the contracts' events and state; ``ape run chain report``
joins them with the epoch bundles (:func:`communis.report.bundles.run_from_bundles`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from communis.report.model import BondSlash, Proposal

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from communis.chain.system import System

UPHELD_REASON = "false root: a guardian challenged it and governance upheld the challenge"
PROVEN_REASON = "its ledger holds a batch no attester signed, proven on chain"


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
    """Proposer bonds slashed, by epoch in the order they were, in ``rewards``' events up to
    block ``head``: disputes upheld by governance or proven (``DisputeEnded``, the bonds from the
    dispute's ``RootChallenged`` record), and pending roots proven wrong with no dispute
    (``UnattestedBatchProven`` paying the prover and the treasury)."""
    from communis.chain.epochs import Dispute, Verdict

    disputes = {
        bytes(log.key): Dispute.from_record(log.dispute)
        for log in _events(rewards, "RootChallenged", head)
    }
    found: list[tuple[int, int, BondSlash]] = []
    for log in _events(rewards, "DisputeEnded", head):
        verdict = Verdict(int(log.verdict))
        dispute = disputes.get(bytes(log.key))
        if verdict not in (Verdict.UPHELD, Verdict.PROVEN) or dispute is None:
            continue
        proven = verdict == Verdict.PROVEN
        lost = dispute.proposer_bond - int(log.toProposer)
        reason = PROVEN_REASON if proven else UPHELD_REASON
        slash = BondSlash(dispute.proposer, lost, reason, proven=proven)
        found.append((int(log.block_number), int(log.epoch), slash))
    proposed = _events(rewards, "RootProposed", head)
    for log in _events(rewards, "UnattestedBatchProven", head):
        lost = int(log.toProver) + int(log.toTreasury)  # both zero for a disputed root
        epoch, block = int(log.epoch), int(log.block_number)
        earlier = [p for p in proposed if int(p.epoch) == epoch and int(p.block_number) <= block]
        if lost and earlier:
            slash = BondSlash(str(earlier[-1].proposer), lost, PROVEN_REASON, proven=True)
            found.append((block, epoch, slash))
    slashed: dict[int, list[BondSlash]] = {}
    for _, epoch, slash in sorted(found, key=lambda item: item[0]):
        slashed.setdefault(epoch, []).append(slash)
    return slashed


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
