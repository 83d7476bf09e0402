"""Transfer gas of CommunityToken vs a plain OpenZeppelin ERC20, deployed in the same run."""

from __future__ import annotations

from bench.evm import local_chain

GENESIS = 10**9 * 10**18


def collect() -> dict[str, float]:
    with local_chain() as (project, accounts):
        owner, newcomer = accounts[0], accounts[5]
        token = owner.deploy(
            project.CommunityToken, "Communis", "CMN", 2 * GENESIS, owner, owner, GENESIS
        )
        plain = owner.deploy(project.PlainERC20, owner, GENESIS)
        return {
            "gas.transfer.communis": token.transfer(newcomer, 10**18, sender=owner).gas_used,
            "gas.transfer.oz_erc20": plain.transfer(newcomer, 10**18, sender=owner).gas_used,
        }
