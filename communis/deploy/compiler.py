"""What a block explorer needs to verify a deployed contract: the compiler's long version and
the standard-json input, reproduced from the project and checked against the journal's hash."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class VerificationInput:
    contract: str
    compiler: str  # long version, e.g. "0.8.28+commit.7893614a"
    standard_json: dict[str, Any]

    @property
    def input_hash(self) -> str:
        return input_hash(self.standard_json)


def input_hash(standard_json: dict[str, Any]) -> str:
    """sha256 of the canonical JSON text (sorted keys, no whitespace)."""
    text = json.dumps(standard_json, sort_keys=True, separators=(",", ":"))
    return "0x" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def verification_input(project: Any, contract: str) -> VerificationInput:
    """Reproduce the standard-json input that compiled ``contract`` in ``project``."""
    import ape
    from solcx.install import get_executable

    contract_type = project.get_contract(contract).contract_type
    source = project.path / contract_type.source_id
    inputs = ape.compilers.solidity.get_standard_input_json([source], project=project)
    if len(inputs) != 1:
        raise RuntimeError(f"{contract}: expected one compiler version, got {sorted(inputs)}")
    ((version, standard_json),) = inputs.items()
    long_version = _long_version(Path(get_executable(version=version)))
    return VerificationInput(contract=contract, compiler=long_version, standard_json=standard_json)


@functools.cache
def _long_version(binary: Path) -> str:
    """The compiler's long version (``0.8.28+commit.7893614a``): asked once per binary, since each
    question starts the compiler (about 1.5 s for solc-js)."""
    from solcx.wrapper import get_solc_version

    return str(get_solc_version(binary, with_commit_hash=True))
