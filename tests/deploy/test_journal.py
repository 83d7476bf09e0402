"""The deployment journal file: round trip, atomic writes, clear errors on bad content."""

from __future__ import annotations

import json

import pytest

from communis.deploy.journal import FORMAT, Journal, JournalError, Step

pytestmark = pytest.mark.offchain


def make_step(**kw) -> Step:
    base = dict(name="CommunityToken", kind="deploy", contract="CommunityToken", args=[1, "a"])
    return Step(**{**base, **kw})


def test_round_trip(tmp_path):
    journal = Journal.open(tmp_path, 5)
    assert journal.steps == []
    journal.steps.append(make_step(status="done", address="0x" + "11" * 20, nonce=0))
    journal.save()
    again = Journal.open(tmp_path, 5)
    assert again.steps == journal.steps
    assert again.contracts() == {"CommunityToken": "0x" + "11" * 20}
    assert again.address_of("CommunityToken") == "0x" + "11" * 20
    assert not list(tmp_path.glob(".*"))  # no temp file left behind


def test_address_of_unfinished_step(tmp_path):
    journal = Journal.open(tmp_path, 5)
    journal.steps.append(make_step(status="sent"))
    with pytest.raises(JournalError, match="'CommunityToken' has no deployed address"):
        journal.address_of("CommunityToken")


def test_wrong_chain_id(tmp_path):
    (tmp_path / "5.json").write_text(json.dumps({"format": FORMAT, "chainId": 6, "steps": []}))
    with pytest.raises(JournalError, match="'chainId' is 6 but the connected chain is 5"):
        Journal.open(tmp_path, 5)


def test_not_json(tmp_path):
    (tmp_path / "5.json").write_text("{not json")
    with pytest.raises(JournalError, match=r"5\.json: not valid JSON"):
        Journal.open(tmp_path, 5)


def test_wrong_format(tmp_path):
    (tmp_path / "5.json").write_text(json.dumps({"format": "other", "chainId": 5, "steps": []}))
    with pytest.raises(JournalError, match="field 'format'"):
        Journal.open(tmp_path, 5)


def test_unknown_step_field(tmp_path):
    step = make_step().to_json() | {"colour": "red"}
    (tmp_path / "5.json").write_text(json.dumps({"format": FORMAT, "chainId": 5, "steps": [step]}))
    with pytest.raises(JournalError, match=r"steps\[0\]: unknown field\(s\) colour"):
        Journal.open(tmp_path, 5)


def test_unknown_status(tmp_path):
    step = make_step().to_json() | {"status": "maybe"}
    (tmp_path / "5.json").write_text(json.dumps({"format": FORMAT, "chainId": 5, "steps": [step]}))
    with pytest.raises(JournalError, match="'status' has unknown value 'maybe'"):
        Journal.open(tmp_path, 5)
