"""Wire copies: the same agency dispatch reprinted by many outlets, shown as one hit.

Each article's SimHash is computed when it is indexed (:mod:`searchlib.copies`); at search time
the ranked candidates are grouped when their hashes are close and their dates are too, and each
group is shown once — as its earliest copy, at the rank of its best one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .copies import are_copies
from .schema import stored_date

#: Copies of one dispatch are published within this many days of each other.
COPY_DAYS = 3


@dataclass
class Group:
    """Ranked candidates that are copies of one dispatch; ``rows[0]`` is the best ranked."""

    rows: list[Any] = field(default_factory=list)

    def shown(self) -> Any:
        """The earliest copy (undated ones last; the best ranked among equals)."""
        return min(self.rows, key=lambda row: (stored_date(row) or dt.date.max, self.rows.index(row)))

    def others(self) -> list[Any]:
        first = self.shown()
        return [row for row in self.rows if row is not first]


def group_copies(rows: Sequence[Any]) -> list[Group]:
    """Groups ranked rows (Whoosh hits with ``copy_hash`` and ``date`` stored), in rank order."""
    groups: list[Group] = []
    keys: list[tuple[int | None, dt.date | None]] = []  # each group's first row's, read once
    for row in rows:
        key = (_hash(row), stored_date(row))
        home = next((group for group, first in zip(groups, keys) if _same_dispatch(first, key)), None)
        if home is None:
            groups.append(Group([row]))
            keys.append(key)
        else:
            home.rows.append(row)
    return groups


def _same_dispatch(a: tuple[int | None, dt.date | None], b: tuple[int | None, dt.date | None]) -> bool:
    (first, date_a), (second, date_b) = a, b
    if first is None or second is None or not are_copies(first, second):
        return False
    return date_a is None or date_b is None or abs((date_a - date_b).days) <= COPY_DAYS


def _hash(row: Any) -> int | None:
    value = row.get("copy_hash")
    return int(value, 16) if value else None
