"""A guardian's watcher of the epoch game: the library behind `ape run epoch watch`.

A :class:`Watcher` follows one ContributionRewards as a long-lived process. Each poll
(:meth:`Watcher.tick`) it logs the contract's new events (``RootProposed``, ``RootChallenged``,
``UnattestedBatchProven``, ``DisputeEnded``, ``RootFinalized``, from the block after the last one it
processed) and looks at the state that calls for action:

- **the pending proposal**: its bundle is located from the proposal's ledger URI
  (:func:`locate_bundle`: a local folder, an ``https://`` folder, or an ``ipfs://`` CID matched
  against a local copy), recomputed and compared with the chain (:func:`check_proposal`, which runs
  :func:`communis.chain.epochs.verify.verify`), and :func:`decide_pending` says what to do: nothing
  (the root is right), prove an unattested batch (:func:`communis.chain.epochs.fraud_proof.prove`:
  no vote needed, so it is preferred to a challenge), challenge
  (:func:`communis.chain.epochs.disputes.challenge`) before the window closes, or, as a keeper,
  finalize a verified root once its window passed;
- **undecided disputes**: prove an unattested batch in one (the challenger gets its bond back with
  the reward, no vote needed), or, as a keeper, settle one after its deadline
  (:func:`decide_dispute`).

Nothing it remembers decides a transaction: before each one the watcher reads the chain state that
calls for it (the proposal still pending under the same key, the dispute still undecided, no
transaction of its own still in flight), so a node that restarts from an older state, or a
restarted watcher, never makes it send twice. Its memory (the last block processed, the results
of its checks) only saves recomputing bundles and repeating log lines. A node that does not answer
is retried with a doubling delay (:meth:`Watcher.run`); SIGINT and SIGTERM end the loop after the
step in progress (:func:`stop_on_signals`).

The modules: ``watcher`` (the :class:`~.watcher.Watcher` and :func:`~.watcher.watch`),
``decisions`` (what to do, decided from a finding and the time: pure), ``bundles`` (locating and
staging a proposal's bundle), ``check`` (checking a proposal's bundle against the chain), ``node``
(a node that does not answer, transactions in flight, signals).
"""
