"""Deployment artifacts any client can load: ``deployments/<chainId>/<Contract>.json``.

The layout and fields are hardhat-deploy's, which ethers, viem/wagmi, web3.py, foundry and most
front-end templates already read (``new Contract(a.address, a.abi)``):

    deployments/<chainId>/.chainId              the chain id, as hardhat-deploy writes it
    deployments/<chainId>/<Contract>.json       address, abi, transactionHash, receipt, args,
                                                numDeployments, solcInputHash, metadata,
                                                bytecode, deployedBytecode, devdoc, userdoc
    deployments/<chainId>/solcInputs/<hash>.json  the standard-json input the contract was
                                                compiled from, named by its solcInputHash

The folder is named by chain id (like the journal ``deployments/<chainId>.json`` beside it),
not by a network name, which ape and hardhat spell differently. ``solcInputHash`` is the SHA-256
of the exact bytes of ``solcInputs/<solcInputHash>.json`` (see
:mod:`communis.deploy.verification`), and equals the journal's ``input_hash`` without ``0x``.
Integers above 2^53 (constructor arguments such as the token cap) are decimal strings.

The files are derived from the journal and rewritten at the end of every ``ape run deploy``:
like the journal, those of public chains are committed and those of local chains are not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.deploy.journal import Journal
from communis.deploy.verification import (
    VerificationError,
    constructor_args,
    deployable_container,
)
from communis.engine.jsonsafe import json_safe

ReceiptReader = Callable[[str], Any]


@dataclass(frozen=True)
class Artifact:
    name: str
    path: Path
    data: dict[str, Any]


def artifacts_dir(journal: Journal) -> Path:
    return journal.path.parent / str(journal.chain_id)


def build_artifacts(
    project: Any, journal: Journal, receipt_of: ReceiptReader | None = None
) -> tuple[list[Artifact], dict[str, bytes]]:
    """The artifact of every finished deploy step, and the standard-json inputs they name.
    ``receipt_of(tx_hash)`` adds the block hash and transaction index to each receipt."""
    artifacts: list[Artifact] = []
    inputs: dict[str, bytes] = {}
    folder = artifacts_dir(journal)
    for step in journal.steps:
        if step.kind != "deploy" or step.status != "done" or step.address is None:
            continue
        container, item, compiled = deployable_container(project, step.contract)
        if step.input_hash is not None and step.input_hash != item.input_hash:
            raise VerificationError(
                f"{journal.path}: step {step.name!r} was compiled from the input with hash "
                f"{step.input_hash}, but the sources now give {item.input_hash}; write the "
                "artifacts from a checkout of the deployed commit"
            )
        receipt: dict[str, Any] = {
            "from": step.sender,
            "to": None,
            "contractAddress": step.address,
            "transactionHash": step.tx_hash,
            "blockNumber": step.block,
            "gasUsed": str(step.gas_used),
            "status": 1,
        }
        mined = None
        if receipt_of is not None and step.tx_hash is not None:
            mined = receipt_of(step.tx_hash)
        if mined is not None:
            receipt["blockHash"] = _hex(mined["blockHash"])
            receipt["transactionIndex"] = int(mined["transactionIndex"])
        solc_input_hash = item.input_hash[2:]
        inputs[solc_input_hash] = item.text
        data = {
            "address": step.address,
            "abi": compiled.abi,
            "transactionHash": step.tx_hash,
            "receipt": receipt,
            "args": step.args,
            "numDeployments": 1,
            "solcInputHash": solc_input_hash,
            "metadata": compiled.metadata,
            "bytecode": compiled.bytecode,
            "deployedBytecode": compiled.deployed_bytecode,
            "devdoc": compiled.devdoc,
            "userdoc": compiled.userdoc,
            "compiler": item.compiler,
            "sourceName": item.source,
            "constructorArguments": constructor_args(container, step.args),
        }
        artifacts.append(Artifact(step.name, folder / f"{step.name}.json", json_safe(data)))
    return artifacts, inputs


def write_artifacts(
    project: Any, journal: Journal, receipt_of: ReceiptReader | None = None
) -> list[Path]:
    """Write (or rewrite) the artifacts of ``journal``'s deployment; returns the files."""
    artifacts, inputs = build_artifacts(project, journal, receipt_of)
    if not artifacts:
        return []
    folder = artifacts_dir(journal)
    (folder / "solcInputs").mkdir(parents=True, exist_ok=True)
    written = [folder / ".chainId"]
    (folder / ".chainId").write_text(str(journal.chain_id), encoding="utf-8")
    for solc_input_hash, text in inputs.items():
        path = folder / "solcInputs" / f"{solc_input_hash}.json"
        path.write_bytes(text)
        written.append(path)
    for artifact in artifacts:
        artifact.path.write_text(json.dumps(artifact.data, indent=2) + "\n", encoding="utf-8")
        written.append(artifact.path)
    return written


def _hex(value: Any) -> str:
    return value if isinstance(value, str) else "0x" + bytes(value).hex()
