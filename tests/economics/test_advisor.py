"""The advisor: the shipped config passes; a profitable attack is refused on a live chain unless
the deployer names it with --accept-risk."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.deploy.config import ConfigError, load
from communis.economics.advisor import RiskRefused, advise, check_accepted
from communis.economics.attacks import KEYS, evaluate
from communis.economics.params import Assumptions, Parameters
from communis.economics.report import stresses
from communis.engine.policy import DAY

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "config" / "deploy.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deploy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_has_no_profitable_attack() -> None:
    findings = advise(load(ROOT / "config" / "deploy.toml"))
    assert [f.key for f in findings] == list(KEYS)
    assert not [f for f in findings if f.profitable]
    check_accepted(findings, (), live=True)


def test_attack_cheap_bond_is_refused_on_a_live_chain(tmp_path: Path) -> None:
    """A 10 CMN proposer bond makes a padded root pay even with one watcher."""
    cheap = write(tmp_path, SHIPPED.replace('proposer_bond = "1000"', 'proposer_bond = "10"'))
    findings = advise(load(cheap))
    profitable = {f.key for f in findings if f.profitable}
    assert profitable == {"fraudulent-root", "padded-ledger"}
    with pytest.raises(RiskRefused, match="--accept-risk fraudulent-root --accept-risk padded"):
        check_accepted(findings, (), live=True)
    with pytest.raises(RiskRefused, match="padded-ledger"):
        check_accepted(findings, ("fraudulent-root",), live=True)
    check_accepted(findings, ("fraudulent-root", "padded-ledger"), live=True)
    check_accepted(findings, (), live=False)  # local chains deploy anything


def test_attesters_are_a_named_risk(tmp_path: Path) -> None:
    """An attester appointed at deployment can sign invented rows within its budget; there is no
    attester bond, so deploying one on a live chain takes --accept-risk corrupt-attester."""
    text = SHIPPED + '\n[attesters]\n"0x' + "ab" * 20 + '" = "2500"\n'
    findings = advise(load(write(tmp_path, text)))
    assert [f.key for f in findings if f.profitable] == ["corrupt-attester"]
    check_accepted(findings, ("corrupt-attester",), live=True)


def test_bad_attester_budget_names_the_field(tmp_path: Path) -> None:
    text = SHIPPED + '\n[attesters]\n"0x' + "ab" * 20 + '" = "lots"\n'
    # The deployment config refuses it first, naming the same field.
    with pytest.raises(ConfigError, match=r"attesters\.0x(ab)+: expected a budget in points"):
        advise(load(write(tmp_path, text)))


def test_unknown_risk_name_is_refused_everywhere() -> None:
    findings = advise(load(ROOT / "config" / "deploy.toml"))
    with pytest.raises(RiskRefused, match="unknown attack typo"):
        check_accepted(findings, ("typo",), live=False)


def test_attack_silent_governance_and_catch_up_roots_at_the_defaults() -> None:
    """The harsher cases hold with one watcher at the shipped defaults: a governance that never
    votes (a caught fraud costs only the dispute fee), a catch-up root over three epochs, both
    at once, and a whole budget finalized but unclaimed. With the former two-day challenge
    window a padded root paid off when governance never votes (one watcher misses two days
    with 0.68%, four days with 0.09%)."""
    config = load(ROOT / "config" / "deploy.toml")
    analysis = stresses(Parameters.from_config(config), Assumptions())
    assert [s.name for s in analysis] == [
        "governance never votes",
        "catch-up root over 3 epochs",
        "governance never votes, catch-up root over 3 epochs",
        "one token budget finalized but unclaimed",
    ]
    assert [r.key for s in analysis for r in s.profitable] == []
    two_days = Parameters.from_config(config).with_(challenge_window=2 * DAY)
    silent = Assumptions(governance_votes=False)
    assert [r.key for r in evaluate(two_days, silent) if r.profitable] == ["fraudulent-root"]
    assert not [r for r in evaluate(two_days, silent.with_(watchers=2)) if r.profitable]


def test_deploy_command_takes_accept_risk() -> None:
    from communis.cli.deploy import cli

    option = next(p for p in cli.params if p.name == "accepted")
    assert option.multiple and list(option.type.choices) == list(KEYS)
