"""config/deploy.toml validation: every error names the file, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.deploy.config import ConfigError, load
from communis.engine.policy import DEFAULT_POLICY

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "config" / "deploy.toml").read_text(encoding="utf-8")


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "deploy.toml"
    path.write_text(text)
    return path


def test_shipped_config_is_valid():
    config = load(ROOT / "config" / "deploy.toml")
    assert config.token.genesis_supply <= config.token.cap
    assert config.token.genesis_holder == "timelock"
    assert config.influence.genesis is None  # "now"
    assert config.influence.epoch_duration * config.influence.half_life_epochs >= 26 * 7 * 86400
    assert config.rewards.policy == DEFAULT_POLICY  # the data file agrees with the code
    assert config.rewards.proposers == ("deployer",)
    assert len(config.sha256) == 64


def test_units(tmp_path):
    text = SHIPPED.replace('genesis_supply = "100000000"', 'genesis_supply = "10000.5"')
    config = load(write(tmp_path, text.replace('timelock_delay = "2d"', 'timelock_delay = "90s"')))
    assert config.token.cap == 10**9 * 10**18
    assert config.token.genesis_supply == 100005 * 10**17
    assert config.governance.timelock_delay == 90
    assert config.influence.epoch_duration == 7 * 86400


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version = 1", "version = 2", "field 'version' is 2"),
        ('cap = "1000000000"', 'cap = "-1"', "token.cap: must be >= 0"),
        ('cap = "1000000000"', 'cap = "ten"', "token.cap: not a decimal number: 'ten'"),
        ('cap = "1000000000"', "cap = 1000", "token.cap: expected a decimal string"),
        ('cap = "1000000000"', 'cap = "0"', "token.cap: must be > 0"),
        ('genesis_supply = "100000000"', 'genesis_supply = "1e-19"', "at most 18 decimals"),
        ('genesis_supply = "100000000"', 'genesis_supply = "2000000000"', "exceeds cap"),
        ('genesis_supply = "100000000"', 'genesis_supply = "999"', "cannot pay one proposer bond"),
        ("guardians = []", 'guardians = ["deployer", "deployer"]', "listed twice"),
        ("guardians = []", 'guardians = "deployer"', "rewards.guardians: expected a list"),
        (
            'genesis_holder = "timelock"',
            'genesis_holder = "0x12"',
            "token.genesis_holder: expected",
        ),
        ('name = "Communis"', 'name = ""', "token.name: expected a non-empty string"),
        ("[token]", "[tokens]", "missing table [token]"),
        ("version = 1", "version = = 1", "not valid TOML"),
        ('genesis = "now"', 'genesis = "soon"', 'influence.genesis: expected "now"'),
        ('epoch_duration = "1w"', 'epoch_duration = "7 days"', "influence.epoch_duration"),
        ("half_life_epochs = 26", "half_life_epochs = 25", "shorter than the 26 weeks"),
        ("quorum_percent = 4", "quorum_percent = 0", "governance.quorum_percent"),
        ('proposal_guardian = "deployer"', 'proposal_guardian = "me"', "proposal_guardian"),
        ("account_cap_bps = 500", "account_cap_bps = 10001", "rewards.account_cap_bps"),
        ("creator_weight = 5", "creator_weight = -1", "rewards.creator_weight"),
        ('proposers = ["deployer"]', "proposers = []", "rewards.proposers: expected a non-empty"),
        ('proposers = ["deployer"]', 'proposers = ["bob"]', "rewards.proposers[0]"),
        ('proposer_bond = "1000"', 'proposer_bond = "x"', "rewards.proposer_bond"),
    ],
)
def test_bad_config(tmp_path, old, new, message):
    assert old in SHIPPED
    path = write(tmp_path, SHIPPED.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_all_weights_zero(tmp_path):
    text = SHIPPED
    for role, weight in (("creator", 5), ("curator", 3), ("guardian", 4), ("participant", 1)):
        text = text.replace(f"{role}_weight = {weight}", f"{role}_weight = 0")
    with pytest.raises(ConfigError, match="at least one role weight must be > 0"):
        load(write(tmp_path, text))


def test_config_whose_bonds_exceed_the_genesis_cannot_start(tmp_path):
    guardians = ", ".join(f'"0x{i:040x}"' for i in range(1, 5))
    text = SHIPPED.replace('genesis_supply = "100000000"', 'genesis_supply = "1500"').replace(
        "guardians = []", f"guardians = [{guardians}]"
    )
    with pytest.raises(ConfigError, match="exceed the genesis supply"):
        load(write(tmp_path, text))


@pytest.mark.parametrize("shipped", ["config/deploy.toml", "examples/deploy-demo.toml"])
def test_shipped_configs_start_with_the_default_policy(shipped: str) -> None:
    """The data files carry the starting policy as data; the code's one source is
    DEFAULT_POLICY, and the two must agree."""
    assert load(ROOT / shipped).rewards.policy == DEFAULT_POLICY
