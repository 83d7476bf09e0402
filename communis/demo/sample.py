"""A reproducible sample community: a few hundred members, four roles, long-tailed activity.

``write_sample(Path("examples"), seed=SEED)`` writes ``ledgers/epoch-<n>.jsonl`` for epochs 0-2,
their attestations (``ledgers/epoch-<n>.attestations.json``), the attester set
(``attesters.json``) and ``policy.json``; the same seed gives byte-identical files on every
machine (integer arithmetic and ``random.Random`` only, no floating-point library functions;
signatures are deterministic, RFC 6979).

Three attesters vouch for the rows (:data:`ATTESTERS`): a forum bot signs every ``forum/`` row,
one curator the shares and moderation reports, another the event attendances. Their keys are
test keys derived from fixed strings (:func:`attester_key`), public like the demo accounts: never
use them for anything real. The attestations are signed for :data:`SAMPLE_DOMAIN`, a stand-in
registry on the local chain id 31337; ``write_sample(..., domain=...)`` (``communis sample
--chain-id --registry``) signs them for a real deployment's registry instead.

Members include :data:`KEY_MEMBERS`, accounts 1-6 of ape's default test mnemonic (``test test
... junk``), as steady contributors, so that a demo on a local chain can sign votes and claims
with them. Everybody else is a fresh address derived from the seed.

Activity is long-tailed: most members show up now and then with a row or two; a few are very
active. Each member has a main role (about 14% creators, 14% curators, 8% guardians, the rest
participants) and sometimes acts in another one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from communis.engine.address import to_checksum
from communis.engine.attest import (
    AttesterSet,
    Domain,
    SigningKey,
    attest_ledger,
    attestations_path,
    write_attestations,
)
from communis.engine.keccak import keccak
from communis.engine.policy import DEFAULT_POLICY
from communis.engine.roles import ROLES

SEED = 20260401
MEMBERS = 240
EPOCHS = (0, 1, 2)

KEY_MEMBERS: tuple[tuple[str, str], ...] = (
    ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "creator"),
    ("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "curator"),
    ("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "guardian"),
    ("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "participant"),
    ("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "creator"),
    ("0x976EA74026E726554dB657fA54763abd0C3a0aa9", "guardian"),
)
"""(address, main role) of ape's test accounts 1-6, always members."""

ATTESTERS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("forum-bot", ("forum/",), 5_000),
    ("curator-shares", ("share/", "moderation/"), 4_000),
    ("curator-events", ("event/",), 1_500),
)
"""(name, evidence-reference prefixes it signs, budget per epoch in points) of the attesters."""

SAMPLE_DOMAIN = Domain(31337, to_checksum("0x" + keccak(b"communis-sample/registry")[:20].hex()))
"""The registry the sample's attestations are signed for: a stand-in address on chain 31337."""

POINT = 10**18

SAMPLE_POLICY = DEFAULT_POLICY
"""The sample community is scored with the starting policy (as config/deploy.toml deploys it)."""

_EVIDENCE = {
    "creator": "forum/post",
    "curator": "share",
    "guardian": "moderation/report",
    "participant": "event/attended",
}


@dataclass(frozen=True, slots=True)
class Member:
    account: str
    role: str
    activity: int
    """1 for most members, up to a few hundred for the most active."""


