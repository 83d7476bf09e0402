"""What block explorers and Sourcify need to verify a deployed contract.

A contract is deployed from *its* standard-json input: the project's sources with the
OpenZeppelin files under their usual import paths (``@openzeppelin/contracts/...``, as in the npm
package and every explorer), no remappings, compiled by the pinned solc. The metadata hash at
the end of the bytecode commits to those source names, so the very file written here verifies as
a perfect (full) match, and explorers show the files under the names people know.

The input file's bytes are fixed: UTF-8 JSON with keys sorted by code point, no insignificant
whitespace and no escaping beyond what JSON requires (``canonical_bytes``). Its hash is
``0x`` + the SHA-256 of exactly those bytes: anyone holding the file checks it with
``sha256sum``, whatever language or JSON library they use.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communis.errors import CommunisError

USUAL_PREFIX = "@openzeppelin/contracts/"
CACHE_MARKER = ".cache/openzeppelin/"
OUTPUT_SELECTION = {
    "*": {
        "*": [
            "abi",
            "devdoc",
            "userdoc",
            "metadata",
            "evm.bytecode.object",
            "evm.deployedBytecode.object",
        ]
    }
}


class VerificationError(CommunisError, RuntimeError):
    """A contract's verification data cannot be produced or does not match the deployment."""


def canonical_bytes(data: Any) -> bytes:
    """``data`` as the bytes this project hashes: sorted keys, no whitespace, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()


def usual_source_name(name: str) -> str:
    """``contracts/.cache/openzeppelin/5.4.0/token/ERC20/ERC20.sol`` (ape's dependency cache)
    -> ``@openzeppelin/contracts/token/ERC20/ERC20.sol``; project sources are kept."""
    if CACHE_MARKER not in name:
        return name
    rest = name.split(CACHE_MARKER, 1)[1]
    _version, _, path = rest.partition("/")
    return USUAL_PREFIX + path


def with_usual_paths(standard_json: dict[str, Any]) -> dict[str, Any]:
    """The same compilation with OpenZeppelin sources named by their import paths; the
    remapping ape needed for its cache is then unnecessary and dropped."""
    sources = {
        usual_source_name(name): {"content": body["content"]}
        for name, body in standard_json["sources"].items()
    }
    settings = {
        k: v
        for k, v in standard_json["settings"].items()
        if k not in ("remappings", "outputSelection")
    }
    settings["outputSelection"] = OUTPUT_SELECTION
    return {
        "language": standard_json.get("language", "Solidity"),
        "sources": sources,
        "settings": settings,
    }


@dataclass(frozen=True)
class StandardInput:
    """One contract's standard-json input, as the file bytes everything else refers to."""

    contract: str
    source: str  # the source unit defining it, e.g. "contracts/CommunityToken.sol"
    compiler: str  # long version, e.g. "0.8.28+commit.7893614a"
    text: bytes

    @property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.text)
        return loaded

    @property
    def input_hash(self) -> str:
        return sha256_hex(self.text)

    @property
    def qualified_name(self) -> str:
        return f"{self.source}:{self.contract}"


@dataclass(frozen=True)
class Compiled:
    """What the pinned compiler made of a :class:`StandardInput` for its contract."""

    abi: list[Any]
    bytecode: str  # creation code, 0x-prefixed
    deployed_bytecode: str
    metadata: str  # solc's metadata JSON text (what the bytecode's CBOR hash commits to)
    devdoc: dict[str, Any]
    userdoc: dict[str, Any]


def standard_input(project: Any, contract: str) -> StandardInput:
    """Reproduce ``contract``'s standard-json input from ``project`` (ape's compiler settings,
    the pinned solc), with the usual source names. Remembered for the life of the process while
    no Solidity file of the project changes (ape takes about a second to gather one)."""
    key = (str(project.path), contract, _sources_fingerprint(Path(project.path)))
    if key not in _INPUTS:
        _INPUTS[key] = _standard_input(project, contract)
    return _INPUTS[key]


_INPUTS: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], StandardInput] = {}


def _sources_fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted((root / "contracts").rglob("*.sol"))
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files) + tuple(
        (str(root / name), (root / name).stat().st_mtime_ns, 0)
        for name in ("ape-config.yaml",)
        if (root / name).is_file()
    )


