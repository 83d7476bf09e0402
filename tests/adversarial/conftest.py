"""Fixtures for the adversarial scenarios: the whole system from the deployment plan, handed
over to the timelock, with three members who earned influence through a finalized epoch and a
claim. Deployed once per module; ape's isolation reverts to it around every test."""

from __future__ import annotations

import pytest

from tests.helpers.constants import TOKEN
from tests.helpers.system import earn


@pytest.fixture(scope="module")
def full(deployed_system):
    return deployed_system


@pytest.fixture(scope="module")
def claimed_epoch0(chain, full, alice, bob, carol):
    """Epoch 0 finalized and claimed: Alice 40, Bob 30, Carol 20 influence (stored units equal
    influence in epoch 0), and some tokens each."""
    return earn(
        chain,
        full,
        {
            alice: (600 * TOKEN, 40 * TOKEN),
            bob: (300 * TOKEN, 30 * TOKEN),
            carol: (100 * TOKEN, 20 * TOKEN),
        },
    )
