"""`ape run attest`: the command lives in communis/cli/attest.py."""

from communis.cli.attest import cli

__all__ = ["cli"]
