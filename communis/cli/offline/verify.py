"""``communis verify``: recompute a bundle (a folder, a CAR file or an https:// URL) and compare it
with the root under test."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from communis.cli.expected import MappedErrorsCommand
from communis.cli.offline.options import checked_address, deployment_options, stderr_console
from communis.engine.attest.attesters import AttesterSet
from communis.engine.attest.hashing import Domain
from communis.engine.bundle import BundleError, find_previous, load_totals
from communis.engine.policy import Policy
from communis.engine.verify import ProposalRecord, VerifyResult, verify_bundle
from communis.publish import PublishError, fetch_bundle, folder_cid, unpack_car


@contextmanager
def _local_bundle(source: str, cid: str | None) -> Iterator[Path]:
    """SOURCE as a local bundle folder: the folder itself, a CAR file unpacked, or an https://
    URL downloaded (both into a scratch folder); checked against ``cid`` when given."""
    if source.startswith(("ipfs://", "http://")):
        raise PublishError(
            f"{source}: give a local copy (folder or CAR file, checked with --cid) or an "
            "https:// URL"
        )
    with tempfile.TemporaryDirectory(prefix="communis-verify-") as tmp:
        if source.startswith("https://"):
            folder = fetch_bundle(source, Path(tmp) / "bundle")
        elif source.endswith(".car"):
            folder = Path(tmp) / "bundle"
            root = unpack_car(Path(source), folder)
            if cid is not None and root != cid:
                raise PublishError(f"{source}: the CAR's root is {root}, not the committed {cid}")
        else:
            folder = Path(source)
            if not folder.is_dir():
                raise BundleError(f"{source}: not a bundle folder, a .car file or an https:// URL")
        if cid is not None:
            found = folder_cid(folder)
            if found != cid:
                raise PublishError(
                    f"{source}: the bundle's CID is {found}, not the committed {cid}"
                )
        yield folder


@click.command(cls=MappedErrorsCommand)
@click.argument("source")
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
    help="Previous epoch's bundle (default: the latest one next to a bundle folder).",
)
@click.option(
    "--first-epoch",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="The community's first epoch (its previous table is empty).",
)
@click.option("--tree", "claimed_tree", type=click.Path(path_type=Path), help="Claimed tree.json.")
@deployment_options
@click.option(
    "--attesters-hash",
    help="The committed attesters hash (RootProposed.attestersHash, the registry's logHash).",
)
@click.option(
    "--proposal",
    "proposal_path",
    type=click.Path(path_type=Path),
    help="The proposal record (proposal.json): root, policy and attesters hashes, deployment.",
)
@click.option("--cid", help="The CID the bundle must have (ipfs://CID proposed).")
@click.option("--draft", is_flag=True, help="Check a draft bundle: no attestation checks.")
def verify(
    source: str,
    policy_path: Path | None,
    half_life: int | None,
    previous: Path | None,
    attesters_path: Path | None,
    attesters_hash: str | None,
    proposal_path: Path | None,
    chain_id: int | None,
    registry: str | None,
    cid: str | None,
    draft: bool,
    **checks: Any,
) -> None:
    """Recompute the epoch of SOURCE and compare it with ROOT; exit 1 and name what is wrong.

    SOURCE is a bundle folder, a CAR file of one (`communis pack`) or an https:// URL of one.
    Every batch and row of its attestations is checked against the deployment (--chain-id and
    --registry, or the --proposal record) and the attester set (--attesters, whose change log
    must hash to --attesters-hash or the proposal's attestersHash); the epoch is recomputed from
    the attested rows only. The half-life, the policy (or its hash) and, after the first epoch,
    the previous epoch's root come from the caller (e.g. read from the chain), never from the
    bundle under test.
    """
    console = stderr_console()
    proposal = ProposalRecord.load(proposal_path) if proposal_path else None
    if proposal is not None:
        for name, given, committed in (
            ("--root", checks["root"], proposal.root),
            ("--policy-hash", checks["expected_policy_hash"], proposal.policy_hash),
            ("--attesters-hash", attesters_hash, proposal.attesters_hash),
        ):
            if given is not None and given.lower() != committed.lower():
                raise BundleError(f"{name} {given} is not the proposal's {committed}")
        checks["root"] = proposal.root
        checks["expected_policy_hash"] = checks["expected_policy_hash"] or proposal.policy_hash
        attesters_hash = proposal.attesters_hash
        if cid is None and proposal.ledger_uri.startswith("ipfs://"):
            cid = proposal.ledger_uri.removeprefix("ipfs://").split("/")[0]
    if half_life is None:
        raise BundleError("give --half-life: the one in force, not the bundle's own")
    if policy_path is None and checks["expected_policy_hash"] is None:
        raise BundleError("give --policy or --policy-hash: the policy in force, not the bundle's")
    attesters, domain = None, None
    if not draft:
        if attesters_path is None:
            raise BundleError(
                "give --attesters (the attester set, attesters.json) to check the attestations, "
                "or --draft for a draft bundle"
            )
        if attesters_hash is None:
            raise BundleError(
                "give --attesters-hash or --proposal: the attesters hash committed on chain, "
                "not the snapshot's own"
            )
        if proposal is not None:
            domain = proposal.domain
        elif chain_id is not None and registry is not None:
            domain = Domain(chain_id, checked_address(registry, "--registry"))
        else:
            raise BundleError(
                "give --chain-id and --registry (the deployment's AttesterRegistry) or "
                "--proposal: the attestations are checked for that deployment"
            )
        attesters = AttesterSet.load(attesters_path)
    with _local_bundle(source, cid) as bundle:
        epoch = load_totals(bundle).epoch
        if proposal is not None and proposal.epoch != epoch:
            raise BundleError(
                f"{source}: epoch {epoch}, the proposal is for epoch {proposal.epoch}"
            )
        if checks["previous_root"] is None and epoch != checks["first_epoch"]:
            raise BundleError(
                f"{source}: epoch {epoch} builds on epoch {epoch - 1}: give --previous-root (the "
                f"root of epoch {epoch - 1} on chain; the bundle folder's is not evidence)"
            )
        if previous is None and checks["previous_root"] is not None:
            previous = find_previous(bundle.parent, epoch)
            if previous is None:
                raise BundleError(f"{source}: cannot find the previous bundle; pass --previous")
        policy = Policy.load(policy_path) if policy_path else None
        with console.status(f"recomputing epoch {epoch}"):
            result = verify_bundle(
                bundle,
                policy=policy,
                half_life=half_life,
                previous=previous,
                attesters=attesters,
                domain=domain,
                expected_attesters_hash=attesters_hash,
                **checks,
            )
        if proposal is not None:
            roots = {epoch: load_totals(bundle).ledger_root}
            for other in range(proposal.first_epoch, epoch):
                sibling = bundle.parent / str(other)
                if (sibling / "totals.json").is_file():
                    roots[other] = load_totals(sibling).ledger_root
            found = proposal.commitment_problem(roots)
            if found is not None:
                result = dataclasses.replace(result, problems=(*result.problems, found))
    _print_verify(console, result, draft)


def _print_verify(console: Console, result: VerifyResult, draft: bool) -> None:
    console.print(f"epoch {result.epoch}: recomputed root {result.expected_root}")
    if result.root is not None:
        console.print(f"root under test:   {result.root}")
    report = result.attestations
    if report is not None and report.ok:
        console.print(f"attestations: {report.summary()}")
    if result.ok:
        what = "DRAFT (attestations not checked)" if draft else "OK"
        console.print(f"[green]{what}[/]: the bundle and the root match the recomputation")
        return
    for found in report.problems if report is not None else ():
        click.echo(f"attestation problem: {found}")
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
