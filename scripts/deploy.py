"""`ape run deploy`: the command lives in communis/cli/deploy.py."""

from communis.cli.deploy import cli

__all__ = ["cli"]
