"""The postings of the French text fields, built a whole segment at a time with numpy.

Building them article by article cost a Python loop per word (a dictionary of positions per term),
then a tuple, an encoded value and a list append per posting: about a third of indexing. Here an
article's text is only split into words, each word replaced by its number (:class:`WordNumbers`,
one dictionary lookup for a word seen before), and the numbers appended to the field's
:class:`WordBuffer`. When the segment is written, :meth:`WordBuffer.build` groups the whole
segment's words by term with one stable sort (the words are already in article and position
order, so the sort keeps them so within a term), counts each term's frequency per article and
encodes every posting's positions at once (:class:`~searchlib.backends.whoosh.codec.CompactPositions`' bytes).

A field of the words as written (:class:`~searchlib.backends.whoosh.schema.FoldedWords`: ``title_words``,
``text_words``) is buffered the same way, its article's words copied from the French field holding the
same text (:meth:`WordBuffer.add_words_of`), and :func:`build_folded` counts each folded word.

The postings are those :meth:`searchlib.backends.whoosh.schema.FrenchText.index` gives, exactly: stop words take
no position, an article's first kept word keeps its word index and the next kept words follow it
(:func:`searchlib.analysis.french.french_positions`); tests/backends/whoosh/test_postings.py compares them.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...analysis.french import analysed, raw_words
from ...analysis.copy_keys import word_key

#: Estimated bytes of memory per word buffered, at most: its number (4), and when the segment is
#: written the arrays of :meth:`WordBuffer.build` (54 at their peak on OrangeSum, measured with
#: tracemalloc; 17 of them kept until the segment is written: 0.39 posting a word).
WORD_BYTES = 60
#: Words numbered before :func:`shared_numbers` starts afresh (~150 bytes each, like the
#: analysis cache of :mod:`searchlib.analysis.french`, outside a writer's ``limitmb``).
NUMBERS_LIMIT = 400_000

#: A value's typecode byte by the width of its numbers (CompactPositions: B, H or I).
_TYPECODES = np.array([0, ord("B"), ord("H"), 0, ord("I")], dtype=np.uint8)


class WordNumbers(dict[str, int]):
    """Raw word → number: kept words 0, 1, 2, …, stop words -1, -2, … (so an article's length is
    its count of numbers >= 0). A word not seen yet is analysed (:func:`~searchlib.analysis.french.analysed`)
    when first looked up; its term and folded spelling are numbered too."""

    def __init__(self) -> None:
        super().__init__()
        #: Kept word's number → its term's number, and → its folded spelling's number.
        self.term_of = array("i")
        self.kept_folded = array("i")
        #: ~ stop word's number (0, 1, …) → its folded spelling's number.
        self.stop_folded = array("i")
        self._terms: dict[str, int] = {}
        #: Term's number → the term's UTF-8 bytes.
        self.term_bytes: list[bytes] = []
        self._folded: dict[str, int] = {}
        #: Folded spelling's number → the folded word, and its wire-copy key (copies.word_key).
        self.folded: list[str] = []
        self.folded_key = array("Q")
        self._lock = threading.Lock()  # writers of two archives in two threads may share it

    def __missing__(self, word: str) -> int:
        with self._lock:
            found = self.get(word)
            return self._number(word) if found is None else found

    def table(self, numbers: array) -> np.ndarray:
        """A copy of one of the tables above (one of the arrays can grow meanwhile in another
        thread, which a view of it would forbid)."""
        with self._lock:
            return np.array(numbers, dtype=np.intc)

    def copy_keys(self, numbers: np.ndarray) -> np.ndarray:
        """The wire-copy keys (:func:`searchlib.analysis.copy_keys.word_key`) of numbered words."""
        kept = numbers >= 0
        spellings = np.empty(len(numbers), dtype=np.intc)
        with self._lock:  # the arrays' views must go before another thread grows them
            spellings[kept] = np.frombuffer(self.kept_folded, dtype=np.intc)[numbers[kept]]
            spellings[~kept] = np.frombuffer(self.stop_folded, dtype=np.intc)[~numbers[~kept]]
            return np.frombuffer(self.folded_key, dtype=np.uint64)[spellings]

    def _number(self, word: str) -> int:
        folded, term = analysed(word)
        folded_number = self._folded.get(folded)
        if folded_number is None:
            folded_number = self._folded[folded] = len(self.folded)
            self.folded.append(folded)
            self.folded_key.append(word_key(folded))
        if term is None:
            number = ~len(self.stop_folded)
            self.stop_folded.append(folded_number)
        else:
            term_number = self._terms.get(term)
            if term_number is None:
                term_number = self._terms[term] = len(self.term_bytes)
                self.term_bytes.append(term.encode("utf-8"))
            number = len(self.term_of)
            self.term_of.append(term_number)
            self.kept_folded.append(folded_number)
        self[word] = number
        return number


_NUMBERS = WordNumbers()


def shared_numbers() -> WordNumbers:
    """This process's word numbers, for a writer's next segment: a writer per batch numbering
    the same words again cost 0.05 ms an article. Past :data:`NUMBERS_LIMIT` words a new one
    is started (writers holding the old one keep it until their next segment)."""
    global _NUMBERS  # noqa: PLW0603 - a cache of the process, like analysis._WORDS
    if len(_NUMBERS) > NUMBERS_LIMIT:
        _NUMBERS = WordNumbers()
    return _NUMBERS


def number_words(words: Iterable[str]) -> None:
    """Numbers words in :func:`shared_numbers` ahead of need: the parent of worker processes,
    which indexes nothing itself, numbers the words its workers analysed so that the next
    batch's workers (forked from it) do not number them again, 0.07 ms an article each."""
    numbers = shared_numbers()
    for word in words:
        numbers[word]  # noqa: B018 - numbered by WordNumbers.__missing__ when new


