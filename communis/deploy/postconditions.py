"""What a finished deployment plan must have left on chain, checked after a run that sent
anything: the roles its steps grant and renounce, the owners they set, and the token balances
its genesis mint and transfers leave.

The expected state is derived from the plan's own steps (resolved through the journal), so a
step recorded as done that did not really happen, or anything changed out of band between two
runs (a role revoked, tokens moved), is named instead of being handed over unnoticed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from communis.deploy.journal import Journal
from communis.deploy.steps import StepSpec


def _key(address: str) -> str:
    return str(address).lower()


def check_postconditions(
    project: Any, journal: Journal, plan: list[StepSpec], deployer: str
) -> list[str]:
    """Every mismatch between the chain and what ``plan`` sets up (empty: all as planned)."""
    roles: dict[tuple[str, str, str], bool] = {}
    owners: dict[str, str] = {}
    balances: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    contracts: dict[str, Any] = {}
    for spec in plan:
        step = journal.step(spec.name)
        if step is None or step.status != "done":
            return [f"step {spec.name!r} is not done"]
        if step.kind == "deploy":
            contracts[step.name] = project.get_contract(step.contract).at(step.address)
            if step.contract == "CommunityToken":
                # (name, symbol, cap, admin, genesis holder, genesis supply)
                holder, supply = step.args[4], int(step.args[5])
                balances[step.name][_key(holder)] += supply
            continue
        target = step.target or ""
        if step.function in ("grantRole", "renounceRole", "revokeRole"):
            role, account = step.args[0], step.args[1]
            roles[(target, str(role), _key(account))] = step.function == "grantRole"
        elif step.function == "transferOwnership":
            owners[target] = str(step.args[0])
        elif step.function == "transfer" and step.contract == "CommunityToken":
            to, amount = step.args[0], int(step.args[1])
            balances[target][_key(deployer)] -= amount
            balances[target][_key(to)] += amount

    problems: list[str] = []
    for (target, role, account), held in roles.items():
        if bool(contracts[target].hasRole(role, account)) != held:
            state = "does not hold" if held else "still holds"
            problems.append(f"{account} {state} role {role} on {target}")
    for target, owner in owners.items():
        actual = str(contracts[target].owner())
        if _key(actual) != _key(owner):
            problems.append(f"{target} is owned by {actual}, not {owner}")
    for target, expected in balances.items():
        token = contracts[target]
        for account, amount in expected.items():
            balance = int(token.balanceOf(account))
            if balance != amount:
                problems.append(f"{account} holds {balance} {target} units, not {amount}")
    return problems
