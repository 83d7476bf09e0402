"""Claims: what an account is owed by a bundle's tree, claimed for one account or for all."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eth_abi.abi import decode as abi_decode

from communis.chain.epochs.contract import EpochOpError, Sent, as_hex, record_sent
from communis.engine.bundle import TREE
from communis.engine.merkle import MerkleTree

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


@dataclass(frozen=True)
class Owed:
    account: str
    tokens: int
    influence: int
    cumulative_tokens: int
    cumulative_influence: int
    proof: list[bytes]


def load_tree(bundle: Path) -> MerkleTree:
    return MerkleTree.load(Path(bundle) / TREE, validate=False)


def _claimable_tree(rewards: ContractInstance, bundle: Path) -> MerkleTree:
    tree = load_tree(bundle)
    current = as_hex(rewards.currentRoot())
    if tree.root_hex != current:
        raise EpochOpError(
            f"{bundle} has root {tree.root_hex} but claims use the newest finalized root "
            f"{current}: claim with that epoch's bundle"
        )
    return tree


def owed(rewards: ContractInstance, tree: MerkleTree, account: str) -> Owed:
    leaf = tree.leaf(account)
    paid = rewards.claimed(leaf.account)
    return _owed(tree, leaf.account, (int(paid[0]), int(paid[1])))


def _owed(tree: MerkleTree, account: str, paid: tuple[int, int]) -> Owed:
    leaf = tree.leaf(account)
    return Owed(
        account=leaf.account,
        tokens=max(leaf.tokens - paid[0], 0),
        influence=max(leaf.influence - paid[1], 0),
        cumulative_tokens=leaf.tokens,
        cumulative_influence=leaf.influence,
        proof=tree.proof(leaf.account),
    )


CLAIMED_READS_PER_CALL = 200
"""How many ``claimed(account)`` reads :func:`claimed_amounts` packs into one ``eth_call``."""


def claimed_amounts(
    rewards: ContractInstance,
    accounts: Sequence[str],
    *,
    on_read: Callable[[int], None] | None = None,
) -> list[tuple[int, int]]:
    """What each of ``accounts`` has claimed so far (tokens, influence in stored units), read
    through the contract's ``multicall`` in one ``eth_call`` per
    :data:`CLAIMED_READS_PER_CALL` accounts instead of one per account (``on_read``: called
    with the number read so far)."""
    out: list[tuple[int, int]] = []
    for start in range(0, len(accounts), CLAIMED_READS_PER_CALL):
        chunk = accounts[start : start + CLAIMED_READS_PER_CALL]
        calls = [bytes(rewards.claimed.encode_input(account)) for account in chunk]
        for data in rewards.multicall.call(calls):
            tokens, stored = abi_decode(["uint256", "uint256"], bytes(data))
            out.append((int(tokens), int(stored)))
        if on_read:
            on_read(len(out))
    return out


def claim_one(rewards: ContractInstance, bundle: Path, account: str, sender: AccountAPI) -> Sent:
    """Claim everything ``account`` is owed under the current root (anyone may send it)."""
    tree = _claimable_tree(rewards, bundle)
    try:
        due = owed(rewards, tree, account)
    except KeyError as err:
        raise EpochOpError(str(err.args[0])) from None
    if due.tokens == 0 and due.influence == 0:
        raise EpochOpError(f"{due.account} has already claimed everything up to this root")
    receipt = rewards.claim(
        due.account,
        due.cumulative_tokens,
        due.cumulative_influence,
        due.proof,
        tree.root,
        sender=sender,
    )
    return record_sent(
        "claim", receipt, account=due.account, tokens=due.tokens, influence_stored=due.influence
    )


def _batches(items: Sequence[Owed], size: int) -> Iterator[Sequence[Owed]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _wait_for_pending(sender: AccountAPI, timeout: float, poll: float = 0.5) -> None:
    """Wait until ``sender`` has no transaction in the node's pool.

    A batch sent by an interrupted run may still be pending: scanning before it is mined would
    count its accounts as unpaid and send a second batch for them, which would only skip them
    (claimMany) but pay its gas for nothing. Raises EpochOpError if it stays pending."""
    import time

    import ape

    eth = ape.chain.provider.web3.eth
    deadline = time.monotonic() + timeout
    while True:
        mined = eth.get_transaction_count(sender.address, "latest")
        pending = eth.get_transaction_count(sender.address, "pending")
        if pending <= mined:
            return
        if time.monotonic() > deadline:
            raise EpochOpError(
                f"{sender.address} has {pending - mined} transaction(s) pending (a batch of an "
                "interrupted run?): wait until they are mined or replaced, then rerun; accounts "
                "already paid are skipped"
            )
        time.sleep(poll)


def claim_all(
    rewards: ContractInstance,
    bundle: Path,
    sender: AccountAPI,
    *,
    batch_size: int = 50,
    on_scan: Callable[[int], None] | None = None,
    on_batch: Callable[[Sent, int], None] | None = None,
    pending_timeout: float = 120.0,
) -> list[Sent]:
    """Claim for every account of ``bundle`` that is owed something, ``batch_size`` claims per
    transaction (``claimMany``, which skips accounts paid by someone else meanwhile). Safe to
    rerun after an interruption (the RPC node or this process dying mid-batch): it first waits
    for the sender's pending transactions (a batch already sent), then reads what each account
    was already paid from the contract, so a rerun sends only what is still owed and nothing is
    claimed twice."""
    if batch_size < 1:
        raise EpochOpError("batch size must be at least 1")
    _wait_for_pending(sender, pending_timeout)
    tree = _claimable_tree(rewards, bundle)
    accounts = [leaf.account for leaf in tree.values]
    paid = claimed_amounts(rewards, accounts, on_read=on_scan)
    dues = [
        due
        for due in (_owed(tree, a, p) for a, p in zip(accounts, paid, strict=True))
        if due.tokens or due.influence
    ]
    sent: list[Sent] = []
    for batch in _batches(dues, batch_size):
        requests = [
            (d.account, d.cumulative_tokens, d.cumulative_influence, d.proof) for d in batch
        ]
        # claimMany skips an account someone else paid since the scan instead of reverting.
        receipt = rewards.claimMany(requests, tree.root, sender=sender)
        paid = receipt.decode_logs(rewards.Claimed)
        result = record_sent(
            "claimMany",
            receipt,
            accounts=len(paid),
            tokens=sum(int(log.tokens) for log in paid),
            influence_stored=sum(int(log.influenceStored) for log in paid),
        )
        sent.append(result)
        if on_batch:
            on_batch(result, len(batch))
    return sent
