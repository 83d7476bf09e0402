"""``python -m communis.report SOURCE... --out DIR`` (also ``communis report``): write the charts
and the HTML page of a community.

SOURCE is either a run saved with :meth:`communis.report.RunReport.save` (the demo's
``run.json``), or one's own epoch bundles: bundle folders, or a folder of them such as
``epochs/<chainId>/``. From bundles the report knows what the epochs paid; governance proposals
and slashed bonds are on the chain: ``ape run chain report`` adds them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from communis.errors import CommunisError
from communis.report.model import RunReport
from communis.report.writer import write_report


def load_run(sources: list[Path], *, title: str | None, quorum_percent: int | None) -> RunReport:
    """A run file as saved, or the run of the bundles given."""
    if len(sources) == 1 and sources[0].is_file():
        return RunReport.load(sources[0])
    from communis.report.bundles import run_from_bundles

    return run_from_bundles(sources, title=title or "Our community", quorum_percent=quorum_percent)


def main(argv: list[str] | None = None, prog: str = "python -m communis.report") -> int:
    """Write the report; ``prog`` is the command's name in its help (``communis report``)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write per-epoch and whole-run PNG charts and a self-contained index.html "
        "of a run, or of one's own community from its epoch bundles.",
    )
    parser.add_argument(
        "sources",
        type=Path,
        nargs="+",
        metavar="SOURCE",
        help="a run's JSON (the demo's run.json), or one's own epoch bundles: bundle folders or "
        "a folder of them such as epochs/<chainId> (proposals and slashed bonds come from the "
        "chain: ape run chain report)",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--title", default=None, help="the community's name (bundles)")
    parser.add_argument(
        "--quorum-percent",
        type=int,
        default=None,
        help="the governor's quorum, to flag who can reach it (bundles; the chain knows it)",
    )
    parser.add_argument("--summary", action="store_true", help="also print the terminal summary")
    args = parser.parse_args(argv)
    try:
        run = load_run(args.sources, title=args.title, quorum_percent=args.quorum_percent)
    except (OSError, ValueError, KeyError, TypeError, CommunisError) as exc:
        names = " ".join(str(s) for s in args.sources)
        print(f"error: cannot read {names}: {exc}", file=sys.stderr)
        return 2
    paths = write_report(run, args.out)
    if args.summary:
        from communis.report.terminal import print_summary

        print_summary(run)
    print(f"wrote {len(paths.pngs())} charts and {paths.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
