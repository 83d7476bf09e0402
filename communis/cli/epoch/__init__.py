"""``ape run epoch <command> --network <ecosystem:network:provider>``: run the epoch game.

  build LEDGER        score a ledger with the on-chain policy into epochs/<chainId>/<epoch>/
  verify BUNDLE       recompute a bundle and compare it with the epoch's on-chain root
  propose BUNDLE      post the bundle's root (covering every ended epoch not yet finalized)
  challenge EPOCH     discard a pending root into a dispute, with the challenger bond (guardians)
  prove BUNDLE        prove an unattested batch in the proposal's ledger: rejected, no vote
  resolve EPOCH       decide a dispute: directly (GOVERNOR_ROLE) or one governance step
  settle EPOCH        end a dispute nobody decided by its deadline (each party pays the fee)
  finalize EPOCH      finalize an unchallenged root after its window
  claim BUNDLE        claim for one account (--for) or for every account, in batches
  status              where the epoch game stands, with the undecided disputes
  simulate            the attack table at the policy and governor settings in force
  watch               follow the chain as a guardian: verify, prove or challenge, finalize, settle

Every command shows amounts in CMN and influence and times as dates and durations (``--raw``:
the contracts' units; ``--json``: everything for scripts) and ends with what to do next and
when. The logic lives in :mod:`communis.chain.epochs`; this package only parses options and
prints. The contracts come from the deployment journal (deployments/<chainId>.json) unless
--rewards (and --governor) give addresses.
"""

from __future__ import annotations

import click

from communis.cli.base import CommunisGroup
from communis.cli.epoch.bundles import build, verify
from communis.cli.epoch.claim import claim
from communis.cli.epoch.game import challenge, finalize, propose, prove, resolve, settle
from communis.cli.epoch.status import simulate, status
from communis.cli.epoch.watch import watch


@click.group(
    cls=CommunisGroup,
    short_help="Epoch rewards: build, verify, propose, challenge, prove, resolve, settle, claim",
)
def cli() -> None:
    """Epoch rewards operations (see `ape run epoch <command> --help`)."""


for command in (
    status,
    simulate,
    build,
    verify,
    propose,
    challenge,
    prove,
    settle,
    resolve,
    finalize,
    claim,
    watch,
):
    cli.add_command(command)
