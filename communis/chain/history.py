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
    from communis.chain.system import System

SLASH_REASON = "false root: a guardian challenged it and governance upheld the challenge"


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


def slashed_bonds(system: System, head: int) -> dict[int, list[BondSlash]]:
    """Proposer bonds slashed by an upheld challenge, by epoch (``ChallengeResolved``)."""
    rewards = system.rewards
    proposed = _events(rewards, "RootProposed", head)
    slashed: dict[int, list[BondSlash]] = {}
    for log in _events(rewards, "ChallengeResolved", head):
        if not bool(log.upheld):
            continue
        epoch = int(log.epoch)
        earlier = [
            p for p in proposed if int(p.epoch) == epoch and int(p.block_number) <= log.block_number
        ]
        if not earlier:
            continue
        root = earlier[-1]
        lost = int(root.bond) - int(log.toProposer)
        slashed.setdefault(epoch, []).append(BondSlash(str(root.proposer), lost, SLASH_REASON))
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
        slashed=slashed_bonds(system, head),
        quorum_percent=governance_params(gov).quorum_percent,
        treasury=int(system.token.balanceOf(system.rewards.treasury())),
        treasury_epoch=int(system.influence.epochAt(now)),
    )
