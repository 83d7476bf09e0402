"""communis.chain.governance and `ape run govern`: the whole lifecycle from the command line."""

from __future__ import annotations

import json
from types import SimpleNamespace

import ape
import pytest
from click.testing import CliRunner

from communis.chain.governance import (
    GOVERNOR,
    INFLUENCE,
    REGISTRY,
    REWARDS,
    TIMELOCK,
    Governance,
    GovernanceError,
    Proposal,
    for_proposer,
    parse_argument,
    policy_with,
    short_id,
)
from communis.engine.policy import Policy
from communis.engine.units import format_amount
from tests.helpers.constants import DAY, POLICY, UNIT
from tests.helpers.governance import end_voting, start_voting
from tests.helpers.scripts import load_script


@pytest.fixture
def governance(system):
    contracts = {
        GOVERNOR: system.governor,
        REGISTRY: system.registry,
        INFLUENCE: system.influence,
        TIMELOCK: system.timelock,
        REWARDS: system.rewards,
    }
    return Governance(system.governor, contracts)


@pytest.mark.offchain
def test_parse_argument_and_amount():
    assert parse_argument("12e18", "uint256") == 12 * UNIT
    assert parse_argument("0x10", "uint48") == 16
    assert parse_argument("1_000", "uint256") == 1000
    assert parse_argument("true", "bool") is True
    assert (
        parse_argument("0x" + "ab" * 20, "address") == "0x" + "aB" * 20
        or parse_argument("0x" + "ab" * 20, "address").lower() == "0x" + "ab" * 20
    )
    mistyped = "0x70997970C51812dc3A010C7d01b50e0d17dc79C9"  # fails its EIP-55 checksum
    with pytest.raises(GovernanceError, match="may be mistyped"):
        parse_argument(mistyped, "address")
    for text, kind in (("1.5", "uint256"), ("x", "uint8"), ("maybe", "bool"), ("0x12", "address")):
        with pytest.raises(GovernanceError):
            parse_argument(text, kind)
    with pytest.raises(GovernanceError, match="arrays"):
        parse_argument("1", "uint256[]")
    assert format_amount(1234567 * 10**17) == "123,456.7"
    assert format_amount(5 * UNIT) == "5"


def test_lifecycle_through_the_module(governance, system, members, chain, whale):
    alice, bob, carol = members
    raise_bar = governance.set_parameter(REGISTRY, "setApplicationThreshold", ["12e18"])
    appoint = governance.grant_guardian(carol.address)
    assert raise_bar.target == system.registry.address
    proposal_id = governance.propose(
        [raise_bar, appoint], "Raise the bar, appoint Carol", sender=alice
    )
    assert governance.status(proposal_id).state == "Pending"
    assert governance.status(proposal_id).quorum is None

    with pytest.raises(GovernanceError, match="Pending"):
        governance.vote(proposal_id, "for", sender=bob)
    start_voting(chain, system.governor, gov_proposal(proposal_id))
    assert governance.vote(proposal_id, "for", sender=alice, reason="yes") == 40 * UNIT
    assert governance.vote(proposal_id, "against", sender=bob) == 30 * UNIT
    assert governance.vote(proposal_id, "abstain", sender=carol) == 20 * UNIT
    with pytest.raises(GovernanceError, match="already voted"):
        governance.vote(proposal_id, "for", sender=bob)
    status = governance.status(proposal_id)
    assert (status.for_votes, status.against_votes, status.abstain_votes) == (
        40 * UNIT,
        30 * UNIT,
        20 * UNIT,
    )
    assert status.quorum == 18 * UNIT and status.quorum_reached
    assert "for" in status.render() and "40" in status.render()

    end_voting(chain, system.governor, gov_proposal(proposal_id))
    with pytest.raises(GovernanceError, match="Succeeded"):
        governance.execute(proposal_id, sender=whale)
    governance.queue(proposal_id, sender=whale)
    with pytest.raises(GovernanceError, match="timelock until"):
        governance.execute(proposal_id, sender=whale)
    chain.pending_timestamp = system.governor.proposalEta(proposal_id) + 1
    chain.mine()
    governance.execute(proposal_id, sender=whale)
    assert governance.status(proposal_id).state == "Executed"
    assert system.registry.applicationThreshold() == 12 * UNIT
    assert system.registry.isGuardian(carol)
    assert list(governance.proposals()) == [proposal_id]


