"""Wire copies: the same agency dispatch reprinted by many outlets, shown as one hit.

Each article's SimHash is computed when it is indexed (:mod:`searchlib.copies`); at search time
the ranked candidates are grouped when their hashes are close and their dates are too, and each
group is shown once — as its earliest copy, at the rank of its best one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .copies import are_copies

#: Copies of one dispatch are published within this many days of each other.
COPY_DAYS = 3
_UNDATED = math.inf  # shown after every dated copy


#: What grouping reads of a candidate: its SimHash (None when its body was too short) and its day
#: (any day count: only differences and order matter; None when undated).
CopyKey = tuple[int | None, int | None]


@dataclass
class Group:
    """Ranked candidates that are copies of one dispatch, as ``(docnum, score)``; ``rows[0]`` is
    the best ranked, ``keys`` their hashes and dates."""

    rows: list[tuple[int, float]] = field(default_factory=list)
    keys: list[CopyKey] = field(default_factory=list)

    def shown(self) -> int:
        """Where in ``rows`` the earliest copy is (undated ones last; the best ranked among equals)."""
        return min(range(len(self.rows)), key=lambda i: (_UNDATED if self.keys[i][1] is None else self.keys[i][1], i))


def group_copies(candidates: Sequence[tuple[int, float]], key_of: Callable[[int], CopyKey]) -> list[Group]:
    """Groups ranked ``(docnum, score)`` candidates, in rank order; ``key_of(docnum)`` reads a
    candidate's hash and date (from the index's columns: no stored article is read)."""
    groups: list[Group] = []
    for candidate in candidates:
        key = key_of(candidate[0])
        home = next((group for group in groups if _same_dispatch(group.keys[0], key)), None)
        if home is None:
            groups.append(Group([candidate], [key]))
        else:
            home.rows.append(candidate)
            home.keys.append(key)
    return groups


def _same_dispatch(a: CopyKey, b: CopyKey) -> bool:
    (first, date_a), (second, date_b) = a, b
    if first is None or second is None or not are_copies(first, second):
        return False
    return date_a is None or date_b is None or abs(date_a - date_b) <= COPY_DAYS
