"""Run test passes at the same time and report them one after the other.

Usage: ``python toolchain/run_passes.py NAME=COMMAND [NAME=COMMAND ...]`` (each COMMAND one
shell-quoted string, run without a shell).

Every pass starts at once, with its output going to a file; while they run, a line every minute
says which are still running. As each pass ends its whole output is printed under a header with
its exit status and wall time, so the passes' outputs never interleave. The last lines give each
pass's wall time and pytest summary, then one closing line for all of them
(``test: N passed, N failed, N skipped``; errors count as failed). Exits 1 if any pass failed.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

OUTCOMES = "passed|failed|skipped|errors?|deselected|xfailed|xpassed"
SUMMARY = re.compile(rf"^=*\s*(\d+ ({OUTCOMES}).*) in ")
COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?)")
HEARTBEAT_S = 60


@dataclass
class Pass:
    name: str
    command: list[str]
    log: IO[bytes]
    process: subprocess.Popen[bytes]
    started: float
    ended: float | None = None
    summary: str = "no pytest summary"
    counts: dict[str, int] = field(default_factory=dict)


def start(name: str, command: str, folder: Path) -> Pass:
    args = shlex.split(command)
    log = (folder / f"{name}.log").open("w+b")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    return Pass(name, args, log, process, time.monotonic())


def report(item: Pass) -> None:
    item.ended = time.monotonic()
    item.log.seek(0)
    text = item.log.read().decode("utf-8", errors="replace")
    for line in text.splitlines():
        if match := SUMMARY.match(line.strip()):
            item.summary = match.group(1)
    for number, kind in COUNT.findall(item.summary):
        key = "failed" if kind.startswith("error") else kind
        item.counts[key] = item.counts.get(key, 0) + int(number)
    if item.process.returncode != 0 and not item.counts.get("failed"):
        item.counts["failed"] = 1  # the pass itself failed (pytest could not run, no test ran)
    seconds = item.ended - item.started
    header = f"pass {item.name}: exit {item.process.returncode} after {seconds:.0f} s"
    print(f"\n===== {header}: {shlex.join(item.command)}", flush=True)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    print(f"===== end of pass {item.name}", flush=True)


def main(argv: list[str]) -> int:
    if not argv or any("=" not in a for a in argv):
        print(__doc__, file=sys.stderr)
        return 2
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="communis-passes-") as tmp:
        passes = [start(*a.split("=", 1), folder=Path(tmp)) for a in argv]
        print(f"passes started: {', '.join(p.name for p in passes)}", flush=True)
        running = list(passes)
        beat = time.monotonic()
        while running:
            for item in [p for p in running if p.process.poll() is not None]:
                running.remove(item)
                report(item)
            if running and time.monotonic() - beat >= HEARTBEAT_S:
                beat = time.monotonic()
                names = ", ".join(p.name for p in running)
                print(f"passes still running after {beat - began:.0f} s: {names}", flush=True)
            time.sleep(0.2)
        for item in passes:
            item.log.close()
    print()
    for item in passes:
        seconds = (item.ended or began) - item.started
        print(f"pass {item.name}: {seconds:.0f} s, exit {item.process.returncode}: {item.summary}")
    print(f"all passes: {time.monotonic() - began:.0f} s wall")
    total = {k: sum(p.counts.get(k, 0) for p in passes) for k in ("passed", "failed", "skipped")}
    failed = any(p.process.returncode != 0 for p in passes)
    print(f"test: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
