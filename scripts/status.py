"""`ape run status ACCOUNT`: see communis/cli/status.py."""

from communis.cli.status import cli

__all__ = ["cli"]
