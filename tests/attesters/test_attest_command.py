"""`ape run attest`: an ape account signs rows as an attester through the EIP-712 document a
wallet shows; the registry on chain accepts the batch it signed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from communis.engine.attest import attestations_path, read_attestations
from tests.helpers.ledger import jsonl, row, write
from tests.helpers.scripts import account_alias, load_script

POINT = 10**18


@pytest.fixture(scope="module")
def attest_cli():
    return load_script("attest").cli


@pytest.fixture
def attest_command(attest_cli, networks):
    if networks.provider.name != "test":
        # The command connects its own provider (for anvil a fresh node without the module's
        # registry); signing itself does not depend on the EVM.
        pytest.skip("the command layer is exercised on the in-process EVM")
    network = networks.provider.network_choice

    def invoke(*args: str):
        return CliRunner().invoke(attest_cli, [*args, "--network", network])

    return invoke


def test_ape_account_signs_a_batch_the_registry_accepts(
    attest_command, attester_registry, attest_domain, gov, alice, bob, accounts, tmp_path
) -> None:
    ledger = write(
        tmp_path / "epoch-0.jsonl",
        jsonl(row(0, bob.address, "creator", f"{i}.5", f"forum/{i}") for i in range(1, 6)),
    )
    attester_registry.appoint(alice, 100 * POINT, sender=gov)
    result = attest_command(
        str(ledger), "--epoch", "0", "--account", account_alias(accounts, alice),
        "--registry", str(attester_registry.address), "--lines", "2-4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"attester {alice.address} signed 3 rows" in result.output
    assert f"next: run `ape run attest {ledger} --epoch 0 --account ATTESTER --network" in (
        result.output
    )
    assert "(2 rows are not signed yet: another attester signs them" in result.output
    attestations = read_attestations(attestations_path(ledger))
    assert attestations.domain == attest_domain
    (signed,) = attestations.batches
    b = signed.batch
    assert attester_registry.isValidBatch(
        b.attester, b.epoch, b.rows_root, b.points, b.row_count, signed.signature
    )
    # Another deployment's registry: the signature is for that one, not this.
    other = attest_command(
        str(ledger), "--epoch", "0", "--account", account_alias(accounts, bob),
        "--registry", "0x" + "12" * 20, "--out", str(tmp_path / "other.json"),
    )  # fmt: skip
    assert other.exit_code == 0, other.output
    assert f"next: run `ape run epoch build {ledger} --network" in other.output  # all 5 signed
    (foreign,) = read_attestations(tmp_path / "other.json").batches
    f = foreign.batch
    assert not attester_registry.isValidBatch(
        f.attester, f.epoch, f.rows_root, f.points, f.row_count, foreign.signature
    )


def test_bad_registry_is_one_line(attest_command, tmp_path) -> None:
    ledger = write(
        tmp_path / "epoch-0.jsonl", jsonl([row(0, "0x" + "11" * 20, "creator", "1", "r")])
    )
    result = attest_command(str(ledger), "--epoch", "0", "--registry", "0x1234")
    assert result.exit_code == 2 and "is not a 0x-prefixed 20-byte hex address" in result.output
    assert not attestations_path(ledger).exists()
