"""`ape run epoch` commands, run in-process (click's runner) against the test chain."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from communis.chain import epochs
from communis.engine.units import format_when
from tests.helpers.attest import attested
from tests.helpers.constants import WEEK
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
    assert "0 to propose; it ends" in result.output
    assert "  weights    creator 5, curator 3, guardian 4, participant 1" in result.output
    assert "  bonds      proposer 1,000 CMN, challenger 200 CMN" in result.output
    assert "  disputes   14d 0h for a verdict; without one each party pays 20%" in result.output
    assert "next: after" in result.output and "ape run epoch propose BUNDLE" in result.output
    out = tmp_path / "epochs"
    result = epoch_command("build", str(ledger), "--rewards", address, "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("epoch 0: 1 rows, 1 accounts, 1,500 CMN and 150 influence; root")
    assert lines[1].startswith(f"bundle: {out / '0'} (every row attested, ledger root 0x")
    # The scoring's warnings (the cap binds the one account, 85% goes unpaid) and the order's.
    assert "warning: the per-account cap binds every one of the 1 accounts" in result.output
    assert "warning: 85% of the token budget (8,500 of 10,000 tokens)" in result.output
    assert "warning: epoch 0 is still running (the chain is in epoch 0)" in result.output
    assert f"next: after {format_when(genesis + WEEK)}" in result.output
    assert f"run `ape run epoch propose {out / '0'} --network" in result.output

    # An unattested ledger of the next epoch: refused, or built as a draft that says what next.
    draft = tmp_path / "ledger-1.jsonl"
    draft.write_text(json.dumps({**row, "epoch": 1}) + "\n")
    result = epoch_command("build", str(draft), "--rewards", address, "--out", str(out))
    assert result.exit_code == 2 and "no attestations" in result.output
    result = epoch_command("build", str(draft), "--draft", "--rewards", address, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "(DRAFT: not every row is attested, it cannot be proposed)" in result.output
    assert "warning: epoch 1 is not the next epoch on chain (0): a root for it covers epoch 0" in (
        result.output
    )
    assert f"next: run `ape run attest {draft} --epoch 1 --account ATTESTER --network" in (
        result.output
    )
    end_epoch(chain, genesis, 0)

    # Without the bond: one line in CMN saying where the tokens come from; nothing sent.
    result = epoch_command(
        "propose", str(out / "0"), "--rewards", address, "--account", account_alias(accounts, bob)
    )
    assert result.exit_code == 2
    assert f"error: {bob.address} holds 0 CMN but the proposer bond is 1,000 CMN: fund it" in (
        result.output
    )
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1

    result = epoch_command(
        "propose",
        str(out / "0"),
        "--rewards",
        address,
        "--account",
        account_alias(accounts, proposer),
        "--json",
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert [s["action"] for s in record["sent"]][-1] == "proposeRoot"
    deadline = rewards.pendingProposal().challengeDeadline
    assert record["sent"][-1]["challenge_deadline"] == deadline
    assert record["next"][0] == {
        "command": "ape run epoch finalize 0",
        "after": deadline,
        "why": "when nobody challenged it",
        "advance": "window-end",
    }
    result = epoch_command("status", "--rewards", address, "--raw")
    assert "bonds      proposer 1000000000000000000000 token units" in result.output
    assert f"challenge window closes {deadline}" in result.output
    status = json.loads(epoch_command("status", "--rewards", address, "--json").output)["status"]
    assert status["pending"]["epoch"] == 0 and status["policy"]["proposerBond"] == str(10**21)

    # A challenge (the root is discarded into a dispute), the dispute commands, a verdict.
    # (One test: the command's own connection defeats the fixtures' isolation between tests.)
    def run(*args, who):
        return epoch_command(*args, "--rewards", address, "--account", account_alias(accounts, who))

    result = run("challenge", "0", "--evidence", "ipfs://report", who=guardian)
    assert result.exit_code == 0, result.output
    assert "discarded into a dispute, bond 200 CMN; a verdict is due before" in result.output
    assert "evidence ipfs://report" in result.output
    assert "next: run `ape run epoch resolve 0 --uphold --network " in result.output
    assert "  or: run `ape run epoch propose BUNDLE --network " in result.output
    assert "  or: after " in result.output and "ape run epoch settle 0 --network " in result.output
    result = epoch_command("status", "--rewards", address)
    assert result.exit_code == 0, result.output
    assert "dispute      epoch 0: root" in result.output
    result = run("settle", "0", who=alice)
    assert result.exit_code == 2 and "open for a verdict until" in result.output
    assert "Traceback" not in result.output
    result = run("prove", str(out / "0"), who=alice)
    assert result.exit_code == 2 and "nothing to prove against" in result.output
    result = run("resolve", "0", "--reject", "--direct", who=gov)
    assert result.exit_code == 0, result.output
    assert "sent resolveDispute: the challenge of epoch 0 is rejected" in result.output
    assert "next: run `ape run epoch propose BUNDLE" in result.output
    assert "dispute      epoch 0" not in epoch_command("status", "--rewards", address).output
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


def test_simulate_models_the_settings_in_force(epoch_command, deployed_system):
    """`ape run epoch simulate` reads the policy and governor settings from the chain: the same
    parameters as the config the system was deployed from, so the same attack table as
    `communis simulate --config` (here read-only: nothing is sent)."""
    from communis.chain.governance import Governance
    from communis.deploy.config import load
    from communis.economics.attacks import KEYS
    from communis.economics.params import Parameters

    system = deployed_system
    gov = Governance.connect(str(system.governor.address))
    onchain = epochs.onchain_parameters(system.rewards, gov)
    assert onchain == Parameters.from_config(load(system.journal / "deploy.toml"))
    contracts = ("--rewards", str(system.rewards.address), "--governor", str(system.governor))
    result = epoch_command("simulate", *contracts)
    assert result.exit_code == 0, result.output
    assert f"Attacks at the settings in force on {system.rewards.address}" in result.output
    rows = json.loads(epoch_command("simulate", *contracts, "--json").output)
    assert [r["attack"] for r in rows] == list(KEYS)
    silent = json.loads(
        epoch_command("simulate", *contracts, "--json", "--governance", "silent").output
    )
    assert silent != rows  # the assumption reaches the models
