"""A guardian's watcher of the epoch game: the library behind `ape run epoch watch`.

A :class:`Watcher` follows one ContributionRewards as a long-lived process. Each poll
(:meth:`Watcher.tick`) it logs the contract's new events (``RootProposed``, ``RootChallenged``,
``UnattestedBatchProven``, ``DisputeEnded``, ``RootFinalized``, from the block after the last one it
processed) and looks at the state that calls for action:

- **the pending proposal**: its bundle is located from the proposal's ledger URI
  (:func:`locate_bundle`: a local folder, an ``https://`` folder, or an ``ipfs://`` CID matched
  against a local copy), recomputed and compared with the chain (:func:`check_proposal`, which
  runs :func:`communis.chain.epochs.verify`), and :func:`decide_pending` says what to do: nothing
  (the root is right), prove an unattested batch (:func:`communis.chain.epochs.prove`: no vote
  needed, so it is preferred to a challenge), challenge (:func:`communis.chain.epochs.challenge`)
  before the window closes, or, as a keeper, finalize a verified root once its window passed;
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
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from communis.chain import epochs
from communis.engine.bundle import TOTALS, BundleError, load_totals
from communis.engine.units import format_duration, format_time, format_tokens, format_when
from communis.errors import CommunisError
from communis.publish import PublishError, fetch_bundle, folder_cid, unpack_car

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance

Log = Callable[[str], None]

KEPT_BLOCKS = 256
"""How many of the blocks its scans ended at the watcher remembers (to find where a node that
lost blocks, or a reorganized chain, still agrees with what it read)."""
UNAVAILABLE_RETRY = 30.0
"""Seconds between two attempts to obtain a bundle that could not be obtained."""


class BundleUnavailable(CommunisError, RuntimeError):
    """The bundle a proposal names cannot be obtained (yet); the message says where it looked."""


class Finding(StrEnum):
    """What checking a proposal's bundle against the chain found."""

    OK = "ok"
    """The root, totals and ledger commitment are what the bundle recomputes to."""
    WRONG = "wrong"
    """They are not (or the bundle cannot be read, or is a draft): a guardian challenges."""
    UNATTESTED = "unattested"
    """The ledger commitment holds a batch no attester signed: anyone proves it on chain."""
    UNAVAILABLE = "unavailable"
    """The bundle (or an earlier epoch's, needed to recompute it) cannot be obtained yet."""


@dataclass(frozen=True)
class Check:
    """A :class:`Finding` and the one line that explains it."""

    finding: Finding
    detail: str = ""


class Act(StrEnum):
    """What the watcher does about a proposal or a dispute."""

    NOTHING = "nothing"
    CHALLENGE = "challenge"
    PROVE = "prove"
    FINALIZE = "finalize"
    SETTLE = "settle"
    ALERT = "alert"
    """Something is wrong that this watcher cannot act on: said once, loudly."""


@dataclass(frozen=True)
class Decision:
    act: Act
    reason: str


@dataclass(frozen=True)
class WatchOptions:
    """How the watcher runs (``ape run epoch watch`` options)."""

    bundles: Path | None = None
    """Local copies of bundles: ``<epoch>/`` folders (as ``ape run epoch build`` writes them),
    ``<CID>/`` folders and ``<CID>.car`` files; earlier epochs' bundles are taken from here."""
    poll: float = 10.0
    finalize: bool = True
    settle: bool = True
    unavailable_margin: int = 3600
    """Challenge a root whose bundle is still unavailable this many seconds before its window
    closes (0: never)."""
    from_block: int = 0
    max_backoff: float = 60.0


# ------------------------------------------------------------------------------ decisions


