"""Fixtures of the deployment tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account

from communis.deploy.config import load
from communis.deploy.plan import build_plan
from tests.helpers.anvil import ROOT
from tests.helpers.testnet import write_keystore


@pytest.fixture
def config():
    """The shipped deployment parameters (config/deploy.toml)."""
    return load(ROOT / "config" / "deploy.toml")


@pytest.fixture
def plan(config, chain):
    """The deployment plan of ``config``, genesis now."""
    return build_plan(config, now=chain.pending_timestamp)


@pytest.fixture
def keystore(tmp_path: Path) -> tuple[Path, str]:
    """A fresh ape data folder holding one keystore account; returns (folder, address)."""
    data = tmp_path / "ape-data"
    key = Account.create()
    write_keystore(data, key.key)
    return data, key.address
