"""What the watcher does about a proposal or a dispute, decided from what checking its bundle found
and the chain's time (pure: no chain access)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from communis.engine.units import format_duration


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
