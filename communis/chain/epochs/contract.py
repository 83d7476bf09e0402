"""The contract's vocabulary on the Python side: its enums and encodings, the contracts it points
at, the error of the epoch operations, and the record of a transaction sent."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

from communis.engine.units import format_tokens
from communis.errors import CommunisError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance


ZERO32 = b"\0" * 32
ZERO_ADDRESS = "0x" + "00" * 20
MAX_UINT256 = 2**256 - 1
DISPUTE_ABI = "(uint48,uint48,bytes32,bytes32,address,uint96,address,uint96,uint16,uint16,uint40)"
"""``IContributionRewards.Dispute`` as an ABI tuple type."""

R = TypeVar("R", bound="DataclassInstance")


class Status(IntEnum):
    """``IContributionRewards.Status``: what became of the proposal in the pending slot (only
    PROPOSED occupies it); ``epochStatus`` answers NONE, PROPOSED or FINALIZED."""

    NONE = 0
    PROPOSED = 1
    CHALLENGED = 2
    REJECTED = 3
    FINALIZED = 4


class Verdict(IntEnum):
    """``IContributionRewards.Verdict``: how a dispute ended."""

    UPHELD = 0
    NOT_UPHELD = 1
    NO_VERDICT = 2
    PROVEN = 3


class BatchStatus(IntEnum):
    """``IAttesterRegistry.BatchStatus``."""

    VALID = 0
    OVER_BUDGET = 1
    NOT_ATTESTER = 2
    BAD_SIGNATURE = 3


class EpochOpError(CommunisError, RuntimeError):
    """An epoch operation cannot be done now; the message says why and what to do."""


def as_hex(value: bytes | str) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text


def bytes32(value: bytes | str) -> bytes:
    return bytes.fromhex(as_hex(value)[2:].rjust(64, "0"))


def from_struct(cls: type[R], source: Any, **given: Any) -> R:
    """``cls`` filled from a contract struct or event whose fields are ``cls``'s in camelCase:
    bytes become 0x hex, addresses strings, numbers ints; ``given`` fields are taken as they
    are."""
    values = dict(given)
    for f in fields(cls):
        if f.name in values:
            continue
        head, *rest = f.name.split("_")
        value = getattr(source, head + "".join(word.title() for word in rest))
        if isinstance(value, bytes | bytearray):
            values[f.name] = as_hex(bytes(value))
        else:
            values[f.name] = str(value) if isinstance(value, str) else int(value)
    return cls(**values)


def chain_now() -> int:
    import ape

    return int(ape.chain.blocks.head.timestamp)


def influence_of(rewards: ContractInstance) -> ContractInstance:
    import ape

    return ape.project.Influence.at(rewards.influence())


def token_of(rewards: ContractInstance) -> ContractInstance:
    import ape

    return ape.project.CommunityToken.at(rewards.token())


def attesters_of(rewards: ContractInstance) -> ContractInstance:
    import ape

    return ape.project.AttesterRegistry.at(rewards.attesterRegistry())


def json_record(record: DataclassInstance) -> dict[str, Any]:
    return json_amounts({f.name: getattr(record, f.name) for f in fields(record)})


def json_amounts(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every integer that JSON readers cannot hold exactly as a decimal string."""
    return {key: json_value(value) for key, value in data.items()}


def json_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return int(value) if abs(value) < 2**53 else str(value)


@dataclass(frozen=True)
class Sent:
    """A transaction this module sent, and the numbers behind it."""

    action: str
    tx_hash: str
    gas_used: int
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The transaction and its numbers in the contracts' units (large ones as strings)."""
        head = {"action": self.action, "tx": self.tx_hash, "gas": self.gas_used}
        return {**head, **json_amounts(self.details)}


def record_sent(action: str, receipt: ReceiptAPI, **details: Any) -> Sent:
    return Sent(action, str(receipt.txn_hash), int(receipt.gas_used), details)


def ensure_allowance(
    rewards: ContractInstance, owner: AccountAPI, amount: int, what: str
) -> Sent | None:
    """Approve ``amount`` (the ``what`` bond) for ContributionRewards, unless already approved;
    refuses when ``owner`` cannot pay it, saying where the tokens come from."""
    if amount == 0:
        return None
    token = token_of(rewards)
    balance = int(token.balanceOf(owner))
    if balance < amount:
        raise EpochOpError(
            f"{owner.address} holds {format_tokens(balance)} but the {what} bond is "
            f"{format_tokens(amount)}: fund it first, with {format_tokens(amount - balance)} "
            "more from an account holding CMN (the deployment pays the bonds of the proposers "
            "and guardians its config names out of the genesis allocation; later, governance "
            "can pay from the treasury, and members hold what they claimed)"
        )
    if int(token.allowance(owner, rewards)) >= amount:
        return None
    receipt = token.approve(rewards, amount, sender=owner)
    return record_sent("approve", receipt, spender=str(rewards.address), amount=amount)
