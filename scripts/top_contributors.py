"""`ape run top_contributors`: the command lives in communis/cli/top_contributors.py."""

from communis.cli.top_contributors import cli

__all__ = ["cli"]
