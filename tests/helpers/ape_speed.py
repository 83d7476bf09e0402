"""Per-transaction and per-call work of ape 0.8 and web3 7 that no test here needs, skipped.

Each shortcut leaves every result, every revert and every decoded error as it was; together they
save about a quarter of the CPU time of tests that mostly call and transact on the in-process EVM
(measured with py-spy and CPU time):

- after every transaction ape rebuilds its call tree to print the contracts' ``console.log``
  lines; no contract here logs to the console. Reverts are still decoded: that happens when the
  error is raised, not in this hook;
- web3's eth-tester middleware fills a call's missing ``from`` with ``eth_accounts[0]``, asking the
  in-process chain for every account (and checksumming each) twice per call; the first account
  of a chain never changes, so it is asked once;
- every transaction and call ape builds asks for the network's default transaction type, and
  ape's Ethereum config answers it by building a fresh settings object (which reads the
  environment) each time; the configuration does not change during a run, so each network's
  answer is kept;
- before every call and transaction ape asks the node for the target's code, to refuse an
  address without a contract (ape keeps no cache on development chains, whose snapshots can
  remove code). Once an address has code it keeps it until the chain is restored to a snapshot
  (since Cancun a contract can only self-destruct in the transaction that created it), so an
  address found to hold code is remembered until the next ``chain.restore`` (which ape's
  isolation uses too); addresses without code are asked every time;
- after a transaction reverts, ape prints its call trace, which on anvil means fetching the
  step-by-step trace with the memory of every step (seconds for a reverted deployment). The error
  is decoded before that, and no test reads the printout, so traces are not printed.

The patched names must exist (``MonkeyPatch.setattr`` raises otherwise), so an ape or web3 upgrade
that moves them fails loudly instead of silently making the tests slow again.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

SITE = Path(__file__).resolve().parent / "site"
"""Holds the ``sitecustomize`` that applies these shortcuts in ape commands run as subprocesses."""


@contextmanager
def applied() -> Iterator[None]:
    """Apply the shortcuts of the module docstring for the duration of the block."""
    import ape.contracts.base
    import ape.managers.chain
    import ape_ethereum.ecosystem
    import ape_ethereum.provider
    import ape_ethereum.trace
    import web3.providers.eth_tester.middleware as tester_middleware

    patch = pytest.MonkeyPatch()
    patch.setattr(ape_ethereum.provider, "_post_send_transaction", lambda tx, receipt: None)

    guess_from = tester_middleware.guess_from
    first_accounts: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def first_account(w3: Any, transaction: Any) -> Any:
        if w3 not in first_accounts:
            account = guess_from(w3, transaction)
            if account is None:  # a chain without accounts: ask again next time
                return None
            first_accounts[w3] = account
        return first_accounts[w3]

    patch.setattr(tester_middleware, "guess_from", first_account)

    ethereum = ape_ethereum.ecosystem.Ethereum
    default_type = ethereum.default_transaction_type.fget
    types: dict[tuple[str, str | None], Any] = {}

    def default_transaction_type(self: Any) -> Any:
        provider = self.network_manager.active_provider
        key = (self.name, provider.network.name if provider is not None else None)
        if key not in types:
            types[key] = default_type(self)
        return types[key]

    patch.setattr(ethereum, "default_transaction_type", property(default_transaction_type))

    handler = ape.contracts.base.ContractMethodHandler
    validate_is_contract = handler._validate_is_contract
    with_code: dict[str, Any] = {}  # address -> the provider (chain) it was found on

    def validate_known_contract(self: Any) -> None:
        address, provider = self.contract.address, self.provider
        if with_code.get(address) is not provider:
            validate_is_contract(self)  # raises for an address without code
            with_code[address] = provider

    chain_manager = ape.managers.chain.ChainManager
    restore = chain_manager.restore

    def restore_forgetting_code(self: Any, *args: Any, **kwargs: Any) -> Any:
        with_code.clear()
        return restore(self, *args, **kwargs)

    patch.setattr(handler, "_validate_is_contract", validate_known_contract)
    patch.setattr(chain_manager, "restore", restore_forgetting_code)
    patch.setattr(ape_ethereum.trace.Trace, "show", lambda self, *args, **kwargs: None)
    try:
        yield
    finally:
        patch.undo()


@contextmanager
def in_subprocesses() -> Iterator[None]:
    """Put :data:`SITE` first on ``PYTHONPATH`` for the block, so that the ape commands a test
    starts (with this process's environment) apply the same shortcuts."""
    patch = pytest.MonkeyPatch()
    patch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(SITE), os.environ.get("PYTHONPATH")) if p)
    )
    try:
        yield
    finally:
        patch.undo()
