"""``ape run status ACCOUNT [--bundle BUNDLE] [--json] [--raw] --network <choice>``

One member's standing: tokens, influence now and as stored, votes, delegate, what it claimed and,
with ``--bundle``, what it can still claim. ACCOUNT is an address, an account alias (``TEST::1``,
a keystore alias) or a contract name of the journal. Amounts for people by default; ``--raw``
shows them as the contracts return them, ``--json`` prints everything for scripts. The logic is
:func:`communis.chain.member.member_status`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from communis.cli.base import CommunisCommand


@click.command(cls=CommunisCommand, short_help="One member's tokens, influence, votes, delegate")
@click.argument("account")
@click.option(
    "--bundle",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="an epoch bundle: show what ACCOUNT can still claim under it",
)
@click.option("--raw", is_flag=True, help="Amounts in smallest units, times in unix seconds")
@click.option("--json", "as_json", is_flag=True, help="JSON, for scripts")
def cli(account: str, bundle: Path | None, raw: bool, as_json: bool) -> None:
    """Tokens, influence (now and stored), votes, delegate and unclaimed rewards of ACCOUNT."""
    from communis.chain.governance import Governance
    from communis.chain.member import member_status
    from communis.chain.system import System

    system = System.load()
    address = Governance(system.governor, system.contracts).address_of(account)
    found = member_status(system, address, bundle=bundle)
    click.echo(json.dumps(found.to_json(), indent=2) if as_json else found.render(raw=raw))
