"""`ape run verify --network <ecosystem:network:provider> [CONTRACT] [--out DIR]`

Writes each deployed contract's standard-json input (<Contract>.input.json) and ABI-encoded
constructor arguments (<Contract>.args) from the deployment journal; with an Etherscan API key
(--api-key or ETHERSCAN_API_KEY) also submits them through Etherscan's V2 API.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from communis.cli.options import deployments_option
from communis.deploy.deployer import default_journal_dir
from communis.deploy.journal import Journal, JournalError
from communis.deploy.verification import (
    ETHERSCAN_V2,
    VerificationError,
    submit_to_etherscan,
    write_verification_files,
)


@click.command(cls=ConnectedProviderCommand, short_help="Explorer verification files (+ Etherscan)")
@network_option()
@click.argument("contract", required=False)
@deployments_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="where to write [default: <deployments>/<chainId>/verification/]",
)
@click.option("--api-key", envvar="ETHERSCAN_API_KEY", default=None, help="Etherscan API key")
@click.option("--api-url", default=ETHERSCAN_V2, show_default=True, hidden=True)
def cli(ecosystem, network, provider, contract, deployments, out, api_key, api_url):
    import ape

    try:
        folder = deployments or default_journal_dir(ape.project)
        chain_id = ape.chain.chain_id
        journal = Journal.open(folder, chain_id)
        target = out or folder / str(chain_id) / "verification"
        written = write_verification_files(ape.project, journal, target, contract)
        for files in written:
            click.echo(
                f"{files.name} {files.address} {files.qualified_name} solc {files.compiler} "
                f"input {files.input_path} ({files.input_hash}) args {files.args_path}"
            )
            if api_key:
                verdict = submit_to_etherscan(files, chain_id, api_key, api_url=api_url)
                click.echo(f"{files.name}: Etherscan: {verdict}")
    except (JournalError, VerificationError) as err:
        raise click.ClickException(str(err)) from None