def decide_pending(
    check: Check,
    *,
    now: int,
    deadline: int,
    guardian: bool,
    finalize: bool,
    unavailable_margin: int,
) -> Decision:
    """What to do about the pending proposal whose bundle ``check`` found, at chain time ``now``
    with its window closing at ``deadline``, for an account that is a guardian or not."""
    open_window = now < deadline
    if check.finding is Finding.UNATTESTED:
        # Provable while the proposal is pending, before or after its window: no vote needed.
        return Decision(Act.PROVE, f"an unattested batch: {check.detail}")
    if check.finding is Finding.OK:
        if open_window:
            return Decision(Act.NOTHING, "verified: the root is the recomputed one")
        if finalize:
            return Decision(Act.FINALIZE, "verified, and its window has passed")
        return Decision(Act.NOTHING, "verified; its window has passed (finalizing is off)")
    if check.finding is Finding.WRONG:
        if not open_window:
            return Decision(
                Act.ALERT, f"the window closed on a wrong root (not finalizing it): {check.detail}"
            )
        if not guardian:
            return Decision(
                Act.ALERT,
                f"wrong root, and this account is not a guardian (it cannot challenge): "
                f"{check.detail}",
            )
        return Decision(Act.CHALLENGE, check.detail)
    # Finding.UNAVAILABLE
    if not open_window:
        return Decision(
            Act.ALERT, f"the window closed before its bundle could be checked: {check.detail}"
        )
    late = unavailable_margin > 0 and now >= deadline - unavailable_margin
    if not late:
        return Decision(Act.NOTHING, f"waiting for its bundle: {check.detail}")
    if not guardian:
        return Decision(
            Act.ALERT,
            f"its bundle is still unavailable, and this account cannot challenge: {check.detail}",
        )
    return Decision(
        Act.CHALLENGE,
        f"its bundle is still unavailable {format_duration(deadline - now)} before the window "
        f"closes (nobody can check it): {check.detail}",
    )


def decide_dispute(*, provable: bool, now: int, deadline: int, settle: bool) -> Decision:
    """What to do about an undecided dispute: prove its unattested batch (upholds it with no
    vote, also after its deadline until it is settled), else settle it once its deadline has
    passed."""
    if provable:
        return Decision(Act.PROVE, "its ledger holds an unattested batch: proven with no vote")
    if now >= deadline:
        if settle:
            return Decision(Act.SETTLE, "its deadline passed without a verdict")
        return Decision(Act.NOTHING, "its deadline passed (settling is off)")
    return Decision(Act.NOTHING, "waiting for a verdict")


# ------------------------------------------------------------------------------ bundles


def locate_bundle(uri: str, epoch: int, bundles: Path | None, scratch: Path) -> Path:
    """The bundle folder that ``uri`` (a proposal's ledger URI) names, as a local folder: a local
    path as it is, an ``https://`` folder downloaded into ``scratch``, an ``ipfs://CID[/path]``
    from a copy under ``bundles`` (``CID.car``, ``CID/`` or ``<epoch>/``) whose CID is checked.
    Raises :class:`BundleUnavailable` (or ``PublishError``) if there is none."""
    parsed = urllib.parse.urlsplit(uri)
    scheme = parsed.scheme.lower()
    if scheme == "https":
        return fetch_bundle(uri, Path(tempfile.mkdtemp(prefix="fetched-", dir=scratch)) / "bundle")
    if scheme == "ipfs":
        folder = _ipfs_copy(parsed.netloc, epoch, bundles, scratch)
        sub = parsed.path.strip("/")
        return folder / sub if sub else folder
    if scheme in ("", "file"):
        path = Path(urllib.parse.unquote(parsed.path) if scheme == "file" else uri)
        if (path / TOTALS).is_file():
            return path
        raise BundleUnavailable(
            f"{uri}: no bundle folder there (a path on the proposer's machine?)"
        )
    raise BundleUnavailable(f"{uri}: cannot fetch {scheme}:// URIs (only https:// and ipfs://)")


