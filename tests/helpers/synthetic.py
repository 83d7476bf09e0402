"""A realistic synthetic run for the report tests: 250 long-tailed accounts, four roles,
three epochs, a slashed bond and a few proposals. Deterministic for a given seed."""

from __future__ import annotations

import random

from communis.report.model import BondSlash, EpochReport, Proposal, Reward, RunReport

WAD = 10**18
ROLE_MIX = (("creator", 0.15), ("curator", 0.2), ("guardian", 0.05), ("participant", 0.6))
ROLE_WEIGHT = {"creator": 4, "curator": 2, "guardian": 3, "participant": 1}


def synthetic_run(accounts: int = 250, epochs: int = 3, seed: int = 5) -> RunReport:
    rng = random.Random(seed)
    names = [f"0x{rng.getrandbits(160):040x}" for _ in range(accounts)]
    roles = {a: rng.choices([r for r, _ in ROLE_MIX], [w for _, w in ROLE_MIX])[0] for a in names}
    # Long-tailed activity: Pareto-distributed scores, a few very active members.
    activity = {a: rng.paretovariate(1.3) for a in names}
    token_budget = 1_000_000 * WAD
    influence_budget = 500_000 * WAD
    influence: dict[str, int] = dict.fromkeys(names, 0)
    treasury = 50_000_000 * WAD
    out = []
    for epoch in range(1, epochs + 1):
        active = [a for a in names if rng.random() < 0.8]
        scores = {
            a: int(activity[a] * ROLE_WEIGHT[roles[a]] * rng.uniform(0.5, 1.5) * 1000)
            for a in active
        }
        total = sum(scores.values())
        emit_share = 0.86 + 0.03 * epoch  # not every reward is claimed
        rewards = []
        for a, s in scores.items():
            tok = token_budget * s // total * int(emit_share * 100) // 100
            inf = influence_budget * s // total * int(emit_share * 100) // 100
            rewards.append(Reward(a, roles[a], tok, inf))
            # A member who is also a curator earns in a second role.
            if roles[a] == "creator" and rng.random() < 0.3:
                rewards.append(Reward(a, "curator", tok // 5, inf // 5))
        # Influence halves every two epochs (decay factor 2 ** -0.5 per epoch, rounded).
        influence = {a: v * 7071 // 10000 for a, v in influence.items()}
        for r in rewards:
            influence[r.account] += r.influence
        tokens_emitted = sum(r.tokens for r in rewards)
        influence_emitted = sum(r.influence for r in rewards)
        treasury -= tokens_emitted
        slashed = ()
        if epoch == 2:
            slashed = (BondSlash(names[7], 10_000 * WAD, "root padded with 12 fake accounts"),)
            treasury += 10_000 * WAD
        out.append(
            EpochReport(
                epoch=epoch,
                token_budget=token_budget,
                influence_budget=influence_budget,
                tokens_emitted=tokens_emitted,
                influence_emitted=influence_emitted,
                rewards=tuple(rewards),
                influence_balances=dict(influence),
                quorum=sum(influence.values()) * 15 // 100,
                treasury_balance=treasury,
                bonds_slashed=slashed,
            )
        )
    proposals = (
        Proposal(
            id=int("7a3f" * 16, 16),
            description="Raise the curator weight from 2 to 3",
            outcome="Executed",
            votes_for=41_000 * WAD,
            votes_against=9_500 * WAD,
            votes_abstain=1_200 * WAD,
            proposer=names[0],
            epoch=2,
        ),
        Proposal(
            id=int("c0ffee" * 10, 16),
            description="Whale: send 10% of the treasury to 0xwhale",
            outcome="Defeated",
            votes_for=0,
            votes_against=30_000 * WAD,
            proposer="0x" + "ab" * 20,
            epoch=3,
        ),
        Proposal(
            id=int("51a5" * 16, 16),
            description="Uphold the guardian challenge of the padded epoch-2 root",
            outcome="Executed",
            votes_for=52_000 * WAD,
            votes_against=0,
            votes_abstain=800 * WAD,
            proposer=names[3],
            epoch=2,
        ),
    )
    return RunReport(
        epochs=tuple(out),
        proposals=proposals,
        notes=("Synthetic run for the report tests <not real data> & seeded.",),
        title="Communis sample community",
        network="ethereum:local:test",
    )
