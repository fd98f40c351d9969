""""Did you mean": a query with its misspelt words replaced by words the archive holds.

Candidates come from the words of the articles as written (folded, not stemmed: the archive's
:class:`~searchlib.analysis.vocabulary.Vocabulary`), so a suggestion is a word people can read, and accents never matter: "cyberataque" →
"cyberattaque", "Shangfou" → "Shangfu".
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace

from ..analysis.french import FRENCH_STOP_WORDS, fold, terms
from . import tree
from .fields import EXACT_FIELDS, TEXT_FIELDS
from ..analysis.vocabulary import Vocabulary

#: A query finding fewer results than this gets a suggestion (when one finds more).
FEW_RESULTS = 3
#: A word the archive holds is still corrected when a close word is this many times as frequent.
MORE_FREQUENT = 20
#: Shortest word (folded) that a query searches under its closest spelling too when no article
#: holds it: shorter words have too many neighbours one edit away.
ALTERNATIVE_MIN_LETTERS = 5

# Words of the query that may be corrected: not field names (title:), field values (author:x),
# wildcards (cyber*), fuzzy terms (x~) or operators; at least three letters.
_CORRECTABLE = re.compile(r"(?<![\w:*?~])[^\W\d_]{3,}(?![\w:*?~])")
_OPERATORS = {"AND", "OR", "NOT", "ET", "OU", "SAUF", "ANDNOT", "ANDMAYBE", "TO"}


def corrected(text: str, vocabulary: Vocabulary) -> str | None:
    """``text`` with its misspelt words corrected, or None when no word needs it."""
    changed = False

    def correct(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group()
        folded = fold(word)
        if word in _OPERATORS or folded in FRENCH_STOP_WORDS:
            return word
        better = best_spelling(folded, vocabulary)
        if better is None:
            return word
        changed = True
        return _cased_like(word, better)

    suggestion = _CORRECTABLE.sub(correct, text)
    return suggestion if changed else None


def with_spelling_alternatives(
    q: tree.Node, parsed_from: str, holds: Callable[[str], bool], vocabulary: Callable[[], Vocabulary]
) -> tuple[tree.Node, list[str]]:
    """``q`` with each word that no article holds (``holds(term)`` is false) also searched as its
    closest spelling in the archive (``Strutthof`` → ``Stutthof`` too), with a notice for each;
    ``parsed_from`` is the text the terms' character ranges point into.

    The word is also searched as the archive writes it in the fields of words as written
    (``text_words``: "candidatrue" → "candidature", not only the stem), and the order-free bonuses
    (:class:`~searchlib.search.tree.Near`) are for the words respelt: the slip stands nowhere.

    Only when the query has other words that the archive holds: a query whose words all miss finds
    nothing, and gets a "did you mean" with its count instead. The word matched nothing, so
    adding its spelling takes no result away; a quoted word is left as it is.
    """
    words = [node for node in _text_terms(q) if node.field == "text"]  # the title's are the same
    held = {node.text: holds(node.text) for node in words}
    if all(held.values()) or not any(held.values()):
        return q, []
    spellings: dict[str, str | None] = {}  # term → the term of its spelling in the archive
    written_as: dict[str, str] = {}  # the word as typed (folded) → its spelling, as written
    notices: list[str] = []
    for node in words:
        if held[node.text] or node.text in spellings or _quoted(node, parsed_from):
            continue
        written = re.split(r"['’]", parsed_from[node.start : node.end])[-1]
        folded = fold(written.lower())
        better = best_spelling(folded, vocabulary()) if len(folded) >= ALTERNATIVE_MIN_LETTERS else None
        analysed = terms(better) if better else []
        spellings[node.text] = analysed[0] if len(analysed) == 1 else None
        if spellings[node.text]:
            written_as[folded] = better  # type: ignore[assignment]
            notices.append(f'no article holds "{written}": searched for "{better}" as well')
    if not any(spellings.values()):
        return q, []

    def widen(node: tree.Node) -> tree.Node:
        if type(node) is tree.Term and node.field in TEXT_FIELDS and spellings.get(node.text):
            return tree.Or((node, tree.Term(node.field, spellings[node.text], boost=node.boost)))  # type: ignore[arg-type]
        if type(node) is tree.Term and node.field in EXACT_FIELDS and node.text in written_as:
            return tree.Or((node, tree.Term(node.field, written_as[node.text], boost=node.boost)))
        if type(node) is tree.Near and any(spellings.get(word) for word in node.words):
            # The words no article holds stand nowhere: the bonus is for the words respelt.
            respelt = sorted({spellings.get(word) or word for word in node.words})
            return replace(node, words=tuple(respelt))
        if isinstance(node, tree.AndNot):
            return tree.AndNot(widen(node.positive), node.negative)  # what is excluded stays as written
        if isinstance(node, (tree.Or, tree.And)):
            return replace(node, children=tuple(widen(child) for child in node.children))
        if isinstance(node, tree.AndMaybe):
            return tree.AndMaybe(widen(node.required), widen(node.optional))
        return node

    return tree.normalized(widen(q)), notices


def _quoted(node: tree.Term, parsed_from: str) -> bool:
    """Whether the word is quoted (``"Strutthof"``: searched as written), or its place is unknown."""
    return node.start is None or parsed_from[node.start - 1 : node.start] == '"'


def _text_terms(q: tree.Node) -> list[tree.Term]:
    """The plain word terms of the text fields that ``q`` looks for (not phrases, patterns, fuzzy
    terms, or words it excludes)."""
    if type(q) is tree.Term:
        return [q] if q.field in TEXT_FIELDS else []
    if isinstance(q, tree.AndNot):
        return _text_terms(q.positive)
    if isinstance(q, tree.Not):
        return []
    return [leaf for child in tree.children(q) for leaf in _text_terms(child)]


def best_spelling(folded: str, vocabulary: Vocabulary) -> str | None:
    """The closest, then most frequent, word of the archive for ``folded``, if it is a better one."""
    own = vocabulary.frequency(folded)
    if own * MORE_FREQUENT >= vocabulary.articles:  # no word can be that much more frequent
        return None
    maxdist = 1 if len(folded) < 6 else 2
    candidates = [
        (edits, -frequency, word)
        for word in words_within(vocabulary, folded, maxdist, more_frequent_than=own * MORE_FREQUENT)
        if word != folded
        and (edits := distance(folded, word)) <= maxdist
        and (frequency := vocabulary.frequency(word)) > own * MORE_FREQUENT
    ]
    return min(candidates)[2] if candidates else None


#: A fuzzy word is searched as at most this many of the archive's words (its most frequent ones).
MAX_FUZZY_WORDS = 200


def fuzzy_stems(vocabulary: Vocabulary, folded: str, maxdist: int, prefix: int, limit: int = MAX_FUZZY_WORDS) -> tuple[list[str], int]:
    """What a fuzzy word of the text (``cyberataque~``) is searched as, on every engine: the index
    terms of the archive's words as written within ``maxdist`` edits of ``folded`` sharing its
    first ``prefix`` letters (so every form of each: "cyberattaque" finds "cyberattaques"), from the
    ``limit`` most frequent of those words; and how many words there were."""
    words = words_within(vocabulary, folded, maxdist, prefix=prefix)
    named = len(words)
    if named > limit:
        words = set(heapq.nlargest(limit, words, key=vocabulary.frequency))
    return sorted({term for word in words for term in terms(word)}), named


def words_within(
    vocabulary: Vocabulary, folded: str, maxdist: int, more_frequent_than: int = 0, prefix: int = 1
) -> set[str]:
    """The archive's words within ``maxdist`` edits of ``folded``, sharing its first ``prefix``
    letters; a swap of two neighbouring letters counts as one edit. With ``more_frequent_than``,
    words in that many articles or fewer may be left out.

    The archive's sorted word list (126,000 words on OrangeSum), held in memory, is cut to the
    words starting with the prefix, and their Levenshtein distance to ``folded`` computed in C
    (rapidfuzz); only the words frequent enough to be suggested are read when the word itself is in
    the archive. Levenshtein counts a swap as two edits, so the words one swap away are looked up
    as well.
    """
    if not folded:
        return set()
    # Imported here: most searches never look for a spelling, and rapidfuzz is 7 MB in memory.
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import extract

    words = vocabulary.words(more_frequent_than)
    head = folded[:prefix]
    first, last = bisect_left(words, head), bisect_left(words, head + _AFTER_EVERY_LETTER)
    candidates = [word for word in words[first:last] if abs(len(word) - len(folded)) <= maxdist]
    found = {word for word, _, _ in extract(folded, candidates, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None)}
    for i in range(prefix, len(folded) - 1):  # never within the prefix, as above
        swapped = folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :]
        if vocabulary.at_or_after(swapped, more_frequent_than) == swapped:
            found.add(swapped)
    return found


# Sorts after any word that starts with the same letters.
_AFTER_EVERY_LETTER = chr(0x10FFFF)


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
