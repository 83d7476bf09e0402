"""`ape run demo`: the command lives in communis/cli/demo.py."""

from communis.cli.demo import cli

__all__ = ["cli"]
