"""Compile once what every test session would otherwise compile at the same time.

Usage: ``.venv/bin/python toolchain/warm_build.py`` (from the repository root, after ``make
setup``). ``make test`` runs its passes concurrently; each deploys the system through the plan,
which compiles every deployed contract from its standard-json input (cached under
``.build/verification/`` by the input's hash). Run first, this fills ape's build and that cache,
so the passes find both ready instead of compiling the same inputs side by side (and racing to
write the same files). Prints the contracts it made sure of.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from ape import project

    from communis.deploy.config import load
    from communis.deploy.plan import build_plan
    from communis.deploy.verification import deployable_container

    plan = build_plan(load(ROOT / "config" / "deploy.toml"), now=0)
    contracts = sorted({s.contract for s in plan if s.kind == "deploy" and s.contract})
    for contract in contracts:
        deployable_container(project, contract)
    print(f"warm build: {', '.join(contracts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
