"""Run Slither on contracts/ offline and fail on any high or medium finding.

Usage: ``.venv/bin/python toolchain/slither_check.py`` (from anywhere; ``make setup`` first).

Slither compiles through the repository's solc wrapper (``.solcx/solc-v<version>``, solc-js under
Node: no download) with ``--solc-standard-json`` on the ``contracts/`` directory, with the
settings in ``slither.config.json`` (OpenZeppelin remapping; ``node_modules`` and
``contracts/reference`` -- benchmark references and test fixtures, never deployed -- filtered
out). Findings that stay are suppressed inline in the contracts with
``// slither-disable-next-line <detector> (reason)`` or a ``slither-disable-start/end`` range.

Then ``slither-check-erc`` checks CommunityToken's ERC-20 conformance. It cannot compile by
itself here: it hands a single-file target to crytic-compile's plain ``solc`` platform, which
runs ``solc --combined-json``, and the solc-js wrapper only speaks ``--standard-json``
(``--solc-standard-json`` is honoured only for directory targets, by slither's own entry point).
So the script compiles once with crytic-compile (directory target, standard JSON) into a
crytic-compile export, and runs both Slither and slither-check-erc on that export. The one ERC-20
note accepted is the approve/transferFrom race advisory
(``lack_of_erc20_race_condition_protection``): it is the ERC-20 ``approve`` semantics
themselves (OpenZeppelin 5 has no increaseAllowance); wallets set allowances to 0 first or use
EIP-2612 permit with a deadline.

Prints the count of the remaining findings by severity and each high/medium/low one, and the
ERC-20 result; exits 1 if any high or medium finding remains, the ERC-20 check reports anything
else, or a tool fails; 0 otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEVERITIES = ("High", "Medium", "Low", "Informational", "Optimization")
FAILING = ("High", "Medium")
ERC20_ACCEPTED = {"lack_of_erc20_race_condition_protection"}


def tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def config() -> dict:
    return json.loads((ROOT / "slither.config.json").read_text())


def run_tool(command: list[str], report: Path) -> dict | None:
    env = {**os.environ, "SOLCX_BINARY_PATH": str(ROOT / ".solcx")}
    process = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if not report.exists():
        sys.stderr.write(process.stdout + process.stderr)
        print(f"{Path(command[0]).name}: no report (see above)", file=sys.stderr)
        return None
    data = json.loads(report.read_text())
    if not data.get("success", False):
        print(f"{Path(command[0]).name}: failed: {data.get('error')}", file=sys.stderr)
        return None
    return data


def compile_export(out: Path) -> Path | None:
    """Compile contracts/ once (crytic-compile, standard JSON through the solc wrapper)."""
    settings = config()
    command = [
        tool("crytic-compile"),
        "contracts/",
        "--solc",
        settings["solc"],
        "--solc-standard-json",
        "--solc-remaps",
        settings["solc_remaps"],
        "--export-format",
        "standard",
        "--export-dir",
        str(out),
    ]
    env = {**os.environ, "SOLCX_BINARY_PATH": str(ROOT / ".solcx")}
    process = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    exports = sorted(out.glob("*.json"))
    if process.returncode != 0 or len(exports) != 1:
        sys.stderr.write(process.stdout + process.stderr)
        print("crytic-compile: compilation failed (see above)", file=sys.stderr)
        return None
    # crytic-compile's loader recognises its own exports by this suffix.
    target = out / "communis_export.json"
    exports[0].rename(target)
    return target


def slither(export: Path, tmp: Path) -> int:
    report = tmp / "slither.json"
    command = [tool("slither"), str(export), "--filter-paths", config()["filter_paths"]]
    data = run_tool([*command, "--exclude-dependencies", "--json", str(report)], report)
    if data is None:
        return 1
    findings = data.get("results", {}).get("detectors", [])
    counts = Counter(f["impact"] for f in findings)
    for finding in findings:
        if finding["impact"] in ("High", "Medium", "Low"):
            first = finding["description"].strip().splitlines()[0]
            print(f"[{finding['impact']}] {finding['check']}: {first}")
    summary = ", ".join(f"{s.lower()} {counts.get(s, 0)}" for s in SEVERITIES)
    print(f"slither: {len(findings)} finding(s) after inline suppressions: {summary}")
    failing = sum(counts.get(s, 0) for s in FAILING)
    if failing:
        print(f"slither: FAIL: {failing} high/medium finding(s)", file=sys.stderr)
        return 1
    return 0


def check_erc20(export: Path, tmp: Path) -> int:
    report = tmp / "erc20.json"
    command = [tool("slither-check-erc"), str(export), "CommunityToken", "--erc", "erc20"]
    data = run_tool([*command, "--json", str(report)], report)
    if data is None:
        return 1
    results = data.get("results", {}).get("erc-conformance", {})
    if not results and not isinstance(results, dict):
        print("slither-check-erc: no result for CommunityToken", file=sys.stderr)
        return 1
    problems = {k: v for k, v in results.items() if v and k not in ERC20_ACCEPTED}
    accepted = sorted(k for k, v in results.items() if v and k in ERC20_ACCEPTED)
    for kind, items in problems.items():
        for item in items:
            print(f"[ERC-20] {kind}: {item.get('description', '').strip()}")
    note = f" (accepted advisory: {', '.join(accepted)})" if accepted else ""
    if problems:
        print(f"slither-check-erc: CommunityToken FAILS ERC-20 conformance{note}", file=sys.stderr)
        return 1
    print(f"slither-check-erc: CommunityToken conforms to ERC-20{note}")
    return 0


def run() -> int:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        export = compile_export(tmp / "export")
        if export is None:
            return 1
        return slither(export, tmp) | check_erc20(export, tmp)


if __name__ == "__main__":
    sys.exit(run())
