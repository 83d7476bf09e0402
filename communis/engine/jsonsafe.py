"""Integers in the JSON the project writes: a JSON number above 2^53 loses digits in every
reader that parses numbers as IEEE doubles (JavaScript's ``JSON.parse``, jq, many others), so
every file the project writes carries such integers as decimal strings."""

from __future__ import annotations

from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1
"""The largest integer an IEEE-754 double holds exactly together with all smaller ones."""


def json_safe(value: Any) -> Any:
    """``value`` with every integer outside ±(2^53 - 1) replaced by its decimal string (tuples
    become lists; booleans and everything else are kept)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) > MAX_SAFE_INTEGER else value
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def unsafe_integers(value: Any, where: str = "$") -> list[str]:
    """The JSON paths (``$.steps[0].args[2]``) of integers a double cannot hold exactly."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [where] if abs(value) > MAX_SAFE_INTEGER else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in unsafe_integers(item, f"{where}.{key}")]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in unsafe_integers(item, f"{where}[{i}]")]
    return []
