"""``communis attest``: sign ledger rows as an attester (a key from the environment or a keystore)
and merge the batch into the ledger's attestations."""

from __future__ import annotations

import os
from pathlib import Path

import click

from communis.cli.expected import MappedErrorsCommand
from communis.cli.offline.options import checked_address, selection_options
from communis.engine.attest.errors import AttestationError
from communis.engine.attest.files import attestations_path, read_attestations, write_attestations
from communis.engine.attest.hashing import Domain
from communis.engine.attest.keys import BatchSigner, SigningKey
from communis.engine.attest.sign import attest_ledger, parse_line_ranges
from communis.engine.ledger import read_ledger
from communis.engine.units import format_amount


def _signer(key_env: str | None, keystore: Path | None, passphrase_env: str | None) -> SigningKey:
    """The attester's key from an environment variable or a keystore (never printed)."""
    if (key_env is None) == (keystore is None):
        raise AttestationError("give exactly one of --key-env VAR and --keystore FILE")
    if key_env is not None:
        secret = os.environ.get(key_env)
        if not secret:
            raise AttestationError(f"environment variable {key_env} is not set or empty")
        return SigningKey(secret.strip())
    assert keystore is not None
    if passphrase_env is not None:
        passphrase = os.environ.get(passphrase_env)
        if passphrase is None:
            raise AttestationError(f"environment variable {passphrase_env} is not set")
    else:
        passphrase = click.prompt(
            f"Passphrase of {keystore}", hide_input=True, err=True, default="", show_default=False
        )
    return SigningKey.from_keystore(keystore, passphrase)


@click.command(cls=MappedErrorsCommand)
@selection_options
@click.option(
    "--domain-chain-id",
    "chain_id",
    required=True,
    type=click.IntRange(min=1),
    help="Chain id of the deployment (EIP-712 domain).",
)
@click.option("--registry", required=True, help="The deployment's AttesterRegistry address.")
@click.option("--key-env", metavar="VAR", help="Environment variable holding the private key.")
@click.option(
    "--keystore",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Encrypted JSON keystore of the attester.",
)
@click.option(
    "--passphrase-env", metavar="VAR", help="Environment variable holding the keystore passphrase."
)
def attest(
    ledger: Path,
    epoch: int,
    chain_id: int,
    registry: str,
    lines_text: str | None,
    ref_prefixes: tuple[str, ...],
    key_env: str | None,
    keystore: Path | None,
    passphrase_env: str | None,
    out: Path | None,
) -> None:
    """Sign rows of LEDGER as an attester and merge the batch into its attestations file.

    One batch per attester per epoch: signing again replaces the attester's earlier batch. The
    key comes from --key-env (hex) or --keystore (passphrase from --passphrase-env or asked);
    it is never printed.
    """
    domain = Domain(chain_id, checked_address(registry, "--registry"))
    lines = parse_line_ranges(lines_text) if lines_text is not None else None
    key = _signer(key_env, keystore, passphrase_env)
    sign_and_merge(ledger, key, domain, epoch, lines, ref_prefixes, out)


def sign_and_merge(
    ledger: Path,
    signer: BatchSigner,
    domain: Domain,
    epoch: int,
    lines: list[tuple[int, int]] | None,
    ref_prefixes: tuple[str, ...],
    out: Path | None,
) -> int:
    """Sign the selected rows of ``ledger`` as ``signer``, merge the batch into the ledger's
    attestations file (``out``, default beside the ledger) and say what it covers (the commands
    `communis attest` and `ape run attest`). Returns how many rows no batch covers yet."""
    path = out or attestations_path(ledger)
    existing = read_attestations(path) if path.exists() else None
    result = attest_ledger(
        ledger,
        signer,
        domain,
        epoch,
        lines=lines,
        ref_prefixes=ref_prefixes,
        existing=existing,
    )
    write_attestations(result.attestations, path)
    batch = result.signed.batch
    covered = sum(b.batch.row_count for b in result.attestations.batches)
    rows = read_ledger(ledger, epoch=epoch).rows
    verb = "replaced its earlier batch" if result.replaced else "added a batch"
    click.echo(
        f"attester {batch.attester} signed {batch.row_count} rows "
        f"({format_amount(batch.points, places=4)} points) of epoch {epoch} and {verb}"
    )
    click.echo(
        f"{path}: {len(result.attestations.batches)} batches cover {covered} of {rows} rows; "
        f"ledger root 0x{result.attestations.ledger_root.hex()}"
    )
    return rows - covered
