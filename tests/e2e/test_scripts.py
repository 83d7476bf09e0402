"""The example operator script (scripts/top_contributors.py) against a deployed system with
claimed rewards, on the connected network."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from communis.chain import epochs
from communis.chain.system import System
from communis.cli.top_contributors import top_contributors
from communis.deploy.config import AttesterParams, load
from communis.deploy.deployer import Deployer
from communis.deploy.journal import Journal
from communis.deploy.plan import build_plan
from communis.engine.attest import Domain
from tests.helpers.attest import attested, key

ROOT = Path(__file__).resolve().parents[2]


def test_top_contributors(project, chain, accounts, tmp_path):
    deployer = accounts[0]
    demo = load(ROOT / "examples" / "deploy-demo.toml")
    # The attester signing the ledger below, appointed by the deployment (as [attesters] does).
    config = replace(demo, attesters=AttesterParams(((key(1).address, 10**30),)))
    journal = Journal.open(tmp_path / "deployments", chain.chain_id)
    Deployer(project, deployer, journal).run(build_plan(config, now=chain.pending_timestamp))
    system = System.load(tmp_path / "deployments")

    ledger = tmp_path / "epoch-0.jsonl"
    rows = [
        (accounts[1], "creator", "30"),
        (accounts[2], "curator", "20"),
        (accounts[3], "participant", "5"),
    ]
    ledger.write_text(
        "".join(
            json.dumps({"epoch": 0, "account": a.address, "role": r, "points": p, "ref": f"r{i}"})
            + "\n"
            for i, (a, r, p) in enumerate(rows)
        )
    )
    domain = Domain(chain.chain_id, str(system.attesters.address))
    epochs.build(system.rewards, attested(ledger, domain=domain), tmp_path / "epochs")
    genesis, duration = system.influence.genesis(), system.influence.epochDuration()
    chain.pending_timestamp = genesis + duration + 1
    chain.mine()
    epochs.propose(system.rewards, tmp_path / "epochs" / "0", deployer)
    chain.pending_timestamp = system.rewards.pendingProposal().challengeDeadline + 1
    chain.mine()
    epochs.finalize(system.rewards, 0, deployer)
    epochs.claim_all(system.rewards, tmp_path / "epochs" / "0", accounts[8])

    top = top_contributors(system, limit=2)
    assert len(top) == 2
    assert top == sorted(top, key=lambda row: (-row[1], row[0]))
    claimants = {a.address for a, _, _ in rows}
    for account, tokens, influence in top:
        assert account in claimants
        assert tokens == system.token.balanceOf(account) > 0
        assert influence == system.influence.balanceOf(account) > 0
