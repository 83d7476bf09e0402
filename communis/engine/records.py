"""Building one record from others that hold the same fields under the same names."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def from_fields(cls: type[R], *sources: object, **given: Any) -> R:
    """A ``cls`` (a dataclass) whose fields are ``given``, else the attribute of the same name of
    the first of ``sources`` that has one; a field none of them has keeps its default."""
    values = dict(given)
    for f in dataclasses.fields(cls):
        if f.name in values:
            continue
        for source in sources:
            if hasattr(source, f.name):
                values[f.name] = getattr(source, f.name)
                break
    return cls(**values)
