"""Deployment parameters from ``config/deploy.toml`` (versioned with the code).

Validation names the file, the field and the offending value, and nothing is deployed from a
config that does not validate.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SUPPORTED_VERSION = 1
DECIMALS = 18
ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")


class ConfigError(ValueError):
    """A deployment parameter is missing or invalid."""


@dataclass(frozen=True)
class TokenParams:
    name: str
    symbol: str
    cap: int
    genesis_supply: int
    genesis_holder: str  # "deployer" or a 0x address


@dataclass(frozen=True)
class DeployConfig:
    path: Path
    sha256: str
    token: TokenParams


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: missing table [{key}]")
    return value


def _string(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return value


def _amount(table: dict[str, Any], key: str, where: str) -> int:
    """Whole tokens as a decimal string -> smallest units."""
    raw = table.get(key)
    if not isinstance(raw, str):
        raise ConfigError(f"{where}.{key}: expected a decimal string of whole tokens, got {raw!r}")
    try:
        value = Decimal(raw.replace("_", ""))
    except InvalidOperation as err:
        raise ConfigError(f"{where}.{key}: not a decimal number: {raw!r}") from err
    units = value * 10**DECIMALS
    if not value.is_finite() or value < 0 or units != units.to_integral_value():
        raise ConfigError(f"{where}.{key}: must be >= 0 with at most 18 decimals, got {raw!r}")
    return int(units)


def _holder(table: dict[str, Any], key: str, where: str) -> str:
    value = _string(table, key, where)
    if value != "deployer" and not ADDRESS_RE.match(value):
        raise ConfigError(f'{where}.{key}: expected "deployer" or a 0x address, got {value!r}')
    return value


def load(path: Path) -> DeployConfig:
    """Read and validate a deployment config file."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    if data.get("version") != SUPPORTED_VERSION:
        raise ConfigError(
            f"{path}: field 'version' is {data.get('version')!r}, this code reads version "
            f"{SUPPORTED_VERSION}"
        )
    where = f"{path}: token"
    token = _table(data, "token", path)
    params = TokenParams(
        name=_string(token, "name", where),
        symbol=_string(token, "symbol", where),
        cap=_amount(token, "cap", where),
        genesis_supply=_amount(token, "genesis_supply", where),
        genesis_holder=_holder(token, "genesis_holder", where),
    )
    if params.cap == 0:
        raise ConfigError(f"{where}.cap: must be > 0")
    if params.genesis_supply > params.cap:
        raise ConfigError(
            f"{where}.genesis_supply: {token['genesis_supply']} exceeds cap {token['cap']}"
        )
    return DeployConfig(path=path, sha256=hashlib.sha256(raw).hexdigest(), token=params)
