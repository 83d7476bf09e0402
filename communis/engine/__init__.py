"""The off-chain engine: ledger -> policy -> scoring -> cumulative table -> Merkle tree -> bundle
-> verify. Pure Python: no module in this package imports ape or web3 (a test imports every one)."""
