"""The parameter advisor: which modelled attacks a deployment config makes profitable.

``ape run deploy`` prints :func:`attack_table` of :func:`advise`'s findings and, on a chain that
is not local, refuses a config with a profitable attack unless ``--accept-risk <attack>`` names
each one (:func:`check_accepted`). ``communis simulate`` prints the same table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table

from communis.deploy.config import DeployConfig
from communis.economics.attacks import KEYS, AttackResult, cmn, evaluate
from communis.economics.params import Assumptions, Parameters
from communis.errors import CommunisError


class RiskRefused(CommunisError):
    """A config makes a modelled attack profitable and nobody accepted that risk."""


def advise(config: DeployConfig, assumptions: Assumptions | None = None) -> list[AttackResult]:
    """Every modelled attack at ``config``'s parameters (default assumptions: one independent
    watcher, a governance that votes; see :class:`Assumptions`)."""
    return evaluate(Parameters.from_config(config), assumptions or Assumptions())


def check_accepted(
    findings: Sequence[AttackResult], accepted: Iterable[str], *, live: bool
) -> None:
    """Refuse (raise :class:`RiskRefused`) on a live chain when an attack is profitable and its
    key is not in ``accepted``. An unknown key in ``accepted`` is refused everywhere."""
    accepted = tuple(accepted)
    unknown = sorted(set(accepted) - set(KEYS))
    if unknown:
        raise RiskRefused(
            f"--accept-risk: unknown attack {', '.join(unknown)}; known: {', '.join(KEYS)}"
        )
    if not live:
        return
    open_risks = [r for r in findings if r.profitable and r.key not in accepted]
    if open_risks:
        names = " ".join(f"--accept-risk {r.key}" for r in open_risks)
        details = "; ".join(
            f"{r.title}: PROFITABLE (expected profit {cmn(r.profit)}); unprofitable when "
            f"{r.unprofitable_when}"
            for r in open_risks
        )
        raise RiskRefused(
            f"the config makes an attack profitable: {details}. Change the parameters, or deploy "
            f"anyway with {names}"
        )


def attack_table(
    results: Sequence[AttackResult], title: str = "Attacks at these parameters"
) -> Table:
    """A rich table with one row per attack: cost, gain, profit, the unprofitable region."""
    table = Table(title=title, show_lines=True)
    table.add_column("attack")
    for column in ("cost", "gain", "profit"):
        table.add_column(column, justify="right")
    table.add_column("unprofitable when")
    for r in results:
        verdict = "[red]PROFITABLE[/]" if r.profitable else "[green]no[/]"
        table.add_row(
            f"{r.title}\n[dim]{r.key}[/]",
            cmn(r.cost),
            cmn(r.gain),
            f"{cmn(r.profit)}\n{verdict}",
            r.unprofitable_when,
        )
    return table


__all__ = ["RiskRefused", "advise", "attack_table", "check_accepted"]