def _ipfs_copy(cid: str, epoch: int, bundles: Path | None, scratch: Path) -> Path:
    """A local copy of the folder ``cid``: ``bundles/CID.car`` unpacked, or ``bundles/CID/`` or
    ``bundles/<epoch>/`` if its CID is ``cid``."""
    if bundles is None:
        raise BundleUnavailable(
            f"ipfs://{cid}: give --bundles DIR holding a copy ({cid}.car, {cid}/ or {epoch}/)"
        )
    car = bundles / f"{cid}.car"
    if car.is_file():
        out = Path(tempfile.mkdtemp(prefix="car-", dir=scratch)) / "bundle"
        if unpack_car(car, out) == cid:
            return out
    for folder in (bundles / cid, bundles / str(epoch)):
        if (folder / TOTALS).is_file() and folder_cid(folder) == cid:
            return folder
    raise BundleUnavailable(
        f"ipfs://{cid}: no copy with this CID in {bundles} ({cid}.car, {cid}/ or {epoch}/)"
    )


def stage(bundle: Path, epoch: int, sources: tuple[Path, ...], scratch: Path) -> Path:
    """A new folder under ``scratch`` holding ``bundle`` as ``<epoch>/`` and, beside it, every
    earlier epoch's bundle found in ``sources`` (the first one found of each epoch), all as links:
    the layout :func:`communis.chain.epochs.verify` reads previous and covered epochs from.
    Returns the path of ``<epoch>/`` in it."""
    folder = Path(tempfile.mkdtemp(prefix=f"epoch-{epoch}-", dir=scratch))
    (folder / str(epoch)).symlink_to(bundle.resolve(), target_is_directory=True)
    for source in sources:
        if not source.is_dir():
            continue
        for child in sorted(source.iterdir()):
            earlier = child.name.isdigit() and int(child.name) < epoch
            if earlier and (child / TOTALS).is_file() and not (folder / child.name).exists():
                (folder / child.name).symlink_to(child.resolve(), target_is_directory=True)
    return folder / str(epoch)


def needed_epochs(rewards: ContractInstance, epoch: int, first_epoch: int) -> list[int]:
    """The earlier epochs whose bundles recomputing a root for ``epoch`` covering
    ``first_epoch..epoch`` needs: the covered ones, and the previous ones back to the newest
    epoch finalized with its own root (the trust anchor of :func:`communis.chain.epochs.verify`)."""
    needed = set(range(first_epoch, epoch))
    n = epoch
    while n > 0:
        needed.add(n - 1)
        if bytes(rewards.rootOf(n - 1)) != epochs.ZERO32:
            break
        n -= 1
    return sorted(needed)


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class Posted:
    """A ``RootProposed`` event: what a proposal committed to, where its bundle is, and the
    block it was mined in."""

    epoch: int
    first_epoch: int
    root: str
    ledger_root: str
    proposer: str
    ledger_uri: str
    bond: int
    deadline: int
    block: int

    @property
    def key(self) -> str:
        return epochs.root_key(self.epoch, self.root, self.ledger_root)

    @classmethod
    def from_log(cls, log: Any) -> Posted:
        return cls(
            epoch=int(log.epoch),
            first_epoch=int(log.firstEpoch),
            root=_hex(log.root),
            ledger_root=_hex(log.ledgerRoot),
            proposer=str(log.proposer),
            ledger_uri=str(log.ledgerURI),
            bond=int(log.bond),
            deadline=int(log.challengeDeadline),
            block=int(log.block_number),
        )


@dataclass
class Checked:
    """The result of checking one proposal's bundle, and the staged bundle folder."""

    check: Check
    bundle: Path | None
    at: float


def _hex(value: Any) -> str:
    """A bytes32 the contract returned, as 0x hex."""
    return "0x" + bytes(value).hex()


def short(value: str) -> str:
    """A root or hash for a log line: its first 10 hex digits."""
    return value[:12] + "…" if len(value) > 14 else value


