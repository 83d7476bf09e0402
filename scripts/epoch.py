"""`ape run epoch`: the command lives in communis/cli/epoch.py."""

from communis.cli.epoch import cli

__all__ = ["cli"]
