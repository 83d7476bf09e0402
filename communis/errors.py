"""The one base class of every expected error.

A :class:`CommunisError` is a mistake a user can make and fix (a malformed ledger, a wrong
account alias, a chain that was reset): its message names the problem and what to do, and the
command-line front ends turn it into one clean line and a non-zero exit, never a traceback.
Anything else that escapes is a bug.
"""

from __future__ import annotations


class CommunisError(Exception):
    """An expected error: its message is for the user, as it stands."""
