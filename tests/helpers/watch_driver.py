"""Sets up the chain of the watcher test on an external node (a separate process, so the test
keeps its own connection free and can restart the node under the watcher).

    python tests/helpers/watch_driver.py URL WORKDIR

deploys the system through the real plan (the watcher's account ``TEST::5`` a registry guardian,
``TEST::4`` the one attester) and builds epoch 0's bundles into WORKDIR:

    epochs/0          the honest, attested bundle (the watcher's --bundles)
    padded-tree/0     the honest ledger published with a tree padded with fake accounts
    padded-ledger/0   the honest rows plus rows for fake accounts, those signed by TEST::8
                      (no attester), built into a bundle whose tree agrees with its ledger

and writes WORKDIR/system.json (addresses, genesis, the policy's periods, the accounts).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PROPOSER, ATTESTER, WATCHER, ATTACKER, TREASURY = 3, 4, 5, 8, 9
MEMBERS = (1, 2, 6, 7)
ROLES = ("creator", "curator", "guardian", "participant")


def _rows(members: list[str], fakes: list[str]) -> str:
    rows = [
        {"epoch": 0, "account": m, "role": role, "points": str(10 + 7 * i), "ref": f"r{i}"}
        for i, (m, role) in enumerate(zip(members, ROLES, strict=True))
    ] + [
        {"epoch": 0, "account": f, "role": "creator", "points": "40", "ref": f"fake{i}"}
        for i, f in enumerate(fakes)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows)


def setup(workdir: Path) -> None:
    import ape
    from eth_utils import to_checksum_address

    from communis.chain import epochs
    from communis.engine.attest import Domain, SigningKey, attest, attestations_path
    from communis.engine.attest import write_attestations as write
    from communis.engine.ledger import iter_numbered_rows
    from tests.helpers.attack_bundles import FAKES, pad
    from tests.helpers.system import Roles, deploy_system

    accounts = ape.accounts.test_accounts
    roles = Roles(
        proposer=accounts[PROPOSER],
        guardian=accounts[WATCHER],
        treasury=accounts[TREASURY],
        attesters=(accounts[ATTESTER].address,),
    )
    full = deploy_system(ape.project, ape.chain, accounts[0], workdir / "deployments", roles)
    rewards = full.rewards
    domain = Domain(ape.chain.chain_id, str(rewards.attesterRegistry()))
    attester = SigningKey(accounts[ATTESTER].private_key)
    attacker = SigningKey(accounts[ATTACKER].private_key)
    members = [accounts[i].address for i in MEMBERS]
    fakes = [to_checksum_address(f) for f in FAKES]

    def ledger(name: str, extra: list[str]) -> Path:
        path = workdir / "ledgers" / name / "epoch-0.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text(_rows(members, extra), encoding="utf-8")
        rows = list(iter_numbered_rows(path, whole_ledger_checks=False))
        lines = [line for line, _ in rows]
        signers = [(attester, lines[: len(members)]), (attacker, lines[len(members) :])]
        write(attest(rows, [s for s in signers if s[1]], domain, 0), attestations_path(path))
        return path

    epochs.build(rewards, ledger("honest", []), workdir / "epochs")
    pad(workdir / "epochs" / "0", workdir / "padded-tree" / "0")
    padded = ledger("padded", fakes)  # a cheat's bundle: the registry's check is skipped
    epochs.build(rewards, padded, workdir / "padded-ledger", check_attesters=False)
    policy = epochs.onchain_policy(rewards)
    (workdir / "system.json").write_text(
        json.dumps(
            {
                "rewards": str(rewards.address),
                "token": str(full.token.address),
                "genesis": int(full.influence.genesis()),
                "epoch_duration": int(full.influence.epochDuration()),
                "challenge_window": policy.challenge_window,
                "dispute_period": policy.dispute_period,
                "proposer_bond": policy.proposer_bond,
                "proposer": accounts[PROPOSER].address,
                "watcher": accounts[WATCHER].address,
            }
        )
    )
    print("setup done", flush=True)


def main() -> None:
    import ape

    url, workdir = sys.argv[1], Path(sys.argv[2])
    with ape.networks.parse_network_choice(f"ethereum:localnet:{url}"):
        setup(workdir)


if __name__ == "__main__":
    main()
