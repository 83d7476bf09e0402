"""Drives ContributionRewards on an external node for the batch-claim fault test (a separate
process, so the test can kill the node under it).

    python tests/deploy/claim_driver.py setup URL WORKDIR  # deploy, finalize epoch 0, save tree
    python tests/deploy/claim_driver.py claim URL WORKDIR  # claim_all in batches (epoch claim)

``setup`` writes WORKDIR/system.json (addresses, accounts and their leaves) and
WORKDIR/bundle/tree.json. ``claim`` prints one line per batch sent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ACCOUNTS = 10
BATCH = 3


def rpc(method: str, *params):
    import ape

    return ape.chain.provider.make_request(method, list(params))


def setup(workdir: Path) -> None:
    import ape
    from eth_utils import keccak, to_checksum_address

    from communis.engine.bundle import TREE
    from tests.helpers.constants import HALF_LIFE, POLICY, TOKEN, WEEK
    from tests.helpers.epochs import cumulative as build_epoch
    from tests.helpers.epochs import deploy_rewards

    project = ape.project
    deployer = ape.accounts.test_accounts[0]
    now = ape.chain.blocks.head.timestamp
    token = deployer.deploy(project.CommunityToken, "C", "C", 10**27, deployer, deployer, 10**24)
    influence = deployer.deploy(project.Influence, deployer, now, WEEK, HALF_LIFE)
    zero = "0x0000000000000000000000000000000000000000"
    attesters = deployer.deploy(project.AttesterRegistry, influence, deployer)
    rewards = deploy_rewards(
        project, deployer, token, influence, (deployer, deployer, zero, attesters)
    )
    rewards.grantRole(rewards.PROPOSER_ROLE(), deployer, sender=deployer)
    token.approve(rewards, 2**256 - 1, sender=deployer)

    members = [to_checksum_address(keccak(text=f"member {i}")[:20]) for i in range(ACCOUNTS)]
    epoch = build_epoch(
        0, {m: ((i + 1) * TOKEN, (i + 1) * TOKEN // 10) for i, m in enumerate(members)}
    )
    rpc("evm_increaseTime", WEEK + 1)
    rpc("evm_mine")
    tokens, stored = epoch.totals
    rewards.proposeRoot(
        0,
        epoch.root,
        tokens,
        stored,
        b"\0" * 32,
        "ipfs://0",
        rewards.policyHash(),
        sender=deployer,
    )
    rpc("evm_increaseTime", int(POLICY[4]) + 1)
    rpc("evm_mine")
    rewards.finalize(0, sender=deployer)

    bundle = workdir / "bundle"
    bundle.mkdir(parents=True, exist_ok=True)
    epoch.tree.save(bundle / TREE)
    (workdir / "system.json").write_text(
        json.dumps(
            {
                "token": str(token.address),
                "rewards": str(rewards.address),
                "leaves": {m: list(epoch.leaf(m)) for m in members},
            }
        )
    )
    print("setup done", flush=True)


def claim(workdir: Path) -> None:
    import ape

    from communis.chain.epochs import claim_all

    system = json.loads((workdir / "system.json").read_text())
    rewards = ape.project.ContributionRewards.at(system["rewards"])
    sender = ape.accounts.test_accounts[1]

    def on_batch(sent, count):
        print(f"batch {sent.tx_hash} {count}", flush=True)

    sent = claim_all(rewards, workdir / "bundle", sender, batch_size=BATCH, on_batch=on_batch)
    print(f"claimed in {len(sent)} batch(es)", flush=True)


def main() -> None:
    import ape

    command, url, workdir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    with ape.networks.parse_network_choice(f"ethereum:local:{url}"):
        {"setup": setup, "claim": claim}[command](workdir)


if __name__ == "__main__":
    main()
