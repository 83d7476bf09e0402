"""Hypothesis properties of the engine: budget conservation, caps, row-order invariance, and
Merkle proofs for every leaf. Example counts are modest and derandomized (fixed seed) for CI."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communis.engine.ledger import read_ledger
from communis.engine.merkle import Leaf, MerkleTree, split_proof, verify_proof
from communis.engine.policy import BPS
from communis.engine.scoring import allocate, score_epoch
from tests.helpers.ledger import account, jsonl, policy, row, write

pytestmark = pytest.mark.offchain

CI = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ACCOUNTS = [account(i) for i in range(40)]
scores_strategy = st.dictionaries(
    st.sampled_from(ACCOUNTS),
    st.one_of(st.integers(0, 10), st.integers(0, 10**30)),
    min_size=1,
    max_size=40,
)
budgets = st.one_of(st.integers(0, 1_000), st.integers(0, 10**27))
caps = st.one_of(st.just(BPS), st.integers(1, BPS))


def allocation_cases(test):
    """Run ``test`` on random (scores, budget, cap_bps) cases."""
    return CI(given(scores=scores_strategy, budget=budgets, cap_bps=caps)(test))


@allocation_cases
def test_allocation_respects_cap_and_conserves_budget(
    scores: dict[str, int], budget: int, cap_bps: int
) -> None:
    result = allocate(scores, budget, cap_bps)
    cap = budget * cap_bps // BPS
    positive = {a for a, s in scores.items() if s > 0}
    assert set(result.amounts) == positive
    assert all(0 <= amount <= cap for amount in result.amounts.values())
    assert result.total <= budget
    if positive and len(result.capped) < len(positive):
        # Somebody is uncapped: the whole budget goes out, to the unit.
        assert result.total == budget
    elif positive:
        assert result.total == cap * len(positive)
    else:
        assert result.total == 0
    if positive and cap_bps == BPS:
        assert result.total == budget and not result.capped


@allocation_cases
def test_allocation_is_monotonic_in_score(
    scores: dict[str, int], budget: int, cap_bps: int
) -> None:
    result = allocate(scores, budget, cap_bps)
    ranked = sorted(result.amounts, key=lambda a: scores[a])
    for low, high in itertools.pairwise(ranked):
        if scores[low] < scores[high]:
            # Rounding can move one unit at most.
            assert result.amounts[low] <= result.amounts[high] + 1


@CI
@given(scores=scores_strategy, budget=budgets, cap_bps=caps, seed=st.integers(0, 2**32))
def test_allocation_ignores_input_order(
    scores: dict[str, int], budget: int, cap_bps: int, seed: int
) -> None:
    items = list(scores.items())
    random.Random(seed).shuffle(items)
    assert allocate(dict(items), budget, cap_bps) == allocate(scores, budget, cap_bps)


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(ACCOUNTS[:15]),
        st.sampled_from(["creator", "curator", "guardian", "participant"]),
        st.integers(0, 10**6),
        st.integers(0, 10**18 - 1),
    ),
    min_size=1,
    max_size=40,
)


@CI
@given(rows=rows_strategy, seed=st.integers(0, 2**32), cap_bps=caps)
def test_scoring_a_ledger_is_invariant_to_row_order(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, int, int]],
    seed: int,
    cap_bps: int,
) -> None:
    records = [
        row(3, who, role, f"{whole}.{frac:018d}", f"ref-{i}")
        for i, (who, role, whole, frac) in enumerate(rows)
    ]
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    folder = tmp_path_factory.mktemp("order")
    p = policy(account_cap_bps=cap_bps)
    a = read_ledger(write(folder / "a.jsonl", jsonl(records)))
    b = read_ledger(write(folder / "b.jsonl", jsonl(shuffled)))
    assert a.points == b.points
    assert score_epoch(a.points, p) == score_epoch(b.points, p)


leaves_strategy = st.dictionaries(
    st.integers(0, 10**6),
    st.tuples(st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1)),
    min_size=1,
    max_size=70,
)


@CI
@given(entries=leaves_strategy)
def test_every_leaf_has_a_valid_proof(entries: dict[int, tuple[int, int]]) -> None:
    leaves = [Leaf(account(n), t, i) for n, (t, i) in sorted(entries.items())]
    tree = MerkleTree.build(leaves)
    packed = dict(tree.iter_packed_proofs(chunk=16))
    for index, leaf in enumerate(leaves):
        proof = tree.proof(leaf.account)
        assert verify_proof(tree.root, leaf, proof)
        assert split_proof(packed[index]) == proof
    assert MerkleTree.loads(tree.dumps()).root == tree.root
