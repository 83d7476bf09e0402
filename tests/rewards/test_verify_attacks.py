"""Attacks on `ape run epoch verify` (communis.chain.epochs.verify), on both EVMs: a proposer
publishes bundles that agree with themselves but not with the chain, and verify must say so."""

from __future__ import annotations

import pytest

from communis.chain import epochs
from communis.engine.bundle import build_bundle, read_totals
from tests.helpers.attack_bundles import forge_previous_table, rebuild_on
from tests.helpers.attest import members_ledger
from tests.helpers.time import end_epoch


def test_attack_forged_previous_table_is_rejected_on_chain(
    rewards, chain, genesis, tmp_path, members, proposer, finalized_epoch_zero, attest_domain
):
    """The proposer republishes epoch 0's bundle with one member's entitlement moved to an
    accomplice (totals unchanged) and builds epoch 1 on it: every file agrees with every other,
    but epoch 0's table is not the one finalized on chain."""
    out = finalized_epoch_zero
    ledger1 = members_ledger(tmp_path, 1, members, attest_domain)
    forge_previous_table(out / "0")
    forged_root = rebuild_on(out / "0", ledger1, out / "1", policy=epochs.onchain_policy(rewards),
                             half_life=int(epochs.influence_of(rewards).halfLife()))  # fmt: skip
    end_epoch(chain, genesis, 1)
    epochs.propose(rewards, out / "1", proposer)
    assert read_totals(out / "1")["root"] == forged_root
    result = epochs.verify(rewards, out / "1")
    assert not result.ok
    assert any("trusted root" in p for p in result.problems), result.problems


def test_attack_null_previous_root_after_epoch_zero_is_rejected_on_chain(
    rewards, chain, genesis, tmp_path, members, proposer, finalized_epoch_zero, attest_domain
):
    """Epoch 1 published as if it were the first epoch (previousRoot null): the entitlements of
    epoch 0 that were not claimed yet would vanish from the tree."""
    out = finalized_epoch_zero
    policy = epochs.onchain_policy(rewards)
    half_life = int(epochs.influence_of(rewards).halfLife())
    ledger1 = members_ledger(tmp_path, 1, members, attest_domain)
    build_bundle(ledger1, policy, half_life, out / "1")
    assert read_totals(out / "1")["previousRoot"] is None
    end_epoch(chain, genesis, 1)
    epochs.propose(rewards, out / "1", proposer)
    result = epochs.verify(rewards, out / "1")
    assert not result.ok
    assert any("previousRoot" in p for p in result.problems), result.problems
    (out / "0").rename(tmp_path / "elsewhere")
    with pytest.raises(epochs.EpochOpError, match="previous epoch's bundle"):
        epochs.verify(rewards, out / "1")


@pytest.mark.parametrize("wrong", ["cumulativeTokens", "cumulativeInfluence", "ledgerRoot"])
def test_attack_honest_root_with_wrong_proposal_fields_is_rejected(
    rewards, chain, genesis, tmp_path, members, proposer, wrong, attest_domain
):
    """The honest root proposed with totals or a ledger commitment that are not the bundle's:
    the contract's budget checks pass, but claims would fail once the totals run out (or the
    commitment does not point at the ledger that was published)."""
    out = tmp_path / "epochs"
    build = epochs.build(rewards, members_ledger(tmp_path, 0, members, attest_domain), out)
    end_epoch(chain, genesis, 0)
    fields = {
        "cumulativeTokens": build.table.total_tokens,
        "cumulativeInfluence": build.table.total_influence_stored,
        "ledgerRoot": epochs.commitment_of(out / "0", 0).root,
    }
    fields[wrong] = b"\x11" * 32 if wrong == "ledgerRoot" else fields[wrong] - 1
    rewards.proposeRoot(
        0,
        build.tree.root,
        fields["cumulativeTokens"],
        fields["cumulativeInfluence"],
        fields["ledgerRoot"],
        "ipfs://bundle/0",
        rewards.policyHash(),
        sender=proposer,
    )
    result = epochs.verify(rewards, out / "0")
    assert not result.ok
    assert any("on chain" in p for p in result.problems), result.problems
