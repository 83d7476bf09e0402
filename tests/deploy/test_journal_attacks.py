"""Attacks on a resumed deployment (both EVMs): the journal is committed to git, so a pull
request can edit it. Every test runs part of the real plan, tampers with the journal (or the
chain) the way an attacker could, resumes, and checks that the deployer refuses instead of
signing or trusting what the journal says."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.deploy.config import load
from communis.deploy.deployer import Deployer, DeployError
from communis.deploy.journal import Journal, JournalError, Step
from communis.deploy.plan import build_plan
from communis.deploy.steps import DEPLOYER, Ref, StepSpec

ROOT = Path(__file__).resolve().parents[2]
ADMIN = b"\x00" * 32


def _run(project, account, chain, directory, plan, *, config_sha256=None):
    journal = Journal.open(directory, chain.chain_id)
    deployer = Deployer(project, account, journal)
    if config_sha256 is None:
        return deployer.run(plan)
    return deployer.run(plan, config_sha256=config_sha256)


def _upto(plan: list[StepSpec], name: str) -> list[StepSpec]:
    """The steps of ``plan`` before the one called ``name``."""
    return plan[: [s.name for s in plan].index(name)]


def _resolved(journal: Journal, spec: StepSpec, deployer: str) -> list:
    def one(arg):
        if arg is DEPLOYER:
            return deployer
        if isinstance(arg, Ref):
            return journal.address_of(arg.step)
        if isinstance(arg, list | tuple):
            return [one(a) for a in arg]
        return arg

    return [one(a) for a in spec.args]


def _spec(plan, name) -> StepSpec:
    return next(s for s in plan if s.name == name)


def test_attack_pending_step_with_edited_args_is_refused(
    project, deployer, chain, tmp_path, plan, alice
):
    """A pending genesis transfer whose recipient was edited to the attacker."""
    _run(project, deployer, chain, tmp_path, _upto(plan, "token.genesis.treasury"))
    journal = Journal.open(tmp_path, chain.chain_id)
    spec = _spec(plan, "token.genesis.treasury")
    args = _resolved(journal, spec, deployer.address)
    journal.steps.append(
        Step(spec.name, spec.kind, spec.contract, [alice.address, args[1]],
             function=spec.function, target=spec.target)
    )  # fmt: skip
    journal.save()
    with pytest.raises(JournalError, match="the plan says"):
        _run(project, deployer, chain, tmp_path, plan)
    token = project.CommunityToken.at(journal.address_of("CommunityToken"))
    assert token.balanceOf(alice) == 0


def test_attack_done_step_with_edited_args_is_refused(project, deployer, chain, tmp_path, plan):
    """A finished step whose recorded arguments no longer are the plan's."""
    _run(project, deployer, chain, tmp_path, _upto(plan, "token.genesis.treasury"))
    journal = Journal.open(tmp_path, chain.chain_id)
    journal.step("rewards.proposer.0").args[1] = "0x" + "ab" * 20
    journal.save()
    with pytest.raises(JournalError, match=r"rewards\.proposer\.0"):
        _run(project, deployer, chain, tmp_path, plan)


@pytest.mark.parametrize("forgery", ["hash of other bytes", "signed by another account"])
def test_attack_sent_step_with_a_foreign_transaction_is_refused(
    project, deployer, chain, tmp_path, plan, alice, forgery
):
    """The ContributionRewards deployment journaled as 'sent' with the hash of the attacker's
    own deployment: settled from that receipt, the system would be wired to its contract."""
    _run(project, deployer, chain, tmp_path, _upto(plan, "ContributionRewards"))
    journal = Journal.open(tmp_path, chain.chain_id)
    spec = _spec(plan, "ContributionRewards")
    args = _resolved(journal, spec, deployer.address)
    rogue = project.GuardianRegistry.constructor.serialize_transaction(
        journal.address_of("Influence"), alice.address, 0, sender=alice
    )
    signed = alice.sign_transaction(alice.prepare_transaction(rogue))
    raw = bytes(signed.serialize_transaction())
    tx_hash = "0x" + bytes(chain.provider.web3.eth.send_raw_transaction(raw)).hex()
    chain.provider.web3.eth.wait_for_transaction_receipt(tx_hash)
    problem = "is from"
    if forgery == "hash of other bytes":
        raw = raw[:-1] + bytes([raw[-1] ^ 1])  # other bytes under the attacker's hash
        problem = "is not the hash of its raw_tx"
    journal.steps.append(
        Step(spec.name, spec.kind, spec.contract, args, status="sent", sender=deployer.address,
             nonce=deployer.nonce, tx_hash=tx_hash, raw_tx="0x" + raw.hex())
    )  # fmt: skip
    journal.save()
    with pytest.raises(JournalError, match=problem):
        _run(project, deployer, chain, tmp_path, plan)
    assert Journal.open(tmp_path, chain.chain_id).step(spec.name).address is None


def test_attack_done_call_step_that_never_happened_is_refused(
    project, deployer, chain, tmp_path, plan
):
    """'token.admin' (the timelock becomes the token's admin) marked done with the hash of an
    earlier transaction: skipped, the handover would leave the token without any admin."""
    _run(project, deployer, chain, tmp_path, _upto(plan, "token.admin"))
    journal = Journal.open(tmp_path, chain.chain_id)
    spec = _spec(plan, "token.admin")
    earlier = journal.step("influence.admin")
    journal.steps.append(
        Step(spec.name, spec.kind, spec.contract, _resolved(journal, spec, deployer.address),
             function=spec.function, target=spec.target, status="done",
             sender=deployer.address, nonce=earlier.nonce, tx_hash=earlier.tx_hash,
             block=earlier.block, gas_used=earlier.gas_used)
    )  # fmt: skip
    journal.save()
    with pytest.raises(JournalError, match=r"token\.admin"):
        _run(project, deployer, chain, tmp_path, plan)
    token = project.CommunityToken.at(journal.address_of("CommunityToken"))
    assert token.hasRole(ADMIN, deployer)  # nothing was handed over


def test_attack_resume_under_another_config_is_refused(
    project, deployer, chain, tmp_path, config, plan
):
    _run(project, deployer, chain, tmp_path, plan[:3], config_sha256=config.sha256)
    other = tmp_path / "other.toml"
    other.write_text(config.path.read_text().replace('genesis_holder = "timelock"',
                                                      'genesis_holder = "deployer"'))  # fmt: skip
    changed = load(other)
    changed_plan = build_plan(changed, now=chain.pending_timestamp)
    with pytest.raises(JournalError, match=r"not this one"):
        _run(project, deployer, chain, tmp_path, changed_plan, config_sha256=changed.sha256)


def test_attack_role_revoked_between_runs_fails_the_postconditions(
    project, deployer, chain, tmp_path, plan
):
    """Between two runs the deployer key (still an admin) revokes the timelock's admin role on
    Influence: without a final check the handover would leave Influence without an admin."""
    journal = _run(project, deployer, chain, tmp_path, _upto(plan, "influence.renounce"))
    influence = project.Influence.at(journal.address_of("Influence"))
    influence.revokeRole(ADMIN, journal.address_of("CommunisTimelock"), sender=deployer)
    with pytest.raises(DeployError, match="does not hold role"):
        _run(project, deployer, chain, tmp_path, plan)
