"""The watcher's decisions and plumbing without a chain (communis.chain.watch): what it does for
each finding about a pending proposal and for each state of a dispute, where it finds a
proposal's bundle (a local folder, an ipfs:// CID matched against a local copy or CAR file),
how it lays out earlier epochs' bundles beside it, which errors mean the node is down, and how
SIGTERM stops it."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
import requests

from communis.chain.watch import (
    Act,
    BundleUnavailable,
    Check,
    Finding,
    decide_dispute,
    decide_pending,
    is_connection_error,
    locate_bundle,
    stage,
    stop_on_signals,
)
from communis.publish import folder_cid, pack_bundle
from tests.helpers.attack_bundles import epochs

__all__ = ["epochs"]  # the fixture: epochs 0 and 1 built into epochs/0 and epochs/1

pytestmark = pytest.mark.offchain

DEADLINE = 1_000_000
HOUR = 3600
OK, WRONG = Check(Finding.OK), Check(Finding.WRONG, "4 accounts differ")
UNATTESTED = Check(Finding.UNATTESTED, "0xabc's batch is not attester")
UNAVAILABLE = Check(Finding.UNAVAILABLE, "HTTP 404")


def pending(check: Check, *, now: int, guardian: bool = True, finalize: bool = True) -> Act:
    decision = decide_pending(
        check,
        now=now,
        deadline=DEADLINE,
        guardian=guardian,
        finalize=finalize,
        unavailable_margin=HOUR,
    )
    assert decision.reason
    return decision.act


OPEN, LATE, CLOSED = DEADLINE - 2 * HOUR, DEADLINE - HOUR // 2, DEADLINE


@pytest.mark.parametrize(
    ("check", "now", "guardian", "finalize", "act"),
    [
        # A right root: left alone in its window, finalized after it (unless keeping is off).
        (OK, OPEN, True, True, Act.NOTHING),
        (OK, CLOSED, True, True, Act.FINALIZE),
        (OK, CLOSED, False, True, Act.FINALIZE),  # anyone may finalize
        (OK, CLOSED, True, False, Act.NOTHING),
        # An unattested batch: proven, by anyone, in or after the window: it needs no vote.
        (UNATTESTED, OPEN, True, True, Act.PROVE),
        (UNATTESTED, OPEN, False, True, Act.PROVE),
        (UNATTESTED, CLOSED, True, True, Act.PROVE),
        # A wrong root: challenged by a guardian in its window; never finalized.
        (WRONG, OPEN, True, True, Act.CHALLENGE),
        (WRONG, OPEN, False, True, Act.ALERT),
        (WRONG, CLOSED, True, True, Act.ALERT),
        # A bundle nobody can obtain: waited for, challenged near the window's end, never
        # finalized.
        (UNAVAILABLE, OPEN, True, True, Act.NOTHING),
        (UNAVAILABLE, LATE, True, True, Act.CHALLENGE),
        (UNAVAILABLE, LATE, False, True, Act.ALERT),
        (UNAVAILABLE, CLOSED, True, True, Act.ALERT),
    ],
)
def test_decide_pending(check: Check, now: int, guardian: bool, finalize: bool, act: Act) -> None:
    assert pending(check, now=now, guardian=guardian, finalize=finalize) is act


def test_an_unavailable_bundle_is_never_challenged_with_a_zero_margin() -> None:
    decision = decide_pending(
        UNAVAILABLE, now=DEADLINE - 1, deadline=DEADLINE, guardian=True, finalize=True,
        unavailable_margin=0,
    )  # fmt: skip
    assert decision.act is Act.NOTHING


@pytest.mark.parametrize(
    ("provable", "now", "settle", "act"),
    [
        (True, DEADLINE - 1, True, Act.PROVE),
        (True, DEADLINE + 1, True, Act.PROVE),  # provable until settled: better than the fee
        (False, DEADLINE - 1, True, Act.NOTHING),  # governance's turn
        (False, DEADLINE, True, Act.SETTLE),
        (False, DEADLINE, False, Act.NOTHING),
    ],
)
def test_decide_dispute(provable: bool, now: int, settle: bool, act: Act) -> None:
    decision = decide_dispute(provable=provable, now=now, deadline=DEADLINE, settle=settle)
    assert decision.act is act and decision.reason


# -- bundles ----------------------------------------------------------------------------------


def test_a_local_path_is_used_as_it_is(epochs: Path, tmp_path: Path) -> None:
    folder = epochs / "1"
    assert locate_bundle(str(folder), 1, None, tmp_path) == folder
    assert locate_bundle(folder.as_uri(), 1, None, tmp_path) == folder
    with pytest.raises(BundleUnavailable, match="no bundle folder there"):
        locate_bundle(str(tmp_path / "elsewhere"), 1, epochs, tmp_path)
    with pytest.raises(BundleUnavailable, match="cannot fetch ftp://"):
        locate_bundle("ftp://example.org/1", 1, epochs, tmp_path)


def test_an_ipfs_cid_is_matched_against_local_copies(epochs: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cid = folder_cid(epochs / "1")
    # The <epoch>/ copy, when its CID is the proposal's.
    assert locate_bundle(f"ipfs://{cid}", 1, epochs, scratch) == epochs / "1"
    # Another CID: epoch 0's folder is not it, and there is no copy.
    other = folder_cid(epochs / "0")
    with pytest.raises(BundleUnavailable, match=f"no copy with this CID in {epochs}"):
        locate_bundle(f"ipfs://{other}", 1, epochs, scratch)
    with pytest.raises(BundleUnavailable, match="give --bundles DIR"):
        locate_bundle(f"ipfs://{cid}", 1, None, scratch)
    # A CAR file named by its CID is unpacked (and its root checked).
    cars = tmp_path / "cars"
    pack_bundle(epochs / "0", cars / f"{other}.car")
    found = locate_bundle(f"ipfs://{other}", 0, cars, scratch)
    assert (found / "totals.json").read_bytes() == (epochs / "0" / "totals.json").read_bytes()
    # A CAR whose root is another CID is not taken for it.
    (cars / f"{other}.car").rename(cars / f"{cid}.car")
    with pytest.raises(BundleUnavailable):
        locate_bundle(f"ipfs://{cid}", 1, cars, scratch)


def test_stage_lays_out_earlier_epochs_beside_the_bundle(epochs: Path, tmp_path: Path) -> None:
    fetched = tmp_path / "fetched" / "bundle"
    fetched.parent.mkdir(parents=True)
    (epochs / "1").rename(fetched)
    (epochs / "7").mkdir()  # not a bundle: ignored
    staged = stage(fetched, 1, (epochs,), tmp_path)
    assert staged.name == "1" and staged.resolve() == fetched.resolve()
    assert sorted(p.name for p in staged.parent.iterdir()) == ["0", "1"]
    assert (staged.parent / "0").resolve() == (epochs / "0").resolve()


# -- the node and the process -----------------------------------------------------------------


def test_connection_errors_are_found_through_their_causes() -> None:
    def raised(inner: BaseException, outer: Exception) -> Exception:
        try:
            try:
                raise inner
            except BaseException as err:
                raise outer from err
        except Exception as err:
            return err

    refused = requests.ConnectionError("refused")
    assert is_connection_error(raised(refused, RuntimeError("Missing latest block")))
    assert is_connection_error(ConnectionRefusedError(111, "Connection refused"))
    assert is_connection_error(raised(requests.Timeout(), ValueError("x")))
    assert not is_connection_error(raised(KeyError("root"), RuntimeError("reverted")))


def test_sigterm_sets_the_stop_event_and_the_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    with stop_on_signals(stop) as received:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5)
    assert received == ["SIGTERM"]
    assert signal.getsignal(signal.SIGTERM) == before