def obtain_bundle(
    rewards: ContractInstance,
    posted: Posted,
    bundles: Path | None,
    scratch: Path,
    *,
    recompute: bool = True,
) -> Path | Check:
    """``posted``'s bundle staged with the earlier epochs' bundles that checking it needs (all
    of :func:`needed_epochs` to recompute it, else only the covered ones), or the
    :class:`Check` that says why there is none."""
    try:
        folder = locate_bundle(posted.ledger_uri, posted.epoch, bundles, scratch)
    except (BundleUnavailable, PublishError) as err:
        return Check(Finding.UNAVAILABLE, str(err))
    try:
        totals = load_totals(folder)
    except BundleError as err:
        return Check(Finding.WRONG, f"its bundle cannot be read: {err}")
    if totals.epoch != posted.epoch:
        return Check(Finding.WRONG, f"{posted.ledger_uri} is epoch {totals.epoch}'s bundle")
    if not totals.attested:
        return Check(Finding.WRONG, "its bundle is a draft: its rows are not attested")
    local = urllib.parse.urlsplit(posted.ledger_uri).scheme in ("", "file")
    sources = ((folder.parent,) if local else ()) + ((bundles,) if bundles else ())
    staged = stage(folder, posted.epoch, sources, scratch)
    needed = (
        needed_epochs(rewards, posted.epoch, posted.first_epoch)
        if recompute
        else range(posted.first_epoch, posted.epoch)
    )
    missing = [e for e in needed if not (staged.parent / str(e) / TOTALS).is_file()]
    if missing:
        where = f"{bundles}" if bundles else "--bundles DIR"
        return Check(
            Finding.UNAVAILABLE,
            f"checking epoch {posted.epoch} needs the bundles of epochs {missing}: put copies "
            f"into {where}",
        )
    return staged


def check_proposal(
    rewards: ContractInstance,
    posted: Posted,
    bundles: Path | None,
    scratch: Path,
    *,
    from_block: int = 0,
    recompute: bool = True,
) -> tuple[Check, Path | None]:
    """Obtain ``posted``'s bundle and check it against the chain (the attester set and the
    proposal's event read from ``from_block``); returns the finding and the staged bundle folder
    (None if it could not be obtained). An error reading the chain is UNAVAILABLE (checked
    again later), never WRONG: a watcher does not challenge what it failed to read. Without
    ``recompute`` (a disputed root: no longer on chain to compare with) it only looks for an
    unattested batch: UNATTESTED, or WRONG for "none to prove"."""
    staged = obtain_bundle(rewards, posted, bundles, scratch, recompute=recompute)
    if isinstance(staged, Check):
        return staged, None
    result = None
    if recompute:
        try:
            result = epochs.verify(rewards, staged, from_block=from_block)
        except epochs.EpochOpError as err:  # what the chain says could not be read: retried
            return Check(Finding.UNAVAILABLE, f"cannot check it yet: {err}"), staged
        except CommunisError as err:  # the bundle's content
            return Check(Finding.WRONG, f"its bundle cannot be verified: {err}"), staged
        if result.ok:
            return Check(Finding.OK), staged
    try:
        found = epochs.find_unattested_batch(
            rewards, staged, posted.first_epoch, posted.ledger_root
        )
    except CommunisError:
        found = None
    if found is not None:
        return Check(
            Finding.UNATTESTED,
            f"{found.attester}'s batch of epoch {found.epoch} (attestations line "
            f"{found.file_line}) is {found.status.name.replace('_', ' ').lower()}",
        ), staged
    if result is None:
        return Check(Finding.WRONG, "no unattested batch to prove in its ledger"), staged
    first = result.problems[0] if result.problems else "the recomputed root differs"
    more = len(result.problems) - 1
    fakes = len(result.differences)
    detail = first + (f" (and {more} more problems)" if more > 0 else "")
    if fakes:
        detail += f"; {fakes} accounts differ"
    return Check(Finding.WRONG, detail), staged


# ------------------------------------------------------------------------------ the node


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


# ------------------------------------------------------------------------------ the watcher


