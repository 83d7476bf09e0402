"""The attester set read from the chain's AttesterRegistry, and its contract attesters' signature
checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eth_abi.abi import encode as abi_encode

from communis.chain.epochs.contract import EpochOpError, as_hex, attesters_of
from communis.engine.attest.attesters import AttesterSet
from communis.engine.attest.errors import AttestationError

if TYPE_CHECKING:
    from ape.contracts import ContractInstance


def attester_set(
    rewards: ContractInstance, *, upto: str | None = None, from_block: int = 0
) -> AttesterSet:
    """The attester set of the deployment as its registry's ``AttesterLog`` events record it,
    checked against ``logHash()`` and ``budgetAt``; with ``upto``, only the changes up to the
    one whose running log hash is ``upto`` (the set a proposal recorded as ``attestersHash``).
    Contract attesters (accounts with code) are listed as such."""
    import ape

    registry = attesters_of(rewards)
    logs = registry.AttesterLog.range(from_block, ape.chain.blocks.height + 1)
    changes = [(str(log.attester), int(log.fromEpoch), int(log.budget)) for log in logs]
    contracts = {a for a, _, _ in changes if ape.chain.provider.get_code(a)}
    chain_id, address = int(ape.chain.chain_id), str(registry.address)
    try:
        found = AttesterSet.from_chain(
            chain_id,
            address,
            changes,
            log_hash=as_hex(registry.logHash()),
            budget_at=lambda a, e: int(registry.budgetAt(a, e)),
            contracts=contracts,
        )
    except AttestationError as err:
        raise EpochOpError(
            f"{err} (pass --from-block at or before the registry's deployment)"
        ) from None
    if upto is None or as_hex(upto) == found.log_hash.lower():
        return found
    for count in range(len(changes) + 1):
        prefix = AttesterSet.of(chain_id, address, changes[:count], contracts)
        if prefix.log_hash.lower() == as_hex(upto):
            return prefix
    raise EpochOpError(
        f"no prefix of registry {address}'s change log hashes to {as_hex(upto)}: the proposal "
        "recorded an attester set this registry never had"
    )


def contract_signature_check(attester: str, digest: bytes, signature: bytes) -> bool:
    """ERC-1271: whether the contract ``attester`` accepts ``signature`` of ``digest`` now."""
    import ape

    data = bytes.fromhex("1626ba7e") + abi_encode(["bytes32", "bytes"], [digest, signature])
    try:
        answer = bytes(ape.chain.provider.web3.eth.call({"to": attester, "data": data}))
    except Exception:  # a revert is a refusal
        return False
    return answer[:4] == bytes.fromhex("1626ba7e")
