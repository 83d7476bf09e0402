"""``communis simulate``: the attack table at a deployment config, the stress cases, the
community simulation and its charts (registered on the offline ``communis`` command)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from communis.cli.expected import MappedErrorsCommand
from communis.deploy.config import load
from communis.economics.advisor import attack_table
from communis.economics.params import Assumptions
from communis.economics.report import (
    analyse_config,
    concentration_rows,
    fill_markdown,
    leaver_text,
    markdown,
)
from communis.economics.report import write_section as write_economics
from communis.economics.simulation import Community

F = TypeVar("F", bound=Callable[..., Any])


def assumption_options(function: F) -> F:
    """``--watchers``, ``--governance`` and ``--epochs-covered``: the assumptions a person may
    change (:func:`assumptions_from` turns them into :class:`Assumptions`)."""
    options = (
        click.option("--watchers", type=click.IntRange(0, 1000), default=1, show_default=True),
        click.option(
            "--governance",
            type=click.Choice(["votes", "silent"]),
            default="votes",
            show_default=True,
            help="Whether governance decides disputes (silent: every dispute times out).",
        ),
        click.option(
            "--epochs-covered",
            type=click.IntRange(1, 1000),
            default=1,
            show_default=True,
            help="Epochs a fraudulent root covers (a catch-up root covers more than one).",
        ),
    )
    for option in reversed(options):
        function = option(function)
    return function


def assumptions_from(watchers: int, governance: str, epochs_covered: int) -> Assumptions:
    """The :class:`Assumptions` of :func:`assumption_options`' values."""
    return Assumptions(
        watchers=watchers, governance_votes=governance == "votes", epochs_covered=epochs_covered
    )


@click.command(cls=MappedErrorsCommand)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config/deploy.toml"),
    show_default=True,
    help="The deployment config whose parameters to model.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports/economics"),
    show_default=True,
    help="Folder for the PNG charts and the HTML section.",
)
@assumption_options
@click.option("--epochs", type=click.IntRange(2, 2000), default=120, show_default=True)
@click.option("--seed", type=int, default=Community().seed, show_default=True)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the tables as Markdown to this file; a file with <!-- economics:NAME -->"
    " markers (the README) gets only those blocks replaced.",
)
def simulate(
    config_path: Path,
    out: Path,
    watchers: int,
    epochs: int,
    governance: str,
    epochs_covered: int,
    seed: int,
    markdown_path: Path | None,
) -> None:
    """Model every attack at CONFIG's parameters and simulate the community's concentration."""
    console = Console(highlight=False, soft_wrap=True)
    config = load(config_path)
    assumptions = assumptions_from(watchers, governance, epochs_covered)
    with console.status(f"simulating {epochs} epochs"):
        analysis = analyse_config(
            config, assumptions, epochs=epochs, community=Community(seed=seed)
        )
    console.print(attack_table(analysis.results, f"Attacks at {config_path}"))
    for stress in analysis.stresses:
        found = ", ".join(r.key for r in stress.profitable) or "none"
        console.print(f"stress case, {stress.name}: profitable: {found}")
    if analysis.sim is not None:
        for row in concentration_rows(analysis.sim):
            console.print(
                f"after {row.epoch} epochs, {row.variant}: Gini {row.gini:.3f}, Nakamoto quorum "
                f"{row.nakamoto_quorum}, half {row.nakamoto_half}, largest "
                f"{100 * row.top_share:.1f}%"
            )
        console.print(leaver_text(analysis.sim.leaving[0], analysis.params))
    section = write_economics(analysis, out)
    console.print(f"wrote {len(section.charts)} charts and {section.path}")
    if markdown_path is not None:
        old = markdown_path.read_text(encoding="utf-8") if markdown_path.exists() else ""
        new = fill_markdown(old, analysis) if "<!-- economics:" in old else markdown(analysis)
        markdown_path.write_text(new, encoding="utf-8")
        console.print(f"wrote {markdown_path}")
