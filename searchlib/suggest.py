""""Did you mean": a query with its misspelt words replaced by words the archive holds.

Candidates come from the words of the articles as written (folded, not stemmed: the ``spell``
field), so a suggestion is a word people can read, and accents never matter: "cyberataque" →
"cyberattaque", "Shangfou" → "Shangfu".
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from weakref import WeakKeyDictionary

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
from whoosh.reading import IndexReader

from .analysis import FRENCH_STOP_WORDS, fold
from .schema import SPELL_FIELD

#: A query finding fewer results than this gets a suggestion (when one finds more).
FEW_RESULTS = 3
#: A word the archive holds is still corrected when a close word is this many times as frequent.
MORE_FREQUENT = 20

# Words of the query that may be corrected: not field names (title:), field values (author:x),
# wildcards (cyber*), fuzzy terms (x~) or operators; at least three letters.
_CORRECTABLE = re.compile(r"(?<![\w:*?~])[^\W\d_]{3,}(?![\w:*?~])")
_OPERATORS = {"AND", "OR", "NOT", "ET", "OU", "SAUF", "ANDNOT", "ANDMAYBE", "TO"}


def corrected(text: str, reader: IndexReader) -> str | None:
    """``text`` with its misspelt words corrected, or None when no word needs it."""
    changed = False

    def correct(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group()
        folded = fold(word)
        if word in _OPERATORS or folded in FRENCH_STOP_WORDS:
            return word
        better = best_spelling(folded, reader)
        if better is None:
            return word
        changed = True
        return _cased_like(word, better)

    suggestion = _CORRECTABLE.sub(correct, text)
    return suggestion if changed else None


def best_spelling(folded: str, reader: IndexReader) -> str | None:
    """The closest, then most frequent, word of the archive for ``folded``, if it is a better one."""
    own = reader.doc_frequency(SPELL_FIELD, folded)
    if own * MORE_FREQUENT >= reader.doc_count_all():  # no word can be that much more frequent
        return None
    maxdist = 1 if len(folded) < 6 else 2
    candidates = [
        (edits, -frequency, word)
        for word in words_within(reader, folded, maxdist, more_frequent_than=own * MORE_FREQUENT)
        if word != folded
        and (edits := distance(folded, word)) <= maxdist
        and (frequency := reader.doc_frequency(SPELL_FIELD, word)) > own * MORE_FREQUENT
    ]
    return min(candidates)[2] if candidates else None


def words_within(reader: IndexReader, folded: str, maxdist: int, more_frequent_than: int = 0) -> set[str]:
    """The archive's words (``spell`` field) within ``maxdist`` edits of ``folded``, sharing its
    first letter; a swap of two neighbouring letters counts as one edit. With
    ``more_frequent_than``, words in that many articles or fewer may be left out.

    A Levenshtein automaton walks the archive's word list, held in memory once per reader
    (measured on OrangeSum: 126,000 words, 0.15 s to load from one segment, 0.6 s from 17),
    rather than the lexicon on disk segment by segment — 25 to 170 ms a word; only the words
    frequent enough to be suggested are walked when the word itself is in the archive. The
    automaton counts a swap as two edits, so the words one swap away are looked up as well.
    """
    tiers = _lexicon(reader)
    lexicon = next(words for floor, words in tiers if more_frequent_than >= floor)
    if not folded:
        return set()

    def at_or_after(text: str) -> str | None:
        i = bisect_left(lexicon, text)
        return lexicon[i] if i < len(lexicon) else None

    dfa = levenshtein_automaton(folded, maxdist, prefix=1).to_dfa()
    found = set(find_all_matches(dfa, at_or_after))
    for i in range(1, len(folded) - 1):  # never the first letter, as above
        swapped = folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :]
        if at_or_after(swapped) == swapped:
            found.add(swapped)
    return found


#: Word lists by article count: the words in more than each of these many articles.
_TIERS = (2000, 200, 20, 0)
_LEXICONS: WeakKeyDictionary[IndexReader, list[tuple[int, list[str]]]] = WeakKeyDictionary()
_LEXICONS_LOCK = threading.Lock()


def _lexicon(reader: IndexReader) -> list[tuple[int, list[str]]]:
    """``[(floor, words)]``: the sorted words of the ``spell`` field of ``reader`` in more than
    ``floor`` articles, for each floor of :data:`_TIERS`, largest first (cached while the reader
    lives). Frequencies count deleted articles, as ``reader.doc_frequency`` does."""
    with _LEXICONS_LOCK:
        tiers = _LEXICONS.get(reader)
    if tiers is None:
        frequency: dict[bytes, int] = {}
        for leaf, _ in reader.leaf_readers():
            if SPELL_FIELD in leaf.schema:
                for word, info in leaf.iter_field(SPELL_FIELD):
                    frequency[word] = frequency.get(word, 0) + info.doc_frequency()
        words = sorted((word.decode("utf-8"), count) for word, count in frequency.items())
        tiers = [(floor, [word for word, count in words if count > floor]) for floor in _TIERS]
        with _LEXICONS_LOCK:
            _LEXICONS[reader] = tiers
    return tiers


def distance(a: str, b: str) -> int:
    """Edits (insertion, deletion, substitution, swap of neighbours) turning ``a`` into ``b``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _cased_like(word: str, replacement: str) -> str:
    if word.isupper() and len(word) > 1:
        return replacement.upper()
    if word[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement
