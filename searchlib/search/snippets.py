"""Snippets as data: fragments of the original text around the best matches, with match ranges.

Matching is done on analysed tokens (so ``pekin`` finds "Pékin"), but the snippet text and its
ranges come from the original, accented article text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

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

    The words are found with the French tokenizer's pattern in one regex scan, and each distinct
    word is analysed once (cached): the same matches as running the whole analyzer over the text
    (``tests/search/test_snippets.py`` checks it), several times faster.
    """
    keys = _word_keys()
    # A French index term is the word folded with at most its last three letters replaced
    # (stemming and stop words only ever cut or change its end: "chevaux" → "cheval"): words
    # starting otherwise need no analysis, whose slow part is the stemmer.
    starts = tuple({term[: max(len(term) - _REPLACED, 1)] for term in terms})
    fold = analysis.fold
    analysed = analysis._analysed
    found = []
    for match in _candidates(frozenset(start[0] for start in starts)).finditer(text):
        word = match.group()
        key = keys.get(word)
        if key is None:
            if not fold(word.lower()).startswith(starts):
                continue
            key = keys[word] = analysed(word)[1] or ""
        if key in terms:
            found.append((match.start(), match.end(), key))
    return found


# Word as written → its index term ("" for a stop word). Bounded: cleared when it grows past
# _MAX_WORDS.
_KEYS: dict[str, str] = {}
_MAX_WORDS = 300_000
# The most letters the Snowball French stemmer replaces at the end of a word ("aux" → "al").
_REPLACED = 3


@lru_cache(maxsize=256)
def _candidates(firsts: frozenset[str]) -> re.Pattern[str]:
    """The words of the French tokenizer (``analysis._WORD``) that may fold to a word starting with
    one of ``firsts`` (folded first letters): the regex skips the others in C. A superset: any letter
    outside the Latin blocks may fold to anything, and Python checks every candidate.

    The pattern starts with one character class, its first letter, and checks the word boundary
    behind it: the regex engine then jumps from one possible first letter to the next in its fast
    loop (with the boundary check in front it tried the whole pattern at every character: twice as
    slow). The class is negated, "no character of the Latin blocks but these letters", because a
    class naming the other scripts' ranges took 3 ms to compile."""
    if not all(first.isascii() and first.isalnum() for first in firsts):
        return analysis._WORD
    letters = {ch for ch, first in _LATIN_FIRSTS.items() if first in firsts or not first}
    if "h" in firsts:  # "aujourd'hui" and "prud'homme" are one word each: "hui" alone is none
        letters |= set("aApP")
    others = _ranges(code for code in _LATIN_BLOCKS if chr(code) not in letters)
    return re.compile(
        rf"[^{others}](?<![^\W_][\s\S])(?<=[^\W_])"
        r"(?:(?<=[aA])(?i:ujourd['’]hui)|(?<=[pP])(?i:rud['’]hom)\w*|[^\W_]*)"
    )


def _ranges(codes: Iterable[int]) -> str:
    """Ascending code points as the inside of a regex character class, runs written as ranges."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last in runs
    )


# Latin, Latin-1, Latin Extended A and B, Latin Extended Additional: the letters French text uses.
_LATIN_BLOCKS = (*range(0x250), *range(0x1E00, 0x1F00))


def _latin_firsts() -> dict[str, str]:
    """Each letter or digit of the Latin blocks → the first letter it folds to ("" when it folds
    to nothing ASCII: such a letter is a candidate for every query)."""
    firsts = {}
    for code in _LATIN_BLOCKS:
        ch = chr(code)
        if ch.isalnum():
            folded = analysis.fold(ch)[:1]
            firsts[ch] = folded if folded.isascii() and folded.isalnum() else ""
    return firsts


_LATIN_FIRSTS = _latin_firsts()


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
