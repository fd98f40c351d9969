"""French text analysis: the same chain for documents and queries.

tokenise (splitting elisions and hyphens) → lower-case → fold accents → drop stop words → stem.

Folding comes *before* stemming so that an accented word and the same word typed without accents
reach the stemmer as the same string: "sécurité" and "securite" both become ``securit``. (Stemming
first would give ``secur`` for one and ``securit`` for the other.)

These are the rules, as plain functions on words; an engine applies them its own way (the Whoosh
index through the analyzer classes of ``searchlib.backends.whoosh.analyzer``, which it pickles).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from unidecode import unidecode

from .stemmer import french_stem

#: Bump when a change to the analysis changes the indexed terms: old indexes must be rebuilt.
ANALYZER_VERSION = 1

# A word is a run of letters/digits; apostrophes and hyphens separate words ("l'Asean" → l, Asean;
# "États-Unis" → États, Unis), except in the few words where the apostrophe belongs to the word.
_WORD = re.compile(r"aujourd['’]hui|prud['’]hom\w*|[^\W_]+", re.IGNORECASE)

# Elided articles, pronouns and conjunctions ("l'", "qu'", "jusqu'"…) end up as separate tokens
# and are listed here, as are the words that carry no topic. Stored folded (no accents).
FRENCH_STOP_WORDS = frozenset(
    """
    a ai aie aient aies ait au aux avaient avais avait avec avez aviez avions avons ayant
    c ca ce ceci cela celle celles celui ces cet cette ceux chacun chez comme
    d dans de des du donc dont elle elles en entre es est et etaient etais etait etant
    etes etiez etions eu eue eues eurent eus eut furent fut ici il ils
    j je jusqu l la laquelle le lequel les lesquelles lesquels leur leurs lors lorsqu lui
    m ma mais me meme memes mes moi mon n ne ni nos notre nous on ont ou par parce pas pour
    puisqu qu quand que quel quelle quelles quels qui quoi quoiqu
    s sa sans se ses si soi soit sommes son sont sous suis sur t ta te tes toi ton tu
    un une unes uns vos votre vous y
    combien comment pourquoi
    """.split()
)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case ASCII spelling of a word: "Pékin" → "pekin", "œuvre" → "oeuvre", "opioïde" → "opioide".

    Used per token, never on stored text, so highlight offsets still point into the original.
    """
    if word.isascii() and word.isalnum():
        return word.lower()
    folded = unidecode(unicodedata.normalize("NFC", word)).lower()
    folded = "".join(ch for ch in folded if ch.isalnum())
    # Scripts unidecode cannot spell in ASCII keep their own (lower-cased) letters.
    return folded or word.lower()


_WILDCARD_PART = re.compile(r"([*?]+)")


def is_pattern(text: str) -> bool:
    """Wildcard query text (``cyber*``, ``p?kin``) reaches the analyzer whole, untokenised."""
    return "*" in text or "?" in text


def fold_pattern(pattern: str) -> str:
    """Folds the words of a wildcard pattern and keeps its ``*`` and ``?``: "pék*" → "pek*"."""
    return "".join(part if is_pattern(part) else fold(part) for part in _WILDCARD_PART.split(pattern) if part)


def fold_token(text: str) -> str:
    """A token's text folded: a word (:func:`fold`), or a wildcard pattern (:func:`fold_pattern`)."""
    return fold_pattern(text) if is_pattern(text) else fold(text)


def content_word(folded: str) -> bool:
    """Whether a folded word is indexed: not a stop word, not longer than :data:`MAX_TERM`."""
    return 1 <= len(folded) <= MAX_TERM and folded not in FRENCH_STOP_WORDS


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball French on a folded word; most words repeat, so the result is cached."""
    return french_stem(word)


# -- indexing without the token stream ------------------------------------------------------
#
# Indexing runs every word of every article through the chain above, one generator per part per
# word. Most words repeat, so the fast path below looks each distinct word up once per process and
# then counts terms in one loop. Its output is the chain's, exactly (tests/backends/whoosh/test_schema.py checks
# it on the samples): the chain stays what queries, snippets and the pickled schema use.

#: Longest folded word the French chain keeps (its StopFilter's ``maxsize``).
MAX_TERM = 64
#: Distinct words remembered per process before the caches start again (about 100 MB at worst).
_CACHE_LIMIT = 400_000
# Raw word → (folded word, index term or None for a stop word). Module-level, so never pickled
# with an analyzer; each indexing process fills its own.
_WORDS: dict[str, tuple[str, str | None]] = {}


def _analysed(word: str) -> tuple[str, str | None]:
    """(folded, French term) of one raw word, as the two analyzers' chains compute them."""
    folded = fold(word.lower())
    term = None if len(folded) > MAX_TERM or folded in FRENCH_STOP_WORDS else stem(folded)
    if len(_WORDS) >= _CACHE_LIMIT:
        _WORDS.clear()
    _WORDS[word] = (folded, term)
    return folded, term


