"""``communis``: offline epoch tools (a thin layer over the library; no chain access).

communis attest LEDGER --epoch 3 --domain-chain-id 31337 --registry 0x... --key-env BOT_KEY
communis build LEDGER... --policy policy.json --half-life 12 --out epochs/31337
communis verify epochs/31337/3 --proposal proposal.json --attesters attesters.json --half-life 26 \
    --previous-root 0x...
communis proof epochs/31337/3 0xAccount
communis pack epochs/31337/3
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from communis.cli.expected import OfflineGroup, run_standalone
from communis.demo.sample import KEY_MEMBERS, MEMBERS, SAMPLE_DOMAIN, SEED, write_sample
from communis.economics.cli import simulate
from communis.engine.address import ADDRESS_RE, to_checksum
from communis.engine.attest import (
    AttestationError,
    AttesterSet,
    BatchSigner,
    Domain,
    SigningKey,
    attest_ledger,
    attestations_path,
    parse_line_ranges,
    read_attestations,
    write_attestations,
)
from communis.engine.bundle import TREE, BundleError, build_bundle, find_previous, load_totals
from communis.engine.checks import policy_warnings
from communis.engine.ledger import read_ledger
from communis.engine.merkle import MerkleError, MerkleTree, verify_proof
from communis.engine.policy import Policy
from communis.engine.units import format_amount
from communis.engine.verify import ProposalRecord, VerifyResult, verify_bundle
from communis.publish import PublishError, fetch_bundle, folder_cid, pack_bundle, unpack_car

F = TypeVar("F", bound=Callable[..., Any])


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(f: F) -> F:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


deployment_options = _options(
    click.option(
        "--attesters",
        "attesters_path",
        type=click.Path(path_type=Path),
        help="The attester set (attesters.json, communis-attesters-v2).",
    ),
    click.option("--chain-id", type=click.IntRange(min=1), help="The deployment's chain id."),
    click.option("--registry", help="The deployment's AttesterRegistry address."),
)
"""``--attesters``, ``--chain-id``, ``--registry``: the deployment attestations are checked for."""

selection_options = _options(
    click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--epoch", required=True, type=click.IntRange(min=0), help="The ledger's epoch."),
    click.option("--lines", "lines_text", help="Ledger lines to sign, e.g. 1-120,130 [all rows]."),
    click.option(
        "--ref-prefix",
        "ref_prefixes",
        multiple=True,
        help="Sign only rows whose evidence reference starts with this (repeatable).",
    ),
    click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Attestations file [default: beside LEDGER, where `communis build` looks].",
    ),
)
"""What `communis attest` and `ape run attest` sign: LEDGER, --epoch, --lines, --ref-prefix, and
where the batch goes (--out)."""


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
    console = _console()
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
            _tokens(result.scores.tokens.total),
            _tokens(result.scores.influence.total),
            result.root,
            str(previous),
        )
    console.print(table)


def checked_address(value: str, what: str) -> str:
    """``value`` as an EIP-55 address; an :class:`AttestationError` naming ``what`` if it is not
    one."""
    if not ADDRESS_RE.match(value):
        raise AttestationError(f"{what} {value!r} is not a 0x-prefixed 20-byte hex address")
    return to_checksum(value)


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


@cli.command()
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
    console = _console()
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


def _signer(key_env: str | None, keystore: Path | None, passphrase_env: str | None) -> SigningKey:
    """The attester's key from an environment variable or a keystore (never printed)."""
    if (key_env is None) == (keystore is None):
        raise AttestationError("give exactly one of --key-env VAR and --keystore FILE")
    if key_env is not None:
        secret = os.environ.get(key_env)
        if not secret:
            raise AttestationError(f"environment variable {key_env} is not set or empty")
        return SigningKey(secret.strip())
    assert keystore is not None
    if passphrase_env is not None:
        passphrase = os.environ.get(passphrase_env)
        if passphrase is None:
            raise AttestationError(f"environment variable {passphrase_env} is not set")
    else:
        passphrase = click.prompt(
            f"Passphrase of {keystore}", hide_input=True, err=True, default="", show_default=False
        )
    return SigningKey.from_keystore(keystore, passphrase)


