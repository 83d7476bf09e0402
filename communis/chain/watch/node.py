"""The node and the process under a long-lived watcher: a node that does not answer,
transactions in flight, signals that stop it."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


def is_connection_error(error: BaseException) -> bool:
    """Whether ``error`` (or anything it was raised from) says the node could not be reached."""
    import requests

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError | TimeoutError | requests.ConnectionError):
            return True
        if isinstance(current, requests.Timeout):
            return True
        if type(current).__name__ in ("ProviderNotConnectedError", "CannotHandleRequest"):
            return True
        current = current.__cause__ or current.__context__
    return False


def in_flight(address: str) -> int:
    """How many transactions of ``address`` the node holds unmined."""
    import ape
    from eth_utils import to_checksum_address

    eth = ape.chain.provider.web3.eth
    checksummed = to_checksum_address(address)
    pending = int(eth.get_transaction_count(checksummed, "pending"))
    return pending - int(eth.get_transaction_count(checksummed, "latest"))


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[list[str]]:
    """Set ``stop`` on SIGINT or SIGTERM for the duration (the previous handlers come back
    afterwards); yields the names of the signals received."""
    received: list[str] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def height() -> int:
    """The newest block's number (raising, unlike ``chain.blocks.height``, when the node does
    not answer)."""
    import ape

    return int(ape.chain.blocks.head.number or 0)


def root_cause(error: BaseException) -> str:
    """The first line of the innermost error ``error`` was raised from (e.g. "Connection
    refused")."""
    seen = {id(error)}
    while (inner := error.__cause__ or error.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        error = inner
    return first_line(error)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
