"""Everything that talks to a chain through ape: accounts, the deployed system, the epoch game
and governance."""
