"""The offline CLI: build, verify (exit status, named accounts), proof."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from communis.cli.expected import MappedErrorsCommand
from communis.cli.main import cli, main
from communis.engine.attest import AttesterSet
from communis.engine.merkle import Leaf, MerkleTree, split_proof, verify_proof
from communis.errors import CommunisError
from tests.helpers.attest import CHAIN_ID, REGISTRY, attester_set, key, secret
from tests.helpers.ledger import jsonl, policy, random_accounts, row, sample_rows, write

pytestmark = pytest.mark.offchain


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two epochs, each signed by one attester through `communis attest`, built."""
    policy().save(tmp_path / "policy.json")
    ledgers = [write(tmp_path / f"epoch-{e}.jsonl", jsonl(sample_rows(e))) for e in (1, 2)]
    monkeypatch.setenv("ATTESTER_KEY", secret(1))
    for epoch, ledger in zip((1, 2), ledgers, strict=True):
        domain = ["--domain-chain-id", str(CHAIN_ID), "--registry", REGISTRY]
        code = main(["attest", str(ledger), "--epoch", str(epoch), *domain,
                     "--key-env", "ATTESTER_KEY"])  # fmt: skip
        assert code == 0
    attester_set({key(1): 10**30}, [1, 2]).save(tmp_path / "attesters.json")
    out = tmp_path / "epochs"
    code = main(
        ["build", *map(str, ledgers), "--policy", str(tmp_path / "policy.json"),
         "--half-life", "4", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    return out


def test_build_writes_one_bundle_per_epoch(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == ["1", "2"]
    totals = json.loads((built / "2" / "totals.json").read_text())
    assert totals["previousRoot"] == json.loads((built / "1" / "totals.json").read_text())["root"]


def test_verify_ok_and_mismatch(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = json.loads((built / "2" / "totals.json").read_text())["root"]
    previous_root = json.loads((built / "1" / "totals.json").read_text())["root"]
    attesters = AttesterSet.load(built.parent / "attesters.json")
    given = ["--policy", str(built.parent / "policy.json"), "--half-life", "4",
             "--previous-root", previous_root, "--attesters", str(built.parent / "attesters.json"),
             "--attesters-hash", attesters.log_hash, "--chain-id", str(CHAIN_ID),
             "--registry", REGISTRY]  # fmt: skip
    assert main(["verify", str(built / "2"), "--root", root, *given]) == 0
    honest = MerkleTree.load(built / "2" / "tree.json")
    fake = random_accounts(1, seed=1234)[0]
    padded = sorted([*honest.values, Leaf(fake, 10**24, 1)], key=lambda v: v.account.lower())
    fraud = MerkleTree.build(padded)
    fraud.save(built / "2" / "tree.json")
    capsys.readouterr()
    assert main(["verify", str(built / "2"), "--root", fraud.root_hex, *given]) == 1
    assert f"differing account: {fake}" in capsys.readouterr().out


def test_proof_prints_a_verifiable_proof(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = MerkleTree.load(built / "2" / "tree.json")
    leaf = tree.values[5]
    capsys.readouterr()
    assert main(["proof", str(built / "2"), leaf.account.lower()]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["account"] == leaf.account and out["root"] == tree.root_hex
    proof = split_proof(b"".join(bytes.fromhex(p[2:]) for p in out["proof"]))
    assert verify_proof(tree.root, Leaf(leaf.account, int(out["cumulativeTokens"]),
                                        int(out["cumulativeInfluence"])), proof)  # fmt: skip


def test_errors_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy().save(tmp_path / "policy.json")
    bad = write(tmp_path / "epoch-1.jsonl", '{"epoch": 1}\n')
    code = main(["build", str(bad), "--policy", str(tmp_path / "policy.json"),
                 "--half-life", "4", "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    assert f"{bad}:1: field 'account'" in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "out").exists()
    assert main(["proof", str(tmp_path), "0x" + "12" * 20]) != 0


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (CommunisError("the ledger is late"), "error: the ledger is late"),
        (FileNotFoundError(2, "No such file or directory", "epochs/7"),
         "error: epochs/7: No such file or directory"),
    ],
)  # fmt: skip
def test_the_command_classes_map_expected_errors_once(error: Exception, line: str) -> None:
    @click.command(cls=MappedErrorsCommand)
    def fails() -> None:
        raise error

    result = CliRunner(mix_stderr=False).invoke(fails, [])
    assert result.exit_code == 2
    assert result.stderr.strip() == line and result.stdout == ""


@pytest.mark.parametrize("bug", [ValueError("a bug"), OSError("no file involved")])
def test_the_command_classes_let_bugs_through(bug: Exception) -> None:
    @click.command(cls=MappedErrorsCommand)
    def fails() -> None:
        raise bug

    result = CliRunner().invoke(fails, [])
    assert result.exit_code == 1 and result.exception is bug


def test_build_prints_the_policy_and_scoring_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A budget written in whole tokens (100000 base units) and a cap that binds everyone: the
    bundle is built (the input is valid) and both surprises are named before anyone proposes."""
    policy(token_budget=100_000).save(tmp_path / "policy.json")
    rows = [row(0, account, "creator", "5", f"r{i}") for i, account in
            enumerate(random_accounts(2, seed=3))]  # fmt: skip
    ledger = write(tmp_path / "epoch-0.jsonl", jsonl(rows))
    monkeypatch.setenv("ATTESTER_KEY", secret(1))
    domain = ["--domain-chain-id", str(CHAIN_ID), "--registry", REGISTRY]
    assert main(["attest", str(ledger), "--epoch", "0", *domain, "--key-env", "ATTESTER_KEY"]) == 0
    capsys.readouterr()
    code = main(["build", str(ledger), "--policy", str(tmp_path / "policy.json"),
                 "--half-life", "4", "--out", str(tmp_path / "epochs")])  # fmt: skip
    assert code == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"warning: {tmp_path / 'policy.json'}: tokenBudget is 100000 base units" in err
    assert 'for 100000 whole tokens write "100000000000000000000000"' in err
    assert "warning: epoch 0: the per-account cap binds every one of the 2 accounts" in err
    assert "warning: epoch 0: 50% of the token budget" in err


def test_report_help_covers_own_bundles(capsys: pytest.CaptureFixture[str]) -> None:
    assert CliRunner().invoke(cli, ["--help"]).output.count("of one's own epoch bundles") == 1
    assert main(["report", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert text.startswith("usage: communis report")
    assert (
        "one's own epoch bundles: bundle folders or a folder of them such as epochs/<chainId>"
        in (text)
    )
