"""`ape run epoch` commands, run in-process (click's runner) against the test chain."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.helpers.attest import attested
from tests.helpers.scripts import account_alias, load_script
from tests.helpers.time import end_epoch


@pytest.fixture(scope="module")
def epoch_cli():
    return load_script("epoch").cli


@pytest.fixture
def epoch_command(epoch_cli, networks):
    network = networks.provider.network_choice
    if networks.provider.name != "test":
        # The command's --network connects its own provider; for anvil that is a fresh node
        # without the fixtures' contracts. The library underneath runs on both EVMs
        # (test_epoch_ops.py); this test covers the command layer on the in-process EVM.
        pytest.skip("the CLI layer is exercised on the in-process EVM only")

    def invoke(*args):
        return CliRunner().invoke(epoch_cli, [*args, "--network", network])

    return invoke


def test_status_build_propose_challenge_resolve_verify_finalize_claim(
    epoch_command,
    rewards,
    chain,
    genesis,
    tmp_path,
    accounts,
    proposer,
    guardian,
    gov,
    alice,
    bob,
    attest_domain,
):
    ledger = tmp_path / "ledger.jsonl"
    row = {"epoch": 0, "account": alice.address, "role": "creator", "points": "3", "ref": "x"}
    ledger.write_text(json.dumps(row) + "\n")
    attested(ledger, domain=attest_domain)
    address = str(rewards.address)
    result = epoch_command("status", "--rewards", address)
    assert result.exit_code == 0, result.output
    assert "next epoch to propose" in result.output
    out = tmp_path / "epochs"
    result = epoch_command("build", str(ledger), "--rewards", address, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "epoch 0:" in result.output
    end_epoch(chain, genesis, 0)
    result = epoch_command(
        "propose",
        str(out / "0"),
        "--rewards",
        address,
        "--account",
        account_alias(accounts, proposer),
    )
    assert result.exit_code == 0, result.output
    assert "proposeRoot" in result.output

    # A challenge (the root is discarded into a dispute), the dispute commands, a verdict.
    # (One test: the command's own connection defeats the fixtures' isolation between tests.)
    def run(*args, who):
        return epoch_command(*args, "--rewards", address, "--account", account_alias(accounts, who))

    result = run("challenge", "0", "--evidence", "ipfs://report", who=guardian)
    assert result.exit_code == 0, result.output
    assert "dispute_deadline" in result.output
    result = epoch_command("status", "--rewards", address)
    assert result.exit_code == 0, result.output
    assert "dispute: epoch 0" in result.output
    result = run("settle", "0", who=alice)
    assert result.exit_code == 2 and "open for a verdict until" in result.output
    assert "Traceback" not in result.output
    result = run("prove", str(out / "0"), who=alice)
    assert result.exit_code == 2 and "nothing to prove against" in result.output
    result = run("resolve", "0", "--reject", "--direct", who=gov)
    assert result.exit_code == 0, result.output
    assert "resolveDispute" in result.output
    assert "dispute: epoch 0" not in epoch_command("status", "--rewards", address).output
    result = run("propose", str(out / "0"), who=proposer)  # not upheld: proposable again
    assert result.exit_code == 0, result.output

    result = epoch_command("verify", str(out / "0"), "--rewards", address)
    assert result.exit_code == 0, result.output
    result = epoch_command(
        "finalize", "0", "--rewards", address, "--account", account_alias(accounts, alice)
    )
    assert result.exit_code != 0 and "window" in result.output
    chain.pending_timestamp = rewards.pendingProposal().challengeDeadline
    chain.mine()
    result = epoch_command(
        "finalize", "0", "--rewards", address, "--account", account_alias(accounts, alice)
    )
    assert result.exit_code == 0, result.output
    result = epoch_command(
        "claim", str(out / "0"), "--rewards", address, "--account", account_alias(accounts, bob)
    )
    assert result.exit_code == 0, result.output
    assert "claimed for 1 of 1 accounts" in result.output
