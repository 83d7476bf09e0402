"""config/deploy.toml validation: every error names the file, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.deploy.config import ConfigError, check_for_chain, load, no_attesters_problem
from communis.deploy.plan import build_plan
from communis.deploy.steps import DEPLOYER
from communis.engine.policy import DEFAULT_POLICY

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "config" / "deploy.toml").read_text(encoding="utf-8")
DEPLOYING = "0x" + "d0" * 20  # the deploying account's address in the chain checks
OTHER = "0x" + "0a" * 20
ZERO = "0x" + "00" * 20
WITH_GUARDIAN = SHIPPED.replace(
    'proposal_guardian = "none"', f'proposal_guardian = "{OTHER}"'
).replace('# proposal_guardian_term = "26w"', 'proposal_guardian_term = "26w"')


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "deploy.toml"
    path.write_text(text)
    return path


def test_shipped_config_is_valid():
    config = load(ROOT / "config" / "deploy.toml")
    assert config.token.genesis_supply <= config.token.cap
    assert config.token.genesis_holder == "timelock"
    assert config.influence.genesis is None  # "now"
    assert config.influence.epoch_duration * config.influence.half_life_epochs >= 26 * 7 * 86400
    assert config.rewards.policy == DEFAULT_POLICY  # the data file agrees with the code
    assert config.rewards.proposers == ("deployer",)
    assert config.governance.proposal_guardian == "none"
    assert config.governance.proposal_guardian_term == 0
    assert len(config.sha256) == 64


def test_demo_config_has_no_proposal_guardian():
    assert load(ROOT / "examples" / "deploy-demo.toml").governance.proposal_guardian == "none"


def test_units(tmp_path):
    text = SHIPPED.replace('genesis_supply = "100000000"', 'genesis_supply = "10000.5"')
    config = load(write(tmp_path, text.replace('timelock_delay = "2d"', 'timelock_delay = "90s"')))
    assert config.token.cap == 10**9 * 10**18
    assert config.token.genesis_supply == 100005 * 10**17
    assert config.governance.timelock_delay == 90
    assert config.influence.epoch_duration == 7 * 86400


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version = 1", "version = 2", "field 'version' is 2"),
        ('cap = "1000000000"', 'cap = "-1"', "token.cap: must be >= 0"),
        ('cap = "1000000000"', 'cap = "ten"', "token.cap: not a decimal number: 'ten'"),
        ('cap = "1000000000"', "cap = 1000", "token.cap: expected a decimal string"),
        ('cap = "1000000000"', 'cap = "0"', "token.cap: must be > 0"),
        ('genesis_supply = "100000000"', 'genesis_supply = "1e-19"', "at most 18 decimals"),
        ('genesis_supply = "100000000"', 'genesis_supply = "2000000000"', "exceeds cap"),
        ('genesis_supply = "100000000"', 'genesis_supply = "999"', "cannot pay one proposer bond"),
        ("guardians = []", 'guardians = ["deployer", "deployer"]', "listed twice"),
        ("guardians = []", 'guardians = "deployer"', "rewards.guardians: expected a list"),
        (
            'genesis_holder = "timelock"',
            'genesis_holder = "0x12"',
            "token.genesis_holder: expected",
        ),
        ('name = "Communis"', 'name = ""', "token.name: expected a non-empty string"),
        ("[token]", "[tokens]", "missing table [token]"),
        ("version = 1", "version = = 1", "not valid TOML"),
        ('genesis = "now"', 'genesis = "soon"', 'influence.genesis: expected "now"'),
        ('epoch_duration = "1w"', 'epoch_duration = "7 days"', "influence.epoch_duration"),
        ("half_life_epochs = 26", "half_life_epochs = 25", "shorter than the 26 weeks"),
        ("quorum_percent = 10", "quorum_percent = 0", "governance.quorum_percent"),
        ("minimum_voters = 3", "minimum_voters = 1", "governance.minimum_voters"),
        ('proposal_guardian = "none"', 'proposal_guardian = "me"', "proposal_guardian"),
        (
            'proposal_guardian = "none"',
            'proposal_guardian = "deployer"',
            'governance.proposal_guardian_term: expected a duration such as "90s"',
        ),
        (
            '# proposal_guardian_term = "26w"',
            'proposal_guardian_term = "731d"',
            "governance.proposal_guardian_term: must be > 0 and at most 730d",
        ),
        (
            '# proposal_guardian_term = "26w"',
            'proposal_guardian_term = "0s"',
            "governance.proposal_guardian_term: must be > 0",
        ),
        ("account_cap_bps = 500", "account_cap_bps = 10001", "rewards.account_cap_bps"),
        ("creator_weight = 5", "creator_weight = -1", "rewards.creator_weight"),
        ("open_proposing = true", "open_proposing = 1", "rewards.open_proposing: expected true"),
        ('dispute_period = "14d"', 'dispute_period = "1d"', "shorter than challenge_window"),
        ('dispute_period = "14d"', 'dispute_period = "3651d"', "at most 3650d"),
        ('challenge_window = "4d"', 'challenge_window = "0s"', "rewards.challenge_window: must be"),
        ("dispute_fee_bps = 2000", "dispute_fee_bps = 0", "rewards.dispute_fee_bps"),
        ("dispute_fee_bps = 2000", "dispute_fee_bps = 10001", "rewards.dispute_fee_bps"),
        ('proposer_bond = "1000"', 'proposer_bond = "0"', "rewards.proposer_bond: must be > 0"),
        ('challenger_bond = "250"', 'challenger_bond = "0"', "rewards.challenger_bond: must be"),
        (
            "challenger_reward_bps = 5000",
            "challenger_reward_bps = 10000",
            "rewards.challenger_reward_bps: expected an integer in [0, 9999]",
        ),
        (
            'voting_period = "1w"',
            'voting_period = "2w"',
            "rewards.dispute_period = 14d 0h is shorter than the governance path (19d 0h = "
            "voting_delay 1d 0h + voting_period 14d 0h",
        ),
        ("# [attesters]", '[attesters]\n"0x12" = "5"', "is not a non-zero 0x address"),
        ("# [attesters]", f'[attesters]\n"{ZERO}" = "5"', "is not a non-zero 0x address"),
        ("# [attesters]", f'[attesters]\n"{OTHER}" = "0"', "the budget must be > 0"),
        ("# [attesters]", f'[attesters]\n"{OTHER}" = 5', "expected a budget in points"),
        ('proposers = ["deployer"]', 'proposers = ["bob"]', "rewards.proposers[0]"),
        ('proposer_bond = "1000"', 'proposer_bond = "x"', "rewards.proposer_bond"),
    ],
)
def test_bad_config(tmp_path, old, new, message):
    assert old in SHIPPED
    path = write(tmp_path, SHIPPED.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_all_weights_zero(tmp_path):
    text = SHIPPED
    for role, weight in (("creator", 5), ("curator", 3), ("guardian", 4), ("participant", 1)):
        text = text.replace(f"{role}_weight = {weight}", f"{role}_weight = 0")
    with pytest.raises(ConfigError, match="at least one role weight must be > 0"):
        load(write(tmp_path, text))


def test_config_whose_bonds_exceed_the_genesis_cannot_start(tmp_path):
    guardians = ", ".join(f'"0x{i:040x}"' for i in range(1, 5))
    text = SHIPPED.replace('genesis_supply = "100000000"', 'genesis_supply = "1500"').replace(
        "guardians = []", f"guardians = [{guardians}]"
    )
    with pytest.raises(ConfigError, match="exceed the genesis supply"):
        load(write(tmp_path, text))


def test_proposal_guardian_defaults_to_none(tmp_path):
    text = SHIPPED.replace('proposal_guardian = "none"\n', "")
    assert "proposal_guardian =" not in text
    assert load(write(tmp_path, text)).governance.proposal_guardian == "none"


def _governor_args(config, now):
    step = next(s for s in build_plan(config, now=now) if s.name == "InfluenceGovernor")
    return step.args[-2:]  # proposal guardian, its sunset


def test_plan_sets_the_guardian_sunset_from_the_term(tmp_path):
    assert _governor_args(load(ROOT / "config" / "deploy.toml"), 1_000) == (ZERO, 0)
    config = load(write(tmp_path, WITH_GUARDIAN))
    assert config.governance.proposal_guardian_term == 26 * 7 * 86400
    assert _governor_args(config, 1_000) == (OTHER, 1_000 + 26 * 7 * 86400)
    deployer_guardian = WITH_GUARDIAN.replace(
        f'proposal_guardian = "{OTHER}"', 'proposal_guardian = "deployer"'
    )
    assert _governor_args(load(write(tmp_path, deployer_guardian)), 5)[0] is DEPLOYER


def _live_ready(text: str) -> str:
    """``text`` with what a live chain needs: an independent guardian and an attester."""
    guarded = text.replace("guardians = []", f'guardians = ["{OTHER}"]')
    return guarded.replace("# [attesters]", f'[attesters]\n"{OTHER}" = "5000"')


@pytest.mark.parametrize("spelling", ["deployer", DEPLOYING, DEPLOYING.upper().replace("0X", "0x")])
def test_attack_deployer_is_proposal_guardian_on_live_chain(tmp_path, spelling):
    text = _live_ready(WITH_GUARDIAN).replace(
        f'proposal_guardian = "{OTHER}"', f'proposal_guardian = "{spelling}"'
    )
    path = write(tmp_path, text)
    config = load(path)
    check_for_chain(config, live=False, deployer=DEPLOYING)  # local chains: fine
    with pytest.raises(ConfigError) as info:
        check_for_chain(config, live=True, deployer=DEPLOYING)
    message = str(info.value)
    assert str(path) in message and "governance.proposal_guardian" in message
    assert DEPLOYING in message


@pytest.mark.parametrize(
    ("guardians", "listed"),
    [
        ("[]", "is empty"),
        ('["deployer"]', f"is only the deploying account {DEPLOYING}"),
        (f'["{DEPLOYING}"]', f"is only the deploying account {DEPLOYING}"),
    ],
)
def test_attack_deployer_only_guardian_set_on_live_chain(tmp_path, guardians, listed):
    path = write(tmp_path, SHIPPED.replace("guardians = []", f"guardians = {guardians}"))
    config = load(path)
    check_for_chain(config, live=False, deployer=DEPLOYING)
    with pytest.raises(ConfigError) as info:
        check_for_chain(config, live=True, deployer=DEPLOYING)
    message = str(info.value)
    assert str(path) in message and f"rewards.guardians: {listed}" in message


def test_live_chain_accepts_an_independent_guardian(tmp_path):
    for text in (_live_ready(SHIPPED), _live_ready(WITH_GUARDIAN)):
        config = load(
            write(
                tmp_path,
                text.replace(f'guardians = ["{OTHER}"]', f'guardians = ["deployer", "{OTHER}"]'),
            )
        )
        check_for_chain(config, live=True, deployer=DEPLOYING)


def test_attack_no_attester_on_live_chain(tmp_path):
    """The shipped config appoints no attester: no row could ever count, no root pay anyone, and
    governance, which needs influence that only paid roots create, could never appoint one. A
    live chain refuses it before anything is sent; a local one deploys it and warns."""
    no_attester = _live_ready(SHIPPED).replace(f'[attesters]\n"{OTHER}" = "5000"', "")
    path = write(tmp_path, no_attester)
    config = load(path)
    problem = no_attesters_problem(config)
    assert problem is not None and problem.startswith(f"{path}: attesters: none is appointed")
    assert "governance could never appoint one either" in problem
    check_for_chain(config, live=False, deployer=DEPLOYING)  # local: the deploy command warns
    with pytest.raises(ConfigError, match="refused on a live chain") as info:
        check_for_chain(config, live=True, deployer=DEPLOYING)
    assert "Name at least one attester before deploying: a table [attesters]" in str(info.value)
    assert no_attesters_problem(load(write(tmp_path, _live_ready(SHIPPED)))) is None


def test_shipped_configs_keep_quorum_above_one_accounts_share():
    for path in (ROOT / "config" / "deploy.toml", ROOT / "examples" / "deploy-demo.toml"):
        config = load(path)
        assert config.rewards.policy.account_cap_bps < config.governance.quorum_percent * 100
        assert config.governance.minimum_voters >= 2


@pytest.mark.parametrize(
    ("cap_bps", "quorum_percent"),
    [(500, 4), (500, 5), (10_000, 100), (2_000, 20)],
)
def test_attack_one_account_share_meets_quorum_refused(tmp_path, cap_bps, quorum_percent):
    """The shipped config before the fix (a 5% cap over a 4% quorum) and every setting whose
    cap reaches the quorum let one member meet quorum alone: refused, naming both keys."""
    text = SHIPPED.replace("account_cap_bps = 500", f"account_cap_bps = {cap_bps}").replace(
        "quorum_percent = 10", f"quorum_percent = {quorum_percent}"
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message
    assert f"rewards.account_cap_bps = {cap_bps}" in message
    assert f"governance.quorum_percent = {quorum_percent}" in message
    assert "one member could reach quorum alone" in message


def test_cap_just_below_quorum_is_accepted(tmp_path):
    text = SHIPPED.replace("account_cap_bps = 500", "account_cap_bps = 999")
    assert load(write(tmp_path, text)).rewards.policy.account_cap_bps == 999


def test_plan_passes_the_minimum_voters_to_the_governor(tmp_path):
    config = load(write(tmp_path, SHIPPED.replace("minimum_voters = 3", "minimum_voters = 7")))
    step = next(s for s in build_plan(config, now=0) if s.name == "InfluenceGovernor")
    assert step.args[5:7] == (10, 7)  # quorum percent, minimum voters


@pytest.mark.parametrize("shipped", ["config/deploy.toml", "examples/deploy-demo.toml"])
def test_shipped_configs_start_with_the_default_policy(shipped: str) -> None:
    """The data files carry the starting policy as data; the code's one source is
    DEFAULT_POLICY, and the two must agree."""
    assert load(ROOT / shipped).rewards.policy == DEFAULT_POLICY


def test_open_proposing_needs_no_proposers(tmp_path):
    text = SHIPPED.replace('proposers = ["deployer"]', "proposers = []")
    assert load(write(tmp_path, text)).rewards.proposers == ()
    closed = text.replace("open_proposing = true", "open_proposing = false")
    with pytest.raises(ConfigError, match="proposers: expected a non-empty list"):
        load(write(tmp_path, closed))


def test_dispute_period_may_equal_the_governance_path(tmp_path):
    """12 days of governance path (1d + 1w + 2d + 2d): a 12-day dispute period is accepted."""
    config = load(
        write(tmp_path, SHIPPED.replace('dispute_period = "14d"', 'dispute_period = "12d"'))
    )
    assert config.rewards.policy.dispute_period == 12 * 86400


def test_attesters_are_appointed_by_the_plan_and_handed_over(tmp_path):
    first, second = "0x" + "a1" * 20, "0x" + "b2" * 20
    text = SHIPPED.replace("# [attesters]", f'[attesters]\n"{first}" = "5000"\n"{second}" = "0.5"')
    config = load(write(tmp_path, text))
    assert config.attesters.budgets == ((first, 5000 * 10**18), (second, 5 * 10**17))
    plan = build_plan(config, now=0)
    names = [s.name for s in plan]
    assert names.index("AttesterRegistry") < names.index("ContributionRewards")
    appointed = [s for s in plan if s.name.startswith("attesters.") and s.function == "appoint"]
    assert [s.args for s in appointed] == [(first, 5000 * 10**18), (second, 5 * 10**17)]
    rewards = next(s for s in plan if s.name == "ContributionRewards")
    assert rewards.args[5].step == "AttesterRegistry"
    handover = next(s for s in plan if s.name == "attesters.owner")
    assert handover.function == "transferOwnership" and handover.args[0].step == "CommunisTimelock"
    assert names.index("attesters.owner") > names.index(appointed[-1].name)
    twice = first.upper().replace("0X", "0x")
    duplicate = SHIPPED.replace("# [attesters]", f'[attesters]\n"{first}" = "1"\n"{twice}" = "2"')
    with pytest.raises(ConfigError, match="listed twice"):
        load(write(tmp_path, duplicate))
