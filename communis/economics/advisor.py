"""The parameter advisor: which modelled attacks a deployment config makes profitable.

``ape run deploy`` prints :func:`attack_table` of :func:`advise`'s findings and, on a chain that
is not local, refuses a config with a profitable attack unless ``--accept-risk <attack>`` names
each one (:func:`check_accepted`). ``communis simulate`` prints the same table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.table import Table

from communis.deploy.config import DeployConfig
from communis.economics.attacks import KEYS, AttackResult, cmn, evaluate
from communis.economics.params import Assumptions, Parameters
from communis.errors import CommunisError


class RiskRefused(CommunisError):
    """A config makes a modelled attack profitable and nobody accepted that risk."""


@dataclass(frozen=True, slots=True)
class Finding:
    """The advisor's verdict on one attack."""

    result: AttackResult

    @property
    def key(self) -> str:
        return self.result.key

    @property
    def profitable(self) -> bool:
        return self.result.profitable

    @property
    def message(self) -> str:
        r = self.result
        verdict = "PROFITABLE" if r.profitable else "unprofitable"
        return (
            f"{r.title}: {verdict} (expected profit {cmn(r.profit)}); unprofitable when "
            f"{r.unprofitable_when}"
        )


def advise(config: DeployConfig, assumptions: Assumptions | None = None) -> list[Finding]:
    """One finding per modelled attack at ``config``'s parameters (default assumptions: one
    independent watcher, a governance that votes; see :class:`Assumptions`)."""
    params = Parameters.from_config(config)
    return [Finding(r) for r in evaluate(params, assumptions or Assumptions())]


def check_accepted(findings: Sequence[Finding], accepted: Iterable[str], *, live: bool) -> None:
    """Refuse (raise :class:`RiskRefused`) on a live chain when a finding is profitable and its
    key is not in ``accepted``. An unknown key in ``accepted`` is refused everywhere."""
    accepted = tuple(accepted)
    unknown = sorted(set(accepted) - set(KEYS))
    if unknown:
        raise RiskRefused(
            f"--accept-risk: unknown attack {', '.join(unknown)}; known: {', '.join(KEYS)}"
        )
    if not live:
        return
    open_risks = [f for f in findings if f.profitable and f.key not in accepted]
    if open_risks:
        names = " ".join(f"--accept-risk {f.key}" for f in open_risks)
        details = "; ".join(f.message for f in open_risks)
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


__all__ = ["Finding", "RiskRefused", "advise", "attack_table", "check_accepted"]
