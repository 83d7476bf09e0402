"""``ape run demo --network ethereum:local:test`` (also ethereum:local:foundry): the main job of
``make demo``. A sample community of 240 members runs three epochs of Communis end to end; see
:mod:`communis.demo.story` for the story. Exits non-zero if any step does not do what it claims.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from communis.cli.base import CommunisCommand
from communis.demo import story as demo
from communis.report import print_summary, write_report


@click.command(cls=CommunisCommand, short_help="Run the Communis demo")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("examples/deploy-demo.toml"),
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports/demo"),
    show_default=True,
    help="where the bundles, the run data and the report go",
)
def cli(provider: Any, config_path: Path, out: Path) -> None:
    """Deploy a fresh system and run three epochs of the sample community through it."""
    import ape

    started = time.perf_counter()
    console = Console()
    story = demo.Story(
        project=ape.project,
        chain=ape.chain,
        accounts=ape.accounts.test_accounts,
        examples=Path("examples"),
        work=out,
        console=console,
    )
    demo.deploy(story, config_path, Path(ape.project.path) / "deployments")
    demo.fund_bonds(story)
    demo.run_epoch(story, 0)
    demo.appoint_guardians(story)
    demo.run_epoch(story, 1, fraud=True)
    demo.whale_and_weights(story)
    demo.run_epoch(story, 2)
    run = demo.run_report(story, provider.network_choice)
    print_summary(run, console)
    paths = write_report(run, out / "report")
    console.print(f"report: {paths.html}")
    console.print(f"demo: every step did what it claimed, in {time.perf_counter() - started:.0f} s")
