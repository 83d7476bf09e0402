"""Gas of governance on Influence vs a stock OpenZeppelin ERC20Votes token, in the same run.

Both systems use the same Governor modules and the same state: three members holding the same
amounts (influence awarded vs tokens minted to self-delegated holders), a proposal by the same
member, then one vote by another member. Every measured transaction writes a checkpoint at a new
timestamp, as in normal use.

Every transaction is sent at a timestamp set explicitly (a fixed step after the previous one), never
at the EVM's own clock: how many checkpoints a lookup searches, and so the gas of propose and
castVote, would otherwise depend on how many transactions an EVM happened to mine in one second,
on anvil on the wall clock and on what ran before.
"""

from __future__ import annotations

from bench.evm import local_chain

WEEK = 7 * 24 * 3600
DAY = 24 * 3600
UNIT = 10**18
SHARES = (40 * UNIT, 25 * UNIT, 35 * UNIT)  # proposer, voter, other member


def _tick(chain, seconds: int = 12) -> None:
    chain.pending_timestamp = chain.pending_timestamp + seconds


def _governed_system(project, deployer, votes, name: str, guardian):
    timelock = deployer.deploy(project.CommunisTimelock, DAY, [], [f"0x{'00' * 20}"], deployer)
    # InfluenceGovernor also takes the minimum number of distinct voters (1: the measured vote
    # reaches quorum alone, so castVote runs every check of both modules, as the reference's does)
    # and the guardian's sunset (a year from now).
    influence = name == "InfluenceGovernor"
    minimum = (1,) if influence else ()
    sunset = (votes.clock() + 52 * WEEK,) if influence else ()
    governor = deployer.deploy(
        getattr(project, name), votes, timelock, 1, WEEK, UNIT, 4, *minimum, DAY, guardian, *sunset
    )
    timelock.grantRole(timelock.PROPOSER_ROLE(), governor, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), governor, sender=deployer)
    return governor


def _propose_and_vote(chain, governor, proposer, voter) -> tuple[int, int]:
    calldata = governor.setVotingDelay.encode_input(2)
    _tick(chain)
    receipt = governor.propose([governor.address], [0], [calldata], "bench", sender=proposer)
    proposal_id = receipt.events.filter(governor.ProposalCreated)[0].proposalId
    _tick(chain, 3600)
    vote = governor.castVote(proposal_id, 1, sender=voter)
    return receipt.gas_used, vote.gas_used


def measure(project, accounts, chain) -> dict[str, float]:
    """Deploy both systems on the connected chain and measure (also used by tests)."""
    deployer, proposer, voter, other, guardian = (accounts[i] for i in (0, 1, 2, 3, 9))
    members = (proposer, voter, other)

    influence = deployer.deploy(project.Influence, deployer, chain.pending_timestamp, WEEK, 26)
    influence.grantRole(influence.AWARDER_ROLE(), deployer, sender=deployer)
    reference = deployer.deploy(project.ReferenceVotesToken, deployer)
    for member in members:
        reference.invoke_transaction("delegate", member, sender=member)

    awards = []
    for member, amount in zip(members, SHARES, strict=True):
        _tick(chain)
        awards.append(influence.awardStored(member, amount, sender=deployer).gas_used)
    for member, amount in zip(members, SHARES, strict=True):
        _tick(chain)
        reference.mint(member, amount, sender=deployer)
    # Second award / mint, each at a new timestamp, to a member that already holds some.
    _tick(chain)
    existing = influence.awardStored(proposer, UNIT, sender=deployer).gas_used
    _tick(chain)
    minted = reference.mint(proposer, UNIT, sender=deployer).gas_used

    governor = _governed_system(project, deployer, influence, "InfluenceGovernor", guardian)
    ref_governor = _governed_system(project, deployer, reference, "ReferenceGovernor", guardian)
    propose_inf, vote_inf = _propose_and_vote(chain, governor, proposer, voter)
    propose_ref, vote_ref = _propose_and_vote(chain, ref_governor, proposer, voter)
    return {
        "gas.award.new_account": awards[0],
        "gas.award.existing_account": existing,
        "gas.mint.oz_erc20votes_delegated": minted,
        "gas.propose.influence": propose_inf,
        "gas.propose.oz_erc20votes": propose_ref,
        "gas.castVote.influence": vote_inf,
        "gas.castVote.oz_erc20votes": vote_ref,
    }


def collect() -> dict[str, float]:
    with local_chain() as (project, accounts):
        import ape

        return measure(project, accounts, ape.chain)


if __name__ == "__main__":
    for key, value in collect().items():
        print(f"{key} = {value}")
