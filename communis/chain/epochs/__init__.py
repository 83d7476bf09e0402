"""Epoch operations against a deployed ContributionRewards: the library behind `ape run epoch`.

Every function takes contract instances (from :class:`communis.chain.system.System` or
``project.ContributionRewards.at(address)``) and the account that signs, checks what the
contract would check *before* sending (so a mistake costs no gas and gets an error that says what
to do), and returns a small record of what it did. The epoch arithmetic itself is the engine's
(``communis.engine.bundle``, ``communis.engine.verify``, ``communis.engine.merkle``,
``communis.engine.commitment``); nothing here recomputes it.

The game (see the state table in ``contracts/ContributionRewards.sol``): a root covers every
ended epoch from ``nextEpoch`` to its epoch; a challenge discards it at once and opens a
*dispute* over the two bonds, which governance decides before its deadline
(:func:`.resolve.resolve`) or anyone settles after it (:func:`.disputes.settle`); an unattested
batch in the proposal's ledger commitment is proven with :func:`.fraud_proof.prove`, no vote
needed. Disputes live on chain only as a hash; their records come from the ``RootChallenged``
events (:func:`.state.undecided_disputes`).

Bundles are the engine's epoch folders (``totals.json``, ``tree.json``, ``policy.json``, the
ledger, ``attestations.json``); ``epochs/<chainId>/<epoch>/`` is where ``build`` puts them by
default, and the bundles of the epochs a catch-up root covers are its sibling folders.

The modules, one job each: ``contract`` (the contract's enums and encodings, the contracts it
points at, errors, a transaction sent), ``state`` (reading the game's state: the pending
proposal, the disputes, the status and what to do next), ``build`` (a bundle built with the
on-chain policy), ``verify`` (a bundle recomputed against the on-chain root), ``commitment`` (the
ledger commitment over the covered epochs), ``attesters`` (the attester set read from the chain),
``propose`` (proposing and finalizing a root), ``disputes`` (challenging a root, settling a
dispute), ``fraud_proof`` (proving an unattested batch), ``resolve`` (governance's verdict on a
dispute), ``claims``.
"""