def test_guardian_cancels_queued_through_the_module(governance, system, members, chain, whale):
    alice, bob, _ = members
    grab = governance.set_parameter(
        INFLUENCE, "grantRole", ["0x" + bytes(system.influence.AWARDER_ROLE()).hex(), alice.address]
    )
    proposal_id = governance.propose([grab], "let me mint influence", sender=alice)
    start_voting(chain, system.governor, gov_proposal(proposal_id))
    governance.vote(proposal_id, "for", sender=alice)
    governance.vote(proposal_id, "for", sender=bob)
    end_voting(chain, system.governor, gov_proposal(proposal_id))
    governance.queue(proposal_id, sender=whale)
    with pytest.raises(GovernanceError, match="only the proposal guardian"):
        governance.cancel(proposal_id, sender=alice)
    governance.cancel(proposal_id, sender=system.guardian)
    assert governance.status(proposal_id).state == "Canceled"
    with pytest.raises(GovernanceError, match="Canceled"):
        governance.execute(proposal_id, sender=whale)


def test_module_errors(governance, system, whale, members):
    with pytest.raises(GovernanceError, match="proposal threshold"):
        governance.propose([governance.grant_guardian(whale.address)], "whale", sender=whale)
    with pytest.raises(GovernanceError, match="no contract called"):
        governance.set_parameter("Nope", "x", [])
    with pytest.raises(GovernanceError, match="view"):
        governance.set_parameter(REGISTRY, "isGuardian", [whale.address])
    with pytest.raises(GovernanceError, match="no function"):
        governance.set_parameter(REGISTRY, "setApplicationThreshold", [])
    with pytest.raises(GovernanceError, match="no proposal"):
        governance.status(123)


def not_proposed(governance, actions, description, sender) -> bool:
    """Whether the governor has no such proposal (nothing was sent for it)."""
    proposal = Proposal(tuple(actions), for_proposer(description, sender.address))
    return int(governance.governor.proposalSnapshot(governance.proposal_id(proposal))) == 0


def gov_proposal(proposal_id):
    """The minimal shape start_voting/end_voting need."""
    return SimpleNamespace(id=proposal_id)


def _load_cli():
    return load_script("govern").cli


def test_cli_lifecycle(system, members, chain, accounts):
    network = ape.networks.provider.network_choice
    if not network.endswith(":test"):
        # The command connects through ape's ConnectedProviderCommand, which would start its own
        # anvil (host: auto) instead of reusing this session's; the in-process EVM is shared.
        # The module it wraps runs on both EVMs (test_lifecycle_through_the_module).
        pytest.skip("CLI test runs against the in-process EVM only")
    cli = _load_cli()
    runner = CliRunner()
    base = ["--network", network, "--governor", system.governor.address]

    def invoke(*args, account=1):
        result = runner.invoke(cli, [*args, *base, "--account", f"TEST::{account}"])
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    out = invoke(
        "propose",
        "set-parameter",
        "InfluenceGovernor",
        "setProposalThreshold",
        "20e18",
        "-d",
        "Raise the proposal threshold",
    )
    assert "state  Pending" in out
    proposal_id = int(out.split("       id  ")[1].split()[0])
    assert f"proposal  {short_id(proposal_id)}  Raise the proposal threshold" in out
    assert "next: after" in out
    start_voting(chain, system.governor, gov_proposal(proposal_id))
    out = invoke("vote", short_id(proposal_id), "for", "--reason", "needed")
    assert "for  40 influence" in out
    invoke("vote", "proposal threshold", "abstain", account=2)  # the second voter quorum needs
    invoke("vote", str(proposal_id), "against", account=4)
    end_voting(chain, system.governor, gov_proposal(proposal_id))
    assert "state  Queued" in invoke("queue", str(proposal_id))
    result = runner.invoke(cli, ["execute", str(proposal_id), *base, "--account", "TEST::1"])
    assert result.exit_code != 0 and "timelock until" in result.output
    chain.pending_timestamp = system.governor.proposalEta(proposal_id) + 1
    chain.mine()
    assert "state  Executed" in invoke("execute", str(proposal_id))
    assert system.governor.proposalThreshold() == 20 * UNIT
    out = invoke("status")
    assert f"{short_id(proposal_id)}  Executed   Raise the proposal threshold" in out
    raw = invoke("status", short_id(proposal_id), "--raw")
    assert f"for  {40 * UNIT}" in raw
    data = json.loads(invoke("status", "Raise the proposal threshold", "--json"))
    assert data["proposal_id"] == str(proposal_id) and data["state"] == "Executed"


