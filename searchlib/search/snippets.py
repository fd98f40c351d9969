"""Snippets as data: fragments of the original text around the best matches, with match ranges.

Matching is done on analysed tokens (so ``pekin`` finds "Pékin"), but the snippet text and its
ranges come from the original, accented article text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..analysis import french as analysis
from ..models import Snippet

SNIPPET_CHARS = 200
MAX_FRAGMENTS = 3
# Matches closer than this many characters belong to the same fragment.
_CLUSTER_SPAN = 90
_ELLIPSIS = "…"


@dataclass
class _Cluster:
    start: int
    end: int
    matches: list[tuple[int, int, str]]

    @property
    def terms(self) -> set[str]:
        return {term for _, _, term in self.matches}


def make_snippet(text: str, terms: set[str], size: int = SNIPPET_CHARS) -> Snippet:
    """Up to three fragments of ``text`` (about ``size`` characters in all) showing ``terms``.

    When no word of ``text`` matches, the snippet is the opening of the text.
    """
    text = _single_spaced(text)
    matches = _matches(text, terms) if terms else []
    if not matches:
        return Snippet(_opening(text, size))
    chosen = _pick_clusters(_clusters(matches))
    budget = max(size // len(chosen), 60)
    windows = sorted(_window(text, cluster, budget) for cluster in chosen)
    return _join(text, windows, matches)


def marked(text: str, terms: set[str], written: frozenset[str] = frozenset()) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` ranges of the words of ``text`` (a title) whose index term is in
    ``terms``, or whose folded form is in ``written`` (the words of a query of common words)."""
    if not text:
        return ()
    if written:
        fold = analysis.fold
        return tuple(match.span() for match in analysis._WORD.finditer(text) if fold(match.group().lower()) in written)
    return tuple((start, end) for start, end, _ in _matches(text, terms)) if terms else ()