def members(seed: int = SEED, count: int = MEMBERS) -> list[Member]:
    """The community: :data:`KEY_MEMBERS` first, then addresses derived from ``seed``."""
    rng = random.Random(seed)
    out = [Member(account, role, 60 - 8 * i) for i, (account, role) in enumerate(KEY_MEMBERS)]
    for i in range(count - len(out)):
        account = to_checksum("0x" + keccak(f"communis-sample/{seed}/{i}".encode())[:20].hex())
        draw = rng.randrange(100)
        role = (
            "creator"
            if draw < 14
            else "curator"
            if draw < 28
            else "guardian"
            if draw < 36
            else "participant"
        )
        activity = max(1, 400 // rng.randrange(1, 1001))
        out.append(Member(account, role, activity))
    return out


def _points(rng: random.Random, role: str) -> str:
    # A long-tailed quality factor times a base amount, with two decimals.
    quality = 1 + 40 // rng.randrange(1, 41)
    base = {"creator": 10, "curator": 4, "guardian": 6, "participant": 1}[role]
    hundredths = quality * rng.randrange(base * 50, base * 150 + 1)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def epoch_rows(epoch: int, seed: int = SEED, count: int = MEMBERS) -> list[dict[str, object]]:
    """The ledger rows of one epoch (deterministic in ``seed`` and ``epoch``)."""
    rng = random.Random(seed * 1_000 + epoch)
    rows: list[dict[str, object]] = []
    serial = 0
    for member in members(seed, count):
        if rng.randrange(100) >= min(95, 55 + 15 * member.activity):
            continue
        for _ in range(1 + rng.randrange(member.activity // 3 + 1)):
            role = member.role if rng.randrange(100) < 80 else ROLES[rng.randrange(len(ROLES))]
            serial += 1
            rows.append(
                {
                    "epoch": epoch,
                    "account": member.account,
                    "role": role,
                    "points": _points(rng, role),
                    "ref": f"{_EVIDENCE[role]}/{epoch}-{serial:05d}",
                }
            )
    return rows


def _jsonl(rows: list[dict[str, object]]) -> str:
    keys = ("epoch", "account", "role", "points", "ref")
    lines = []
    for row in rows:
        fields = [f'"epoch": {row["epoch"]}'] + [f'"{k}": "{row[k]}"' for k in keys[1:]]
        lines.append("{" + ", ".join(fields) + "}\n")
    return "".join(lines)


def attester_secret(name: str) -> str:
    """The sample attester ``name``'s private key, hex (derived from a fixed string; public)."""
    return "0x" + keccak(f"communis-sample/attester/{name}".encode()).hex()


def attester_key(name: str) -> SigningKey:
    """The sample attester ``name``'s test key."""
    return SigningKey(attester_secret(name))


def sample_attesters(domain: Domain = SAMPLE_DOMAIN, first_epoch: int = 0) -> AttesterSet:
    """The attester set: every attester appointed with its budget from ``first_epoch`` on."""
    return AttesterSet.of(
        domain.chain_id,
        domain.verifying_contract,
        [
            (attester_key(name).address, first_epoch, budget * POINT)
            for name, _, budget in ATTESTERS
        ],
    )


def sign_sample_ledger(ledger: Path, epoch: int, domain: Domain = SAMPLE_DOMAIN) -> Path:
    """Every attester signs its rows of ``ledger``; writes and returns the attestations path."""
    path = attestations_path(ledger)
    result = None
    for name, prefixes, _ in ATTESTERS:
        result = attest_ledger(
            ledger,
            attester_key(name),
            domain,
            epoch,
            ref_prefixes=prefixes,
            existing=None if result is None else result.attestations,
        )
    assert result is not None
    write_attestations(result.attestations, path)
    return path


def write_sample(
    out: Path,
    *,
    seed: int = SEED,
    count: int = MEMBERS,
    epochs: tuple[int, ...] = EPOCHS,
    domain: Domain = SAMPLE_DOMAIN,
) -> list[Path]:
    """Write ``out/ledgers/epoch-<n>.jsonl`` with their attestations, ``out/attesters.json`` and
    ``out/policy.json``; return the ledger paths."""
    folder = Path(out) / "ledgers"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for epoch in epochs:
        path = folder / f"epoch-{epoch}.jsonl"
        path.write_text(_jsonl(epoch_rows(epoch, seed, count)), encoding="utf-8")
        sign_sample_ledger(path, epoch, domain)
        paths.append(path)
    sample_attesters(domain, min(epochs, default=0)).save(Path(out) / "attesters.json")
    SAMPLE_POLICY.save(Path(out) / "policy.json")
    return paths
