"""`ape run chain`: see communis/cli/chain.py."""

from communis.cli.chain import cli

__all__ = ["cli"]
