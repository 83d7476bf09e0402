"""Names of the governance contracts in the deployment journal."""

from __future__ import annotations

GOVERNOR = "InfluenceGovernor"
REGISTRY = "GuardianRegistry"
INFLUENCE = "Influence"
TIMELOCK = "CommunisTimelock"
REWARDS = "ContributionRewards"
