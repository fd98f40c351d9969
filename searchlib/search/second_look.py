"""A second look at the best-ranked articles of a search, with what BM25F does not see.

BM25F scores each query word on its own. A question is usually written from one sentence of the
article that answers it, and a word is often typed in another form than the article's. For the
:data:`~searchlib.search.ranking.RERANK_DEPTH` best articles this module adds, each weighed by the
words' IDF:

- **nearby**: the most weight of distinct query words found within
  :data:`~searchlib.search.ranking.NEARBY_WIDTH` consecutive indexed words (stop words take no position);
- **adjacent**: the weight of each pair of query words standing side by side, in either order;
- **forms**: the weight of the query words the article holds in a form sharing its first
  :data:`~searchlib.search.ranking.FORM_LETTERS` letters ("villageois" and "village", which Snowball
  stems apart), or exactly as typed for a shorter word ("Tours" holds "tours", not only "tour");
  the text is read for the first :data:`~searchlib.search.ranking.FORMS_READ_DEPTH` only, and past them a
  form is taken as held where the word's stem is (for :data:`~searchlib.search.ranking.UNREAD_FORM_SHARE`
  of its weight).

Measured in docs/history/relevance-log.md (#66–#73): PIAF 0.7807 → 0.8028, Wikinews entities 0.9086 → 0.9180.
The ordering of the articles past the first RERANK_DEPTH does not change, so pages stay stable.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import ranking
from ..analysis.french import analysed, raw_words
from . import tree


@dataclass(frozen=True)
class QueryWord:
    """A word of the query as the index holds it (``stem``), as typed (``folded``), and its IDF."""

    stem: str
    folded: str
    weight: float

    @property
    def form(self) -> bytes:
        """What an article's word must start with (a short word: be) to hold this word's form."""
        return self.folded[: ranking.FORM_LETTERS].encode("ascii", "replace")

    @property
    def whole(self) -> bool:
        return len(self.folded) < ranking.FORM_LETTERS

    @property
    def stem_shows_form(self) -> bool:
        """Whether an article holding the stem holds the form: its words start with the stem."""
        return len(self.stem) >= ranking.FORM_LETTERS and self.stem.startswith(self.folded[: ranking.FORM_LETTERS])


def query_words(q: tree.Node, typed: str, idf: Callable[[str], float]) -> list[QueryWord]:
    """The words of ``typed`` that ``q`` searches in the text (not negated), each once, sorted (the
    order they were typed in changes nothing)."""
    searched: set[str] = set()
    for leaf in tree.positive_leaves(q):
        if isinstance(leaf, tree.Term) and leaf.field == "text":
            searched.add(leaf.text)
        elif isinstance(leaf, tree.Phrase) and leaf.field == "text":  # "pieds-noirs" is one
            searched.update(leaf.words)
    words: dict[str, QueryWord] = {}
    for raw in raw_words(typed):
        folded, stem = analysed(raw)
        if stem is not None and stem in searched and stem not in words:
            words[stem] = QueryWord(stem, folded, idf(stem))
    return [words[stem] for stem in sorted(words)]


def rerank(
    top: Sequence[tuple[int, float]],
    words: Sequence[QueryWord],
    holding: Callable[[str, list[int]], set[int]],
    positions: Callable[[str, list[int]], dict[int, list[int]]],
    text: Callable[[int], str],
) -> list[tuple[int, float]]:
    """``top`` (best first) with its first RERANK_DEPTH articles scored again and reordered.

    ``holding(stem, docnums)`` tells which of the articles hold a word, ``positions(stem,
    docnums)`` where each holds it in its text, and ``text(docnum)`` is an article's stored text.
    """
    depth = min(ranking.RERANK_DEPTH, len(top))
    if not words or depth < 2:
        return list(top)
    docs = [docnum for docnum, _ in top[:depth]]
    holders = [holding(word.stem, docs) for word in words]
    # Where the words stand matters only in an article holding two of them or more: the others
    # get one token position for the word they hold (the measures only see that it is there).
    several = {docnum for docnum in docs if sum(docnum in held for held in holders) > 1}
    where = [positions(word.stem, [docnum for docnum in docs if docnum in several and docnum in held])
             for word, held in zip(words, holders)]
    rescored = []
    for rank, (docnum, score) in enumerate(top[:depth]):
        if docnum in several:
            held = [found.get(docnum, ()) for found in where]
        else:
            held = [_ANYWHERE if docnum in found else () for found in holders]
        # Past the first page the text is not read (the page's hits are, to be shown): the forms
        # are told by the stems held.
        folded = (lambda: folded_bytes(text(docnum))) if rank < ranking.FORMS_READ_DEPTH else None
        bonus = (
            ranking.NEARBY_BOOST * nearby_weight(held, words, ranking.NEARBY_WIDTH)
            + ranking.ADJACENT_BOOST * adjacent_weight(held, words)
            + ranking.FORM_BOOST * forms_weight(held, words, folded)
        )
        rescored.append((score + bonus, -rank, docnum))
    rescored.sort(reverse=True)
    return [(docnum, score) for score, _, docnum in rescored] + list(top[depth:])


_ANYWHERE = (0,)


def nearby_weight(held: Sequence[Sequence[int]], words: Sequence[QueryWord], width: int) -> float:
    """The most weight of distinct words within ``width`` consecutive positions."""
    found = sorted((position, i) for i, positions in enumerate(held) for position in positions)
    best = current = 0.0
    inside = [0] * len(words)
    first = 0
    for position, i in found:
        if not inside[i]:
            current += words[i].weight
        inside[i] += 1
        while found[first][0] <= position - width:
            gone = found[first][1]
            inside[gone] -= 1
            if not inside[gone]:
                current -= words[gone].weight
            first += 1
        best = max(best, current)
    return best


def adjacent_weight(held: Sequence[Sequence[int]], words: Sequence[QueryWord]) -> float:
    """The weight of each pair of query words found side by side, in either order (the lighter
    word of the pair)."""
    total = 0.0
    for i in range(len(words)):
        if not held[i]:
            continue
        beside = {position + step for position in held[i] for step in (-1, 1)}
        for j in range(i + 1, len(words)):
            if held[j] and not beside.isdisjoint(held[j]):
                total += min(words[i].weight, words[j].weight)
    return total


def forms_weight(
    held: Sequence[Sequence[int]], words: Sequence[QueryWord], folded: Callable[[], bytes] | None
) -> float:
    """The weight of the words whose form (see :class:`QueryWord`) an article holds, each form
    once. ``held`` are the words' positions in the article and ``folded()`` its text as
    :func:`folded_bytes` gives it, read only for the words the positions cannot tell about; with
    no ``folded``, a word's form is taken as held where its stem is, for UNREAD_FORM_SHARE of its
    weight."""
    total = 0.0
    seen = set()
    text = None
    for word, positions in zip(words, held):
        form = word.form
        if form in seen:
            continue
        seen.add(form)
        if folded is None:  # the stem stands for the form, which it may not be: it counts less
            total += ranking.UNREAD_FORM_SHARE * word.weight if positions else 0.0
            continue
        if positions and word.stem_shows_form:
            total += word.weight
            continue
        if text is None:
            text = folded()
        if _holds(text, form, word.whole):
            total += word.weight
    return total


def _holds(folded: bytes, form: bytes, whole: bool) -> bool:
    size = len(form)
    at = folded.find(form)
    while at >= 0:
        if (at == 0 or not folded[at - 1 : at].isalnum()) and not (whole and folded[at + size : at + size + 1].isalnum()):
            return True
        at = folded.find(form, at + 1)
    return False


def _unaccented(byte: int) -> int:
    base = unicodedata.normalize("NFD", chr(byte))[0]
    return ord(base) if base.isascii() else byte


# Latin-1 letters to their unaccented ASCII ones: "é" → "e", "ç" → "c" (bytes.translate is C-fast).
_UNACCENT = bytes(_unaccented(byte) if byte >= 0xC0 else byte for byte in range(256))


def folded_bytes(text: str) -> bytes:
    """``text`` lower-cased and unaccented as one byte string, letters outside Latin-1 as "?" (a
    cheap fold for finding a word's form: :func:`searchlib.analysis.french.fold` works word by word)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return text.encode("latin-1", "replace").translate(_UNACCENT)
