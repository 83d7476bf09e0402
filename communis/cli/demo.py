"""``ape run demo --network ethereum:local:test`` (also ethereum:local:foundry): the main job of
``make demo``. A sample community of 240 members runs four epochs of Communis end to end; see
:mod:`communis.demo.story` for the story. Exits non-zero if any step does not do what it claims.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from communis.cli.base import CommunisCommand
from communis.cli.options import config_option, out_option
from communis.demo.story import run
from communis.demo.story.report import run_report, summary, write_demo_report
from communis.demo.story.state import Story
from communis.deploy.config import load
from communis.report.terminal import distribution_table, roles_table, top_earners_table


@click.command(cls=CommunisCommand, short_help="Run the Communis demo")
@config_option("examples/deploy-demo.toml")
@out_option(
    "reports/demo", "where the deployment journal, the bundles, the run data and the report go"
)
def cli(provider: Any, config_path: Path, out: Path) -> None:
    """Deploy a fresh system and run four epochs of the sample community through it."""
    import ape

    started = time.perf_counter()
    console = Console(soft_wrap=True)  # soft_wrap: the story's lines never break mid-sentence
    story = Story(
        project=ape.project,
        chain=ape.chain,
        accounts=ape.accounts.test_accounts,
        examples=Path("examples"),
        work=out,
        console=console,
        config=load(config_path),
    )
    # The demo's own journal: a fresh deployment each run, apart from the project's journals.
    deployments = out / "deployments"
    shutil.rmtree(deployments, ignore_errors=True)
    run(story, deployments)
    report = run_report(story, provider.network_choice)
    # The numbers; the proposals and bonds were told along the way (the report lists them too).
    console.print(roles_table(report), top_earners_table(report, 5), distribution_table(report))
    console.print("[bold]What the demo showed[/bold]", highlight=False)
    for line in summary(story):
        console.print(f"  - {line}", highlight=False)
    paths = write_demo_report(story, provider.network_choice, out / "report")
    console.print(f"report: {paths.html}")
    console.print(f"demo: every step did what it claimed, in {time.perf_counter() - started:.0f} s")
