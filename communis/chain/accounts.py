"""Choosing the account that signs, with the safety rules of a real deployment.

- On local chains (eth-tester 1337, anvil/hardhat 31337) ape's test accounts are fine.
- On any other chain id the account must be an ape keystore account, its passphrase comes from
  ``APE_ACCOUNTS_<alias>_PASSPHRASE`` (never echoed), and addresses of the well-known public
  test mnemonic are refused: anyone can spend from them.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from communis.errors import CommunisError

LOCAL_CHAIN_IDS = frozenset({1337, 31337})
TEST_MNEMONIC = "test test test test test test test test test test test junk"
CHECKED_TEST_ACCOUNTS = 20

if TYPE_CHECKING:
    from ape.api import AccountAPI


class AccountError(CommunisError, RuntimeError):
    """The account cannot be used on this chain; the message says why and what to do."""


@cache
def test_mnemonic_addresses() -> frozenset[str]:
    """Addresses of the first accounts of the public test mnemonic (lower-case)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return frozenset(
        Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").address.lower()
        for i in range(CHECKED_TEST_ACCOUNTS)
    )


def is_local(chain_id: int) -> bool:
    return chain_id in LOCAL_CHAIN_IDS


def passphrase_variable(alias: str) -> str:
    return f"APE_ACCOUNTS_{alias}_PASSPHRASE"


def check_allowed(address: str, chain_id: int) -> None:
    """Refuse the public test mnemonic's accounts on any chain that is not local."""
    if not is_local(chain_id) and address.lower() in test_mnemonic_addresses():
        raise AccountError(
            f"refusing to use {address} on chain {chain_id}: it belongs to the public test "
            "mnemonic ('test test ... junk'), whose keys everyone knows. Use a keystore account "
            "(ape accounts generate/import)."
        )


def test_account(alias: str) -> AccountAPI:
    """The test account ``TEST::<n>``, with a clear error for a bad or too large index."""
    import ape

    accounts = ape.accounts.test_accounts
    text = alias.split("::", 1)[1]
    if not text.isdigit():
        raise AccountError(f"--account {alias}: the part after TEST:: must be a number (TEST::0)")
    index = int(text)
    count = len(accounts)
    if index >= count:
        raise AccountError(
            f"--account {alias}: there are {count} test accounts, TEST::0 to TEST::{count - 1} "
            "(ape-config.yaml, test.number_of_accounts)"
        )
    return accounts[index]


def address_of_alias(alias: str) -> str:
    """The address of an account alias (``TEST::<n>`` or a keystore alias), without unlocking
    anything: for commands that only read or name an account."""
    import ape

    if alias.startswith("TEST::"):
        return str(test_account(alias).address)
    try:
        return str(ape.accounts.load(alias).address)
    except Exception as err:  # ape raises several types for an unknown alias
        raise AccountError(
            f"no ape account with alias {alias!r} (ape accounts list shows the known ones)"
        ) from err


def load_account(alias: str | None, chain_id: int) -> AccountAPI:
    """The ape account to sign with. ``TEST::<n>`` or nothing means a test account (local only)."""
    import ape

    if alias is None or alias.startswith("TEST::"):
        if not is_local(chain_id):
            raise AccountError(
                f"refusing test accounts on chain {chain_id}: they come from the public test "
                "mnemonic ('test test ... junk'). Pass --account <alias> of an ape keystore "
                "account."
            )
        return test_account(alias or "TEST::0")

    try:
        account = ape.accounts.load(alias)
    except Exception as err:  # ape raises several types for an unknown alias
        raise AccountError(
            f"no ape account with alias {alias!r} (ape accounts list shows the known ones)"
        ) from err
    check_allowed(account.address, chain_id)
    variable = passphrase_variable(alias)
    passphrase = os.environ.get(variable)
    if passphrase is None:
        raise AccountError(f"set {variable} to the passphrase of keystore account {alias!r}")
    try:
        account.unlock(passphrase=passphrase)
    except Exception:
        # `from None`: the underlying error must not drag the passphrase into a traceback.
        raise AccountError(
            f"cannot unlock keystore account {alias!r}: wrong passphrase in {variable}?"
        ) from None
    account.set_autosign(True, passphrase=passphrase)
    return account
