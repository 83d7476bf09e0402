"""Options and helpers the offline commands share: the deployment attestations are checked for,
the rows an attester signs, addresses, the console."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from communis.engine.address import ADDRESS_RE, to_checksum
from communis.engine.attest.errors import AttestationError
from communis.engine.units import format_amount

F = TypeVar("F", bound=Callable[..., Any])


def combined(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator that applies ``decorators`` as if they were written above a function."""

    def apply(f: F) -> F:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


deployment_options = combined(
    click.option(
        "--attesters",
        "attesters_path",
        type=click.Path(path_type=Path),
        help="The attester set (attesters.json, communis-attesters-v2).",
    ),
    click.option("--chain-id", type=click.IntRange(min=1), help="The deployment's chain id."),
    click.option("--registry", help="The deployment's AttesterRegistry address."),
)
"""``--attesters``, ``--chain-id``, ``--registry``: the deployment attestations are checked for."""

selection_options = combined(
    click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--epoch", required=True, type=click.IntRange(min=0), help="The ledger's epoch."),
    click.option("--lines", "lines_text", help="Ledger lines to sign, e.g. 1-120,130 [all rows]."),
    click.option(
        "--ref-prefix",
        "ref_prefixes",
        multiple=True,
        help="Sign only rows whose evidence reference starts with this (repeatable).",
    ),
    click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Attestations file [default: beside LEDGER, where `communis build` looks].",
    ),
)
"""What `communis attest` and `ape run attest` sign: LEDGER, --epoch, --lines, --ref-prefix, and
where the batch goes (--out)."""


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def tokens(value: int) -> str:
    return format_amount(value, places=4, trim=False)


def checked_address(value: str, what: str) -> str:
    """``value`` as an EIP-55 address; an :class:`AttestationError` naming ``what`` if it is not
    one."""
    if not ADDRESS_RE.match(value):
        raise AttestationError(f"{what} {value!r} is not a 0x-prefixed 20-byte hex address")
    return to_checksum(value)
