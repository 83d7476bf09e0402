"""CommunityToken: roles, cap, events, permit signed as a wallet signs it, gas parity."""

from __future__ import annotations

import ape
import pytest

from tests.helpers.constants import GENESIS_SUPPLY, SUPPLY_CAP
from tests.helpers.signing import sign_permit


def minter_role(token) -> bytes:
    return token.MINTER_ROLE()


def test_genesis_and_metadata(token, treasury, deployer):
    assert token.name() == "Communis"
    assert token.symbol() == "CMN"
    assert token.decimals() == 18
    assert token.cap() == SUPPLY_CAP
    assert token.totalSupply() == GENESIS_SUPPLY
    assert token.balanceOf(treasury) == GENESIS_SUPPLY
    assert token.hasRole(token.DEFAULT_ADMIN_ROLE(), deployer)


def test_genesis_above_cap_reverts(project, deployer, treasury):
    with ape.reverts(project.CommunityToken.CommunityTokenGenesisExceedsCap):
        deployer.deploy(project.CommunityToken, "C", "C", 10, deployer, treasury, 11)


def test_zero_addresses_revert(project, deployer, treasury):
    zero = ape.utils.ZERO_ADDRESS
    with ape.reverts(project.CommunityToken.CommunityTokenZeroAdmin):
        deployer.deploy(project.CommunityToken, "C", "C", 10, zero, treasury, 1)
    with ape.reverts(project.CommunityToken.CommunityTokenZeroGenesisHolder):
        deployer.deploy(project.CommunityToken, "C", "C", 10, deployer, zero, 1)
    # Without a genesis allocation there is no holder to check.
    token = deployer.deploy(project.CommunityToken, "C", "C", 10, deployer, zero, 0)
    assert token.totalSupply() == 0


def test_only_minter_mints(token, deployer, alice, bob):
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.mint(bob, 1, sender=alice)
    receipt = token.grantRole(minter_role(token), alice, sender=deployer)
    assert receipt.events == [
        token.RoleGranted(role=minter_role(token), account=alice, sender=deployer)
    ]
    receipt = token.mint(bob, 5, sender=alice)
    assert receipt.events == [token.Transfer(ape.utils.ZERO_ADDRESS, bob, 5)]
    assert token.balanceOf(bob) == 5


def test_cap_holds(token, deployer, alice, bob):
    token.grantRole(minter_role(token), alice, sender=deployer)
    room = SUPPLY_CAP - GENESIS_SUPPLY
    token.mint(bob, room, sender=alice)
    assert token.totalSupply() == SUPPLY_CAP
    with ape.reverts(token.ERC20ExceededCap):
        token.mint(bob, 1, sender=alice)


def test_admin_handover(token, deployer, alice, treasury):
    admin = token.DEFAULT_ADMIN_ROLE()
    token.grantRole(admin, treasury, sender=deployer)
    token.renounceRole(admin, deployer, sender=deployer)
    assert not token.hasRole(admin, deployer)
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.grantRole(minter_role(token), alice, sender=deployer)
    token.grantRole(minter_role(token), alice, sender=treasury)
    assert token.hasRole(minter_role(token), alice)


def test_transfer_emits_and_moves(token, treasury, alice):
    receipt = token.transfer(alice, 7, sender=treasury)
    assert receipt.events == [token.Transfer(treasury, alice, 7)]
    assert token.balanceOf(alice) == 7


# Selector dispatch over CommunityToken's larger ABI plus ERC20Capped's `from == 0` test cost a
# few dozen gas; a vote checkpoint would cost thousands. Measured: 76 gas.
TRANSFER_OVERHEAD_BOUND = 100


def test_transfer_gas_matches_plain_erc20(project, token, deployer, treasury, accounts):
    plain = deployer.deploy(project.PlainERC20, treasury, GENESIS_SUPPLY)
    gas_token = token.transfer(accounts[5], 10**18, sender=treasury).gas_used
    gas_plain = plain.transfer(accounts[5], 10**18, sender=treasury).gas_used
    assert gas_plain <= gas_token <= gas_plain + TRANSFER_OVERHEAD_BOUND


# --- EIP-2612 permit, signed off-chain with eth-account as a wallet would -----------------


@pytest.fixture
def deadline(chain):
    return chain.pending_timestamp + 3600


def test_permit_then_transfer_from(token, treasury, alice, bob, chain, deadline):
    v, r, s = sign_permit(token, treasury, alice, 500, deadline, chain_id=chain.chain_id)
    receipt = token.permit(treasury, alice, 500, deadline, v, r, s, sender=bob)
    assert receipt.events == [token.Approval(treasury, alice, 500)]
    assert token.allowance(treasury, alice) == 500
    assert token.nonces(treasury) == 1
    token.transferFrom(treasury, bob, 500, sender=alice)
    assert token.balanceOf(bob) == 500


def test_permit_replay_fails(token, treasury, alice, bob, chain, deadline):
    v, r, s = sign_permit(token, treasury, alice, 500, deadline, chain_id=chain.chain_id)
    token.permit(treasury, alice, 500, deadline, v, r, s, sender=bob)
    with ape.reverts(token.ERC2612InvalidSigner):
        token.permit(treasury, alice, 500, deadline, v, r, s, sender=bob)


def test_permit_for_another_chain_fails(token, treasury, alice, bob, chain, deadline):
    v, r, s = sign_permit(token, treasury, alice, 500, deadline, chain_id=chain.chain_id + 1)
    with ape.reverts(token.ERC2612InvalidSigner):
        token.permit(treasury, alice, 500, deadline, v, r, s, sender=bob)
    assert token.allowance(treasury, alice) == 0


def test_permit_expired_fails(token, treasury, alice, bob, chain):
    deadline = chain.pending_timestamp - 1
    v, r, s = sign_permit(token, treasury, alice, 500, deadline, chain_id=chain.chain_id)
    with ape.reverts(token.ERC2612ExpiredSignature):
        token.permit(treasury, alice, 500, deadline, v, r, s, sender=bob)
