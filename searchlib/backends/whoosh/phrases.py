"""Phrase matching on whole arrays: every article holding a phrase's words checked at once.

A quoted phrase of common words ("covid 19") is held by thousands of articles, and its total is
exact: each must be checked. Checking them one by one in Python (decode each word's positions,
compare) cost ~7 µs an article. Here each word's positions in all those articles become one sorted
array of keys ``article << 32 | position``, decoded from the stored gap arrays in one numpy pass,
and the phrase's words are matched with binary searches over whole arrays.

The positions format is :class:`searchlib.backends.whoosh.codec.CompactPositions`: a typecode byte (``B``, ``H``
or ``I``) then the position gaps, little-endian.
"""

from __future__ import annotations

import numpy as np

# Bytes per gap for each typecode byte.
_WIDTH = np.zeros(256, dtype=np.int64)
_WIDTH[ord("B")], _WIDTH[ord("H")], _WIDTH[ord("I")] = 1, 2, 4
_SHIFT = 32


def decode_positions(data: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the encoded values at ``data[starts[i]:stops[i]]`` (``data`` as uint8):
    how many each value holds, and all of them one value after the other."""
    starts = starts.astype(np.int64)
    width = _WIDTH[data[starts]]
    counts = (stops.astype(np.int64) - starts - 1) // width
    value_of = np.repeat(np.arange(len(starts)), counts)  # the value each gap belongs to
    first = np.cumsum(counts) - counts  # where each value's gaps start among all gaps
    offsets = starts[value_of] + 1 + width[value_of] * (np.arange(len(value_of)) - first[value_of])
    gaps = data[offsets].astype(np.int64)
    for byte in (1, 2, 3):  # the higher bytes of the wider gaps
        wide = width[value_of] > byte
        gaps[wide] |= data[offsets[wide] + byte].astype(np.int64) << (8 * byte)
    sums = np.cumsum(gaps)
    held = counts > 0
    restart = np.zeros(len(starts), dtype=np.int64)  # each value's running sum starts afresh
    restart[held] = sums[first[held]] - gaps[first[held]]
    return counts, sums - np.repeat(restart, counts)


def position_keys(docs: np.ndarray, counts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Sorted keys ``doc << 32 | position`` of each of ``docs`` (ascending) holding ``counts``
    of ``positions`` (ascending within a document)."""
    return (np.repeat(docs.astype(np.int64), counts) << _SHIFT) | positions


def matching_docs(word_keys: list[np.ndarray], slop: int) -> np.ndarray:
    """The documents where the words (their position keys, in phrase order) stand as Whoosh's
    ``SpanNear2`` wants them (ordered, each next word 1 to ``slop`` positions after the end of a
    match of the words before it), ascending."""
    ends = word_keys[0]
    for keys in word_keys[1:]:
        if not len(ends):
            break
        # Keys of this word within (end, end + slop] of some end: a position never reaches 2**32,
        # so the window never runs into the next document's keys.
        first = np.searchsorted(keys, ends, side="right")
        past = np.searchsorted(keys, ends + slop, side="right")
        # How many windows cover each key: +1 where one opens, -1 where it closes, summed.
        covered = np.bincount(first, minlength=len(keys) + 1) - np.bincount(past, minlength=len(keys) + 1)
        ends = keys[np.cumsum(covered[:-1]) > 0]
    return _distinct(ends >> _SHIFT)


def union(parts: list[np.ndarray]) -> np.ndarray:
    """The values of ``parts``, ascending, without repeats: ``np.unique`` of them concatenated,
    without its first call's import of ``numpy.ma`` (12–25 ms of a fresh ``searchlib search``)."""
    if not parts:
        return np.zeros(0, dtype=np.int64)
    values = np.concatenate(parts)  # a copy, even of one part: sorted in place
    values.sort()
    return _distinct(values)


def _distinct(values: np.ndarray) -> np.ndarray:
    """``values`` (ascending) without repeats: ``np.unique`` without its sort."""
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def window_docs(word_keys: list[np.ndarray], width: int) -> np.ndarray:
    """The documents where one position of each word (their position keys, in any order) fits in
    a window of at most ``width`` positions, ascending (:class:`searchlib.backends.whoosh.near.Near`).
    Each position of any word is tried as the window's first."""
    starts = union(word_keys)
    fits = np.ones(len(starts), dtype=bool)
    for keys in word_keys:
        at = np.searchsorted(keys, starts, side="left")
        inside = at < len(keys)
        inside[inside] = keys[at[inside]] <= starts[inside] + width
        fits &= inside
    return _distinct(starts[fits] >> _SHIFT)
