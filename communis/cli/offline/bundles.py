"""``communis pack`` and ``communis proof``: a bundle as a CAR file, an account's Merkle proof."""

from __future__ import annotations

import json
from pathlib import Path

import click

from communis.cli.expected import MappedErrorsCommand
from communis.engine.bundle import TREE, BundleError, load_totals
from communis.engine.merkle import MerkleError, MerkleTree, verify_proof
from communis.publish import pack_bundle


@click.command(cls=MappedErrorsCommand)
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


@click.command(cls=MappedErrorsCommand)
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
