"""Attack on the governance resolution of a challenge (both EVMs): anyone with the proposal
threshold creates the resolution proposal first, with the description the tool would use, and
cancels it, so that the tool's proposal id is taken forever and the challenge never resolves."""

from __future__ import annotations

import json

import pytest
from ape.exceptions import ContractLogicError

from communis.chain import epochs
from communis.chain.governance import Action, Proposal
from tests.helpers.attest import attested
from tests.helpers.time import end_epoch

DAY = 24 * 3600
ZERO = "0x" + "00" * 20


@pytest.fixture
def governor(project, rewards, influence, deployer, gov):
    timelock = deployer.deploy(project.CommunisTimelock, 3600, [], [ZERO], deployer)
    contract = deployer.deploy(
        project.InfluenceGovernor, influence, timelock, 1, DAY, 0, 4, 1, 3600, ZERO, 0
    )
    timelock.grantRole(timelock.PROPOSER_ROLE(), contract, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), contract, sender=deployer)
    rewards.grantRole(rewards.GOVERNOR_ROLE(), timelock, sender=gov)
    return contract


@pytest.fixture
def challenged(rewards, chain, genesis, tmp_path, proposer, guardian, accounts, attest_domain):
    ledger = tmp_path / "ledger-0.jsonl"
    row = {"epoch": 0, "account": accounts[1].address, "role": "creator", "points": "3", "ref": "x"}
    ledger.write_text(json.dumps(row) + "\n", encoding="utf-8")
    epochs.build(rewards, attested(ledger, domain=attest_domain), tmp_path / "epochs")
    end_epoch(chain, genesis, 0)
    epochs.propose(rewards, tmp_path / "epochs" / "0", proposer)
    epochs.challenge(rewards, 0, guardian)
    return 0


def _squat(governor, resolution, attacker) -> None:
    """Create ``resolution`` as ``attacker`` and cancel it while it is pending."""
    args = (resolution.targets, resolution.values, resolution.calldatas)
    governor.propose(*args, resolution.description, sender=attacker)
    governor.cancel(*args, resolution.description_hash, sender=attacker)


def test_attack_squatted_resolution_proposal_does_not_block_the_resolution(
    rewards, governor, chain, challenged, bob, carol
):
    epoch = challenged
    dispute = epochs.find_dispute(rewards, epoch)
    squatted = epochs.resolution(rewards, dispute, True, carol.address)
    _squat(governor, squatted, carol)
    # The attacker cannot take the honest proposer's proposal id either.
    honest = epochs.resolution(rewards, dispute, True, bob.address)
    with pytest.raises(ContractLogicError):
        governor.propose(
            honest.targets, honest.values, honest.calldatas, honest.description, sender=carol
        )
    sent = epochs.resolve(rewards, epoch, True, bob, governor=governor)
    assert [s.action for s in sent if isinstance(s, epochs.Sent)] == ["governor.propose"]
    chain.pending_timestamp += 2
    chain.mine()
    # Another member's next step finds the live proposal (not the cancelled squat).
    assert "open for votes" in epochs.resolve(rewards, epoch, True, carol, governor=governor)[0]


def test_attack_squatted_fixed_description_does_not_block_the_resolution(
    rewards, governor, challenged, bob, carol
):
    """Even the description without any proposer suffix cannot block the tool."""
    epoch = challenged
    dispute = epochs.find_dispute(rewards, epoch).to_abi()
    call = Action(
        str(rewards.address), 0, bytes(rewards.resolveDispute.encode_input(dispute, True))
    )
    fixed = Proposal((call,), f"ContributionRewards: uphold the challenge of epoch {epoch}")
    _squat(governor, fixed, carol)
    sent = epochs.resolve(rewards, epoch, True, bob, governor=governor)
    assert [s.action for s in sent if isinstance(s, epochs.Sent)] == ["governor.propose"]
