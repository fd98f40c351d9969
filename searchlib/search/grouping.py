"""Wire copies: the same agency dispatch reprinted by many outlets, shown as one hit.

Each article's SimHash is computed when it is indexed (:mod:`searchlib.analysis.copy_keys`); at search time
the ranked candidates are grouped when their hashes are close and their dates are too, and each
group is shown once — as its earliest copy, at the rank of its best one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..analysis.copy_keys import MAX_DISTANCE, CopyKey

#: Copies of one dispatch are published within this many days of each other.
COPY_DAYS = 3
_UNDATED = math.inf  # shown after every dated copy



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
    # Hash and day of the first copy of each group that has a hash, with the group, in rank
    # order: each candidate is compared with all of them (30 candidates make ~400 comparisons a
    # search, so the comparison is written out here rather than called).
    firsts: list[tuple[int, int | None, Group]] = []
    for candidate in candidates:
        key = key_of(candidate[0])
        simhash, day = key
        home = None
        if simhash is not None:
            for first, first_day, group in firsts:
                if (first ^ simhash).bit_count() <= MAX_DISTANCE and (  # copies.are_copies
                    day is None or first_day is None or abs(day - first_day) <= COPY_DAYS
                ):
                    home = group
                    break
        if home is None:
            group = Group([candidate], [key])
            groups.append(group)
            if simhash is not None:
                firsts.append((simhash, day, group))
        else:
            home.rows.append(candidate)
            home.keys.append(key)
    return groups
