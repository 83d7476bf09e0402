"""Standard-json inputs remembered on disk between processes (``.build/verification/inputs/``).

Gathering one contract's input through ape takes about 0.4 s of CPU, and asking solc-js for its
long version another 0.4 s (it starts Node); every ``ape run deploy`` and ``ape run verify`` does
this for each contract it deploys or verifies. An entry's key covers everything the input is made
from: the contract's name, the bytes of every Solidity file under ``contracts/`` (the dependency
cache included) and of ``ape-config.yaml``, the installed compilers (name, size and modification
time of each file in py-solc-x's folder), the installed versions of ape and ape-solidity, and the
code that builds the input (``verification.py`` and this file). Any change gives a new key, so an
entry is never stale; an entry that cannot be read is ignored and written again. Entries are
written to a temporary file and renamed, so processes running side by side never read half an
entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

FOLDER = Path(".build") / "verification" / "inputs"
_CODE = (Path(__file__).resolve(), Path(__file__).resolve().with_name("verification.py"))
_PACKAGES = ("eth-ape", "ape-solidity")


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "-"


def key(root: Path, contract: str, compilers: Path) -> str:
    """The cache key of ``contract``'s input in the project at ``root``, compiled by a solc from
    the folder ``compilers`` (see the module doc)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("contract", contract.encode())
    for path in sorted((root / "contracts").rglob("*.sol")):
        add(path.relative_to(root).as_posix(), path.read_bytes())
    config = root / "ape-config.yaml"
    add("ape-config.yaml", config.read_bytes() if config.is_file() else b"")
    for binary in sorted(compilers.iterdir()) if compilers.is_dir() else []:
        stat = binary.stat()
        add("compiler", f"{binary.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for package in _PACKAGES:
        add(package, _package_version(package).encode())
    for code in _CODE:
        add(code.name, code.read_bytes())
    return digest.hexdigest()


def read(root: Path, entry: str) -> dict[str, Any] | None:
    """The entry stored under ``entry`` (a :func:`key`), or None if there is none readable."""
    path = root / FOLDER / f"{entry}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write(root: Path, entry: str, data: dict[str, Any]) -> None:
    """Store ``data`` under ``entry``; a folder that cannot be written only means no cache."""
    folder = root / FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{entry}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(temporary, folder / f"{entry}.json")
    except OSError:
        Path(temporary).unlink(missing_ok=True)
