"""The invariant machine's batched reads (tests/helpers/read_batch.py): the answers from a batch
are the direct calls' answers, a read that reverts still raises ape's decoded error, and a
transaction drops the batch so no answer is stale."""

from __future__ import annotations

import ape

from tests.helpers.read_batch import ReadBatch


def reads(token, holders) -> list:
    return [token.totalSupply(), token.name(), token.cap(), *(token.balanceOf(h) for h in holders)]


def test_batched_reads_answer_what_direct_calls_answer(project, chain, token, deployer, treasury):
    batch = ReadBatch.deploy(project, deployer)
    holders = (treasury, deployer)
    direct = reads(token, holders)
    with batch.answering(chain.provider):  # nothing to batch yet: every read goes alone
        assert reads(token, holders) == direct
    assert (batch.batched, batch.sent_alone) == (0, 5)
    with batch.answering(chain.provider):
        assert reads(token, holders) == direct
    assert (batch.batched, batch.sent_alone) == (5, 5)


def test_a_read_that_reverts_raises_its_error_from_the_batch_too(project, chain, deployer):
    batch = ReadBatch.deploy(project, deployer)
    for _ in range(2):  # alone, then again after the batch saw it revert
        with (
            batch.answering(chain.provider),
            ape.reverts(batch.contract.ReadBatchLengthMismatch),
        ):
            batch.contract.read([deployer.address], [])
    assert batch.batched == 0


def test_a_transaction_drops_the_batch(project, chain, token, deployer, treasury, alice):
    batch = ReadBatch.deploy(project, deployer)
    before = token.balanceOf(alice)
    with batch.answering(chain.provider):
        token.balanceOf(alice)
    with batch.answering(chain.provider):
        token.transfer(alice, 5, sender=treasury)
        assert token.balanceOf(alice) == before + 5
    assert batch.batched == 0
