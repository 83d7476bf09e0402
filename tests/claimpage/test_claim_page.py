"""The members' claim page in Debian's chromium (Playwright) against anvil: a wallet injected as
an EIP-1193 provider and backed by a test key connects, the page shows the member's unclaimed
tokens, and one click claims them; the chain then holds the claim and the console no error.

Needs an HTTP node (the anvil pass of `make test`); on the in-process EVM it is skipped."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from communis.claimpage.build import ClaimPageError, build_claim_page
from communis.engine.bundle import BUNDLE_FORMAT, TOTALS, TREE
from tests.helpers.browser import SUMMARY, Chromium, chromium_or_skip
from tests.helpers.constants import TOKEN
from tests.helpers.epochs import cumulative
from tests.helpers.system import Roles, deploy_system, settle

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "reports" / "screenshots" / "claim-page.png"
MNEMONIC = "test test test test test test test test test test test junk"

WALLET = """
window.ethereum = {
  isCommunisInjectedWallet: true,
  async request({ method, params }) {
    const reply = JSON.parse(await window.__injectedWallet(method, JSON.stringify(params || [])));
    if (reply.error) {
      const error = new Error(reply.error.message);
      error.code = reply.error.code;
      throw error;
    }
    return reply.result;
  },
  on() {},
  removeListener() {},
};
"""


class InjectedWallet:
    """The wallet behind the page's ``window.ethereum``: answers for one key, signs the page's
    transactions with it, and passes every other request to the node."""

    def __init__(self, url: str, key: bytes, chain_id: int) -> None:
        self.url = url
        self.account = Account.from_key(key)
        self.chain_id = chain_id
        self.sent: list[str] = []
        self.errors: list[str] = []

    def rpc(self, method: str, params: list) -> dict:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        request = urllib.request.Request(
            self.url, body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def __call__(self, method: str, params_json: str) -> str:
        try:
            reply = self.answer(method, params_json)
        except Exception as err:  # the page sees a JSON-RPC error, the test the cause
            self.errors.append(f"{method} {params_json}: {err!r}")
            return json.dumps({"error": {"code": -32603, "message": repr(err)}})
        if '"error"' in reply:
            self.errors.append(f"{method} {params_json}: {reply}")
        return reply

    def answer(self, method: str, params_json: str) -> str:
        params = json.loads(params_json)
        if method in ("eth_requestAccounts", "eth_accounts"):
            return json.dumps({"result": [self.account.address]})
        if method == "eth_chainId":
            return json.dumps({"result": hex(self.chain_id)})
        if method == "eth_sendTransaction":
            return json.dumps(self.send(params[0]))
        return json.dumps(self.rpc(method, params))

    def send(self, tx: dict) -> dict:
        if str(tx.get("from", "")).lower() != self.account.address.lower():
            return {"error": {"code": 4100, "message": "unknown account"}}
        address = self.account.address
        nonce = int(self.rpc("eth_getTransactionCount", [address, "pending"])["result"], 16)
        call = {"from": address, "to": tx["to"], "data": tx.get("data", "0x")}
        estimate = self.rpc("eth_estimateGas", [call])
        if "error" in estimate:
            return estimate
        price = int(self.rpc("eth_gasPrice", [])["result"], 16)
        signed = self.account.sign_transaction(
            {
                "chainId": self.chain_id,
                "nonce": nonce,
                "to": to_checksum_address(tx["to"]),
                "data": tx.get("data", "0x"),
                "value": int(tx.get("value", "0x0"), 16),
                "gas": int(estimate["result"], 16) * 2,
                "maxFeePerGas": price * 2,
                "maxPriorityFeePerGas": 1,
            }
        )
        reply = self.rpc("eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()])
        if "result" in reply:
            self.sent.append(reply["result"])
        return reply


def wait_for(page, selector: str, start: str, timeout: float = 60.0) -> None:
    """Wait until ``selector``'s text starts with ``start``; on timeout, say what the page shows."""
    import time

    deadline = time.monotonic() + timeout
    while not (page.text_content(selector) or "").startswith(start):
        if time.monotonic() > deadline:
            shown = {s: page.text_content(s) for s in (selector, "#status", "#finalized")}
            shown["wallet"] = getattr(page, "wallet_errors", None)
            raise AssertionError(f"{selector} never showed {start!r}; the page shows {shown}")
        page.wait_for_timeout(100)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    return chromium_or_skip("the claim page was NOT tested")


