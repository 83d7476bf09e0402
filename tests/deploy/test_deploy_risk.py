"""`ape run deploy` and the economics advisor: a config that makes a modelled attack profitable
is refused on a live chain before anything is sent, unless `--accept-risk` names the attack."""

from __future__ import annotations

import pytest

from tests.helpers.anvil import anvil
from tests.helpers.testnet import SEPOLIA, deploy, live_config

pytestmark = pytest.mark.offchain


def test_attack_cheap_proposer_bond_refused_on_live_chain(keystore, tmp_path):
    """A 10 CMN proposer bond: a padded root pays its proposer even with one watcher."""
    data, address = keystore
    shipped = live_config(tmp_path).read_text(encoding="utf-8")
    cheap = tmp_path / "cheap.toml"
    cheap.write_text(shipped.replace('proposer_bond = "1000"', 'proposer_bond = "10"'))
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", address, hex(10**12))  # too little to deploy anything
        code, output = deploy(node, data, tmp_path / "d", config=cheap)
        assert code != 0
        assert "Attacks at" in output and "PROFITABLE" in output
        assert "--accept-risk fraudulent-root --accept-risk padded-ledger" in output
        assert "Traceback" not in output
        # Naming both risks gets past the advisor: the next check (funds) stops it instead.
        accepted = ("--accept-risk", "fraudulent-root", "--accept-risk", "padded-ledger")
        code, output = deploy(node, data, tmp_path / "d", config=cheap, extra=accepted)
        assert code != 0
        assert "fund it and rerun (nothing was sent)" in output
        assert node.nonce(address, "pending") == 0
    assert not (tmp_path / "d").exists()
