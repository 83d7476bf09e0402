"""`ape run govern`: the command lives in communis/cli/govern.py."""

from communis.cli.govern import cli

__all__ = ["cli"]
