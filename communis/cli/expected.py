"""Expected errors end a command as one line: the mapping every Communis command line shares.

An expected error (:class:`~communis.errors.CommunisError`, or a file that cannot be read or
written) is the user's to fix: it is printed once, as one clean line on stderr, and the command
exits with status 2, never with a traceback. Any other exception is a bug and propagates.

This module imports no ape (the offline ``communis`` tool uses it); the ``ape run`` commands'
classes, which build on it, are in :mod:`communis.cli.base`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from communis.errors import CommunisError

EXIT_EXPECTED = 2
"""Exit status of a command stopped by an expected error (1 is left to "checked and wrong")."""


class ExpectedError(click.ClickException):
    """An expected error on its way out of a command: one line on stderr, exit status 2."""

    exit_code = EXIT_EXPECTED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


def message_of(error: BaseException) -> str | None:
    """The user's message of an expected error, None for anything else (a bug)."""
    if isinstance(error, CommunisError):
        return str(error)
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    return None


@contextmanager
def expected_errors() -> Iterator[None]:
    """Turn an expected error raised inside into :class:`ExpectedError`."""
    try:
        yield
    except (CommunisError, OSError) as error:
        message = message_of(error)
        if message is None:
            raise
        raise ExpectedError(message) from None


def run_standalone(command: click.Command, argv: list[str] | None, prog_name: str) -> int:
    """Run ``command`` as a console entry point and return its exit status."""
    try:
        command.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


class MappedErrorsCommand(click.Command):
    """A command whose expected errors end as one line (exit status 2), with no network (the
    offline tool's); ``CommunisCommand`` puts it in front of ape's connected command class."""

    def invoke(self, ctx: click.Context) -> Any:
        with expected_errors():
            return super().invoke(ctx)


class OfflineGroup(click.Group):
    """A group whose subcommands are :class:`MappedErrorsCommand` (the ``communis`` tool's)."""

    command_class = MappedErrorsCommand
    group_class = type
