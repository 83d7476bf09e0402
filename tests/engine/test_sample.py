"""The sample community: reproducible, big enough, all roles, long-tailed; the shipped files
under examples/ are exactly what the generator writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.demo.sample import (
    ATTESTERS,
    KEY_MEMBERS,
    SAMPLE_DOMAIN,
    SAMPLE_POLICY,
    attester_key,
    sample_attesters,
    write_sample,
)
from communis.engine.attest import (
    AttesterSet,
    attestations_path,
    read_attestations,
    verify_attestations,
)
from communis.engine.ledger import read_ledger
from communis.engine.policy import DEFAULT_POLICY, Policy
from communis.engine.roles import ROLES
from communis.engine.scoring import score_epoch
from tests.helpers.attest import numbered
from tests.helpers.ledger import ROOT

pytestmark = pytest.mark.offchain

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


def test_shipped_examples_are_what_the_generator_writes(generated: Path) -> None:
    for name in ("policy.json", "attesters.json", *(f"ledgers/epoch-{e}{kind}" for e in (0, 1, 2)
                 for kind in (".jsonl", ".attestations.json"))):  # fmt: skip
        assert (EXAMPLES / name).read_bytes() == (generated / name).read_bytes(), name
    assert Policy.load(EXAMPLES / "policy.json") == SAMPLE_POLICY == DEFAULT_POLICY


def test_same_seed_same_bytes_other_seed_other_bytes(generated: Path, tmp_path: Path) -> None:
    write_sample(tmp_path / "again")
    write_sample(tmp_path / "other", seed=1)
    first = (generated / "ledgers" / "epoch-2.jsonl").read_bytes()
    assert (tmp_path / "again" / "ledgers" / "epoch-2.jsonl").read_bytes() == first
    assert (tmp_path / "other" / "ledgers" / "epoch-2.jsonl").read_bytes() != first


def test_community_shape(generated: Path) -> None:
    accounts: set[str] = set()
    for epoch in (0, 1, 2):
        ledger = read_ledger(generated / "ledgers" / f"epoch-{epoch}.jsonl", epoch=epoch)
        accounts |= set(ledger.points)
        totals = ledger.total_points()
        assert all(total > 0 for total in totals), dict(zip(ROLES, totals, strict=True))
        amounts = sorted(score_epoch(ledger.points, SAMPLE_POLICY).tokens.amounts.values())
        top_decile = sum(amounts[-len(amounts) // 10 :])
        assert top_decile * 100 > 40 * sum(amounts)  # long tail: the top 10% earn > 40%
    assert len(accounts) >= 200
    assert {account for account, _ in KEY_MEMBERS} <= accounts


def test_every_sample_row_is_signed_by_its_attester(generated: Path) -> None:
    """The forum bot signs the forum rows, the curators the rest, all within their budgets."""
    attesters = AttesterSet.load(generated / "attesters.json")
    assert attesters == sample_attesters()
    bot, shares, events = (attester_key(name).address for name, _, _ in ATTESTERS)
    for epoch in (0, 1, 2):
        ledger = generated / "ledgers" / f"epoch-{epoch}.jsonl"
        attestations = read_attestations(attestations_path(ledger))
        report = verify_attestations(ledger, attestations, attesters, SAMPLE_DOMAIN)
        assert report.ok, report.summary()
        rows = dict(numbered(ledger))
        signer = {line: b.batch.attester for b in attestations.batches for line in b.line_numbers()}
        for line, row in rows.items():
            want = (
                bot
                if row.ref.startswith("forum/")
                else events
                if row.ref.startswith("event/")
                else shares
            )
            assert signer[line] == want, (epoch, line, row.ref)
