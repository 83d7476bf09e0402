"""``python -m communis.report RUN.json --out DIR``: write the charts and the HTML page of a run
saved with :meth:`communis.report.RunReport.save` (or ``to_json``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from communis.report.model import RunReport
from communis.report.writer import write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m communis.report",
        description="Write per-epoch and whole-run PNG charts and a self-contained index.html.",
    )
    parser.add_argument("run", type=Path, help="run JSON (RunReport.to_json)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--summary", action="store_true", help="also print the terminal summary")
    args = parser.parse_args(argv)
    try:
        run = RunReport.load(args.run)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: cannot read {args.run}: {exc}", file=sys.stderr)
        return 2
    paths = write_report(run, args.out)
    if args.summary:
        from communis.report.terminal import print_summary

        print_summary(run)
    print(f"wrote {len(paths.pngs())} charts and {paths.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
