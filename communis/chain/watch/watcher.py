"""The watcher: a loop that logs the contract's events and acts on the pending proposal and the
undecided disputes."""

from __future__ import annotations

import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communis.chain.epochs.contract import Sent, Verdict, token_of
from communis.chain.epochs.disputes import challenge
from communis.chain.epochs.disputes import settle as settle_dispute
from communis.chain.epochs.fraud_proof import prove
from communis.chain.epochs.propose import finalize as finalize_root
from communis.chain.epochs.state import Dispute, Pending, onchain_policy, pending_proposal, root_key
from communis.chain.watch.check import Checked, Posted, as_hex, check_proposal, short
from communis.chain.watch.decisions import Act, Check, Finding, decide_dispute, decide_pending
from communis.chain.watch.node import (
    first_line,
    height,
    in_flight,
    is_connection_error,
    root_cause,
    stop_on_signals,
)
from communis.engine.units import format_time, format_tokens, format_when
from communis.errors import CommunisError

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


Log = Callable[[str], None]

KEPT_BLOCKS = 256
"""How many of the blocks its scans ended at the watcher remembers (to find where a node that
lost blocks, or a reorganized chain, still agrees with what it read)."""
UNAVAILABLE_RETRY = 30.0
"""Seconds between two attempts to obtain a bundle that could not be obtained."""


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


@dataclass
class Watcher:
    """Follows ``rewards`` for ``account``; see the package docstring. ``log`` gets one line per
    event or action, with the time; ``scratch`` holds fetched and staged bundles."""

    rewards: ContractInstance
    account: AccountAPI
    options: WatchOptions
    log: Log
    scratch: Path
    next_block: int = 0
    posted: dict[str, Posted] = field(default_factory=dict)
    disputes: dict[str, tuple[Dispute, int]] = field(default_factory=dict)
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

        policy = onchain_policy(self.rewards)
        balance = int(token_of(self.rewards).balanceOf(self.account))
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
                        f"the node does not answer ({root_cause(err)}): retrying in {delay:g} s"
                    )
                elif isinstance(err, CommunisError):
                    self.say(f"error: {err}: retrying in {delay:g} s")
                else:
                    self.say(
                        f"unexpected error {type(err).__name__}: {first_line(err)}: retrying in "
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
            self._scan(height())

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

        return None if number > head else as_hex(ape.chain.blocks[number].hash)

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
            d = Dispute.from_record(log.dispute)
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
            verdict = Verdict(int(log.verdict)).name.replace("_", " ").lower()
            say(
                f"epoch {epoch}: a dispute ended ({verdict}): {format_tokens(int(log.toProposer))}"
                f" to the proposer, {format_tokens(int(log.toChallenger))} to the challenger, "
                f"{format_tokens(int(log.toTreasury))} to the treasury"
            )
        else:
            first = int(log.firstEpoch)
            covering = f" (epochs {first}..{epoch})" if first < epoch else ""
            say(f"epoch {epoch}: root {short(as_hex(log.root))} finalized{covering}")

    # -- the pending proposal ----------------------------------------------------------------

    def _find_posted(self, pending: Pending, key: str) -> Posted | None:
        if key not in self.posted:  # proposed since the scan, or before --from-block
            self._scan(height())
        if key not in self.posted and key not in self._searched:  # searched once per key
            self._searched.add(key)
            logs = self.rewards.RootProposed.range(
                0, height() + 1, search_topics={"epoch": pending.epoch}
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
        pending = pending_proposal(self.rewards)
        if pending is None:
            return
        key = root_key(pending.epoch, pending.root, pending.ledger_root)
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
                lambda: challenge(self.rewards, pending.epoch, self.account, evidence=evidence),
            )
        elif decision.act is Act.PROVE and checked.bundle is not None:
            bundle = checked.bundle
            sent = self._send(
                key,
                f"{name}: prove ({decision.reason})",
                lambda: [prove(self.rewards, bundle, self.account, from_block=posted.block)],
            )
            if not sent:  # not provable after all: a guardian challenges it instead
                checked.check = Check(Finding.WRONG, checked.check.detail)
        elif decision.act is Act.FINALIZE:
            self._send(
                key,
                f"{name}: finalize ({decision.reason})",
                lambda: [finalize_root(self.rewards, pending.epoch, self.account)],
            )

    def _ready(self, key: str, pending: Pending | None) -> bool:
        """Whether to send now: nothing of ours in flight, and (for a proposal) the same one
        still pending."""
        waiting = in_flight(self.me)
        if waiting:
            self.say_once(key, f"{waiting} transaction(s) of {self.me} in flight: waiting for them")
            return False
        if pending is not None:
            again = pending_proposal(self.rewards)
            if again is None or (again.epoch, again.root, again.ledger_root) != (
                pending.epoch,
                pending.root,
                pending.ledger_root,
            ):
                return False
        return True

    def _send(self, key: str, what: str, action: Callable[[], list[Sent]]) -> bool:
        """Run ``action`` (it sends transactions) and log what it sent; an expected refusal or a
        revert is logged (once) and returns False; a node that does not answer propagates."""
        from ape.exceptions import ContractLogicError

        try:
            sent = action()
        except (CommunisError, ContractLogicError) as err:
            if is_connection_error(err):
                raise
            self.say_once(key, f"{what}: not done: {first_line(err)}")
            return False
        for item in sent:
            self.sent[item.action] += 1
            self.say(f"{what}: sent {item.action}, tx {item.tx_hash}, gas {item.gas_used:,}")
        return True

    # -- disputes ----------------------------------------------------------------------------

    def _watch_disputes(self, now: int) -> None:
        for key, (dispute, block) in list(self.disputes.items()):
            held = self.rewards.disputeHash(dispute.epoch, dispute.root, dispute.ledger_root)
            if as_hex(held) != dispute.hash:
                del self.disputes[key]  # decided, settled or proven
                continue
            self._on_dispute(key, dispute, block, now)

    def _on_dispute(self, key: str, dispute: Dispute, block: int, now: int) -> None:
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
                lambda: [prove(self.rewards, bundle, self.account, from_block=block)],
            )
            if not done:
                checked.check = Check(Finding.WRONG, checked.check.detail)
        elif decision.act is Act.SETTLE:
            self._send(
                key,
                f"{name}: settle ({decision.reason})",
                lambda: [
                    settle_dispute(
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
