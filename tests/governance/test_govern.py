"""communis.chain.governance and `ape run govern`: the whole lifecycle from the command line."""

from __future__ import annotations

from types import SimpleNamespace

import ape
import pytest
from click.testing import CliRunner

from communis.chain.governance import (
    GOVERNOR,
    INFLUENCE,
    REGISTRY,
    TIMELOCK,
    Governance,
    GovernanceError,
    parse_argument,
)
from communis.engine.units import format_amount
from tests.helpers.constants import UNIT
from tests.helpers.governance import end_voting, start_voting
from tests.helpers.scripts import load_script


@pytest.fixture
def governance(system):
    contracts = {
        GOVERNOR: system.governor,
        REGISTRY: system.registry,
        INFLUENCE: system.influence,
        TIMELOCK: system.timelock,
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
    proposal_id = int(out.split("proposal  ")[1].split()[0])
    start_voting(chain, system.governor, gov_proposal(proposal_id))
    out = invoke("vote", str(proposal_id), "for", "--reason", "needed")
    assert "for  40" in out
    invoke("vote", str(proposal_id), "abstain", account=2)  # the second voter quorum needs
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
    assert str(proposal_id) in out and "Executed" in out
