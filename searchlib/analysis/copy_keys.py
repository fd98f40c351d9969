"""Near-duplicate keys for article bodies, so that copies of one wire dispatch can be grouped.

An agency dispatch reprinted by several outlets keeps its body almost word for word; what changes
is the edge: a new first line, a byline, a closing sentence, a corrected figure. Two different
stories about the same event share names and vocabulary but not long runs of words. So:

- **Normalisation** drops what outlets change without changing the story: case, accents
  (NFKD, combining marks removed, so "Élysée" and "Elysee" agree), punctuation and typography
  (apostrophes, quotes, non-breaking spaces), digits (updated tolls and times: "5 morts" → "7 morts")
  and words of fewer than 3 letters (elisions and articles that editors rephrase: "l'", "de", "la").
  It is done here with the standard library rather than :func:`searchlib.analysis.french.fold`, so that the
  keys stored in an index do not move when the search analyzer changes.
- **Word 5-grams (shingles)** rather than single words: a bag of words is shared by any two stories
  on one topic; runs of five words are shared almost only by copied text.
- **64-bit SimHash** (Charikar): each distinct shingle votes on every bit with its ``blake2b``
  digest, so a few changed shingles flip few bits. ``blake2b`` and not :func:`hash`: Python salts
  ``hash`` per process, and the keys must be the same in every run and on every machine.
- **Copies are within 7 bits, not 3.** Manku et al. (2007) used ≤ 3 for crawled web pages, which
  differ by a few words; a reprint differs by a whole new opening paragraph. Expected distance
  is 64·θ/π for an angle θ between the shingle sets: a tenth of new shingles already gives ~6. On
  OrangeSum (one outlet, its exact duplicates removed), ≤ 3 found 4 pairs; ≤ 7 found 22 — every
  one a version of the same text (≥ 87 % of the shorter body's shingles in the longer one), the
  16 within 3 days being edited versions of one dispatch. Unrelated bodies sit around 32 bits
  (σ ≈ 4); a chance pair within 7 bits is about 4·10⁻¹¹, a few per million-article archive.
- **Eight bands of 8 bits**, stored as exact-match terms ("0:ab"): when two hashes differ in at
  most 7 bits, at least one of the 8 bands is untouched (pigeonhole), so looking up the 8 band
  terms finds every candidate, and :func:`are_copies` then checks the full distance. The price of
  narrow bands is more candidates (each band is shared by 1/256 of the archive by chance); a
  distance check is one XOR and a popcount.
- **Dates are not checked here**: recycled explainers reuse a body weeks apart; the caller decides
  how close copies' dates must be (the benchmark's ``--dates-within``).
- **No key under** :data:`MIN_WORDS` **words**: a short brief has too few shingles for its hash to mean
  anything, and short briefs on one event ("Le match est reporté") are alike without being copies.

Two versions of the key (an index keeps the one it was created with: its manifest says which,
see :mod:`searchlib.backends.whoosh.manifest`; indexes without the entry use the first):

1. :func:`simhash`: normalised as above, each distinct shingle's ``blake2b`` digest. It cost a
   sixth of indexing (0.32 ms an article: the words split again, a digest per shingle).
2. :func:`word_simhash` (:data:`COPY_HASH_VERSION`, indexes created since): the words are the
   indexed text's own (:func:`searchlib.analysis.french.raw_words`, folded as the index folds them), each
   word of three letters or more without a digit keyed once per process by its ``blake2b`` digest
   (:func:`word_key`); a shingle's hash mixes its five words' keys (rotated by position, so word
   order counts; then SplitMix64's finaliser, so every bit depends on every word) and the vote runs
   on numpy arrays. The indexer takes the words it has already numbered for the text field
   (:class:`BodyKey`): 0.07 ms an article. Same statistics on OrangeSum (docs/wire-copies.md):
   unrelated bodies 32 bits apart (σ 4), 18 copy pairs within 7 bits where the first version finds
   22 (9 in both: a true copy near the threshold falls on either side by chance in both), every
   one a copy.

Example::

    >>> h = simhash(text)                     # doctest: +SKIP
    >>> band_keys(h)                          # doctest: +SKIP
    ['0:3f', '1:a2', '2:9c', '3:01', '4:77', '5:e0', '6:0b', '7:5d']
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
import unicodedata
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from .french import analysed, raw_words

#: Bodies with fewer normalised words than this get no key.
MIN_WORDS = 40
#: Words per shingle.
SHINGLE = 5
#: Hash width, number of bands, and the largest Hamming distance still counted as a copy.
BITS = 64
BANDS = 8
MAX_DISTANCE = 7

#: The key version new indexes are created with (see the module's docstring).
COPY_HASH_VERSION = 2

#: What grouping reads of a candidate: its SimHash (None when its body was too short) and its day
#: (any day count: only differences and order matter; None when undated).
CopyKey = tuple[int | None, int | None]

# Letters only (no digits, no underscore), at least 3 of them.
_WORD = re.compile(r"[^\W\d_]{3,}")
_DIGIT = re.compile(r"\d")


def words(text: str) -> list[str]:
    """The normalised words a key is computed from: "L'Élysée a dit" → ["elysee", "dit"]."""
    # Normalised whitespace-separated piece by piece, each distinct piece once per process: the
    # same words as normalising the whole text (whitespace is neither a letter nor a combining
    # mark, and decomposes to whitespace, so no word and no reordering of marks crosses it), in
    # half the time (most pieces repeat; str.translate with a table of 2,000 marks is slow).
    cache = _PIECES
    if len(cache) > _PIECES_LIMIT:
        cache.clear()
    found: list[str] = []
    extend = found.extend
    for piece in text.casefold().split():
        piece_words = cache.get(piece)
        if piece_words is None:
            piece_words = cache[piece] = _WORD.findall(unicodedata.normalize("NFKD", piece).translate(_combining_marks()))
        extend(piece_words)
    return found


#: Whitespace-separated pieces of text (case-folded) → their normalised words.
_PIECES: dict[str, list[str]] = {}
_PIECES_LIMIT = 300_000


def prepare() -> None:
    """Builds what every process computing keys needs, once, in a process about to fork its
    workers: each worker of each batch built its own table otherwise (50 ms apiece)."""
    _combining_marks()


@functools.cache
def _combining_marks() -> dict[int, None]:
    """A :meth:`str.translate` table deleting every combining mark (built once, in about 50 ms:
    a character-by-character test cost a third of an article's indexing time)."""
    return dict.fromkeys(c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c)))


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The distinct runs of ``size`` normalised words (all the words if there are fewer)."""
    return _shingles_of(words(text), size)


def _shingles_of(ws: list[Any], size: int) -> set[Any]:
    """The distinct runs of ``size`` words (str or bytes), joined by a space."""
    if not ws:
        return set()
    space = " " if isinstance(ws[0], str) else b" "
    if len(ws) <= size:
        return {space.join(ws)}
    return set(map(space.join, zip(*(ws[k:] for k in range(size)))))


def simhash(text: str) -> int | None:
    """The 64-bit SimHash of a body's shingles, or ``None`` when it is too short to judge."""
    ws = words(text)
    if len(ws) < MIN_WORDS:
        return None
    blake2b = hashlib.blake2b
    # Shingles of the words' UTF-8 bytes: the same distinct shingles and digests as hashing each
    # shingle's encoded string, without encoding every shingle (a word is in five of them).
    encoded = [word.encode() for word in ws]
    digests = b"".join([blake2b(s, digest_size=BITS // 8).digest() for s in _shingles_of(encoded, SHINGLE)])
    # The vote, every bit of every digest at once: a row of 64 bits per shingle, counted by
    # column (eight times faster than counting each bit of each digest byte with bytes.translate).
    rows = np.frombuffer(digests, dtype=np.uint8).reshape(-1, BITS // 8)
    ones = np.unpackbits(rows, axis=1, bitorder="little").sum(axis=0, dtype=np.int64)
    voted = np.packbits(ones * 2 > len(rows), bitorder="little")
    return int.from_bytes(voted.tobytes(), "big")


def band_keys(h: int | None, bands: int = BANDS) -> list[str]:
    """Exact-match index terms for a hash: band number and its bits in hex, ``["0:ab12", …]``.

    Empty for ``None``, so a body too short to judge is grouped with nothing. Bodies within
    ``max_distance`` bits share a key whenever ``bands > max_distance``.
    """
    if BITS % bands:
        raise ValueError(f"bands must divide {BITS}, not {bands}")
    if h is None:
        return []
    width = BITS // bands
    mask = (1 << width) - 1
    digits = (width + 3) // 4
    return [f"{band}:{h >> (band * width) & mask:0{digits}x}" for band in range(bands)]


def distance(h1: int, h2: int) -> int:
    """Number of differing bits."""
    return (h1 ^ h2).bit_count()


def are_copies(h1: int | None, h2: int | None, max_distance: int = MAX_DISTANCE) -> bool:
    """Whether two bodies are copies of one text: hashes within ``max_distance`` bits."""
    if h1 is None or h2 is None:
        return False
    return distance(h1, h2) <= max_distance


# -- version 2: keys from the indexed words ---------------------------------------------------

#: SplitMix64's finaliser constants, and the rotation of each word of a shingle by its position.
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_SHIFTS = [np.uint64(n) for n in (30, 27, 31)]
_ROTATIONS = [(np.uint64(13 * k), np.uint64(64 - 13 * k)) for k in range(1, SHINGLE)]


def word_key(folded: str) -> int:
    """A word's 64-bit key (never 0), or 0 for a word a key ignores: under three characters, or
    holding a digit (updated tolls and times: "5 morts" → "7 morts")."""
    if len(folded) < 3 or _DIGIT.search(folded):
        return 0
    return int.from_bytes(hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest(), "little") or 1


def word_simhash(text: str) -> int | None:
    """Version 2 of the key (see the module's docstring) for a body, or ``None`` when too short."""
    keys = _KEYS
    if len(keys) > _PIECES_LIMIT:
        keys.clear()
    found = array("Q")
    for word in raw_words(text):
        key = keys.get(word)
        if key is None:
            key = keys[word] = word_key(analysed(word)[0])
        found.append(key)
    return simhash_of_keys(np.frombuffer(found, dtype=np.uint64))


#: Raw word → its key (see word_simhash).
_KEYS: dict[str, int] = {}


def simhash_of_keys(keys: np.ndarray) -> int | None:
    """The version-2 SimHash of a body's word keys, in order (0 for a word left out)."""
    keys = keys[keys != 0]
    if len(keys) < MIN_WORDS:
        return None
    count = len(keys) - SHINGLE + 1
    shingles = keys[:count].copy()
    for k, (left, right) in enumerate(_ROTATIONS, 1):
        word = keys[k : k + count]
        shingles ^= (word << left) | (word >> right)
    shift1, shift2, shift3 = _SHIFTS
    shingles ^= shingles >> shift1
    shingles *= _MIX1
    shingles ^= shingles >> shift2
    shingles *= _MIX2
    shingles ^= shingles >> shift3
    shingles.sort()
    distinct = shingles[np.concatenate(([True], shingles[1:] != shingles[:-1]))]
    # Bit i of the hash is bit i of the little-endian value, whatever the machine's byte order.
    rows = distinct.astype("<u8").view(np.uint8).reshape(-1, BITS // 8)
    ones = np.unpackbits(rows, axis=1, bitorder="little").sum(axis=0, dtype=np.int64)
    voted = np.packbits(ones * 2 > len(distinct), bitorder="little")
    return int.from_bytes(voted.tobytes(), "little")


@dataclass(frozen=True)
class BodyKey:
    """A body's version-2 key, to be computed where the body is indexed: the body is the end of
    the text field ``field``, after the words of ``before``. :class:`searchlib.backends.whoosh.bulkwrite.BulkWriter`
    reads the body's word keys from the words it numbered for that field; called, it computes the
    key from the body alone (:func:`word_simhash`), the same value."""

    body: str
    field: str
    before: str

    def __call__(self) -> int | None:
        return word_simhash(self.body)

    def skip(self) -> int:
        """How many of the field's words come before the body."""
        return len(raw_words(self.before))
