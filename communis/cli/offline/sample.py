"""``communis sample``, ``communis claim-page`` and ``communis report``: the sample community, the
members' claim page, charts and HTML."""

from __future__ import annotations

from pathlib import Path

import click

from communis.cli.expected import MappedErrorsCommand
from communis.cli.offline.options import checked_address
from communis.demo.sample import KEY_MEMBERS, MEMBERS, SAMPLE_DOMAIN, SEED, write_sample
from communis.engine.attest.files import attestations_path
from communis.engine.attest.hashing import Domain


@click.command(cls=MappedErrorsCommand)
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


@click.command("claim-page", cls=MappedErrorsCommand)
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


@click.command(
    cls=MappedErrorsCommand,
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
