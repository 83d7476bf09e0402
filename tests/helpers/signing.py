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


def _typed(contract, domain_name: str, primary: str, message: dict, *, chain_id: int) -> dict:
    """EIP-712 typed data of ``message`` (field types read from its values: addresses are
    accounts, everything else uint256) for ``contract``."""
    fields = [
        {"name": name, "type": "address" if hasattr(value, "address") else "uint256"}
        for name, value in message.items()
    ]
    return {
        "types": {"EIP712Domain": DOMAIN, primary: fields},
        "primaryType": primary,
        "domain": {
            "name": domain_name,
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": contract.address,
        },
        "message": {k: getattr(v, "address", v) for k, v in message.items()},
    }


def sign_permit(token, owner, spender, value, deadline, *, chain_id, nonce=None):
    """(v, r, s) of ``owner``'s permit letting ``spender`` move ``value`` until ``deadline``."""
    if nonce is None:
        nonce = token.nonces(owner)
    message = {"owner": owner, "spender": spender, "value": value, "nonce": nonce,
               "deadline": deadline}  # fmt: skip
    return _sign(_typed(token, token.name(), "Permit", message, chain_id=chain_id), owner)


def sign_delegation(influence, signer, delegatee, nonce, expiry, *, chain_id):
    """(v, r, s) of ``signer``'s delegation of its influence to ``delegatee``."""
    message = {"delegatee": delegatee, "nonce": nonce, "expiry": expiry}
    typed = _typed(influence, "Communis Influence", "Delegation", message, chain_id=chain_id)
    return _sign(typed, signer)


def delegates(influence, account):
    """Influence's ``delegates(account)`` (ape's ContractInstance shadows the name)."""
    return influence.call_view_method("delegates", account)
