"""Run every benchmark module and write bench/results.json (flat ``{"figure.name": number}``).

Gas figures are deterministic and measured on the in-process EVM; timings are medians of a few
runs on whatever machine runs this (never asserted in tests). The machine may be shared, so
``bench.loadavg_1m.<module>`` records the one-minute load average as each module starts, and
``bench.cpus`` the number of CPUs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from communis.cli.base import quiet_ape

FIGURE_MODULES = [
    "bench.compile",
    "bench.gas_token",
    "bench.gas_governance",
    "bench.gas_rewards",
    "bench.gas_attest",
    "bench.engine",
    "bench.attest",
    "bench.suite",
]

RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only these modules (repeatable)")
    parser.add_argument("--skip", action="append", default=[], help="skip these modules")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    names = [m.rsplit(".", 1)[-1] for m in FIGURE_MODULES]
    modules = [
        m
        for m, name in zip(FIGURE_MODULES, names, strict=True)
        if (not args.only or name in args.only) and name not in args.skip
    ]

    results: dict[str, float] = {}
    if args.output.exists():
        # Keep figures of modules not run this time (e.g. with --only).
        results.update(json.loads(args.output.read_text(encoding="utf-8")))
    results["bench.cpus"] = os.cpu_count() or 0
    for name in modules:
        load = round(os.getloadavg()[0], 2)
        print(f"bench: {name} (load average {load})", file=sys.stderr)
        results[f"bench.loadavg_1m.{name.rsplit('.', 1)[-1]}"] = load
        # The figures, not ape's INFO line for every deployment and transaction it confirms.
        with quiet_ape():
            figures = importlib.import_module(name).collect()
        for key, value in figures.items():
            print(f"  {key} = {value}", file=sys.stderr)
        results.update(figures)
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"bench: wrote {len(results)} figures to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