def test_proposals_by_short_id_and_description(governance, members, chain):
    alice, bob, _ = members
    first = governance.propose(
        [governance.grant_guardian(bob.address)], "Appoint Bob", sender=alice
    )
    second = governance.propose(
        [governance.grant_guardian(alice.address)], "Appoint Alice", sender=bob
    )
    assert governance.resolve(short_id(first)) == first
    assert governance.resolve(f"{first:064x}"[:5]) == first
    assert governance.resolve(str(second)) == second
    assert governance.resolve(hex(second)) == second
    assert governance.resolve("appoint bob") == first  # the whole description, case ignored
    assert governance.resolve("Alice") == second  # a part only one description contains
    with pytest.raises(GovernanceError, match="matches several proposals"):
        governance.resolve("Appoint")
    with pytest.raises(GovernanceError, match="no proposal matches"):
        governance.resolve("Appoint Carol")


def test_contract_names_and_aliases_where_addresses_are_expected(governance, system, accounts):
    action = governance.raw("GuardianRegistry", 0, "0x1234")
    assert action.target == system.registry.address
    grant = governance.set_parameter(REGISTRY, "grantGuardian", ["TEST::3"])
    assert grant == governance.grant_guardian(accounts[3].address)
    with pytest.raises(GovernanceError, match="TEST::0 to TEST::10"):
        governance.address_of("TEST::99")
    with pytest.raises(GovernanceError, match="not an address, a contract of this system"):
        governance.raw("NoSuchContract", 0, "0x")


@pytest.mark.offchain
def test_policy_with_named_fields():
    base = Policy.from_abi(POLICY)
    policy, diff = policy_with(
        base,
        {"curator-weight": "6", "token-budget": "12,000", "challenge-window": "3d"},
    )
    assert policy.role_weights[1] == 6 and policy.token_budget == 12_000 * UNIT
    assert policy.challenge_window == 3 * 86_400
    assert [(c.option, c.before, c.after) for c in diff] == [
        ("token-budget", "10,000 CMN", "12,000 CMN"),
        ("curator-weight", "3", "6"),
        ("challenge-window", "2d 0h", "3d 0h"),
    ]
    for changes, message in (
        ({"curator-weigth": "6"}, "no policy field --curator-weigth"),
        ({"token-budget": "lots"}, "--token-budget: 'lots' is not a number"),
        ({"account-cap-bps": "0"}, "the new policy is invalid"),
    ):
        with pytest.raises(GovernanceError, match=message):
            policy_with(base, changes)


def test_set_policy_from_the_policy_in_force(governance, system, members):
    alice, _, _ = members
    action, diff = governance.set_policy({"curator-weight": "6"})
    assert [(c.option, c.after) for c in diff] == [("curator-weight", "6")]
    proposal_id = governance.propose([action], "Raise the curators' weight", sender=alice)
    assert governance.status(proposal_id).description == "Raise the curators' weight"
    with pytest.raises(GovernanceError, match="equals the one in force"):
        governance.set_policy({"curator-weight": "3"})


