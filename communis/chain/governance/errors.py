"""The error of governance steps."""

from __future__ import annotations

from communis.errors import CommunisError


class GovernanceError(CommunisError, RuntimeError):
    """A governance step cannot be carried out; the message says why and what to do."""
