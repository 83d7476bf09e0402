"""EIP-712 signatures made off-chain with eth-account, as a wallet makes them: EIP-2612 permits
for CommunityToken and delegations for Influence."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data

DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def _sign(typed: dict, signer) -> tuple[int, bytes, bytes]:
    signed = Account.sign_message(encode_typed_data(full_message=typed), signer.private_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def sign_permit(token, owner, spender, value, deadline, *, chain_id, nonce=None):
    """(v, r, s) of ``owner``'s permit letting ``spender`` move ``value`` until ``deadline``."""
    if nonce is None:
        nonce = token.nonces(owner)
    typed = {
        "types": {
            "EIP712Domain": DOMAIN,
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": token.name(),
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": token.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender.address,
            "value": value,
            "nonce": nonce,
            "deadline": deadline,
        },
    }
    return _sign(typed, owner)


def sign_delegation(influence, signer, delegatee, nonce, expiry, *, chain_id):
    """(v, r, s) of ``signer``'s delegation of its influence to ``delegatee``."""
    typed = {
        "types": {
            "EIP712Domain": DOMAIN,
            "Delegation": [
                {"name": "delegatee", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
            ],
        },
        "primaryType": "Delegation",
        "domain": {
            "name": "Communis Influence",
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": influence.address,
        },
        "message": {"delegatee": delegatee.address, "nonce": nonce, "expiry": expiry},
    }
    return _sign(typed, signer)


def delegates(influence, account):
    """Influence's ``delegates(account)`` (ape's ContractInstance shadows the name)."""
    return influence.call_view_method("delegates", account)