def _standard_input(project: Any, contract: str) -> StandardInput:
    import ape
    from solcx.install import get_executable, get_solcx_install_folder

    from communis.deploy import input_cache
    from communis.deploy.compiler import _long_version

    root = Path(project.path)
    entry = input_cache.key(root, contract, Path(get_solcx_install_folder()))
    cached = input_cache.read(root, entry)
    if cached is not None and isinstance(cached.get("text"), str):
        return StandardInput(
            contract=contract,
            source=str(cached.get("source")),
            compiler=str(cached.get("compiler")),
            text=cached["text"].encode(),
        )
    contract_type = project.get_contract(contract).contract_type
    source_id = str(contract_type.source_id)
    inputs = ape.compilers.solidity.get_standard_input_json(
        [project.path / source_id], project=project
    )
    if len(inputs) != 1:
        raise VerificationError(f"{contract}: expected one compiler version, got {sorted(inputs)}")
    ((version, ape_input),) = inputs.items()
    data = with_usual_paths(ape_input)
    if source_id not in data["sources"]:
        raise VerificationError(f"{contract}: source {source_id} missing from its input")
    item = StandardInput(
        contract=contract,
        source=source_id,
        compiler=_long_version(Path(get_executable(version=version))),
        text=canonical_bytes(data),
    )
    stored = {"source": item.source, "compiler": item.compiler, "text": item.text.decode()}
    input_cache.write(root, entry, stored)
    return item


def compile_input(project: Any, item: StandardInput) -> Compiled:
    """Compile ``item`` with the pinned solc; the result is cached under ``.build/`` by the
    input's hash (the input holds every source's content, so a cached result is never stale)."""
    from solcx import compile_standard
    from solcx.install import get_executable

    cache = Path(project.path) / ".build" / "verification" / f"{item.input_hash[2:]}.json"
    output: dict[str, Any]
    if cache.is_file():
        output = json.loads(cache.read_text(encoding="utf-8"))
    else:
        version = item.compiler.split("+", 1)[0]
        result = compile_standard(item.data, solc_binary=get_executable(version=version))
        errors = [e for e in result.get("errors", []) if e.get("severity") == "error"]
        if errors:
            raise VerificationError(
                f"{item.contract}: solc rejected its standard-json input: "
                + "; ".join(e.get("formattedMessage", e.get("message", "?")) for e in errors)
            )
        output = result["contracts"][item.source][item.contract]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(output), encoding="utf-8")
    evm = output["evm"]
    return Compiled(
        abi=output["abi"],
        bytecode="0x" + evm["bytecode"]["object"],
        deployed_bytecode="0x" + evm["deployedBytecode"]["object"],
        metadata=output["metadata"],
        devdoc=output.get("devdoc", {}),
        userdoc=output.get("userdoc", {}),
    )


def deployable_container(project: Any, contract: str) -> tuple[Any, StandardInput, Compiled]:
    """An ape container of ``contract`` whose creation code is the one compiled from its
    standard-json input (same ABI as ape's build; only the metadata hash can differ)."""
    from ape.contracts import ContractContainer
    from ethpm_types import Bytecode

    item = standard_input(project, contract)
    compiled = compile_input(project, item)
    ape_type = project.get_contract(contract).contract_type
    ape_abi = [e.model_dump(mode="json", by_alias=True) for e in ape_type.abi]
    if _abi_names(compiled.abi) != _abi_names(ape_abi):
        raise VerificationError(f"{contract}: its standard-json input gives another ABI than ape")
    contract_type = ape_type.model_copy(
        update={
            "deployment_bytecode": Bytecode(bytecode=compiled.bytecode),
            "runtime_bytecode": Bytecode(bytecode=compiled.deployed_bytecode),
        }
    )
    return ContractContainer(contract_type), item, compiled


def _abi_names(abi: list[Any]) -> list[tuple[str, str]]:
    return sorted((str(e.get("type")), str(e.get("name", ""))) for e in abi)


def constructor_args(container: Any, args: list[Any]) -> str:
    """The ABI-encoded constructor arguments (0x hex), as explorers ask for them."""
    data = bytes(container.constructor.serialize_transaction(*args).data)
    creation = bytes.fromhex(container.contract_type.deployment_bytecode.bytecode[2:])
    if not data.startswith(creation):
        raise VerificationError("the deployment data does not start with the creation code")
    return "0x" + data[len(creation) :].hex()


# -- the verification files of a deployment, and Etherscan --------------------------------------