def learned_since(size: int) -> dict[str, tuple[str, str | None]]:
    """The words analysed since the cache held ``size`` of them (see :func:`learned_words`)."""
    if size > len(_WORDS):  # emptied since: everything it holds is new
        size = 0
    return dict(islice(_WORDS.items(), size, None))


def learned_words() -> int:
    """How many words this process has analysed and remembers: a worker process that starts with
    its parent's memory reports :func:`learned_since` this count to the parent, which
    :func:`learn` s them, so that the next worker it forks does not analyse them again."""
    return len(_WORDS)


def learn(analysed: dict[str, tuple[str, str | None]]) -> None:
    """Remembers words analysed by another process (see :func:`learned_words`)."""
    if len(_WORDS) + len(analysed) > _CACHE_LIMIT:
        _WORDS.clear()
    _WORDS.update(analysed)


def analysed(word: str) -> tuple[str, str | None]:
    """(folded word, index term or None for a stop word) of one raw word, remembered."""
    return _WORDS.get(word) or _analysed(word)


def words_in(value: str) -> Iterator[re.Match[str]]:
    """The words of ``value`` as the French tokenizer splits it, with where each is."""
    return _WORD.finditer(value)


def raw_words(value: str) -> list[str]:
    """The words of ``value`` as the French tokenizer splits it (one position each)."""
    return _WORD.findall(value)


def french_positions(value: str) -> dict[str, list[int]]:
    """Each index term of ``value`` with its positions, as :func:`french_analyzer` gives them at
    index time: stop words take no position (Whoosh's StopFilter renumbers after the first kept word).

    >>> french_positions("Les sécurités de Pékin")
    {'securit': [1], 'pekin': [2]}
    """
    return french_positions_and_words(value)[0]


def french_positions_and_words(value: str) -> tuple[dict[str, list[int]], set[str]]:
    """:func:`french_positions` and :func:`folded_words` of ``value`` from one pass over its words
    (indexing counts the words of the text it indexes: a second pass was a tenth of the work).

    >>> positions, words = french_positions_and_words("Les sécurités de Pékin")
    >>> positions, sorted(words)
    ({'securit': [1], 'pekin': [2]}, ['de', 'les', 'pekin', 'securites'])
    """
    words = _WORDS
    analysed = _analysed
    positions: dict[str, list[int]] = {}
    folded: set[str] = set()
    add_folded = folded.add
    pos = -1
    for index, word in enumerate(_WORD.findall(value)):
        entry = words.get(word) or analysed(word)
        add_folded(entry[0])
        term = entry[1]
        if term is None:
            continue
        pos = index if pos < 0 else pos + 1
        found = positions.get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)
    return positions, folded


def folded_words(value: str) -> set[str]:
    """The distinct words of ``value`` as :func:`name_analyzer` gives them (folded, not stemmed).

    >>> sorted(folded_words("Pékin et Pékin"))
    ['et', 'pekin']
    """
    words = _WORDS
    analysed = _analysed
    return {(words.get(word) or analysed(word))[0] for word in _WORD.findall(value)}


def folded_content_words(value: str) -> dict[str, int]:
    """Each word of ``value`` as :func:`folded_analyzer` gives it at index time, with its count.

    >>> folded_content_words("Les élections et les élections")
    {'elections': 2}
    """
    counts: dict[str, int] = {}
    for word in _WORD.findall(value):
        folded, term = analysed(word)
        if term is not None:
            counts[folded] = counts.get(folded, 0) + 1
    return counts


def terms(text: str) -> list[str]:
    """The index terms of ``text`` under the French analysis, in order (stop words left out).

    >>> terms("Les sécurités de Pékin")
    ['securit', 'pekin']
    """
    words = _WORDS
    analysed = _analysed
    return [term for word in _WORD.findall(text) if (term := (words.get(word) or analysed(word))[1]) is not None]


