"""``ape run attest LEDGER --epoch N --account ALIAS --network ...``: sign ledger rows as an
attester with an ape account (a hardware wallet, a keystore account, a test account).

The account signs the EIP-712 document of the batch (:func:`communis.engine.attest.typed_data`,
what a wallet shows: the registry's domain and the attester, epoch, rows root, points and row
count); the batch is merged into the ledger's attestations file exactly as ``communis attest``
does. The chain id is the connected network's, the registry the deployment journal's
``AttesterRegistry`` unless ``--registry`` gives it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from communis.chain.next_steps import after_attest
from communis.cli.base import CommunisCommand, next_steps_text
from communis.cli.main import checked_address, selection_options, sign_and_merge
from communis.cli.options import account_option, signer
from communis.engine.address import to_checksum
from communis.engine.attest import (
    AttestationError,
    Batch,
    Domain,
    parse_line_ranges,
    recover_signer,
    typed_data,
)

if TYPE_CHECKING:
    from ape.api import AccountAPI


class AccountSigner:
    """An ape account as a :class:`~communis.engine.attest.BatchSigner`."""

    def __init__(self, account: AccountAPI) -> None:
        self.account = account

    @property
    def address(self) -> str:
        return to_checksum(str(self.account.address))

    def sign_batch(self, batch: Batch, domain: Domain) -> bytes:
        from eth_account.messages import encode_typed_data

        message = encode_typed_data(full_message=typed_data(batch, domain))
        signature = self.account.sign_message(message)
        if signature is None:
            raise AttestationError(f"account {self.address} did not sign the batch")
        raw = bytes(signature.encode_rsv())
        if recover_signer(batch.digest(domain), raw) != self.address:
            raise AttestationError(
                f"account {self.address}'s signature does not recover to it: it did not sign "
                "the batch's EIP-712 digest"
            )
        return raw


def _registry(given: str | None) -> str:
    if given is not None:
        return checked_address(given, "--registry")
    from communis.chain.system import System

    registry = System.load().contracts.get("AttesterRegistry")
    if registry is None:
        raise AttestationError("no AttesterRegistry in the deployment journal: pass --registry")
    return to_checksum(str(registry.address))


@click.command(cls=CommunisCommand, short_help="Sign ledger rows as an attester (ape account)")
@selection_options
@account_option
@click.option("--registry", default=None, help="AttesterRegistry [default: from the journal]")
def cli(
    ledger: Path,
    epoch: int,
    alias: str | None,
    registry: str | None,
    lines_text: str | None,
    ref_prefixes: tuple[str, ...],
    out: Path | None,
) -> None:
    """Sign rows of LEDGER with the ape account --account and merge the batch into the ledger's
    attestations file (one batch per attester per epoch: a second signing replaces the first)."""
    import ape

    domain = Domain(int(ape.chain.chain_id), _registry(registry))
    lines = parse_line_ranges(lines_text) if lines_text is not None else None
    account = AccountSigner(signer(alias))
    unsigned = sign_and_merge(ledger, account, domain, epoch, lines, ref_prefixes, out)
    click.echo(next_steps_text(after_attest(ledger, epoch, unsigned)))
