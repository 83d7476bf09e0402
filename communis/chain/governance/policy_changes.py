"""The reward policy's fields as command-line options, and the policy a proposal would set."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from communis.chain.governance.arguments import parse_bool
from communis.chain.governance.errors import GovernanceError
from communis.engine.policy import Policy
from communis.engine.roles import ROLES
from communis.engine.units import (
    UnitsError,
    format_amount,
    format_duration,
    parse_amount,
    parse_duration,
)
from communis.errors import CommunisError


@dataclass(frozen=True)
class PolicyChange:
    """One field of the reward policy as a proposal would change it."""

    option: str
    """The command-line name (``curator-weight``, ``token-budget``)."""
    before: str
    after: str


def _kind(f: dataclasses.Field[Any]) -> str:
    name, typ = f.name, str(f.type)
    if name == "role_weights":
        return "weights"
    if typ == "bool":
        return "bool"
    if name.endswith(("_budget", "_bond")):
        return "amount"
    if name.endswith(("_window", "_period")):
        return "duration"
    if name.endswith("_bps"):
        return "bps"
    return "int"


def policy_options() -> dict[str, tuple[str, str, int | None]]:
    """``{option: (kind, Policy field, role index or None)}`` for every policy field: role
    weights as ``<role>-weight``, the others by their field name with dashes. Derived from the
    :class:`Policy` dataclass, so a new policy field gets its option without an edit here."""
    options: dict[str, tuple[str, str, int | None]] = {}
    for f in dataclasses.fields(Policy):
        kind = _kind(f)
        if kind == "weights":
            for index, role in enumerate(ROLES):
                options[f"{role}-weight"] = ("int", f.name, index)
        else:
            options[f.name.replace("_", "-")] = (kind, f.name, None)
    return options


def _unit_of(field_name: str) -> str:
    return "influence" if "influence" in field_name else "CMN"


def _show(kind: str, field_name: str, value: Any) -> str:
    if kind == "amount":
        return f"{format_amount(int(value), places=4)} {_unit_of(field_name)}"
    if kind == "duration":
        return format_duration(int(value))
    if kind == "bps":
        return f"{int(value)} bps ({int(value) / 100:g}%)"
    if kind == "bool":
        return str(bool(value)).lower()
    return str(value)


def _parse(kind: str, option: str, text: str) -> Any:
    try:
        if kind == "amount":
            return parse_amount(text)
        if kind == "duration":
            return parse_duration(text)
    except UnitsError as err:
        raise GovernanceError(f"--{option}: {err}") from None
    if kind == "bool":
        return parse_bool(text)
    if not text.strip().isdigit():
        raise GovernanceError(f"--{option}: {text!r} is not a whole number")
    return int(text)


def policy_with(policy: Policy, changes: Mapping[str, str]) -> tuple[Policy, list[PolicyChange]]:
    """``policy`` with ``changes`` (``{option: text}``, options of :func:`policy_options`,
    amounts in whole tokens, durations as ``2d``) applied, and the fields that differ."""
    options = policy_options()
    values: dict[str, Any] = {f.name: getattr(policy, f.name) for f in dataclasses.fields(Policy)}
    weights = list(policy.role_weights)
    for option, text in changes.items():
        if option not in options:
            known = ", ".join(f"--{o}" for o in options)
            raise GovernanceError(f"no policy field --{option} (known: {known})")
        kind, name, index = options[option]
        value = _parse(kind, option, text)
        if index is not None:
            weights[index] = value
        else:
            values[name] = value
    values["role_weights"] = tuple(weights)
    try:
        updated = Policy(**values)
    except CommunisError as err:
        raise GovernanceError(f"the new policy is invalid: {err}") from None
    diff = []
    for option, (kind, name, index) in options.items():
        old, new = getattr(policy, name), getattr(updated, name)
        if index is not None:
            old, new = old[index], new[index]
        if old != new:
            diff.append(PolicyChange(option, _show(kind, name, old), _show(kind, name, new)))
    return updated, diff
