"""Governance in the story: the key members vote; the whale buys tokens and gets no say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from communis.chain.epochs.state import onchain_policy
from communis.chain.governance.errors import GovernanceError
from communis.chain.governance.proposals import Action, for_proposer
from communis.chain.governance.proposals import Proposal as GovernorProposal
from communis.demo.story.state import WHALE_SHARE_BPS, DemoError, Story, Vote, check, short, whole
from communis.engine.policy import Policy, policy_hash
from communis.engine.roles import ROLES
from communis.report import Proposal


def open_vote(
    story: Story,
    actions: list[Action],
    description: str,
    *,
    epoch: int | None = None,
    parties: Sequence[Any] = (),
) -> Vote:
    """Propose and vote with the key members, except the ``parties`` of the dispute it resolves
    (the governor bars them: checked); the vote stays open until :func:`enact`."""
    gov, governor = story.gov, story.gov.governor
    voters = [m for m in story.members if m not in parties]
    proposer = max(voters, key=lambda m: int(governor.getVotes(m, governor.clock() - 1)))
    proposal_id = gov.propose(actions, description, sender=proposer)
    for party in parties:
        check(
            bool(governor.isDisputeParty(proposal_id, party)),
            f"{party.address}, a party of the dispute, may not vote on its verdict",
        )
    snapshot = int(governor.proposalSnapshot(proposal_id))
    story.travel_to(snapshot + 1)
    barred = [party.address for party in parties]
    for member in voters:
        gov.vote(proposal_id, "for", sender=member, reason="contributors agree")
    for_votes = int(governor.proposalVotes(proposal_id)[1])
    quorum = int(governor.quorum(snapshot))
    check(for_votes >= quorum, f"contributors reach quorum on '{description}'")
    closes = story.day(int(governor.proposalDeadline(proposal_id)))
    parties = f"; {', '.join(map(short, barred))} may not vote (dispute parties)" if barred else ""
    story.say(
        f"   {story.day()}: {whole(for_votes, 1)} influence votes for, quorum {whole(quorum, 1)}"
        f"{parties}; the vote closes on {closes}"
    )
    proposal = GovernorProposal(tuple(actions), for_proposer(description, proposer.address))
    check(story.gov.proposal_id(proposal) == proposal_id, "the proposal is the one voted on")
    return Vote(proposal_id, description, proposer, epoch, proposal)


def enact(story: Story, vote: Vote) -> None:
    """Close the vote, queue the proposal and execute it through the timelock."""
    gov, governor = story.gov, story.gov.governor
    story.travel_to(int(governor.proposalDeadline(vote.id)) + 1)
    gov.queue(vote.id, sender=vote.proposer, proposal=vote.proposal)
    story.travel_to(int(governor.proposalEta(vote.id)) + 1)
    gov.execute(vote.id, sender=vote.proposer, proposal=vote.proposal)
    check(gov.state(vote.id) == "Executed", f"proposal '{vote.description}' executed")
    against, for_votes, abstain = (int(v) for v in governor.proposalVotes(vote.id))
    story.proposals.append(
        Proposal(
            id=vote.id,
            description=vote.description,
            outcome="Executed",
            votes_for=for_votes,
            votes_against=against,
            votes_abstain=abstain,
            proposer=vote.proposer.address,
            epoch=vote.epoch,
        )
    )
    story.say(f"   {story.day()}: '{vote.description}' passed; the timelock executed it")


def policy_action(rewards: Any, policy: Policy) -> Action:
    calldata = bytes(rewards.setPolicy.encode_input(policy.to_abi()))
    weights = "/".join(map(str, policy.role_weights))
    return Action(rewards.address, 0, calldata, f"ContributionRewards.setPolicy(weights {weights})")


def call(contract: Any, name: str, label: str, *args: Any) -> Action:
    calldata = bytes(getattr(contract, name).encode_input(*args))
    return Action(str(contract.address), 0, calldata, label)


def whale_and_first_proposal(story: Story) -> tuple[Vote, Policy]:
    """The whale buys tokens and gets no say; the contributors propose guardians, a member
    attester and a higher curators' weight."""
    token, governor, rewards = story.sys.token, story.gov.governor, story.sys.rewards
    whale = story.whale
    amount = int(token.totalSupply()) * WHALE_SHARE_BPS // 10_000
    token.transfer(whale, amount, sender=story.foundation)
    story.travel_to(story.now() + 1)
    votes = int(governor.getVotes(whale, governor.clock() - 1))
    share = amount * 100 / int(token.totalSupply())
    story.say(
        f"[bold]3. The whale[/bold] buys {whole(amount)} CMN ({share:.0f}% of the supply): "
        f"voting power {votes}"
    )
    check(votes == 0, "tokens bought give no votes")
    current = onchain_policy(rewards)
    weights = list(current.role_weights)
    weights[ROLES.index("creator")] = 1
    weights[ROLES.index("participant")] = 5
    grab = replace(current, role_weights=tuple(weights))
    try:
        story.gov.propose([policy_action(rewards, grab)], "Whale: pay participants", sender=whale)
    except GovernanceError as err:
        story.say(f"   the whale cannot even propose: {str(err).splitlines()[0]}")
    else:
        raise DemoError("demo step failed: the whale could propose")
    story.proposals.append(
        Proposal(
            id=0,
            description="Whale: pay participants (refused before voting)",
            outcome="Refused: no influence",
            proposer=whale.address,
        )
    )

    weights = list(current.role_weights)
    weights[ROLES.index("curator")] = current.role_weights[ROLES.index("curator")] + 3
    new_policy = replace(current, role_weights=tuple(weights))
    actions = [story.gov.grant_guardian(g.address) for g in story.guardians]
    actions.append(policy_action(rewards, new_policy))
    description = "Appoint guardians 3 and 6; raise the curators' weight from 3 to 6"
    story.say(f"   the contributors propose: {description}")
    return open_vote(story, actions, description), new_policy


def first_proposal_executed(story: Story, vote: Vote, policy: Policy) -> None:
    enact(story, vote)
    rewards = story.sys.rewards
    for guardian in story.guardians:
        check(bool(rewards.isGuardian(guardian)), f"{guardian.address} is a guardian")
    check(bytes(rewards.policyHash()) == policy_hash(policy), "the new role weights are in force")
    check(not story.gov.governor.hasVoted(vote.id, story.whale), "the whale had no say")
    first, second = (short(g.address) for g in story.guardians)
    weights = "/".join(map(str, policy.role_weights))
    story.say(f"   guardians {first} and {second}; weights {weights} in force")
