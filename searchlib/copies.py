"""Near-duplicate keys for article bodies, so that copies of one wire dispatch can be grouped.

An agency dispatch reprinted by several outlets keeps its body almost word for word; what changes
is the edge: a new first line, a byline, a closing sentence, a corrected figure. Two different
stories about the same event share names and vocabulary but not long runs of words. So:

- **Normalisation** drops what outlets change without changing the story: case, accents
  (NFKD, combining marks removed, so "Élysée" and "Elysee" agree), punctuation and typography
  (apostrophes, quotes, non-breaking spaces), digits (updated tolls and times: "5 morts" → "7 morts")
  and words of fewer than 3 letters (elisions and articles that editors rephrase: "l'", "de", "la").
  It is done here with the standard library rather than :func:`searchlib.analysis.fold`, so that the
  keys stored in an index do not move when the search analyzer changes.
- **Word 5-grams (shingles)** rather than single words: a bag of words is shared by any two stories
  on one topic; runs of five words are shared almost only by copied text.
- **64-bit SimHash** (Charikar; Manku et al. 2007 used it for near-duplicate web pages with the same
  width and threshold): each distinct shingle votes on every bit with its ``blake2b`` digest, so a
  few changed shingles flip few bits. ``blake2b`` and not :func:`hash`: Python salts ``hash`` per
  process, and the keys must be the same in every run and on every machine.
- **Four bands of 16 bits**, stored as exact-match terms ("0:ab12"): when two hashes differ in at
  most 3 bits, at least one of the 4 bands is untouched (pigeonhole), so looking up the 4 band terms
  finds every candidate, and :func:`are_copies` then checks the full distance. A band shared by
  chance (1 in 65,536 per band) is rejected by that check.
- **No key under** :data:`MIN_WORDS` **words**: a short brief has too few shingles for its hash to mean
  anything, and short briefs on one event ("Le match est reporté") are alike without being copies.

Example::

    >>> h = simhash(text)                     # doctest: +SKIP
    >>> band_keys(h)                          # doctest: +SKIP
    ['0:3fa2', '1:9c01', '2:77e0', '3:0b5d']
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: Bodies with fewer normalised words than this get no key.
MIN_WORDS = 40
#: Words per shingle.
SHINGLE = 5
#: Hash width, number of bands, and the largest Hamming distance still counted as a copy.
BITS = 64
BANDS = 4
MAX_DISTANCE = 3

_BAND_BITS = BITS // BANDS
_BAND_MASK = (1 << _BAND_BITS) - 1
# Letters only (no digits, no underscore), at least 3 of them.
_WORD = re.compile(r"[^\W\d_]{3,}")


def words(text: str) -> list[str]:
    """The normalised words a key is computed from: "L'Élysée a dit" → ["elysee", "dit"]."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(stripped)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The distinct runs of ``size`` normalised words (all the words if there are fewer)."""
    ws = words(text)
    if len(ws) <= size:
        return {" ".join(ws)} if ws else set()
    return {" ".join(ws[i : i + size]) for i in range(len(ws) - size + 1)}


def simhash(text: str) -> int | None:
    """The 64-bit SimHash of a body's shingles, or ``None`` when it is too short to judge."""
    if len(words(text)) < MIN_WORDS:
        return None
    votes = [0] * BITS
    for shingle in shingles(text):
        value = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=BITS // 8).digest(), "big")
        for bit in range(BITS):
            votes[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(BITS) if votes[bit] > 0)


def band_keys(h: int | None) -> list[str]:
    """Exact-match index terms for a hash: band number and 16 bits in hex, ``["0:ab12", …]``.

    Empty for ``None``, so a body too short to judge is grouped with nothing.
    """
    if h is None:
        return []
    return [f"{band}:{h >> (band * _BAND_BITS) & _BAND_MASK:04x}" for band in range(BANDS)]


def distance(h1: int, h2: int) -> int:
    """Number of differing bits."""
    return (h1 ^ h2).bit_count()


def are_copies(h1: int | None, h2: int | None) -> bool:
    """Whether two bodies are copies of one text: hashes within :data:`MAX_DISTANCE` bits."""
    if h1 is None or h2 is None:
        return False
    return distance(h1, h2) <= MAX_DISTANCE
