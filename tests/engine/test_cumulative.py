"""The cumulative table: plain token sums, influence in stored units at each epoch's growth."""

from __future__ import annotations

import pytest

from communis.engine.cumulative import CumulativeError, CumulativeTable, stored_units
from communis.engine.growth import growth, to_stored
from tests.helpers.ledger import account

pytestmark = pytest.mark.offchain

A, B = account(1), account(2)


def test_stored_units_is_to_stored() -> None:
    for epoch in (0, 1, 5, 13, 200):
        for amount in (0, 1, 10**18, 123456789 * 10**18 + 7):
            assert stored_units(amount, growth(epoch, 7)) == to_stored(amount, epoch, 7)


def test_epochs_accumulate() -> None:
    table = CumulativeTable.empty()
    table = table.add_epoch(1, {A: 10, B: 5}, {A: 10**18, B: 0}, half_life=4)
    table = table.add_epoch(3, {A: 1}, {A: 10**18, B: 3 * 10**18}, half_life=4)
    assert table.epoch == 3
    assert table.entries[A] == (11, to_stored(10**18, 1, 4) + to_stored(10**18, 3, 4))
    assert table.entries[B] == (5, to_stored(3 * 10**18, 3, 4))
    assert table.total_tokens == 16
    leaves = table.leaves()
    assert [leaf.account for leaf in leaves] == sorted([A, B], key=str.lower)


def test_epochs_must_increase() -> None:
    table = CumulativeTable.empty().add_epoch(2, {A: 1}, {}, half_life=4)
    with pytest.raises(CumulativeError):
        table.add_epoch(2, {A: 1}, {}, half_life=4)


def test_accounts_with_nothing_are_not_leaves() -> None:
    table = CumulativeTable.empty().add_epoch(0, {A: 0, B: 1}, {A: 0}, half_life=4)
    assert [leaf.account for leaf in table.leaves()] == [B]
