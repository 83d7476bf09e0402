"""Upper bounds on the governance gas figures (bench/gas_governance.py measures them).

The figures themselves go to bench/results.json; these bounds only catch regressions. Reading
votes from Influence costs a decay division per lookup (a few hundred gas with the residue
table), so propose (one lookup) may exceed the ERC20Votes reference by that much, plus the scan of
its actions for dispute resolutions (InfluenceGovernor bars a dispute's parties from voting on
its resolution: a selector test per action, about 300 gas for the one action measured), never
more; an award to an existing account must not cost more than an ERC20Votes mint to a delegated
holder.

castVote (votes + total for the quorum, and GovernorCountingDistinct's minimum of distinct voters)
stays within 2% of the stock OpenZeppelin Governor's: the packed tally (For, Abstain and the voter
count in one slot) saves the cold read of the abstain sum that pays for reading the minimum.
"""

from __future__ import annotations

from bench.gas_governance import measure

DECAY_LOOKUP_BOUND = 800  # gas per vote lookup that divides by growth
DISPUTE_SCAN_BOUND = 350  # gas per action for recognising a dispute resolution at propose
CAST_VOTE_RATIO = 1.02  # castVote with the distinct-voter module vs OpenZeppelin's reference


def test_governance_gas_bounds(project, accounts, chain):
    gas = measure(project, accounts, chain)
    assert gas["gas.award.existing_account"] <= gas["gas.mint.oz_erc20votes_delegated"]
    overhead = DECAY_LOOKUP_BOUND + DISPUTE_SCAN_BOUND
    assert gas["gas.propose.influence"] <= gas["gas.propose.oz_erc20votes"] + overhead
    assert gas["gas.castVote.influence"] <= CAST_VOTE_RATIO * gas["gas.castVote.oz_erc20votes"]