class WordBuffer:
    """The words (numbers) of one field of the articles of a segment, in article order."""

    def __init__(self, numbers: WordNumbers) -> None:
        self.numbers = numbers
        self.words = array("i")
        #: Per article: its docnum, its count of words, its field boost.
        self.docnums = array("i")
        self.counts = array("i")
        self.boosts = array("d")

    def add(self, docnum: int, value: str, boost: float) -> int:
        """Buffers an article's words; returns its length (the words kept, not stop words)."""
        return self._append(docnum, array("i", map(self.numbers.__getitem__, raw_words(value))), boost)

    def add_words_of(self, docnum: int, other: WordBuffer, boost: float) -> int:
        """Buffers the words ``other`` buffered last (the same text, already numbered: a field of
        the words as written copies its French field's); returns its length, as :meth:`add`."""
        count = other.counts[-1] if other.counts else 0
        return self._append(docnum, other.words[len(other.words) - count :], boost)

    def _append(self, docnum: int, words: array, boost: float) -> int:
        self.words.extend(words)
        self.docnums.append(docnum)
        self.counts.append(len(words))
        self.boosts.append(boost)
        return int(np.count_nonzero(np.frombuffer(words, dtype=np.intc) >= 0)) if words else 0

    def last_words(self) -> np.ndarray:
        """The numbers of the words of the last article added."""
        count = self.counts[-1] if self.counts else 0
        return np.frombuffer(self.words, dtype=np.intc)[len(self.words) - count :].copy()

    def forget(self, docnum: int) -> None:
        """Drops the words of ``docnum`` if it is the last article buffered."""
        if self.docnums and self.docnums[-1] == docnum:
            count = self.counts.pop()
            del self.words[len(self.words) - count :]
            self.docnums.pop()
            self.boosts.pop()

    def __len__(self) -> int:
        return len(self.words)

    def folded_counts(self) -> dict[str, int]:
        """Folded word → number of articles holding it (:func:`~searchlib.analysis.french.folded_words`)."""
        words = np.frombuffer(self.words, dtype=np.intc) if self.words else np.zeros(0, np.intc)
        articles = len(self.counts)
        if not len(words):
            return {}
        kept = words >= 0
        folded = np.empty(len(words), dtype=np.int64)
        folded[kept] = self.numbers.table(self.numbers.kept_folded)[words[kept]]
        folded[~kept] = self.numbers.table(self.numbers.stop_folded)[~words[~kept]]
        article = np.repeat(np.arange(articles, dtype=np.int64), np.frombuffer(self.counts, dtype=np.intc))
        pairs = np.sort(folded * articles + article)  # (np.unique was five times slower)
        distinct = pairs[np.flatnonzero(np.diff(pairs, prepend=-1))]  # each word once per article
        counts = np.bincount(distinct // articles)
        spelled = np.flatnonzero(counts)
        names = self.numbers.folded
        return dict(zip([names[f] for f in spelled.tolist()], counts[spelled].tolist()))

    def build(self, format_boost: float) -> Grouped:
        """The postings of the buffered articles, grouped by term (weights: frequency × the
        format's boost × the article's field boost, as ``add_document`` weighs them)."""
        # Kept long on purpose: one sequence of whole-array steps over a batch's millions of
        # postings, whose intermediate arrays are freed as it goes (peak memory in benchmarks/speed.py).
        words = np.frombuffer(self.words, dtype=np.intc) if self.words else np.zeros(0, np.intc)
        counts = np.frombuffer(self.counts, dtype=np.intc) if self.counts else np.zeros(0, np.intc)
        articles = len(counts)
        article = np.repeat(np.arange(articles, dtype=np.int32), counts)
        ends = np.cumsum(counts, dtype=np.int64)
        index = np.arange(len(words), dtype=np.int64) - np.repeat(ends - counts, counts)
        kept = words >= 0
        words, article, index = words[kept], article[kept], index[kept]
        del kept
        kept_counts = np.bincount(article, minlength=articles)
        kept_starts = np.cumsum(kept_counts) - kept_counts
        # Stop words take no position: an article's first kept word keeps its index, the next
        # kept words follow it (Whoosh's StopFilter renumbers so).
        first_index = np.zeros(articles, dtype=np.int64)
        some = kept_counts > 0
        first_index[some] = index[kept_starts[some]]
        del index
        position = np.arange(len(words), dtype=np.int64) + np.repeat(first_index - kept_starts, kept_counts)
        term = self.numbers.table(self.numbers.term_of)[words]
        del words
        order = np.argsort(term, kind="stable")  # by term, then (already) by article and position
        term, article, position = term[order], article[order], position[order]
        del order
        n = len(term)
        if not n:
            return Grouped.empty()
        starts_posting = np.ones(n, dtype=bool)
        starts_posting[1:] = (term[1:] != term[:-1]) | (article[1:] != article[:-1])
        first = np.flatnonzero(starts_posting)  # each posting's first position
        frequency = np.diff(np.append(first, n))
        gaps = np.empty(n, dtype=np.int64)
        gaps[0] = position[0]
        gaps[1:] = position[1:] - position[:-1]
        gaps[first] = position[first]
        del position
        # CompactPositions: a typecode, then the gaps in the narrowest of 1, 2 or 4 bytes.
        top = np.maximum.reduceat(gaps, first)
        width = np.where(top < 1 << 8, 1, np.where(top < 1 << 16, 2, 4))
        lengths = 1 + frequency * width
        value_ends = np.cumsum(lengths)
        value_starts = value_ends - lengths
        blob = np.empty(int(value_ends[-1]), dtype=np.uint8)
        blob[value_starts] = _TYPECODES[width]
        posting = np.cumsum(starts_posting) - 1
        del starts_posting
        word_width = width[posting]
        offset = value_starts[posting] + 1 + (np.arange(n) - first[posting]) * word_width
        del posting
        for byte in range(4):
            wide = slice(None) if byte == 0 else word_width > byte
            blob[offset[wide] + byte] = (gaps[wide] >> (8 * byte)) & 0xFF
        del offset, word_width, gaps
        posting_article = article[first]
        posting_term = term[first]
        boosts = np.frombuffer(self.boosts, dtype=np.float64)[posting_article]
        weights = frequency.astype(np.float64) * format_boost * boosts
        docnums = np.frombuffer(self.docnums, dtype=np.intc)[posting_article]
        term_starts = np.flatnonzero(np.diff(posting_term, prepend=-1))
        term_ends = np.append(term_starts[1:], len(first)).tolist()
        names = self.numbers.term_bytes
        spans = {
            names[t]: (s, e) for t, s, e in zip(posting_term[term_starts].tolist(), term_starts.tolist(), term_ends)
        }
        return Grouped(spans, docnums, weights, value_starts, value_ends, blob.tobytes())


def build_folded(buffer: WordBuffer, format_boost: float) -> Grouped:
    """The postings of a field of words as written (:class:`~searchlib.backends.whoosh.schema.FoldedWords`)
    from the buffered articles: each kept word's folded spelling with its count in the article
    (Whoosh's Frequency format: the count as a 4-byte unsigned int), as
    :func:`~searchlib.analysis.french.folded_content_words` gives them."""
    words = np.frombuffer(buffer.words, dtype=np.intc) if buffer.words else np.zeros(0, np.intc)
    counts = np.frombuffer(buffer.counts, dtype=np.intc) if buffer.counts else np.zeros(0, np.intc)
    articles = len(counts)
    article = np.repeat(np.arange(articles, dtype=np.int64), counts)
    kept = words >= 0
    if not kept.any():
        return Grouped.empty()
    folded = buffer.numbers.table(buffer.numbers.kept_folded)[words[kept]].astype(np.int64)
    pairs = np.sort(folded * articles + article[kept])  # by spelling, then article
    first = np.flatnonzero(np.diff(pairs, prepend=-1))
    frequency = np.diff(np.append(first, len(pairs)))
    spelling, posting_article = pairs[first] // articles, pairs[first] % articles
    boosts = np.frombuffer(buffer.boosts, dtype=np.float64)[posting_article]
    weights = frequency.astype(np.float64) * format_boost * boosts
    docnums = np.frombuffer(buffer.docnums, dtype=np.intc)[posting_article]
    value_starts = np.arange(len(first), dtype=np.int64) * 4
    blob = frequency.astype(">u4").tobytes()
    term_starts = np.flatnonzero(np.diff(spelling, prepend=-1))
    term_ends = np.append(term_starts[1:], len(first)).tolist()
    names = buffer.numbers.folded
    spans = {
        names[t].encode("utf-8"): (s, e) for t, s, e in zip(spelling[term_starts].tolist(), term_starts.tolist(), term_ends)
    }
    return Grouped(spans, docnums, weights, value_starts, value_starts + 4, blob, fixed=True)


class Grouped:
    """A segment's postings of one field: each term's span of postings, in arrays."""

    def __init__(
        self,
        spans: dict[bytes, tuple[int, int]],
        docnums: Any,
        weights: Any,
        starts: Any,
        ends: Any,
        blob: bytes,
        fixed: bool = False,
    ) -> None:
        #: Term → (its first posting, the posting after its last).
        self.spans = spans
        #: Whether every value has the same size (a format's fixed-size values come joined).
        self.fixed = fixed
        self._docnums = docnums
        self._weights = weights
        self._starts = starts
        self._ends = ends
        self._blob = blob

    @classmethod
    def empty(cls) -> Grouped:
        nothing = np.zeros(0, dtype=np.int64)
        return cls({}, nothing, nothing.astype(np.float64), nothing, nothing, b"")

    def postings(self, span: tuple[int, int]) -> tuple[list[int], list[float], list[bytes]]:
        """A term's (docnums, weights, values), as Python lists (``Postings``); fixed-size values
        as one bytes string."""
        s, e = span
        blob = self._blob
        if self.fixed:  # one bytes string of the values one after the other
            return self._docnums[s:e].tolist(), self._weights[s:e].tolist(), blob[int(self._starts[s]) : int(self._ends[e - 1])]
        values = [blob[a:b] for a, b in zip(self._starts[s:e].tolist(), self._ends[s:e].tolist())]
        return self._docnums[s:e].tolist(), self._weights[s:e].tolist(), values