@dataclass
class Watcher:
    """Follows ``rewards`` for ``account``; see the module docstring. ``log`` gets one line per
    event or action, with the time; ``scratch`` holds fetched and staged bundles."""

    rewards: ContractInstance
    account: AccountAPI
    options: WatchOptions
    log: Log
    scratch: Path
    next_block: int = 0
    posted: dict[str, Posted] = field(default_factory=dict)
    disputes: dict[str, tuple[epochs.Dispute, int]] = field(default_factory=dict)
    checked: dict[str, Checked] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)
    _said: set[tuple[str, str]] = field(default_factory=set)
    _read: dict[int, str | None] = field(default_factory=dict)
    """The hash of each block a scan ended at (the newest KEPT_BLOCKS)."""
    _logged: set[tuple[str, int]] = field(default_factory=set)
    _searched: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.next_block = self.options.from_block

    @property
    def me(self) -> str:
        return str(self.account.address)

    def say(self, message: str) -> None:
        self.log(f"{format_time(int(time.time()))}  {message}")

    def say_once(self, key: str, message: str) -> None:
        if (key, message) not in self._said:
            self._said.add((key, message))
            self.say(message)

    # -- the loop ----------------------------------------------------------------------------

    def start(self) -> None:
        """Log who watches what, and how."""
        import ape

        policy = epochs.onchain_policy(self.rewards)
        balance = int(epochs.token_of(self.rewards).balanceOf(self.account))
        role = "a guardian" if self.rewards.isGuardian(self.account) else "not a guardian"
        keeper = ", ".join(
            f"{name} {'on' if on else 'off'}"
            for name, on in (("finalize", self.options.finalize), ("settle", self.options.settle))
        )
        self.say(
            f"watching ContributionRewards {self.rewards.address} on chain {ape.chain.chain_id} "
            f"as {self.me} ({role}; holds {format_tokens(balance)}, the challenger bond is "
            f"{format_tokens(policy.challenger_bond)}); keeper: {keeper}; bundles from "
            f"{self.options.bundles or '(none)'}; every {self.options.poll:g} s from block "
            f"{self.next_block}"
        )

    def run(self, stop: threading.Event) -> None:
        """Tick every ``poll`` seconds until ``stop`` is set; a node that cannot be reached (or
        an unexpected error) is retried with a delay doubling up to ``max_backoff``."""
        delay = 0.0
        down_since: float | None = None
        started = False
        while not stop.is_set():
            try:
                if not started:
                    self.start()
                    started = True
                self.tick()
            except Exception as err:  # a long-lived process: log, wait, retry
                delay = min(max(delay * 2, 1.0), self.options.max_backoff)
                if is_connection_error(err):
                    down_since = down_since or time.monotonic()
                    self.say(
                        f"the node does not answer ({_root_cause(err)}): retrying in {delay:g} s"
                    )
                elif isinstance(err, CommunisError):
                    self.say(f"error: {err}: retrying in {delay:g} s")
                else:
                    self.say(
                        f"unexpected error {type(err).__name__}: {_first_line(err)}: retrying in "
                        f"{delay:g} s"
                    )
                stop.wait(delay)
                continue
            if down_since is not None:
                self.say(
                    f"the node answers again (down for {time.monotonic() - down_since:.0f} s); "
                    f"at block {self.next_block - 1}"
                )
                down_since = None
            delay = 0.0
            stop.wait(self.options.poll)

    def tick(self) -> None:
        """One look at the chain: log new events, then act on the pending proposal and the
        undecided disputes."""
        import ape

        # One read of the head (``blocks.height`` answers 0 when the node does not answer).
        head = ape.chain.blocks.head
        self._scan(int(head.number or 0))
        now = int(head.timestamp)
        sent = sum(self.sent.values())
        self._watch_pending(now)
        self._watch_disputes(now)
        if sum(self.sent.values()) > sent:  # log what it caused right away
            self._scan(_height())

    # -- events ------------------------------------------------------------------------------

    def _scan(self, head: int) -> None:
        """Log (and record) the contract's events from ``next_block`` to ``head``; first, if
        the chain no longer holds the last block read as it was read (a node restarted from an
        older state, a reorganization), go back to the newest block it still holds as read."""
        last = self.next_block - 1
        if last in self._read and self._block_hash(last, head) != self._read[last]:
            kept = [n for n in sorted(self._read, reverse=True) if n < last]
            back = next((n for n in kept if self._block_hash(n, head) == self._read[n]), None)
            self.next_block = self.options.from_block if back is None else back + 1
            self._read = {n: h for n, h in self._read.items() if n < self.next_block}
            self.say(
                f"the chain no longer holds block {last} as read (the node restarted from an "
                f"older state, or the chain reorganized; it is at block {head}): reading again "
                f"from block {self.next_block}"
            )
        if head < self.next_block:
            return
        r = self.rewards
        found: list[tuple[int, int, str, Any]] = []
        for kind, event in (
            ("proposed", r.RootProposed),
            ("challenged", r.RootChallenged),
            ("proven", r.UnattestedBatchProven),
            ("ended", r.DisputeEnded),
            ("finalized", r.RootFinalized),
        ):
            for log in event.range(self.next_block, head + 1):
                found.append((int(log.block_number), int(log.log_index), kind, log))
        for _, _, kind, log in sorted(found, key=lambda item: item[:2]):
            seen = (str(log.transaction_hash), int(log.log_index))
            self._on_event(kind, log, quiet=seen in self._logged)  # read again: said once
            self._logged.add(seen)
        self._read[head] = self._block_hash(head, head)
        for old in sorted(self._read)[:-KEPT_BLOCKS]:
            del self._read[old]
        self.next_block = head + 1

    @staticmethod
    def _block_hash(number: int, head: int) -> str | None:
        """The hash of block ``number`` (None above ``head``)."""
        import ape

        return None if number > head else _hex(ape.chain.blocks[number].hash)

    def _on_event(self, kind: str, log: Any, *, quiet: bool = False) -> None:
        """Record a proposal or a dispute, and log the event (unless ``quiet``)."""
        say: Log = (lambda _: None) if quiet else self.say
        epoch = int(log.epoch)
        if kind == "proposed":
            p = Posted.from_log(log)
            self.posted[p.key] = p
            covering = f"epochs {p.first_epoch}..{p.epoch}" if p.first_epoch < p.epoch else ""
            say(
                f"epoch {epoch}: root {short(p.root)} proposed by {p.proposer}"
                + (f" covering {covering}" if covering else "")
                + f", bond {format_tokens(p.bond)}, bundle {p.ledger_uri}; window closes "
                f"{format_when(p.deadline)}"
            )
        elif kind == "challenged":
            d = epochs.Dispute.from_record(log.dispute)
            self.disputes[d.key] = (d, int(log.block_number))
            who = "this watcher" if d.challenger == self.me else d.challenger
            say(
                f"epoch {epoch}: root {short(d.root)} challenged by {who} (bonds "
                f"{format_tokens(d.proposer_bond)} + {format_tokens(d.challenger_bond)}); a "
                f"verdict is due before {format_when(d.deadline)}"
            )
        elif kind == "proven":
            prover, treasury = int(log.toProver), int(log.toTreasury)
            paid = (
                f" ({format_tokens(prover)} to the prover, {format_tokens(treasury)} to the "
                "treasury)"
                if prover or treasury
                else " (its dispute ends, below)"
            )
            say(
                f"epoch {epoch}: an unattested batch of {log.attester} proven by {log.prover}: "
                f"the root is banned{paid}"
            )
        elif kind == "ended":
            verdict = epochs.Verdict(int(log.verdict)).name.replace("_", " ").lower()
            say(
                f"epoch {epoch}: a dispute ended ({verdict}): {format_tokens(int(log.toProposer))}"
                f" to the proposer, {format_tokens(int(log.toChallenger))} to the challenger, "
                f"{format_tokens(int(log.toTreasury))} to the treasury"
            )
        else:
            first = int(log.firstEpoch)
            covering = f" (epochs {first}..{epoch})" if first < epoch else ""
            say(f"epoch {epoch}: root {short(_hex(log.root))} finalized{covering}")

    # -- the pending proposal ----------------------------------------------------------------

    def _find_posted(self, pending: epochs.Pending, key: str) -> Posted | None:
        if key not in self.posted:  # proposed since the scan, or before --from-block
            self._scan(_height())
        if key not in self.posted and key not in self._searched:  # searched once per key
            self._searched.add(key)
            logs = self.rewards.RootProposed.range(
                0, _height() + 1, search_topics={"epoch": pending.epoch}
            )
            for log in logs:
                p = Posted.from_log(log)
                self.posted.setdefault(p.key, p)
        return self.posted.get(key)

    def _check(self, posted: Posted, *, recompute: bool = True) -> Checked:
        done = self.checked.get(posted.key)
        stale = done is not None and (
            done.check.finding is Finding.UNAVAILABLE
            and time.monotonic() - done.at >= UNAVAILABLE_RETRY
        )
        if done is None or stale:
            check, bundle = check_proposal(
                self.rewards,
                posted,
                self.options.bundles,
                self.scratch,
                from_block=self.options.from_block,
                recompute=recompute,
            )
            done = Checked(check, bundle, time.monotonic())
            self.checked[posted.key] = done
        return done

    def _watch_pending(self, now: int) -> None:
        pending = epochs.pending_proposal(self.rewards)
        if pending is None:
            return
        key = epochs.root_key(pending.epoch, pending.root, pending.ledger_root)
        posted = self._find_posted(pending, key)
        name = f"epoch {pending.epoch}: root {short(pending.root)}"
        if posted is None:
            self.say_once(key, f"{name}: its RootProposed event is not found: cannot check it")
            return
        checked = self._check(posted)
        decision = decide_pending(
            checked.check,
            now=now,
            deadline=pending.challenge_deadline,
            guardian=bool(self.rewards.isGuardian(self.account)),
            finalize=self.options.finalize,
            unavailable_margin=self.options.unavailable_margin,
        )
        if decision.act in (Act.NOTHING, Act.ALERT):
            alert = "ALERT " if decision.act is Act.ALERT else ""
            self.say_once(key, f"{alert}{name}: {decision.reason}")
            return
        if not self._ready(key, pending):
            return
        if decision.act is Act.CHALLENGE:
            evidence = f"communis watch: {decision.reason}"[:200]
            self._send(
                key,
                f"{name}: challenge ({decision.reason})",
                lambda: epochs.challenge(
                    self.rewards, pending.epoch, self.account, evidence=evidence
                ),
            )
        elif decision.act is Act.PROVE and checked.bundle is not None:
            bundle = checked.bundle
            sent = self._send(
                key,
                f"{name}: prove ({decision.reason})",
                lambda: [epochs.prove(self.rewards, bundle, self.account, from_block=posted.block)],
            )
            if not sent:  # not provable after all: a guardian challenges it instead
                checked.check = Check(Finding.WRONG, checked.check.detail)
        elif decision.act is Act.FINALIZE:
            self._send(
                key,
                f"{name}: finalize ({decision.reason})",
                lambda: [epochs.finalize(self.rewards, pending.epoch, self.account)],
            )

    def _ready(self, key: str, pending: epochs.Pending | None) -> bool:
        """Whether to send now: nothing of ours in flight, and (for a proposal) the same one
        still pending."""
        waiting = in_flight(self.me)
        if waiting:
            self.say_once(key, f"{waiting} transaction(s) of {self.me} in flight: waiting for them")
            return False
        if pending is not None:
            again = epochs.pending_proposal(self.rewards)
            if again is None or (again.epoch, again.root, again.ledger_root) != (
                pending.epoch,
                pending.root,
                pending.ledger_root,
            ):
                return False
        return True

    def _send(self, key: str, what: str, action: Callable[[], list[epochs.Sent]]) -> bool:
        """Run ``action`` (it sends transactions) and log what it sent; an expected refusal or a
        revert is logged (once) and returns False; a node that does not answer propagates."""
        from ape.exceptions import ContractLogicError

        try:
            sent = action()
        except (CommunisError, ContractLogicError) as err:
            if is_connection_error(err):
                raise
            self.say_once(key, f"{what}: not done: {_first_line(err)}")
            return False
        for item in sent:
            self.sent[item.action] += 1
            self.say(f"{what}: sent {item.action}, tx {item.tx_hash}, gas {item.gas_used:,}")
        return True

    # -- disputes ----------------------------------------------------------------------------

    def _watch_disputes(self, now: int) -> None:
        for key, (dispute, block) in list(self.disputes.items()):
            held = self.rewards.disputeHash(dispute.epoch, dispute.root, dispute.ledger_root)
            if _hex(held) != dispute.hash:
                del self.disputes[key]  # decided, settled or proven
                continue
            self._on_dispute(key, dispute, block, now)

    def _on_dispute(self, key: str, dispute: epochs.Dispute, block: int, now: int) -> None:
        checked = self._dispute_check(key)
        provable = checked is not None and checked.check.finding is Finding.UNATTESTED
        decision = decide_dispute(
            provable=provable, now=now, deadline=dispute.deadline, settle=self.options.settle
        )
        name = f"epoch {dispute.epoch}: dispute over root {short(dispute.root)}"
        if decision.act is Act.NOTHING or not self._ready(key, None):
            return
        if decision.act is Act.PROVE and checked is not None and checked.bundle is not None:
            bundle = checked.bundle
            done = self._send(
                key,
                f"{name}: prove ({decision.reason})",
                lambda: [epochs.prove(self.rewards, bundle, self.account, from_block=block)],
            )
            if not done:
                checked.check = Check(Finding.WRONG, checked.check.detail)
        elif decision.act is Act.SETTLE:
            self._send(
                key,
                f"{name}: settle ({decision.reason})",
                lambda: [
                    epochs.settle(
                        self.rewards,
                        dispute.epoch,
                        self.account,
                        root=dispute.root,
                        from_block=block,
                    )
                ],
            )

    def _dispute_check(self, key: str) -> Checked | None:
        """The check of the disputed proposal's bundle, if its RootProposed event was seen."""
        posted = self.posted.get(key)
        return self._check(posted, recompute=False) if posted is not None else None


def _height() -> int:
    """The newest block's number (raising, unlike ``chain.blocks.height``, when the node does
    not answer)."""
    import ape

    return int(ape.chain.blocks.head.number or 0)


def _root_cause(error: BaseException) -> str:
    """The first line of the innermost error ``error`` was raised from (e.g. "Connection
    refused")."""
    seen = {id(error)}
    while (inner := error.__cause__ or error.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        error = inner
    return _first_line(error)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def watch(
    rewards: ContractInstance, account: AccountAPI, options: WatchOptions, log: Log
) -> Counter[str]:
    """Run a :class:`Watcher` until SIGINT or SIGTERM; log a final line and return how many
    transactions of each kind it sent."""
    stop = threading.Event()
    with (
        stop_on_signals(stop) as received,
        tempfile.TemporaryDirectory(prefix="communis-watch-") as scratch,
    ):
        watcher = Watcher(rewards, account, options, log, Path(scratch))
        watcher.run(stop)
    sent = ", ".join(f"{count} {action}" for action, count in sorted(watcher.sent.items()))
    why = received[0] if received else "stopped"
    watcher.say(f"stopped on {why} after block {watcher.next_block - 1}; sent: {sent or 'nothing'}")
    return watcher.sent
