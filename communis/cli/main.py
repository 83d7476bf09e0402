"""``communis``: offline epoch tools (a thin layer over the library; no chain access).

communis attest LEDGER --epoch 3 --domain-chain-id 31337 --registry 0x... --key-env BOT_KEY
communis build LEDGER... --policy policy.json --half-life 12 --out epochs/31337
communis verify epochs/31337/3 --proposal proposal.json --attesters attesters.json --half-life 26 \
    --previous-root 0x...
communis proof epochs/31337/3 0xAccount
communis pack epochs/31337/3

Each command lives in its module of :mod:`communis.cli.offline`; this module groups them.
"""

from __future__ import annotations

import sys

import click

from communis.cli.expected import OfflineGroup, run_standalone
from communis.cli.offline.attest import attest
from communis.cli.offline.build import build
from communis.cli.offline.bundles import pack, proof
from communis.cli.offline.sample import claim_page, report, sample
from communis.cli.offline.verify import verify
from communis.economics.cli import simulate


@click.group(cls=OfflineGroup)
@click.version_option(package_name="communis")
def cli() -> None:
    """Communis epoch engine: build, verify and prove epoch reward bundles, offline."""


for command in (build, verify, attest, pack, proof, sample, claim_page, report, simulate):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: expected errors become one line on stderr and exit status 2."""
    return run_standalone(cli, argv, "communis")


if __name__ == "__main__":
    sys.exit(main())
