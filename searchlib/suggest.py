""""Did you mean": a query with its misspelt words replaced by words the archive holds.

Candidates come from the words of the articles as written (folded, not stemmed: the ``spell``
field), so a suggestion is a word people can read, and accents never matter: "cyberataque" →
"cyberattaque", "Shangfou" → "Shangfu".
"""

from __future__ import annotations

import re

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
    maxdist = 1 if len(folded) < 6 else 2
    candidates = [
        (distance(folded, word), -frequency, word)
        for word in reader.terms_within(SPELL_FIELD, folded, maxdist, prefix=1)
        if word != folded and (frequency := reader.doc_frequency(SPELL_FIELD, word)) > own * MORE_FREQUENT
    ]
    return min(candidates)[2] if candidates else None


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
