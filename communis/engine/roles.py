"""Contributor roles, in the order of ``Policy.roleWeights`` on chain."""

from __future__ import annotations

ROLES: tuple[str, str, str, str] = ("creator", "curator", "guardian", "participant")
"""creator: makes good content; curator: finds and spreads it (evangelists too); guardian:
moderates and catches cheats; participant: everyone else, who still earns something."""
