"""Fixtures of the deployment tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from tests.helpers.testnet import ALIAS, PASSPHRASE


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
