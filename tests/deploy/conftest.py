"""Fixtures of the deployment tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from communis.deploy.config import load
from communis.deploy.plan import build_plan
from tests.helpers.anvil import ROOT
from tests.helpers.testnet import ALIAS, PASSPHRASE


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
    (data / "accounts").mkdir(parents=True)
    key = Account.create()
    (data / "accounts" / f"{ALIAS}.json").write_text(
        json.dumps(Account.encrypt(key.key, PASSPHRASE))
    )
    return data, key.address
