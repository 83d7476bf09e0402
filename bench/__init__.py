"""Benchmarks: `make bench` (python -m bench) writes bench/results.json, a flat JSON object
mapping figure names to numbers. Each module in FIGURE_MODULES exposes ``collect() -> dict``."""
