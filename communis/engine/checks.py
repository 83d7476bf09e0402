"""Warnings for inputs that are valid but probably not what their author meant.

They do not stop anything (the input is well formed); the commands print them before the user
acts on the result:

- :func:`policy_warnings`: policy amounts that look like whole tokens where a policy file expects
  base units (``"tokenBudget": 100000`` is 0.0000000000001 CMN, so nobody would be paid);
- :func:`epoch_order_warning`: a ledger for an epoch that is not the next one the chain takes
  (settled already, still running, or one whose root must also cover earlier epochs).

The cap's warnings are the scoring's own (:meth:`communis.engine.scoring.EpochScores.warnings`).
"""

from __future__ import annotations

import dataclasses

from communis.engine.policy import Policy
from communis.engine.units import UNIT, format_amount


def policy_warnings(policy: Policy, where: str = "policy") -> list[str]:
    """Budgets and bonds below one whole token: in a policy file amounts are base units
    (10^18 per token), so a value written in whole tokens ends up a billion billion times too
    small."""
    found = []
    for f in dataclasses.fields(Policy):
        if not f.name.endswith(("_budget", "_bond")):
            continue
        value = getattr(policy, f.name)
        if 0 < value < UNIT:
            head, *rest = f.name.split("_")
            name = head + "".join(word.title() for word in rest)
            found.append(
                f"{where}: {name} is {value} base units, i.e. {format_amount(value)} whole "
                f"tokens: amounts are in base units (10^18 per token); for {value} whole tokens "
                f'write "{value * UNIT}"'
            )
    return found


def epoch_order_warning(ledger_epoch: int, next_epoch: int, current_epoch: int) -> str | None:
    """Why a bundle for ``ledger_epoch`` cannot be proposed to a chain whose next epoch to
    propose is ``next_epoch`` while ``current_epoch`` runs (None: it can, once it has ended).

    An offline build cannot know the chain: the chain commands call this with what they read."""
    if ledger_epoch < next_epoch:
        return (
            f"epoch {ledger_epoch} is already settled on chain (the next epoch to propose is "
            f"{next_epoch}): this bundle cannot be proposed"
        )
    if ledger_epoch > next_epoch:
        missing = (
            f"epoch {next_epoch}"
            if ledger_epoch == next_epoch + 1
            else f"epochs {next_epoch} to {ledger_epoch - 1}"
        )
        return (
            f"epoch {ledger_epoch} is not the next epoch on chain ({next_epoch}): a root for it "
            f"covers {missing} too (a catch-up root), so their bundles must be built into the "
            f"same folder first; or propose {missing} first"
        )
    if ledger_epoch >= current_epoch:
        return (
            f"epoch {ledger_epoch} is still running (the chain is in epoch {current_epoch}): "
            "its root can be proposed once it has ended"
        )
    return None
