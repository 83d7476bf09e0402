"""The solc-js wrapper (toolchain/solc.js) must behave like a native solc for py-solc-x."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import solcx
from packaging.version import Version
from solcx.exceptions import SolcError, UnknownOption
from solcx.install import get_executable
from solcx.wrapper import get_solc_version, solc_wrapper

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]


def pinned() -> str:
    text = (ROOT / "ape-config.yaml").read_text(encoding="utf-8")
    return re.search(r"^solidity:\n(?:\s+.*\n)*?\s+version:\s*([\d.]+)", text, re.M).group(1)


@pytest.fixture(scope="module")
def solc() -> Path:
    return get_executable(version=Version(pinned()))


def test_npm_pin_matches_ape_config():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["solc"] == pinned()
    assert lock["packages"]["node_modules/solc"]["version"] == pinned()


def test_version_parsed_by_py_solc_x(solc):
    assert get_solc_version(solc) == Version(pinned())
    long_version = get_solc_version(solc, with_commit_hash=True)
    assert str(long_version).startswith(pinned() + "+commit.")


def test_large_output_is_not_truncated(solc):
    # Everything for a Governor-sized import graph: several hundred KiB of JSON.
    sources = {
        "Big.sol": {
            "content": 'pragma solidity ^0.8.24; import "@openzeppelin/contracts/governance/'
            'TimelockController.sol"; contract Big is TimelockController { constructor() '
            "TimelockController(1, new address[](0), new address[](0), address(0)) {} }"
        }
    }
    standard = {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "remappings": ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"],
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode", "evm.deployedBytecode"]}},
        },
    }
    stdout, _, _, _ = solc_wrapper(
        solc_binary=solc,
        stdin=json.dumps(standard),
        standard_json=True,
        base_path=str(ROOT),
        allow_paths=str(ROOT),
    )
    assert len(stdout.encode()) > 64 * 1024
    output = json.loads(stdout)
    assert "Big" in output["contracts"]["Big.sol"]
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]


def test_import_error_is_readable(solc):
    standard = {
        "language": "Solidity",
        "sources": {"A.sol": {"content": 'pragma solidity ^0.8.0; import "./Missing.sol";'}},
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    with pytest.raises(SolcError) as info:
        solcx.compile_standard(standard, solc_binary=solc, base_path=str(ROOT))
    message = str(info.value)
    assert "Missing.sol" in message
    assert "not found" in message.lower()


def test_unknown_flag_is_rejected_clearly(solc):
    with pytest.raises(UnknownOption) as info:
        solc_wrapper(solc_binary=solc, bin=True, source_files=["x.sol"])
    assert "'--bin'" in str(info.value)


def test_source_files_on_command_line_are_refused(solc):
    with pytest.raises(SolcError) as info:
        solc_wrapper(solc_binary=solc, source_files=["x.sol"])
    assert "not supported" in str(info.value)


def test_allow_paths_is_accepted(solc):
    standard = {
        "language": "Solidity",
        "sources": {
            "A.sol": {
                "content": "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0; contract A {}"
            }
        },
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    output = solcx.compile_standard(
        standard, solc_binary=solc, base_path=str(ROOT), allow_paths=[str(ROOT), "/tmp"]
    )
    assert output["contracts"]["A.sol"]["A"]["abi"] == []
