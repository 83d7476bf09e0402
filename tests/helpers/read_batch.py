"""One ``eth_call`` for all the reads of a state machine's invariant check.

A hypothesis state machine checks its invariants after every step, and each check reads dozens
of values from the chain, one call each; on the in-process EVM nearly all of a call's cost is
the client's (ape, web3, eth-tester), not the EVM's. :func:`batched_invariants` runs every check
under a :class:`ReadBatch` (``contracts/reference/ReadBatch.sol``): before the check it runs, in
one ``eth_call``, every read the previous check made, and the check's own calls are then answered
from those results. A read not in the batch (the first check, or a new proposal to look at) goes
to the chain as usual and joins the next batch. Each answer is the callee's own return data at
the same state, so the invariants and their assertions are unchanged; a read that reverts in
the batch is sent again on its own, so its error is ape's as before.

The batch contract is each call's ``msg.sender`` (a direct call's is the first test account): the
invariants read only views that do not look at the caller. A transaction sent during a check
drops the batch's answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eth_pydantic_types import HexBytes  # the class ape checks call results against

Read = tuple[str, bytes]  # (contract address, calldata)


class ReadBatch:
    """The batch contract on the connected chain and the reads of the last check."""

    def __init__(self, contract: Any) -> None:
        self.contract = contract
        self.reads: dict[Read, None] = {}  # the previous check's reads, in order (a set)
        self.sent_alone = 0  # reads that went to the chain on their own
        self.batched = 0  # reads answered from a batch

    @classmethod
    def deploy(cls, project: Any, sender: Any) -> ReadBatch:
        return cls(sender.deploy(project.ReadBatch))

    def _fetch(self) -> dict[Read, HexBytes]:
        reads = list(self.reads)
        if not reads:
            return {}
        ok, results = self.contract.read([r[0] for r in reads], [r[1] for r in reads])
        return {r: HexBytes(data) for r, good, data in zip(reads, ok, results, strict=True) if good}

    @contextmanager
    def answering(self, provider: Any) -> Iterator[None]:
        """Answer the calls made through ``provider`` inside the block from one batch."""
        answers = self._fetch()
        used: dict[Read, None] = {}
        cls = type(provider)
        send_call, send_transaction = cls.send_call, cls.send_transaction

        def batched_send_call(self_: Any, txn: Any, *args: Any, **kwargs: Any) -> Any:
            if args or kwargs or self_ is not provider or not txn.receiver:
                return send_call(self_, txn, *args, **kwargs)
            read = (str(txn.receiver), bytes(txn.data))
            used[read] = None
            if read in answers:
                self.batched += 1
                return answers[read]
            self.sent_alone += 1
            return send_call(self_, txn, *args, **kwargs)

        def dropping_send_transaction(self_: Any, txn: Any) -> Any:
            answers.clear()
            return send_transaction(self_, txn)

        patch = pytest.MonkeyPatch()
        patch.setattr(cls, "send_call", batched_send_call)
        patch.setattr(cls, "send_transaction", dropping_send_transaction)
        try:
            yield
        finally:
            patch.undo()
            self.reads = used


@contextmanager
def batched_invariants(machine: type, batch: ReadBatch, chain: Any) -> Iterator[None]:
    """Run every invariant check of ``machine`` (a ``RuleBasedStateMachine``) in the block under
    ``batch``, on ``chain``'s provider."""
    check = machine.check_invariants  # type: ignore[attr-defined]

    def check_in_one_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        with batch.answering(chain.provider):
            return check(self, *args, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(machine, "check_invariants", check_in_one_call)
    try:
        yield
    finally:
        patch.undo()
