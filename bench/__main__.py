"""Run every benchmark module and write bench/results.json (flat ``{"figure.name": number}``).

Gas figures are deterministic and measured on the in-process EVM; timings are medians of a few
runs on whatever machine runs this (never asserted in tests).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

FIGURE_MODULES = [
    "bench.compile",
    "bench.gas_token",
    "bench.gas_governance",
    "bench.gas_rewards",
    "bench.gas_attest",
    "bench.engine",
    "bench.attest",
]

RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only these modules (repeatable)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    modules = [m for m in FIGURE_MODULES if not args.only or m.rsplit(".", 1)[-1] in args.only]

    results: dict[str, float] = {}
    if args.output.exists():
        # Keep figures of modules not run this time (e.g. with --only).
        results.update(json.loads(args.output.read_text(encoding="utf-8")))
    for name in modules:
        print(f"bench: {name}", file=sys.stderr)
        figures = importlib.import_module(name).collect()
        for key, value in figures.items():
            print(f"  {key} = {value}", file=sys.stderr)
        results.update(figures)
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"bench: wrote {len(results)} figures to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
