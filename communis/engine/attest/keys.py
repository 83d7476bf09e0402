"""Signing keys and signatures of batches, with OpenZeppelin ECDSA's rules for recovery."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import coincurve

from communis.engine.address import to_checksum
from communis.engine.attest.errors import AttestationError, SignatureError
from communis.engine.attest.hashing import Batch, Domain
from communis.engine.jsonlimits import JsonLimitError, load_json_text
from communis.engine.keccak import keccak

SIGNATURE_LENGTH = 65
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HALF_N = _SECP256K1_N // 2


class SigningKey:
    """A secp256k1 private key that never shows itself (not in ``repr``, ``str`` or errors)."""

    __slots__ = ("_key", "address")

    def __init__(self, secret: bytes | str) -> None:
        if isinstance(secret, str):
            text = secret[2:] if secret.startswith("0x") else secret
            try:
                secret = bytes.fromhex(text)
            except ValueError:
                raise AttestationError("a private key is 32 bytes of hex") from None
        if len(secret) != 32 or not 0 < int.from_bytes(secret, "big") < _SECP256K1_N:
            raise AttestationError("a private key is 32 bytes, between 1 and the curve order")
        self._key = coincurve.PrivateKey(secret)
        self.address = _address_of(self._key.public_key)

    def __repr__(self) -> str:
        return f"SigningKey(address={self.address})"

    __str__ = __repr__

    def sign_digest(self, digest: bytes) -> bytes:
        """A 65-byte ``r || s || v`` signature (``v`` 27 or 28, low ``s``) of ``digest``."""
        raw = self._key.sign_recoverable(digest, hasher=None)
        return raw[:64] + bytes([raw[64] + 27])

    def sign_batch(self, batch: Batch, domain: Domain) -> bytes:
        """This key's signature of ``batch`` in ``domain`` (it must be the batch's attester)."""
        return sign_batch(batch, domain, self)

    @classmethod
    def from_keystore(cls, path: Path, passphrase: str) -> SigningKey:
        """The key of an encrypted JSON keystore (Web3 Secret Storage, as ``geth`` and ``ape
        accounts`` write them). The passphrase and the key appear in no message."""
        from eth_account import Account

        path = Path(path)
        try:
            document = load_json_text(path.read_bytes(), where=str(path), max_bytes=1 << 20)
        except OSError as exc:
            raise AttestationError(f"{path}: cannot read the keystore: {exc.strerror}") from None
        except JsonLimitError as exc:
            raise AttestationError(str(exc)) from None
        if not isinstance(document, dict) or "crypto" not in {k.lower() for k in document}:
            raise AttestationError(f"{path}: not an encrypted JSON keystore (no 'crypto' field)")
        try:
            secret = Account.decrypt(document, passphrase)
        except ValueError as exc:
            reason = "wrong passphrase" if "MAC" in str(exc) else "cannot decrypt it"
            raise AttestationError(f"{path}: {reason}") from None
        except (KeyError, TypeError):
            raise AttestationError(f"{path}: not a keystore this tool can read") from None
        return cls(bytes(secret))


class BatchSigner(Protocol):
    """Whatever can sign a batch as an attester: a :class:`SigningKey`, or a wallet or ape
    account signing the EIP-712 document :func:`typed_data` (the chain layer's wrapper)."""

    @property
    def address(self) -> str: ...

    def sign_batch(self, batch: Batch, domain: Domain) -> bytes: ...


def _address_of(public_key: coincurve.PublicKey) -> str:
    return to_checksum("0x" + keccak(public_key.format(compressed=False)[1:])[-20:].hex())


def sign_batch(batch: Batch, domain: Domain, key: SigningKey) -> bytes:
    """``key``'s signature of ``batch`` in ``domain``; ``key`` must be the batch's attester."""
    if key.address != to_checksum(batch.attester):
        raise AttestationError(
            f"the key is {key.address}'s, but the batch is attester {batch.attester}'s"
        )
    return key.sign_digest(batch.digest(domain))


def recover_signer(digest: bytes, signature: bytes) -> str:
    """The address whose key made ``signature`` of ``digest``, with OpenZeppelin ECDSA's rules.

    Raises :class:`SignatureError` exactly where ``ECDSA.tryRecover`` reports an error: a length
    other than 65 bytes, an ``s`` in the upper half of the curve order, a ``v`` other than 27 or
    28, or values that recover no key.
    """
    if len(signature) != SIGNATURE_LENGTH:
        raise SignatureError(
            f"a signature is {SIGNATURE_LENGTH} bytes (r, s, v), this one is {len(signature)}"
        )
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if s > _HALF_N:
        raise SignatureError("s is in the upper half of the curve order (a malleable signature)")
    if v not in (27, 28):
        raise SignatureError(f"v is {v}, not 27 or 28")
    if not (0 < r < _SECP256K1_N and s > 0):
        raise SignatureError("r or s is out of range: the signature recovers no key")
    try:
        public = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([v - 27]), digest, hasher=None
        )
    except (ValueError, TypeError):
        raise SignatureError("the signature recovers no key") from None
    return _address_of(public)
