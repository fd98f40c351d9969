"""The archive's words as written (folded, not stemmed), each with the number of articles holding it:
where "did you mean" and fuzzy terms (``cyberataque~``) find their candidates.

Kept by the engine in a file of its own beside the index (``searchlib.backends.whoosh.words``), not an index field: as a field, these words were 57 %
of the index's postings on OrangeSum (6.6 million, 39 MB) and a third of the writer's work, and all
that was ever read of them is this list of words with their counts.

Counts grow with every article written and never shrink: an article deleted or replaced still
counts, as Whoosh's own document frequencies do until segments merge. A suggestion is always
searched before it is offered, so a word no article holds any more is never suggested by mistake.
"""

from __future__ import annotations

import struct
import threading
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

from .french import folded_words

#: Word lists by article count: the words in more than each of these many articles.
_TIERS = (2000, 200, 20, 0)


class Vocabulary:
    """Words (sorted) and their article counts; ``articles`` is how many articles were counted."""

    def __init__(self, counts: dict[str, int] | None = None, articles: int = 0) -> None:
        self.counts: dict[str, int] = dict(counts or {})
        self.articles = articles
        self._tiers: list[tuple[int, list[str]]] | None = None
        self._lock = threading.Lock()

    def frequency(self, word: str) -> int:
        return self.counts.get(word, 0)

    def words(self, more_than: int = 0) -> list[str]:
        """The sorted words found in more than ``more_than`` articles (at least all those)."""
        with self._lock:
            if self._tiers is None:
                ordered = sorted(self.counts.items())
                self._tiers = [(floor, [w for w, n in ordered if n > floor]) for floor in _TIERS]
        return next(words for floor, words in self._tiers if more_than >= floor)

    def at_or_after(self, text: str, more_than: int = 0) -> str | None:
        words = self.words(more_than)
        i = bisect_left(words, text)
        return words[i] if i < len(words) else None

    # -- on disk -----------------------------------------------------------------------------
    #
    # The file is a header, then chunks: each a 4-byte length and a zlib stream of lines (the
    # articles counted, then "word<TAB>count"). A commit appends its articles' words as one chunk
    # and loading adds the chunks up. Rewriting the whole list at every commit cost 0.13 s a batch
    # on OrangeSum (10 % of indexing it, while the worker processes waited); appending costs what
    # the batch's own words cost. The list is rewritten as one chunk at the end of an indexing run,
    # and when appends have piled up past MAX_CHUNKS. A file of the first format (one zlib stream,
    # no header) is read as one chunk.

    def to_bytes(self) -> bytes:
        return HEADER + _chunk(dict(sorted(self.counts.items())), self.articles, level=6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Vocabulary:
        counts: dict[str, int] = {}
        articles = 0
        for number, chunk in enumerate(_chunks(data)[0]):
            header, _, body = zlib.decompress(chunk).decode("utf-8").partition("\n")
            articles += int(header)
            get = counts.get
            for line in body.split("\n") if body else ():
                word, _, count = line.rpartition("\t")
                counts[word] = int(count) + get(word, 0) if number else int(count)
        return cls(counts, articles)


#: The first bytes of a word list of chunks.
HEADER = b"searchlib words 2\n"
#: Chunks appended before the list is rewritten as one (loading adds every chunk up: a first build
#: of OrangeSum appends 34, each of 20,000–30,000 words, and compacts them once at its end).
MAX_CHUNKS = 64
_LENGTH = struct.Struct(">I")


def _chunk(counts: dict[str, int], articles: int, level: int) -> bytes:
    lines = [str(articles)] + [f"{word}\t{count}" for word, count in counts.items()]
    data = zlib.compress("\n".join(lines).encode("utf-8"), level)
    return _LENGTH.pack(len(data)) + data


def _chunks(data: bytes) -> tuple[list[bytes], int]:
    """The whole chunks of a saved list, and where the last of them ends: a chunk cut short (a
    reader racing an append, or a crash in one) ends the list."""
    if not data.startswith(HEADER):
        return [data], len(data)  # the first format
    chunks = []
    end = position = len(HEADER)
    while position + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, position)
        if position + _LENGTH.size + length > len(data):
            break
        position += _LENGTH.size
        chunks.append(data[position : position + length])
        position = end = position + length
    return chunks, end


class WordCounter:
    """Counts the words of the articles written in a batch, to add to the saved vocabulary."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.articles = 0

    def add(self, text: str) -> None:
        self.add_words(folded_words(text))

    def add_words(self, words: Iterable[str]) -> None:
        """Counts one article's distinct words (as :func:`~searchlib.analysis.french.folded_words` gives them)."""
        self.counts.update(words)
        self.articles += 1

    def add_counts(self, counts: dict[str, int], articles: int) -> None:
        """Counts ``articles`` articles whose words, each with the number of them holding it,
        are ``counts`` (counted all at once: :meth:`searchlib.backends.whoosh.postings.WordBuffer.folded_counts`)."""
        self.counts.update(counts)
        self.articles += articles

    def take(self, other: WordCounter) -> None:
        """Adds what ``other`` counted (another writer's articles) and empties it."""
        self.counts.update(other.counts)
        self.articles += other.articles
        other.counts = Counter()
        other.articles = 0


def vocabulary_of(texts: Iterable[str]) -> Vocabulary:
    """The vocabulary of some texts (for tests and tools)."""
    counter = WordCounter()
    for text in texts:
        counter.add(text)
    return Vocabulary(dict(counter.counts), counter.articles)
