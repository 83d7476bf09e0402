"""``communis``: offline epoch tools (a thin layer over the library; no chain access).

communis build LEDGER... --policy policy.json --half-life 12 --out epochs/31337
communis verify epochs/31337/3 --root 0x... --policy-hash 0x... --half-life 26 --previous-root 0x...
communis proof epochs/31337/3 0xAccount
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from communis.cli.expected import OfflineGroup, run_standalone
from communis.demo.sample import KEY_MEMBERS, MEMBERS, SEED, write_sample
from communis.economics.cli import simulate
from communis.engine.bundle import TREE, BundleError, build_bundle, find_previous, load_totals
from communis.engine.ledger import read_ledger
from communis.engine.merkle import MerkleError, MerkleTree, verify_proof
from communis.engine.policy import Policy
from communis.engine.units import format_amount
from communis.engine.verify import verify_bundle


def _console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _tokens(value: int) -> str:
    return format_amount(value, places=4, trim=False)


@click.group(cls=OfflineGroup)
@click.version_option(package_name="communis")
def cli() -> None:
    """Communis epoch engine: build, verify and prove epoch reward bundles, offline."""


@cli.command()
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
def build(
    ledgers: tuple[Path, ...],
    policy_path: Path,
    half_life: int,
    out: Path,
    previous: Path | None,
    overwrite: bool,
    workers: int | None,
) -> None:
    """Validate LEDGERS (one per epoch, in order) and write one bundle per epoch."""
    console = _console()
    policy = Policy.load(policy_path)
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
            )
        previous = out / str(epoch)
        console.print(
            f"epoch {epoch}: {result.ledger.rows} rows, {len(result.tree)} accounts, "
            f"root {result.root} in {time.perf_counter() - started:.2f}s"
        )
        table.add_row(
            str(epoch),
            str(result.ledger.rows),
            str(len(result.tree)),
            _tokens(result.scores.tokens.total),
            _tokens(result.scores.influence.total),
            result.root,
            str(previous),
        )
    console.print(table)


@cli.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--root", help="The root to check (e.g. the one proposed on chain).")
@click.option(
    "--policy", "policy_path", type=click.Path(path_type=Path), help="Policy in force (JSON)."
)
@click.option(
    "--policy-hash",
    "expected_policy_hash",
    help="The policy hash proposed with the root (0x...).",
)
@click.option("--half-life", type=click.IntRange(min=1), help="In force (Influence.halfLife()).")
@click.option(
    "--previous-root", help="Trusted root of the previous epoch (rootOf(epoch - 1) on chain)."
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="Previous epoch's bundle (default: the latest one next to BUNDLE).",
)
@click.option(
    "--first-epoch",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="The community's first epoch (its previous table is empty).",
)
@click.option("--tree", "claimed_tree", type=click.Path(path_type=Path), help="Claimed tree.json.")
def verify(
    bundle: Path,
    policy_path: Path | None,
    half_life: int | None,
    previous: Path | None,
    **checks: Any,
) -> None:
    """Recompute BUNDLE's epoch and compare it with ROOT; exit 1 and name accounts if wrong.

    The half-life, the policy (or its hash) and, after the first epoch, the previous epoch's
    root come from the caller (e.g. read from the chain), never from the bundle under test.
    """
    console = _console()
    if half_life is None:
        raise BundleError("give --half-life: the one in force, not the bundle's own")
    if policy_path is None and checks["expected_policy_hash"] is None:
        raise BundleError("give --policy or --policy-hash: the policy in force, not the bundle's")
    epoch = load_totals(bundle).epoch
    if checks["previous_root"] is None and epoch != checks["first_epoch"]:
        raise BundleError(
            f"{bundle}: epoch {epoch} builds on epoch {epoch - 1}: give --previous-root (the "
            f"root of epoch {epoch - 1} on chain; the bundle folder's is not evidence)"
        )
    if previous is None and checks["previous_root"] is not None:
        previous = find_previous(bundle.parent, epoch)
        if previous is None:
            raise BundleError(f"{bundle}: cannot find the previous bundle; pass --previous")
    policy = Policy.load(policy_path) if policy_path else None
    with console.status(f"recomputing epoch {epoch}"):
        result = verify_bundle(
            bundle, policy=policy, half_life=half_life, previous=previous, **checks
        )
    console.print(f"epoch {result.epoch}: recomputed root {result.expected_root}")
    if result.root is not None:
        console.print(f"root under test:   {result.root}")
    if result.ok:
        console.print("[green]OK[/]: the bundle and the root match the recomputation")
        return
    for problem in result.problems:
        console.print(f"[red]MISMATCH[/]: {escape(problem)}")
    if result.differences:
        table = Table(title=f"{len(result.differences)} differing accounts")
        for column in ("account", "problem", "expected tokens", "claimed tokens"):
            table.add_column(column)
        for diff in result.differences:
            table.add_row(
                diff.account,
                diff.kind,
                str(diff.expected.tokens) if diff.expected else "-",
                str(diff.claimed.tokens) if diff.claimed else "-",
            )
        console.print(table)
        for diff in result.differences:
            click.echo(f"differing account: {diff.account} ({diff.kind})")
    sys.exit(1)


@cli.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("account")
def proof(bundle: Path, account: str) -> None:
    """Print ACCOUNT's leaf values and Merkle proof in BUNDLE as JSON (stdout)."""
    tree = MerkleTree.load(bundle / TREE, validate=False)
    try:
        leaf = tree.leaf(account)
    except KeyError as exc:
        raise BundleError(str(exc.args[0])) from None
    siblings = tree.proof(account)
    if not verify_proof(tree.root, leaf, siblings):  # pragma: no cover - corrupt tree
        raise MerkleError(f"{bundle / TREE}: the proof of {account} does not verify")
    click.echo(
        json.dumps(
            {
                "epoch": load_totals(bundle).epoch,
                "root": tree.root_hex,
                "account": leaf.account,
                "cumulativeTokens": str(leaf.tokens),
                "cumulativeInfluence": str(leaf.influence),
                "proof": ["0x" + node.hex() for node in siblings],
            },
            indent=2,
        )
    )


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("examples"), show_default=True)
@click.option("--seed", type=int, default=SEED, show_default=True)
@click.option("--members", "count", type=click.IntRange(min=len(KEY_MEMBERS)), default=MEMBERS)
def sample(out: Path, seed: int, count: int) -> None:
    """Write the reproducible sample community (three epoch ledgers and a policy) to OUT."""
    for path in write_sample(out, seed=seed, count=count):
        click.echo(f"wrote {path}")
    click.echo(f"wrote {out / 'policy.json'}")


@cli.command("claim-page")
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--artifacts",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="the deployment's artifacts folder, deployments/<chainId>/",
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True)
def claim_page(bundle: Path, artifacts: Path, out: Path) -> None:
    """Write the members' static claim page for BUNDLE into OUT."""
    from communis.claimpage.build import build_claim_page

    page = build_claim_page(bundle, artifacts, out)
    click.echo(
        f"claim page for epoch {page.epoch} (root {page.root}, {page.members} members, "
        f"chain {page.chain_id}): {page.out / 'index.html'}"
    )


@cli.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def report(args: tuple[str, ...]) -> None:
    """Write PNG charts and a self-contained HTML page of a run (RUN.json --out DIR)."""
    from communis.report.__main__ import main as report_main

    code = report_main(list(args))
    if code:
        raise SystemExit(code)


cli.add_command(simulate)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: expected errors become one line on stderr and exit status 2."""
    return run_standalone(cli, argv, "communis")


if __name__ == "__main__":
    sys.exit(main())
