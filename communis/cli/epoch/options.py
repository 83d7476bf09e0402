"""Options and arguments the epoch commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

BUNDLE = click.Path(exists=True, file_okay=False, path_type=Path)
FOLDER = click.Path(file_okay=False, path_type=Path)
VOTES = ("against", "for", "abstain")
epoch_argument = click.argument("epoch", type=int)


def output_options(function: F) -> F:
    """``--raw`` and ``--json``: the contracts' units, for people or for scripts."""
    function = click.option(
        "--json", "as_json", is_flag=True, help="JSON for scripts (the contracts' units)"
    )(function)
    return click.option(
        "--raw", is_flag=True, help="Amounts in smallest units, times in unix seconds"
    )(function)


FROM_BLOCK = click.option(
    "--from-block", type=int, default=0, help="Search the contract's events from this block"
)
ROOT = click.option("--root", default=None, help="Which root's dispute, when several are open")
NO_ATTESTER_CHECK = click.option(
    "--no-attester-check",
    "unchecked",
    is_flag=True,
    help="Skip asking the AttesterRegistry about the batches: only to play a cheat (a root on "
    "batches it rejects loses its proposer bond to anyone who proves it)",
)
