"""The governance settings in force on chain, and the deployment's checks a proposal's settings
must pass before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communis.chain.governance.errors import GovernanceError
from communis.chain.governance.names import REGISTRY, REWARDS, TIMELOCK
from communis.chain.governance.proposals import Action
from communis.engine.policy import Policy

if TYPE_CHECKING:
    from communis.chain.governance.governor import Governance
    from communis.deploy.config import GovernanceParams


def _decoded(method: Any, calldata: bytes) -> dict[str, Any] | None:
    """The arguments of ``calldata`` if it calls ``method`` (an ape method handler), else None."""
    import ape

    ecosystem = ape.chain.provider.network.ecosystem
    for abi in method.abis:
        selector = bytes(ecosystem.get_method_selector(abi))
        if bytes(calldata[:4]) == selector:
            return dict(ecosystem.decode_calldata(abi, bytes(calldata[4:])))
    return None


def governance_params(gov: Governance) -> GovernanceParams:
    """The governance settings in force on chain, in the deployment config's record
    (:class:`communis.deploy.config.GovernanceParams`), so the deployment's checks apply to
    them. The quorum is a whole percent, rounded down (a stricter check where it has a
    fraction)."""
    from communis.deploy.config import GovernanceParams

    governor = gov.governor
    registry = gov.contracts.get(REGISTRY)
    timelock = gov.contracts.get(TIMELOCK)
    guardian = str(governor.proposalGuardian())
    return GovernanceParams(
        timelock_delay=int(timelock.getMinDelay()) if timelock is not None else 0,
        voting_delay=int(governor.votingDelay()),
        voting_period=int(governor.votingPeriod()),
        proposal_threshold=int(governor.proposalThreshold()),
        quorum_percent=int(governor.quorumNumerator()) * 100 // int(governor.quorumDenominator()),
        minimum_voters=int(governor.minimumVoters()),
        vote_extension=int(governor.lateQuorumVoteExtension()),
        proposal_guardian="none" if int(guardian, 16) == 0 else guardian,
        guardian_application_threshold=(
            int(registry.applicationThreshold()) if registry is not None else 0
        ),
    )


def check_settings(gov: Governance, actions: Sequence[Action]) -> None:
    """Refuse actions that would leave settings the deployment refuses, checked with the
    deployment's own rules on the settings the proposal would leave in force:

    - a reward policy or quorum under which one account alone can meet quorum
      (:func:`communis.deploy.config._check_no_capture`);
    - a dispute period shorter than the governance path, a policy's ``disputePeriod`` or a
      longer voting delay, voting period, late-quorum extension or timelock delay
      (:func:`communis.deploy.config.check_dispute_period`): no verdict on a dispute could
      arrive before its deadline."""
    from communis.deploy.config import (
        ConfigError,
        RewardsParams,
        _check_no_capture,
        check_dispute_period,
    )

    proposed, settings = proposed_settings(gov, actions)
    if proposed is None and settings is None:
        return
    current = governance_params(gov)
    left = settings or current
    where = Path("the settings it would leave")
    try:
        if proposed is not None or left.quorum_percent != current.quorum_percent:
            rewards = gov.contract(REWARDS)
            params = RewardsParams(
                policy=proposed or gov.policy_in_force(),
                challenger_reward_bps=int(rewards.challengerRewardBps()),
                proposers=(),
            )
            _check_no_capture(where, left, params)
        if REWARDS in gov.contracts:  # else no dispute period is known (a bare --governor)
            check_dispute_period(where, left, proposed or gov.policy_in_force())
    except ConfigError as err:
        raise GovernanceError(f"refused before sending anything: {err}") from None


def proposed_settings(
    gov: Governance, actions: Sequence[Action]
) -> tuple[Policy | None, GovernanceParams | None]:
    """The policy and the governance settings ``actions`` leave in force (None for what
    they leave alone): the reward policy, the quorum, the voting delay and period, the
    late-quorum extension and the timelock delay."""
    import dataclasses as dc

    policy: Policy | None = None
    changed: dict[str, Any] = {}
    rewards = gov.contracts.get(REWARDS)
    timelock = gov.contracts.get(TIMELOCK)
    governor = gov.governor
    setters = {
        "voting_delay": governor.setVotingDelay,
        "voting_period": governor.setVotingPeriod,
        "vote_extension": governor.setLateQuorumVoteExtension,
    }
    for action in actions:
        if rewards is not None and action.target == rewards.address:
            args = _decoded(rewards.setPolicy, action.calldata)
            if args is not None:
                policy = Policy.from_abi(next(iter(args.values())))
        if action.target == governor.address:
            args = _decoded(governor.updateQuorumNumerator, action.calldata)
            if args is not None:
                numerator = int(next(iter(args.values())))
                changed["quorum_percent"] = numerator * 100 // int(governor.quorumDenominator())
            for name, setter in setters.items():
                args = _decoded(setter, action.calldata)
                if args is not None:
                    changed[name] = int(next(iter(args.values())))
        if timelock is not None and action.target == timelock.address:
            args = _decoded(timelock.updateDelay, action.calldata)
            if args is not None:
                changed["timelock_delay"] = int(next(iter(args.values())))
    if not changed:
        return policy, None
    return policy, dc.replace(governance_params(gov), **changed)
