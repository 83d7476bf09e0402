"""The run model: JSON round trip with amounts as strings, validation, derived views."""

from __future__ import annotations

import json

import pytest

from communis.report import (
    SCHEMA,
    AttesterRemoval,
    BondSlash,
    EpochReport,
    Proposal,
    Reward,
    RunReport,
    SettledDispute,
)

pytestmark = pytest.mark.offchain

WAD = 10**18


def small_run() -> RunReport:
    e1 = EpochReport(
        epoch=1,
        token_budget=1000 * WAD,
        influence_budget=500 * WAD,
        tokens_emitted=900 * WAD,
        influence_emitted=450 * WAD,
        rewards=(
            Reward("0xa", "creator", 600 * WAD, 300 * WAD),
            Reward("0xa", "curator", 100 * WAD, 50 * WAD),
            Reward("0xb", "participant", 200 * WAD, 100 * WAD),
        ),
        influence_balances={"0xa": 350 * WAD, "0xb": 100 * WAD, "0xc": 0},
        quorum=45 * WAD,
        treasury_balance=10**9 * WAD,
    )
    e2 = EpochReport(
        epoch=2,
        token_budget=1000 * WAD,
        influence_budget=500 * WAD,
        tokens_emitted=0,
        influence_emitted=0,
        influence_balances={"0xa": 247 * WAD, "0xb": 70 * WAD, "0xc": 0},
        quorum=31 * WAD,
        treasury_balance=10**9 * WAD,
        bonds_slashed=(BondSlash("0xbad", 10 * WAD, "padded root"),),
    )
    e3 = EpochReport(
        epoch=3,
        token_budget=1000 * WAD,
        influence_budget=500 * WAD,
        tokens_emitted=0,
        influence_emitted=0,
        bonds_slashed=(BondSlash("0xfab", 10 * WAD, "unsigned rows", proven=True),),
        attesters_removed=(AttesterRemoval("0xatt", 4, 2**200, "over its budget"),),
        disputes_settled=(
            SettledDispute("0xpro", 2 * WAD, "0xgua", WAD // 2, 1_382_400, 1_555_200),
        ),
    )
    return RunReport(
        epochs=(e2, e3, e1),  # kept sorted by epoch number
        proposals=(
            Proposal(2**255 + 1, "Raise the curator weight", "Executed", 300 * WAD, 0, 5, "0xa", 1),
        ),
        notes=("first", "second"),
    )


def test_epochs_are_sorted_and_derived_views():
    run = small_run()
    assert [e.epoch for e in run.epochs] == [1, 2, 3]
    e1 = run.epochs[0]
    assert e1.tokens_by_role() == {
        "creator": 600 * WAD,
        "curator": 100 * WAD,
        "participant": 200 * WAD,
    }
    assert list(e1.influence_by_role()) == ["creator", "curator", "participant"]
    assert e1.tokens_by_account() == {"0xa": 700 * WAD, "0xb": 200 * WAD}
    assert e1.influence_total() == 450 * WAD
    assert run.roles() == ["creator", "curator", "participant"]
    assert run.tokens_by_account() == {"0xa": 700 * WAD, "0xb": 200 * WAD}
    assert run.rewards_by_account_role()["0xa"] == {
        "creator": (600 * WAD, 300 * WAD),
        "curator": (100 * WAD, 50 * WAD),
    }
    assert run.final_epoch().epoch == 3
    assert run.bonds_slashed() == [
        (2, BondSlash("0xbad", 10 * WAD, "padded root")),
        (3, BondSlash("0xfab", 10 * WAD, "unsigned rows", proven=True)),
    ]


def test_json_round_trip_keeps_big_integers_exact():
    run = small_run()
    text = run.to_json()
    doc = json.loads(text)
    assert doc["schema"] == SCHEMA
    assert doc["proposals"][0]["id"] == str(2**255 + 1)
    assert doc["epochs"][0]["token_budget"] == str(1000 * WAD)
    assert doc["epochs"][0]["influence_balances"]["0xa"] == str(350 * WAD)
    assert doc["epochs"][0]["epoch"] == 1  # small counters stay numbers

    # Every amount is a string: nothing in the document is an integer above 2**53.
    def ints(x):
        if isinstance(x, dict):
            return [i for v in x.values() for i in ints(v)]
        if isinstance(x, list):
            return [i for v in x for i in ints(v)]
        return [x] if isinstance(x, int) and not isinstance(x, bool) else []

    assert all(abs(i) < 2**53 for i in ints(doc))
    assert RunReport.from_json(text) == run
    assert RunReport.from_json(text).to_json() == text


def test_the_synthetic_run_round_trips(run, tmp_path):
    path = run.save(tmp_path / "run.json")
    assert RunReport.load(path) == run


def test_documents_without_the_newer_records_still_read():
    """Runs written before fraud proofs, attester removals and settled disputes were recorded."""
    doc = json.loads(small_run().to_json())
    for epoch in doc["epochs"]:
        del epoch["attesters_removed"], epoch["disputes_settled"]
        for slash in epoch["bonds_slashed"]:
            del slash["proven"]
    run = RunReport.from_dict(doc)
    third = run.epochs[2]
    assert third.attesters_removed == () and third.disputes_settled == ()
    assert not third.bonds_slashed[0].proven


def test_amounts_may_be_json_integers_when_reading():
    doc = json.loads(small_run().to_json())
    doc["epochs"][0]["token_budget"] = 1000 * WAD
    assert RunReport.from_dict(doc).epochs[0].token_budget == 1000 * WAD


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Reward("0xa", "creator", -1, 0), ValueError),
        (lambda: Reward("0xa", "creator", "12abc", 0), ValueError),
        (lambda: Reward("0xa", "creator", 1.5, 0), TypeError),
        (lambda: BondSlash("0xa", True), TypeError),
        (lambda: AttesterRemoval("0xa", -1), ValueError),
        (lambda: AttesterRemoval("0xa", 1, -5), ValueError),
        (lambda: SettledDispute("0xa", 1, "0xb", -1), ValueError),
        (lambda: EpochReport(-1, 0, 0, 0, 0), ValueError),
        (lambda: Proposal(1, "d", "Executed", epoch=-2), ValueError),
        (
            lambda: RunReport(epochs=(EpochReport(1, 0, 0, 0, 0), EpochReport(1, 0, 0, 0, 0))),
            ValueError,
        ),
    ],
)
def test_invalid_values_are_rejected(make, error):
    with pytest.raises(error):
        make()


def test_unknown_schema_is_rejected():
    doc = json.loads(small_run().to_json())
    doc["schema"] = "communis.report/99"
    with pytest.raises(ValueError, match="schema"):
        RunReport.from_dict(doc)


def test_synthetic_run_is_realistic(run):
    """The fixture the chart and browser tests use: 250 accounts, four roles, three epochs."""
    assert len(run.epochs) == 3
    assert len(run.final_epoch().influence_balances) == 250
    assert run.roles() == ["creator", "curator", "guardian", "participant"]
    for e in run.epochs:
        assert 0 < e.tokens_emitted <= e.token_budget
        assert 0 < e.quorum < e.influence_total()
