"""The errors of attested ledgers."""

from __future__ import annotations

from communis.errors import CommunisError


class AttestationError(CommunisError, ValueError):
    """An attestations or attester-set file cannot be read, or a batch cannot be built."""


class SignatureError(AttestationError):
    """A signature is malformed (length, ``v``, ``s`` range) or recovers no signer."""
