"""Terminal output for deployments (rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from communis.deploy.deployer import StepResult
from communis.deploy.journal import Journal


def step_printer(console: Console | None = None) -> Callable[[StepResult], None]:
    out = console or Console()

    def report(result: StepResult) -> None:
        step = result.step
        where = step.address or (f"-> {step.target}" if step.target else "")
        out.print(f"  [bold]{result.action:>8}[/bold]  {step.name}  {where}", highlight=False)

    return report


@contextmanager
def step_progress(
    total: int, console: Console | None = None
) -> Iterator[Callable[[StepResult], None]]:
    """A progress bar over a deployment plan, with one printed line per step."""
    out = console or Console()
    columns = (TextColumn("  deploying"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task("deploy", total=total)
        printer = step_printer(progress.console)

        def report(result: StepResult) -> None:
            printer(result)
            progress.advance(task)

        yield report


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
