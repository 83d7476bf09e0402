"""config/deploy.toml validation: every error names the file, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.deploy_config import ConfigError, load

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
GOOD = """version = 1
[token]
name = "Communis"
symbol = "CMN"
cap = "1000"
genesis_supply = "10.5"
genesis_holder = "deployer"
"""


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "deploy.toml"
    path.write_text(text)
    return path


def test_shipped_config_is_valid():
    config = load(ROOT / "config" / "deploy.toml")
    assert config.token.genesis_supply <= config.token.cap
    assert len(config.sha256) == 64


def test_amounts_in_smallest_units(tmp_path):
    config = load(write(tmp_path, GOOD))
    assert config.token.cap == 1000 * 10**18
    assert config.token.genesis_supply == 105 * 10**17


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version = 1", "version = 2", "field 'version' is 2"),
        ('cap = "1000"', 'cap = "-1"', "token.cap: must be >= 0"),
        ('cap = "1000"', 'cap = "ten"', "token.cap: not a decimal number: 'ten'"),
        ('cap = "1000"', "cap = 1000", "token.cap: expected a decimal string"),
        ('cap = "1000"', 'cap = "0"', "token.cap: must be > 0"),
        ('genesis_supply = "10.5"', 'genesis_supply = "1e-19"', "at most 18 decimals"),
        ('genesis_supply = "10.5"', 'genesis_supply = "1001"', "genesis_supply: 1001 exceeds cap"),
        ('genesis_holder = "deployer"', 'genesis_holder = "0x12"', "genesis_holder: expected"),
        ('name = "Communis"', 'name = ""', "token.name: expected a non-empty string"),
        ("[token]", "[tokens]", "missing table [token]"),
        ("version = 1", "version = = 1", "not valid TOML"),
    ],
)
def test_bad_config(tmp_path, old, new, message):
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ConfigError) as info:
        load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