@pytest.fixture(scope="module")
def node_url(chain) -> str:
    uri = getattr(chain.provider, "http_uri", None)
    if not uri:
        pytest.skip("the claim page needs an HTTP node: run it on ethereum:local:foundry")
    return str(uri)


@pytest.fixture(scope="module")
def finalized(
    project, chain, deployer, proposer, guardian, treasury, alice, bob, tmp_path_factory, node_url
):
    """The system deployed from the plan, epoch 0 finalized with awards to alice and bob, its
    bundle and the deployment's artifacts folder."""
    journals = tmp_path_factory.mktemp("deployments")
    roles = Roles(proposer=proposer, guardian=guardian, treasury=treasury)
    full = deploy_system(project, chain, deployer, journals, roles)
    epoch = cumulative(0, {alice: (120 * TOKEN, 12 * TOKEN), bob: (80 * TOKEN, 8 * TOKEN)})
    settle(chain, full, epoch)
    bundle = tmp_path_factory.mktemp("bundle")
    epoch.tree.save(bundle / TREE)
    totals = {"bundleFormat": BUNDLE_FORMAT, "epoch": 0, "root": epoch.tree.root_hex}
    (bundle / TOTALS).write_text(json.dumps(totals))
    return full, epoch, bundle, journals / str(chain.chain_id)


def test_member_claims_through_the_page_with_an_injected_wallet(
    finalized, chromium_path, node_url, chain, alice, tmp_path
):
    full, epoch, bundle, artifacts = finalized
    site = tmp_path / "site"
    page_info = build_claim_page(bundle, artifacts, site)
    assert page_info.members == 2 and page_info.chain_id == chain.chain_id
    assert "cdn" not in (site / "index.html").read_text().lower()
    Account.enable_unaudited_hdwallet_features()
    key = Account.from_mnemonic(MNEMONIC, account_path="m/44'/60'/0'/0/1").key
    wallet = InjectedWallet(node_url, key, chain.chain_id)
    assert wallet.account.address == alice.address
    tokens_before = full.token.balanceOf(alice)

    with Chromium(chromium_path) as browser:
        page, result = browser.open((site / "index.html").as_uri(), init_script=WALLET)
        page.expose_function("__injectedWallet", wallet)
        page.wallet_errors = wallet.errors
        page.goto((site / "index.html").as_uri(), wait_until="load")
        assert page.text_content("#epoch-number") == "0"
        assert page.text_content("#root") == epoch.tree.root_hex
        page.click("#connect")
        wait_for(page, "#unclaimed-tokens", "120.0")
        assert page.text_content("#account") == alice.address
        assert "finalized" in page.text_content("#finalized")
        assert page.is_enabled("#claim")
        page.click("#claim")
        wait_for(page, "#status", "Claimed in block")
        assert page.text_content("#unclaimed-tokens") == "0.0"
        assert page.text_content("#balance") == "120.0"
        assert float(page.text_content("#votes")) > 0
        assert page.is_disabled("#claim")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT, full_page=True)
        page.close()
    SUMMARY.append(f"claim page screenshot: {SCREENSHOT}")

    assert result.errors == [], result.errors
    assert result.external_requests == []
    assert len(wallet.sent) == 1
    assert full.token.balanceOf(alice) == tokens_before + 120 * TOKEN
    paid = full.rewards.claimed(alice)
    assert (int(paid[0]), int(paid[1])) == epoch.leaf(alice)
    assert int(full.influence.getVotes(alice)) > 0


def test_page_refuses_a_bundle_that_is_not_the_deployment_folder(finalized, tmp_path):
    _, _, bundle, artifacts = finalized
    with pytest.raises(ClaimPageError, match="cannot read the chain id"):
        build_claim_page(bundle, bundle, tmp_path / "site")
    broken = tmp_path / "artifacts"
    shutil.copytree(artifacts, broken)
    (broken / "Influence.json").write_text("{}")
    with pytest.raises(ClaimPageError, match="needs 'address' and 'abi'"):
        build_claim_page(bundle, broken, tmp_path / "site")
