"""The public-testnet path run locally: `ape run deploy` against anvil with Sepolia's chain id,
from a keystore account, and what the deploy tests read back from its journal."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from eth_account import Account
from eth_utils import to_checksum_address

from tests.helpers.anvil import ROOT, Anvil, anvil

SEPOLIA = 11155111
ALIAS = "sepolia-deployer"
PASSPHRASE = "correct horse battery staple"
# An initial guardian that is not the deployer: a live chain refuses a deployer-only guardian set.
LIVE_GUARDIAN = "0x" + "6a" * 20
# An attester: a live chain refuses a deployment whose rows nobody could attest.
LIVE_ATTESTER = "0x" + "7b" * 20
# scrypt's work factor in test keystores: eth-account's default (2**18) costs about half a second
# of CPU per decryption, and ape decrypts the keystore for every transaction it signs. The file
# format and every code path stay the same.
KEYSTORE_SCRYPT_N = 2**10


def write_keystore(data: Path, key: bytes) -> None:
    """An ape data folder ``data`` holding ``key`` as the keystore account ALIAS (PASSPHRASE)."""
    (data / "accounts").mkdir(parents=True, exist_ok=True)
    keyfile = Account.encrypt(key, PASSPHRASE, iterations=KEYSTORE_SCRYPT_N)
    (data / "accounts" / f"{ALIAS}.json").write_text(json.dumps(keyfile))


def live_config(folder: Path) -> Path:
    """config/deploy.toml with one independent initial guardian and one attester, as a live
    deployment needs."""
    shipped = (ROOT / "config" / "deploy.toml").read_text(encoding="utf-8")
    assert "guardians = []" in shipped and "# [attesters]" in shipped
    path = folder / "deploy.toml"
    text = shipped.replace("guardians = []", f'guardians = ["{LIVE_GUARDIAN}"]')
    path.write_text(text.replace("# [attesters]", f'[attesters]\n"{LIVE_ATTESTER}" = "5000"'))
    return path


def deploy(
    node: Anvil,
    data: Path,
    journals: Path,
    *,
    passphrase: str | None = PASSPHRASE,
    account: str = ALIAS,
    wait: bool = True,
    config: Path | None = None,
    extra: tuple[str, ...] = (),
):
    """`ape run deploy` from ``data``'s keystore into ``journals``; ``config`` defaults to
    :func:`live_config`, written beside ``journals``; ``extra``: more options. The risk of a
    corrupt attester within its budget is accepted, as every live deployment must: it has to
    appoint an attester, and an attester's signatures within its budget are not provable
    (README, "Why cheating does not pay")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APE_ACCOUNTS_")}
    env["APE_DATA_FOLDER"] = str(data)
    if passphrase is not None:
        env[f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE"] = passphrase
    command = [
        "ape",
        "run",
        "deploy",
        "--network",
        f"ethereum:sepolia:{node.url}",
        "--account",
        account,
        "--deployments",
        str(journals),
        "--config",
        str(config if config is not None else live_config(journals.parent)),
        "--accept-risk",
        "corrupt-attester",
        *extra,
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if not wait:
        return process
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


def journal(journals: Path) -> dict:
    return json.loads((journals / f"{SEPOLIA}.json").read_text())


def wait_until_known(node: Anvil, tx_hash: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while node.rpc("eth_getTransactionByHash", tx_hash) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"{tx_hash} never reached the node")
        time.sleep(0.05)


def create_address(sender: str, nonce: int) -> str:
    import rlp
    from eth_utils import keccak, to_bytes

    return to_checksum_address(keccak(rlp.encode([to_bytes(hexstr=sender), nonce]))[12:])


KILL_AT = 5  # steps 0-4 finished, step 5 in flight when the deployer dies


def wait_for_step(journals: Path, process: subprocess.Popen, index: int, status: str) -> dict:
    deadline = time.monotonic() + 180
    path = journals / f"{SEPOLIA}.json"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"deploy exited early:\n{process.stdout.read()}")
        if path.exists():
            steps = json.loads(path.read_text())["steps"]
            if len(steps) > index and steps[index]["status"] == status:
                return steps[index]
        time.sleep(0.05)
    raise AssertionError(f"step {index} never reached {status!r}")


def deploy_until_step_in_flight(node: Anvil, data: Path, journals: Path):
    """Start a deploy on a node that mines only on request, mine steps 0..KILL_AT-1 one by one
    and wait until step KILL_AT is journaled and broadcast; returns (the deploy process, the
    finished steps, the step in flight)."""
    process = deploy(node, data, journals, wait=False)
    before = []
    for index in range(KILL_AT):
        step = wait_for_step(journals, process, index, "sent")
        wait_until_known(node, step["tx_hash"])
        node.rpc("evm_mine")
        before.append(wait_for_step(journals, process, index, "done"))
    sent = wait_for_step(journals, process, KILL_AT, "sent")
    wait_until_known(node, sent["tx_hash"])  # journaled, then broadcast
    return process, before, sent


def assert_resumed(node: Anvil, data: Path, journals: Path, address: str, before, sent) -> list:
    """Rerun the deploy and check it finished every step without sending any twice: the finished
    steps untouched, the step in flight with its own signed transaction; returns the steps."""
    code, output = deploy(node, data, journals)
    assert code == 0, output
    steps = journal(journals)["steps"]
    assert all(s["status"] == "done" for s in steps), steps
    assert steps[:KILL_AT] == before  # finished steps untouched
    assert steps[KILL_AT]["tx_hash"] == sent["tx_hash"]  # the same signed transaction
    assert node.nonce(address) == len(steps)  # every step sent exactly once
    for step in steps:
        if step["kind"] == "deploy":
            assert step["address"] == create_address(address, step["nonce"])
            assert node.code(step["address"]) not in ("0x", "")
    return steps


def deploy_on_fresh_node(data: Path, journals: Path, address: str) -> str:
    """A whole deploy from ``address`` (the keystore's, funded first) on a fresh Sepolia-id anvil,
    stopped afterwards; returns the deploy's output."""
    with anvil(chain_id=SEPOLIA) as node:
        node.rpc("anvil_setBalance", address, hex(10**20))
        code, output = deploy(node, data, journals)
    assert code == 0, output
    return output
