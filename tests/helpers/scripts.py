"""Loading an `ape run` script (scripts/<name>.py) as a module, so tests call its click command
or its functions in-process."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_script", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def account_alias(accounts, account) -> str:
    """The ``--account`` alias of one of ape's test accounts (``TEST::<index>``)."""
    return f"TEST::{[a.address for a in accounts].index(account.address)}"


def environment() -> dict[str, str]:
    """The environment an ``ape run`` subprocess needs, as ``make`` sets it up."""
    anvil = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin"
    path = f"{ROOT / '.venv' / 'bin'}:{anvil}:{os.environ.get('PATH', '')}"
    return {
        **os.environ,
        "PATH": path,
        "SOLCX_BINARY_PATH": str(ROOT / ".solcx"),
        "ETH_HASH_BACKEND": "pysha3",
        "COLUMNS": "200",
    }