def matched_words(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of ``text`` whose French index term is in ``terms``
    (what a snippet highlights), in the order they come."""
    return _matches(text, terms)


def single_spaced(text: str) -> str:
    """``text`` with every run of white space one space, none at the ends."""
    return _single_spaced(text)


def _single_spaced(text: str) -> str:
    """``" ".join(text.split())``: every run of white space one space, none at the ends.

    Stored articles are paragraphs between blank lines: with their line breaks replaced, the text is
    usually single-spaced already, which three C scans check (half the time of splitting it into
    words and joining them). ``isprintable`` is false for every white space but the ASCII space."""
    spaced = text.replace("\n\n", " ").replace("\n", " ")
    if spaced.isprintable() and "  " not in spaced and not spaced.startswith(" ") and not spaced.endswith(" "):
        return spaced
    return " ".join(text.split())


def _matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of ``text`` whose French index term is in ``terms``.

    Only the words that may fold to one starting as a term does are looked at (see
    :func:`_word_starts`), and each distinct word is analysed once (cached): the same matches as
    running the whole analyzer over the text (``tests/search/test_snippets.py`` checks it), several
    times faster.
    """
    keys = _word_keys()
    # A French index term is the word folded with at most its last three letters replaced
    # (stemming and stop words only ever cut or change its end: "chevaux" → "cheval"): words
    # starting otherwise need no analysis, whose slow part is the stemmer.
    starts = tuple({term[: max(len(term) - _REPLACED, 1)] for term in terms})
    fold = analysis.fold
    analysed = analysis._analysed
    word_at = analysis._WORD.match
    found = []
    for at in _word_starts(text, starts):
        match = word_at(text, at)
        word = match.group()  # type: ignore[union-attr]
        key = keys.get(word)
        if key is None:
            if not fold(word.lower()).startswith(starts):
                continue
            key = keys[word] = analysed(word)[1] or ""
        if key in terms:
            found.append((at, match.end(), key))  # type: ignore[union-attr]
    return found


def _word_starts(text: str, starts: tuple[str, ...]) -> list[int]:
    """Where the words of ``text`` (as the French tokenizer cuts it) that may fold to a word
    starting with one of ``starts`` begin, ascending: a superset, checked word by word after.

    The text is folded letter by letter (:func:`_letters`). A word whose letters each fold to one
    letter folds as they do: it is found where the starts' first four letters are, at a word's
    start. A word holding another letter ("œ", "ß", Cyrillic) is always taken. Both are found by
    ``bytes.find``: scanning the text for candidate words with a regex cost 8 ns a character,
    most of a snippet's time."""
    data = _letters(text)
    spaced = b" " + data  # a word's start: where a space stands before it, at its own index
    # The first four letters at most: "prud'homme" and "aujourd'hui" fold without their
    # apostrophe, which the folded text keeps (as a space), after "prud" or "aujourd".
    found = set()
    for prefix in {start[:4].encode("ascii") for start in starts if start.isascii()}:
        found.update(_every(spaced, b" " + prefix))
    at = data.find(_MARK)
    while at >= 0:  # a word holding a letter folding otherwise: from its start
        found.add(data.rfind(b" ", 0, at) + 1)
        end = data.find(b" ", at)
        at = data.find(_MARK, end) if end >= 0 else -1
    if b"aujourd" in data or b"prud" in data:
        return _across_apostrophes(text, data, found)
    return sorted(found)


def _across_apostrophes(text: str, data: bytes, found: set[int]) -> list[int]:
    """``found`` but the starts inside the words the tokenizer reads across an apostrophe ("hui"
    of "aujourd'hui", "homme" of "prud'homme"), and with the starts right after one of those
    ("x" of "aujourd'huix": it ends there, wherever its letters do)."""
    spans = []
    end = -1
    for at in sorted(_every(data, b"aujourd") + _every(data, b"prud")):
        if at == end or (at > end and (at == 0 or data[at - 1] == _SPACE)):  # a word starts there
            match = analysis._WORD.match(text, at)
            if match is not None and any(mark in match.group() for mark in "'’"):
                spans.append((at, match.end()))
                end = match.end()
    if not spans:
        return sorted(found)
    after = {stop for _, stop in spans if stop < len(text) and text[stop].isalnum()}
    return sorted({at for at in found if not any(start < at < stop for start, stop in spans)} | after)


def _every(data: bytes, part: bytes) -> list[int]:
    """Where ``part`` stands in ``data``, each place."""
    places = []
    at = data.find(part)
    while at >= 0:
        places.append(at)
        at = data.find(part, at + 1)
    return places


def _letters(text: str) -> bytes:
    """Each character of ``text`` as one byte: the ASCII letter or digit it folds to, :data:`_MARK`
    for a letter or digit folding otherwise, :data:`_SPACE` for the rest."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    data = _fold_table().take(codes, mode="clip").tobytes()
    if _PAST not in data:
        return data
    letters = bytearray(data)
    for at in _every(data, bytes([_PAST])):  # past the table: rare
        letters[at] = _MARK if text[at].isalnum() else _SPACE
    return bytes(letters)


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """:func:`_letters`' table, by code point (the last entry is for every one past it): the
    letters and digits of the Latin blocks, the letters French text uses, each folded as
    :func:`~searchlib.analysis.french.fold` folds it in a word; the others only told apart."""
    table = np.full(_TABLE_END + 1, _PAST, dtype=np.uint8)
    for code in range(_TABLE_END):
        ch = chr(code)
        if not ch.isalnum():
            table[code] = _SPACE
            continue
        # Lower-cased first, as the analyzer folds a word: "Ʊ" alone folds to "y", "ʊ" to "u".
        folded = analysis.fold(ch.lower()) if code < 0x250 or 0x1E00 <= code < 0x1F00 else ""
        table[code] = ord(folded) if len(folded) == 1 and folded.isascii() else _MARK
    return table


# Word as written → its index term ("" for a stop word). Bounded: cleared when it grows past
# _MAX_WORDS.
_KEYS: dict[str, str] = {}
_MAX_WORDS = 300_000
# The most letters the Snowball French stemmer replaces at the end of a word ("aux" → "al").
_REPLACED = 3
# In a text folded letter by letter (:func:`_letters`): a letter or digit that folds to no single
# ASCII one, and anything else than a letter or digit.
_MARK = 1
_SPACE = ord(" ")
# What :func:`_fold_table` gives every code point past its end, looked up after.
_PAST = 2
# The code points :func:`_letters` looks up in a table: Latin, Greek, Cyrillic… and the
# punctuation of U+2000–U+20FF (’, «, —, …).
_TABLE_END = 0x2100


def _word_keys() -> dict[str, str]:
    """The word-key cache, emptied when it has grown too large."""
    if len(_KEYS) > _MAX_WORDS:
        _KEYS.clear()
    return _KEYS


def _opening(text: str, size: int) -> str:
    if len(text) <= size:
        return text
    return text[:size].rsplit(" ", 1)[0].rstrip(" ,;:") + _ELLIPSIS


def _clusters(matches: list[tuple[int, int, str]]) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    for start, end, term in matches:
        if clusters and end - clusters[-1].start <= _CLUSTER_SPAN:
            clusters[-1].end = end
            clusters[-1].matches.append((start, end, term))
        else:
            clusters.append(_Cluster(start, end, [(start, end, term)]))
    return clusters


def _pick_clusters(clusters: list[_Cluster]) -> list[_Cluster]:
    """Greedily the clusters that show the most query words not shown yet (earlier wins ties)."""
    terms = [cluster.terms for cluster in clusters]  # once: every pick weighs every cluster
    best = max(range(len(clusters)), key=lambda i: (len(terms[i]), len(clusters[i].matches), -clusters[i].start))
    chosen, shown = [best], set(terms[best])
    while len(chosen) < MAX_FRAGMENTS:
        gains = [(len(terms[i] - shown), -clusters[i].start, i) for i in range(len(clusters)) if i not in chosen]
        gains = [g for g in gains if g[0] > 0]
        if not gains:
            break
        _, _, i = max(gains, key=lambda g: (g[0], g[1]))
        chosen.append(i)
        shown |= terms[i]
    return [clusters[i] for i in chosen]


def _window(text: str, cluster: _Cluster, budget: int) -> tuple[int, int]:
    """Character range of about ``budget`` characters around ``cluster``, on word boundaries."""
    span = cluster.end - cluster.start
    before = max((budget - span) // 3, 15)
    start = max(cluster.start - before, 0)
    end = min(max(start + budget, cluster.end), len(text))
    if start > 0:
        space = text.find(" ", start, cluster.start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", cluster.end, end)
        end = space if space != -1 else end
    return start, end


def _join(text: str, windows: list[tuple[int, int]], matches: list[tuple[int, int, str]]) -> Snippet:
    merged: list[list[int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[str] = []
    highlights: list[tuple[int, int]] = []
    offset = 0
    for start, end in merged:
        prefix = _ELLIPSIS if start > 0 and not parts else (" " + _ELLIPSIS + " " if parts else "")
        parts.append(prefix)
        offset += len(prefix)
        for m_start, m_end, _ in matches:
            if start <= m_start and m_end <= end:
                highlights.append((offset + m_start - start, offset + m_end - start))
        parts.append(text[start:end])
        offset += end - start
    if merged[-1][1] < len(text):
        parts.append(_ELLIPSIS)
    return Snippet("".join(parts), tuple(highlights))
