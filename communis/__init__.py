"""Communis: a community token economy in which contributors earn tokens and influence.

The off-chain core (ledger, scoring, Merkle trees, growth arithmetic) imports neither ape nor
web3; modules that talk to a chain live under ``communis.chain``.
"""

__version__ = "0.1.0"