def test_attack_a_cap_reaching_the_quorum_is_refused_before_sending(governance, system, members):
    """One member capped at the quorum's share could pass proposals alone: refused, nothing
    sent (the deployment's own rule)."""
    alice, _, _ = members
    action, _ = governance.set_policy({"account-cap-bps": "2000"})  # the quorum is 20%
    with pytest.raises(GovernanceError, match="one member could reach quorum alone"):
        governance.propose([action], "Let the best earn more", sender=alice)
    assert not_proposed(governance, [action], "Let the best earn more", alice)
    action, _ = governance.set_policy({"account-cap-bps": "1900"})
    governance.propose([action], "A little more", sender=alice)


def test_attack_lowering_the_quorum_to_the_cap_is_refused_before_sending(
    governance, system, members
):
    alice, _, _ = members
    lower = governance.set_parameter(GOVERNOR, "updateQuorumNumerator", ["15"])  # cap: 15%
    with pytest.raises(GovernanceError, match="refused before sending anything"):
        governance.propose([lower], "Lower the quorum", sender=alice)
    raw = governance.raw(GOVERNOR, 0, lower.calldata)  # the same call, proposed raw
    with pytest.raises(GovernanceError, match="quorum_percent = 15"):
        governance.propose([raw], "Lower the quorum", sender=alice)
    assert not_proposed(governance, [raw], "Lower the quorum", alice)
    governance.propose(
        [governance.set_parameter(GOVERNOR, "updateQuorumNumerator", ["16"])], "16", sender=alice
    )


def test_attack_a_dispute_period_below_the_governance_path_is_refused_before_sending(
    governance, system, members
):
    """A dispute period shorter than voting delay + voting period + late-quorum extension +
    timelock delay (12 days here, 14 in force) would end every dispute without a verdict, each
    party paying the fee whoever was right: the deployment's own rule refuses it, whichever
    side of the inequality the proposal moves. Nothing is sent."""
    alice, _, _ = members
    shorter, _ = governance.set_policy({"dispute-period": "11d"})
    slower = governance.set_parameter(GOVERNOR, "setVotingPeriod", [str(10 * DAY)])
    delayed = governance.set_parameter(TIMELOCK, "updateDelay", [str(5 * DAY)])
    raw = governance.raw(TIMELOCK, 0, delayed.calldata)
    for action, message in (
        (shorter, "rewards.dispute_period = 11d 0h is shorter than the governance path (12d 0h"),
        (slower, "(15d 0h = voting_delay 1d 0h + voting_period 10d 0h + vote_extension 2d 0h"),
        (delayed, "timelock_delay 5d 0h): no verdict could arrive"),
        (raw, "timelock_delay 5d 0h): no verdict could arrive"),
    ):
        with pytest.raises(GovernanceError, match="refused before sending anything") as refused:
            governance.propose([action], "Shorten the path", sender=alice)
        assert message in str(refused.value)
        assert not_proposed(governance, [action], "Shorten the path", alice)
    # Both sides moved together, the path still fits: accepted.
    longer, _ = governance.set_policy({"dispute-period": "20d"})
    governance.propose([longer, slower], "Slower votes, longer disputes", sender=alice)
    a_little = governance.set_parameter(GOVERNOR, "setVotingPeriod", [str(9 * DAY)])
    governance.propose([a_little], "A little slower", sender=alice)  # 14 days: fits exactly


def test_a_vote_without_weight_is_refused_before_sending(governance, system, members, chain, whale):
    alice, _, _ = members
    proposal_id = governance.propose([governance.grant_guardian(alice.address)], "x", sender=alice)
    start_voting(chain, system.governor, gov_proposal(proposal_id))
    with pytest.raises(GovernanceError, match="no influence at the snapshot"):
        governance.vote(proposal_id, "for", sender=whale)
    assert not system.governor.hasVoted(proposal_id, whale)
