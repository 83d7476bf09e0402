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
"""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand

from communis.cli.expected import EXIT_EXPECTED, ExpectedError, MappedErrorsCommand

__all__ = ["EXIT_EXPECTED", "CommunisCommand", "CommunisGroup", "ExpectedError"]


class CommunisCommand(MappedErrorsCommand, ConnectedProviderCommand):
    """A command connected to the ``--network`` given (ape's class, after MappedErrorsCommand in the
    method order: errors raised while connected are mapped too)."""


class CommunisGroup(click.Group):
    """A group whose subcommands are :class:`CommunisCommand` and subgroups CommunisGroup."""

    command_class = CommunisCommand
    group_class = type
