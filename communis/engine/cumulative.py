"""The cumulative table: what each account is owed in total after an epoch.

Leaves are cumulative so that one claim collects every finalized epoch at once. Tokens add up
plainly. Influence is kept in the Influence contract's *stored units*: the amount ``a`` earned
in epoch ``e`` is credited as ``communis.engine.growth.to_stored(a, e, half_life)`` (its growth
factor is that of the epoch it was earned in), and the per-epoch conversions are summed.

Because every conversion floors, an epoch's stored total never exceeds
``to_stored(influenceBudget, e, half_life)``, which is what the contract can enforce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from communis.engine.growth import growth
from communis.engine.merkle import Leaf, MerkleTree
from communis.errors import CommunisError


class CumulativeError(CommunisError, ValueError):
    """Epochs applied out of order, or an inconsistent previous table."""


def stored_units(amount: int, factor: int) -> int:
    """``to_stored`` with a precomputed ``growth`` factor (the same floor formula)."""
    return (amount * factor) >> 64


@dataclass(frozen=True, slots=True)
class CumulativeTable:
    """account -> (cumulative tokens, cumulative influence in stored units), after ``epoch``."""

    epoch: int | None
    entries: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> CumulativeTable:
        return cls(epoch=None, entries={})

    @classmethod
    def from_tree(cls, tree: MerkleTree, epoch: int) -> CumulativeTable:
        """The table a previous epoch's tree commits to."""
        return cls(
            epoch=epoch,
            entries={leaf.account: (leaf.tokens, leaf.influence) for leaf in tree.values},
        )

    @property
    def total_tokens(self) -> int:
        return sum(tokens for tokens, _ in self.entries.values())

    @property
    def total_influence_stored(self) -> int:
        return sum(stored for _, stored in self.entries.values())

    def add_epoch(
        self,
        epoch: int,
        tokens: Mapping[str, int],
        influence: Mapping[str, int],
        half_life: int,
    ) -> CumulativeTable:
        """A new table with ``epoch``'s amounts added (influence in plain units)."""
        if self.epoch is not None and epoch <= self.epoch:
            raise CumulativeError(f"epoch {epoch} does not follow epoch {self.epoch}")
        factor = growth(epoch, half_life)
        entries = dict(self.entries)
        for account in tokens.keys() | influence.keys():
            added_tokens = tokens.get(account, 0)
            added_stored = stored_units(influence.get(account, 0), factor)
            if not added_tokens and not added_stored:
                continue
            old_tokens, old_stored = entries.get(account, (0, 0))
            entries[account] = (old_tokens + added_tokens, old_stored + added_stored)
        return CumulativeTable(epoch=epoch, entries=entries)

    def leaves(self) -> list[Leaf]:
        """One leaf per account with something owed, sorted by address (case-insensitive)."""
        return [
            Leaf(account, tokens, stored)
            for account, (tokens, stored) in sorted(
                self.entries.items(), key=lambda item: item[0].lower()
            )
            if tokens or stored
        ]
