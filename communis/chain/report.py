"""Terminal output for deployments (rich)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from communis.chain.deployer import StepResult
from communis.journal import Journal


def step_printer(console: Console | None = None) -> Callable[[StepResult], None]:
    out = console or Console()

    def report(result: StepResult) -> None:
        step = result.step
        where = step.address or (f"-> {step.target}" if step.target else "")
        out.print(f"  [bold]{result.action:>8}[/bold]  {step.name}  {where}", highlight=False)

    return report


def print_journal(journal: Journal, console: Console | None = None) -> None:
    out = console or Console()
    table = Table(title=f"Deployment journal {journal.path}")
    for column in ("step", "status", "address", "block", "gas"):
        table.add_column(column)
    for step in journal.steps:
        table.add_row(
            step.name,
            step.status,
            step.address or "",
            str(step.block or ""),
            str(step.gas_used or ""),
        )
    out.print(table)
