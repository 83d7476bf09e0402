"""The community story of `make demo`, step by step, each step checking what it claims.

On a local chain (time travel needs one) with ape's test accounts:

- account 0 is the *foundation*: it deploys, holds the genesis allocation (it sells tokens and
  pays its bonds) and proposes the honest roots;
- accounts 1-6 are the sample community's key members (:data:`communis.demo.sample.KEY_MEMBERS`);
  3 and 6 become guardians through governance; 2 attests workshop talks;
- account 7 is the *whale*, who buys a large share of the tokens and gets no say for it;
- account 8 is *Mallory*, who proposes a root over a padded ledger;
- account 9 is a *watcher*: anyone, who finalizes, claims for everyone, proves and settles.

The sample community's three attesters (a forum bot and two curators, ``examples/attesters.json``)
and member 2 (workshop talks, a small budget) are appointed by the deployment config
(``examples/deploy-demo.toml``, ``[attesters]``); the demo signs the sample ledgers with the
attesters' test keys for the deployed registry.

1. Deploy the whole system (journaled like any deployment); the timelock owns every parameter.
2. Epoch 0 is proposed, finalized, and claimed by the key members (their influence votes).
3. The whale buys 30% of the supply and cannot propose. The contributors vote to appoint two
   guardians and to raise the curators' weight (executed when epoch 2 has just ended).
4. Epoch 1, a padded ledger: Mallory adds rows that no attester signed (she signs them herself);
   the watcher proves it on chain in one transaction and her bond is slashed, no vote. The
   honest root is proposed and finalized.
5. Epoch 2, an attester over its budget: member 2 signs three times its budget and proposes the
   root; guardian 6's ``verify`` catches it and challenges, the honest root follows at once, and
   governance upholds the challenge, removes the attester and slashes its influence.
6. Epoch 3, a challenge nobody decides: guardian 3 challenges the honest root; nobody votes; the
   dispute is settled at its deadline with both fees, the root proposed again and finalized
   within the bound T of the README.
7. The watcher claims for everyone at once: one cumulative claim per member for all epochs.

Every bond movement is compared with :func:`communis.economics.bonds.bond_flows`. Any step that
does not do what it claims raises :class:`~.state.DemoError`.

The modules: ``state`` (who plays which part, the deployed system, what each scene found),
``steps`` (deploying, signing, building, proposing, finalizing, claiming), ``money`` (bonds and
balance checks), ``governance`` (votes, and the whale), ``cheats`` (the cheats' own bundles), one
module per scene that goes wrong (``padded``, ``over_budget``, ``unresolved``), and ``report``.
"""

from __future__ import annotations

from pathlib import Path

from communis.demo.story.governance import first_proposal_executed, whale_and_first_proposal
from communis.demo.story.over_budget import over_budget
from communis.demo.story.padded import padded_ledger
from communis.demo.story.state import Story
from communis.demo.story.steps import claim_everyone, deploy, pay_epoch
from communis.demo.story.unresolved import unresolved


def run(story: Story, deployments: Path) -> None:
    """The whole story, scene after scene (see the package's docstring)."""
    deploy(story, deployments)
    pay_epoch(story, 0)
    vote, policy = whale_and_first_proposal(story)
    padded_ledger(story, 1)
    first_proposal_executed(story, vote, policy)
    verdict = over_budget(story, 2)
    unresolved(story, 3, verdict)
    claim_everyone(story)
