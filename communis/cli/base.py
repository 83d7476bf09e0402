"""The command classes of the ``ape run`` commands: connected to a network, errors mapped once.

:class:`CommunisCommand` is ape's :class:`~ape.cli.ConnectedProviderCommand` (it adds
``--network`` itself and connects before the command runs) whose expected errors end as one line
on stderr and exit status 2 (:mod:`communis.cli.expected`); no command catches errors itself.
Groups use :class:`CommunisGroup`, whose subcommands get :class:`CommunisCommand` by default::

    @click.group(cls=CommunisGroup)
    def cli() -> None: ...

    @cli.command()
    @rewards_option
    def status(rewards_address: str | None) -> None: ...

What every command gets from the class:

- **quiet by default**: ape's INFO lines (one ``Confirmed 0x...`` per transaction, the compiler's
  list of input files, "Connecting to ...") are hidden unless ``-v INFO`` (or ``-v DEBUG``) is
  given; warnings and errors still show;
- **no traceback on a network mistake**: a network that cannot be reached (no node at the URL,
  a public network without a URL) is one line that says what to do;
- **the chain id checked before anything is sent**: a node whose chain id differs from the one
  ape would sign for (``ethereum:local:http://...`` pointed at anvil) is refused.
"""

from __future__ import annotations

import atexit
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

import click
from ape.cli import ConnectedProviderCommand

from communis.cli.expected import EXIT_EXPECTED, ExpectedError, MappedErrorsCommand
from communis.errors import CommunisError

if TYPE_CHECKING:
    from ape.api import ProviderAPI

    from communis.chain.next_steps import NextStep

__all__ = [
    "EXIT_EXPECTED",
    "CommunisCommand",
    "CommunisGroup",
    "ExpectedError",
    "NetworkChoiceError",
    "check_chain_id",
    "next_steps_text",
    "verbosity_given",
]

_CONNECTED = "communis.connected"
_VERBOSE = "communis.verbose"
VERBOSITY_FLAGS = ("-v", "--verbosity")


class NetworkChoiceError(CommunisError, RuntimeError):
    """The network given cannot be used; the message says what to pass instead."""


def verbosity_given(argv: Sequence[str]) -> bool:
    """Whether the command line asks for ape's log level (``-v LEVEL``/``--verbosity LEVEL``)."""
    return any(arg in VERBOSITY_FLAGS or arg.startswith("--verbosity=") for arg in argv[1:])


@contextmanager
def quiet_ape(level: int = logging.WARNING) -> Iterator[None]:
    """ape's logger at ``level`` for the duration (its level is restored afterwards)."""
    from ape.logging import logger

    with logger.at_level(level):
        yield


def check_chain_id(provider: ProviderAPI) -> None:
    """Refuse a node whose chain id is not the one ape signs transactions for."""
    if provider.name == "test":  # in-process eth-tester: one chain, no URL
        return
    try:
        answer = provider.make_request("eth_chainId", [])
    except Exception as err:
        raise NetworkChoiceError(
            f"cannot read the chain id of {provider.network_choice}: {err}"
        ) from None
    actual = answer if isinstance(answer, int) else int(str(answer), 16)
    network = provider.network
    claimed = {int(provider.chain_id)}
    if not network.is_adhoc:
        claimed.add(int(network.chain_id))
    if claimed != {actual}:
        wrong = ", ".join(str(c) for c in sorted(claimed - {actual}))
        raise NetworkChoiceError(
            f"the node behind --network {provider.network_choice} has chain id {actual}, but "
            f"ape would sign for chain {wrong} there (refused before sending anything): for the "
            "node of `make node` use --network ethereum:localnet (another port: "
            "ethereum:localnet:http://127.0.0.1:PORT)"
        )


def _connection_message(error: Exception, network: str) -> str:
    text = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
    text = text or type(error).__name__
    if "localnet" in network:
        hint = "start the local node first: `make node` (it keeps its state in .node/)"
    elif "Missing URI" in text:
        hint = (
            "give the node's URL in the network choice, e.g. "
            "--network ethereum:sepolia:$SEPOLIA_RPC_URL"
        )
    else:
        hint = "check the URL and that the node is running (`ape networks list` shows the choices)"
    return f"cannot connect to --network {network}: {text}; {hint}"


def _network_text(ctx: click.Context) -> str:
    """The ``--network`` of the command as the user wrote it (or ape's default)."""
    value = ctx.params.get("network")
    if value is None:
        return "(default)"
    choice = getattr(value, "network_choice", None)
    return str(choice if choice is not None else value)


class CommunisCommand(MappedErrorsCommand, ConnectedProviderCommand):
    """A command connected to the ``--network`` given (ape's class, after MappedErrorsCommand in the
    method order: errors raised while connected are mapped too), quiet unless ``-v``."""

    def invoke(self, ctx: click.Context) -> Any:
        from ape.exceptions import NetworkError, ProviderError

        # While connecting, only errors: ape warns once per public RPC it tries.
        verbose = verbosity_given(sys.argv)
        ctx.meta[_VERBOSE] = verbose
        with nullcontext() if verbose else quiet_ape(logging.ERROR):
            try:
                return super().invoke(ctx)
            except (NetworkError, ProviderError) as error:
                if ctx.meta.get(_CONNECTED):
                    raise
                raise ExpectedError(_connection_message(error, _network_text(ctx))) from None

    def _invoke(self, ctx: click.Context, provider: ProviderAPI | None = None) -> Any:
        if provider is not None:
            from communis.cli.expected import expected_errors

            with expected_errors():
                check_chain_id(provider)
        ctx.meta[_CONNECTED] = True
        if not ctx.meta.get(_VERBOSE):
            # ape stops a node it started (anvil) when the process exits, after the command and
            # its quiet context: this handler, registered after ape's, runs before it (LIFO).
            atexit.register(_quiet_at_exit)
        with nullcontext() if ctx.meta.get(_VERBOSE) else quiet_ape(logging.WARNING):
            return super()._invoke(ctx, provider=provider)


def _quiet_at_exit() -> None:
    from ape.logging import logger

    logger.set_level(logging.WARNING)


class CommunisGroup(click.Group):
    """A group whose subcommands are :class:`CommunisCommand` and subgroups CommunisGroup."""

    command_class = CommunisCommand
    group_class = type


def next_steps_text(steps: Sequence[NextStep]) -> str:
    """The ``next:`` line(s) a command ends with, for the connected network (its ``--network``
    in the commands shown) at the chain's time; on a local chain with the time travel that gets
    there."""
    import ape

    from communis.chain.accounts import is_local
    from communis.chain.next_steps import render_steps

    network = ape.chain.provider.network_choice
    now = int(ape.chain.blocks.head.timestamp)
    return render_steps(steps, now=now, network=network, local=is_local(int(ape.chain.chain_id)))