@cli.command()
@selection_options
@click.option(
    "--domain-chain-id",
    "chain_id",
    required=True,
    type=click.IntRange(min=1),
    help="Chain id of the deployment (EIP-712 domain).",
)
@click.option("--registry", required=True, help="The deployment's AttesterRegistry address.")
@click.option("--key-env", metavar="VAR", help="Environment variable holding the private key.")
@click.option(
    "--keystore",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Encrypted JSON keystore of the attester.",
)
@click.option(
    "--passphrase-env", metavar="VAR", help="Environment variable holding the keystore passphrase."
)
def attest(
    ledger: Path,
    epoch: int,
    chain_id: int,
    registry: str,
    lines_text: str | None,
    ref_prefixes: tuple[str, ...],
    key_env: str | None,
    keystore: Path | None,
    passphrase_env: str | None,
    out: Path | None,
) -> None:
    """Sign rows of LEDGER as an attester and merge the batch into its attestations file.

    One batch per attester per epoch: signing again replaces the attester's earlier batch. The
    key comes from --key-env (hex) or --keystore (passphrase from --passphrase-env or asked);
    it is never printed.
    """
    domain = Domain(chain_id, checked_address(registry, "--registry"))
    lines = parse_line_ranges(lines_text) if lines_text is not None else None
    key = _signer(key_env, keystore, passphrase_env)
    sign_and_merge(ledger, key, domain, epoch, lines, ref_prefixes, out)


def sign_and_merge(
    ledger: Path,
    signer: BatchSigner,
    domain: Domain,
    epoch: int,
    lines: list[tuple[int, int]] | None,
    ref_prefixes: tuple[str, ...],
    out: Path | None,
) -> int:
    """Sign the selected rows of ``ledger`` as ``signer``, merge the batch into the ledger's
    attestations file (``out``, default beside the ledger) and say what it covers (the commands
    `communis attest` and `ape run attest`). Returns how many rows no batch covers yet."""
    path = out or attestations_path(ledger)
    existing = read_attestations(path) if path.exists() else None
    result = attest_ledger(
        ledger,
        signer,
        domain,
        epoch,
        lines=lines,
        ref_prefixes=ref_prefixes,
        existing=existing,
    )
    write_attestations(result.attestations, path)
    batch = result.signed.batch
    covered = sum(b.batch.row_count for b in result.attestations.batches)
    rows = read_ledger(ledger, epoch=epoch).rows
    verb = "replaced its earlier batch" if result.replaced else "added a batch"
    click.echo(
        f"attester {batch.attester} signed {batch.row_count} rows "
        f"({format_amount(batch.points, places=4)} points) of epoch {epoch} and {verb}"
    )
    click.echo(
        f"{path}: {len(result.attestations.batches)} batches cover {covered} of {rows} rows; "
        f"ledger root 0x{result.attestations.ledger_root.hex()}"
    )
    return rows - covered


@cli.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CAR file [default: BUNDLE.car beside the folder].",
)
def pack(bundle: Path, out: Path | None) -> None:
    """Pack BUNDLE into a CAR file and print its ipfs:// URI (the CID `ipfs add -r
    --cid-version 1` gives the folder): pin the CAR anywhere and propose that URI."""
    car = out or bundle.with_name(f"{bundle.resolve().name}.car")
    cid = pack_bundle(bundle, car)
    click.echo(f"wrote {car}", err=True)
    click.echo(f"ipfs://{cid}")


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
@click.option(
    "--chain-id",
    type=click.IntRange(min=1),
    default=SAMPLE_DOMAIN.chain_id,
    show_default=True,
    help="Chain id the attestations are signed for.",
)
@click.option(
    "--registry",
    default=SAMPLE_DOMAIN.verifying_contract,
    show_default=True,
    help="AttesterRegistry the attestations are signed for (default: a stand-in).",
)
def sample(out: Path, seed: int, count: int, chain_id: int, registry: str) -> None:
    """Write the reproducible sample community to OUT: three epoch ledgers signed by its
    attesters (a forum bot and two curators), the attester set and a policy."""
    domain = Domain(chain_id, checked_address(registry, "--registry"))
    for path in write_sample(out, seed=seed, count=count, domain=domain):
        click.echo(f"wrote {path} and {attestations_path(path).name}")
    click.echo(f"wrote {out / 'attesters.json'}")
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


@cli.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    short_help="Charts and HTML page of a run, or of one's own epoch bundles",
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def report(args: tuple[str, ...]) -> None:
    """Write PNG charts and a self-contained HTML page of a run (RUN.json) or of one's own
    community: epoch bundles, or a folder of them such as epochs/<chainId> (SOURCE... --out
    DIR; `communis report --help` for the options)."""
    from communis.report.__main__ import main as report_main

    code = report_main(list(args), prog="communis report")
    if code:
        raise SystemExit(code)


cli.add_command(simulate)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: expected errors become one line on stderr and exit status 2."""
    return run_standalone(cli, argv, "communis")


if __name__ == "__main__":
    sys.exit(main())