@dataclass(frozen=True)
class VerificationFiles:
    """What ``ape run verify`` wrote for one deployed contract."""

    name: str  # the deploy step, e.g. "CommunityToken"
    address: str
    qualified_name: str  # "contracts/CommunityToken.sol:CommunityToken"
    compiler: str
    input_path: Path  # <name>.input.json: the standard-json input (bytes hashed as input_hash)
    args_path: Path  # <name>.args: the ABI-encoded constructor arguments, 0x hex, one line
    input_hash: str
    constructor_args: str


def write_verification_files(
    project: Any, journal: Any, out: Path, only: str | None = None
) -> list[VerificationFiles]:
    """Write each deployed contract's standard-json input and constructor arguments into
    ``out``, after checking the input still hashes to what the journal recorded at deployment.
    ``only``: one deploy step (a contract name)."""
    steps = [s for s in journal.steps if s.kind == "deploy" and s.status == "done"]
    if only is not None:
        steps = [s for s in steps if only in (s.name, s.contract)]
        if not steps:
            names = ", ".join(s.name for s in journal.steps if s.kind == "deploy")
            raise VerificationError(f"{journal.path}: no deployed contract {only!r} ({names})")
    if not steps:
        raise VerificationError(f"{journal.path}: no contract is deployed yet")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for step in steps:
        container, item, _ = deployable_container(project, step.contract)
        if step.input_hash != item.input_hash:
            raise VerificationError(
                f"{journal.path}: step {step.name!r} was deployed from the input with hash "
                f"{step.input_hash}, but the sources now give {item.input_hash}; verify from a "
                "checkout of the deployed commit"
            )
        args = constructor_args(container, step.args)
        input_path = out / f"{step.name}.input.json"
        args_path = out / f"{step.name}.args"
        input_path.write_bytes(item.text)
        args_path.write_text(args + "\n", encoding="utf-8")
        written.append(
            VerificationFiles(
                name=step.name,
                address=str(step.address),
                qualified_name=item.qualified_name,
                compiler=item.compiler,
                input_path=input_path,
                args_path=args_path,
                input_hash=item.input_hash,
                constructor_args=args,
            )
        )
    return written


ETHERSCAN_V2 = "https://api.etherscan.io/v2/api"


def submit_to_etherscan(
    files: VerificationFiles,
    chain_id: int,
    api_key: str,
    *,
    api_url: str = ETHERSCAN_V2,
    poll_seconds: float = 5.0,
    attempts: int = 24,
) -> str:
    """Submit one contract through Etherscan's V2 API (one key for every chain it serves) and
    wait for the verdict; returns Etherscan's final message."""
    import time
    import urllib.parse
    import urllib.request

    def call(params: dict[str, str], *, post: bool) -> dict[str, Any]:
        query = {"chainid": str(chain_id)}
        body = None
        if post:
            body = urllib.parse.urlencode({**params, "apikey": api_key}).encode()
        else:
            query.update({**params, "apikey": api_key})
        url = f"{api_url}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(url, data=body, method="POST" if post else "GET")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                reply: dict[str, Any] = json.loads(response.read())
        except (OSError, ValueError) as err:
            raise VerificationError(f"{files.name}: Etherscan at {api_url}: {err}") from None
        return reply

    submitted = call(
        {
            "module": "contract",
            "action": "verifysourcecode",
            "contractaddress": files.address,
            "sourceCode": files.input_path.read_text(encoding="utf-8"),
            "codeformat": "solidity-standard-json-input",
            "contractname": files.qualified_name,
            "compilerversion": "v" + files.compiler,
            "constructorArguements": files.constructor_args.removeprefix("0x"),
        },
        post=True,
    )
    result = str(submitted.get("result", ""))
    if submitted.get("status") != "1":
        if "already verified" in result.lower():
            return result
        raise VerificationError(f"{files.name}: Etherscan refused the submission: {result}")
    for _ in range(attempts):
        status = call(
            {"module": "contract", "action": "checkverifystatus", "guid": result}, post=False
        )
        verdict = str(status.get("result", ""))
        if "pending" not in verdict.lower():
            if status.get("status") == "1" or "already verified" in verdict.lower():
                return verdict
            raise VerificationError(f"{files.name}: Etherscan: {verdict}")
        time.sleep(poll_seconds)
    raise VerificationError(f"{files.name}: Etherscan gave no verdict for {result}; check later")
