"""``communis build``: ledgers into epoch bundles."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from communis.cli.expected import MappedErrorsCommand
from communis.cli.offline.options import checked_address, deployment_options, stderr_console, tokens
from communis.engine.attest.attesters import AttesterSet
from communis.engine.attest.hashing import Domain
from communis.engine.bundle import BundleError, build_bundle, find_previous
from communis.engine.checks import policy_warnings
from communis.engine.ledger import read_ledger
from communis.engine.policy import Policy


@click.command(cls=MappedErrorsCommand)
@click.argument("ledgers", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--policy", "policy_path", required=True, type=click.Path(path_type=Path))
@click.option("--half-life", required=True, type=click.IntRange(min=1), help="In epochs.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder of bundles; each epoch goes to OUT/<epoch>/.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="Bundle of the epoch before the first ledger (default: the latest one in OUT).",
)
@click.option("--overwrite", is_flag=True, help="Replace existing bundles.")
@click.option("--workers", type=click.IntRange(1, 2), help="Hashing processes (default: auto).")
@click.option(
    "--draft",
    is_flag=True,
    help="Build even if rows are not attested; the bundle says attested: false.",
)
@deployment_options
def build(
    ledgers: tuple[Path, ...],
    policy_path: Path,
    half_life: int,
    out: Path,
    previous: Path | None,
    overwrite: bool,
    workers: int | None,
    draft: bool,
    attesters_path: Path | None,
    chain_id: int | None,
    registry: str | None,
) -> None:
    """Validate LEDGERS (one per epoch, in order) and write one bundle per epoch.

    Every row must be covered by an attester's batch in the ledger's attestations file
    (EPOCH.attestations.json beside EPOCH.jsonl, written by `communis attest`), unless --draft.
    With --attesters, --chain-id and --registry, every signature, membership and budget is
    checked as `communis verify` will, and nothing is written if one is wrong.
    """
    console = stderr_console()
    policy = Policy.load(policy_path)
    for warning in policy_warnings(policy, str(policy_path)):
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    attesters = domain = None
    if (attesters_path, chain_id, registry) != (None, None, None):
        if attesters_path is None or chain_id is None or registry is None:
            raise BundleError("--attesters, --chain-id and --registry go together")
        attesters = AttesterSet.load(attesters_path)
        domain = Domain(chain_id, checked_address(registry, "--registry"))
    table = Table(title="Epoch bundles")
    for column in ("epoch", "rows", "accounts", "tokens", "influence", "root", "bundle"):
        table.add_column(column, justify="right" if column in ("rows", "accounts") else "left")
    for ledger_path in ledgers:
        started = time.perf_counter()
        with console.status(f"{ledger_path}: reading ledger") as status:
            epoch = read_ledger(ledger_path).epoch
            before = previous if previous is not None else find_previous(out, epoch)
            if before is not None:
                console.print(f"epoch {epoch}: cumulative from [bold]{before}[/]")

            def progress(step: str, p: Path = ledger_path) -> None:
                status.update(f"{p}: {step}")

            result = build_bundle(
                ledger_path,
                policy,
                half_life,
                out / str(epoch),
                previous=before,
                overwrite=overwrite,
                workers=workers,
                progress=progress,
                draft=draft,
                attesters=attesters,
                domain=domain,
            )
        previous = out / str(epoch)
        console.print(
            f"epoch {epoch}: {result.ledger.rows} rows, {len(result.tree)} accounts, "
            f"root {result.root} in {time.perf_counter() - started:.2f}s"
        )
        if result.attested:
            console.print(f"epoch {epoch}: every row attested, ledger root {result.ledger_root}")
        else:
            console.print(f"[yellow]epoch {epoch}: DRAFT[/], not every row is attested")
        for warning in result.scores.warnings(policy.account_cap_bps):
            console.print(f"[yellow]warning:[/] epoch {epoch}: {escape(warning)}")
        table.add_row(
            str(epoch),
            str(result.ledger.rows),
            str(len(result.tree)),
            tokens(result.scores.tokens.total),
            tokens(result.scores.influence.total),
            result.root,
            str(previous),
        )
    console.print(table)
