"""A cache bounded by bytes that keeps what is used most: each word's postings, read once per
searcher (:mod:`searchlib.backends.whoosh.arrays`).

Least-recently-used eviction keeps nothing when the words searched in turn take more than the
bound: each read pushes out the word read longest ago, which is the next one needed (measured:
at ten times OrangeSum with 72 MB, every round of the speed queries read every word again). Here
each key's reads are counted, kept or not (the counts of keys not kept are halved once there are
too many of them), and a new value goes in only where it was read more often than what it would
push out: past the bound, the words searched often stay, the others are read again.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from itertools import count
from typing import Any


#: Counts of reads of keys not kept, at most: past it they are halved, and those at 0 forgotten.
SEEN_KEYS = 100_000


class BoundedCache:
    """Values by key, at most ``limit`` bytes of them (a value larger than the bound is not kept)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        # key → [value, bytes, uses, last use]
        self._entries: dict[Hashable, list[Any]] = {}
        self._seen: dict[Hashable, int] = {}  # reads of keys not kept
        self._clock = count()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any:
        """The value of ``key`` (None when not kept), counted as one more use."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            entry[2] += 1
            entry[3] = next(self._clock)
            return entry[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keeps ``value`` (``size`` bytes, counted as one use of ``key``) if it fits, or if the
        entries it would push out were used less often."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            uses = (old[2] if old is not None else self._seen.pop(key, 0)) + 1
            victims = self._victims(size, uses)
            if victims is None:
                self._remember(key, uses)
                return
            for victim in victims:
                value_, bytes_, used, _ = self._entries.pop(victim)
                self.size -= bytes_
                self._remember(victim, used)
            self._entries[key] = [value, size, uses, next(self._clock)]
            self.size += size

    def _victims(self, size: int, uses: int) -> list[Hashable] | None:
        """The entries to drop for ``size`` more bytes, least used first (least recent among
        equals); None when that would drop one used as often as ``uses``, or cannot make room."""
        if size > self.limit:
            return None
        if self.size + size <= self.limit:
            return []
        victims, freed = [], 0
        for key, entry in sorted(self._entries.items(), key=lambda item: (item[1][2], item[1][3])):
            if entry[2] >= uses:
                return None
            victims.append(key)
            freed += entry[1]
            if self.size - freed + size <= self.limit:
                return victims
        return None

    def _remember(self, key: Hashable, uses: int) -> None:
        self._seen[key] = uses
        if len(self._seen) > SEEN_KEYS:
            self._seen = {k: n // 2 for k, n in self._seen.items() if n > 1}
