"""The archive's words as written (folded, not stemmed), each with the number of articles holding it:
where "did you mean" and fuzzy terms (``cyberataque~``) find their candidates.

A file of its own beside the Whoosh segments, not an index field: as a field, these words were 57 %
of the index's postings on OrangeSum (6.6 million, 39 MB) and a third of the writer's work, and all
that was ever read of them is this list of words with their counts.

Counts grow with every article written and never shrink: an article deleted or replaced still
counts, as Whoosh's own document frequencies do until segments merge. A suggestion is always
searched before it is offered, so a word no article holds any more is never suggested by mistake.
"""

from __future__ import annotations

import os
import threading
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from typing import Any

from whoosh.filedb.filestore import FileStorage

from .analysis import folded_words

#: Word lists by article count: the words in more than each of these many articles.
_TIERS = (2000, 200, 20, 0)


def file_name(index_name: str) -> str:
    # Not "<index>_…": Whoosh deletes files named like its segments' when it commits.
    return f"{index_name}-words.bin"


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

    def to_bytes(self) -> bytes:
        lines = [str(self.articles)] + [f"{word}\t{count}" for word, count in sorted(self.counts.items())]
        return zlib.compress("\n".join(lines).encode("utf-8"), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Vocabulary:
        header, _, body = zlib.decompress(data).decode("utf-8").partition("\n")
        counts = {}
        for line in body.split("\n") if body else ():
            word, _, count = line.rpartition("\t")
            counts[word] = int(count)
        return cls(counts, int(header))

    @classmethod
    def load(cls, storage: Any, index_name: str) -> Vocabulary:
        """The vocabulary saved beside the index (empty when there is none yet)."""
        name = file_name(index_name)
        if not storage.file_exists(name):
            return cls()
        with storage.open_file(name) as handle:
            return cls.from_bytes(handle.read())

    def save(self, storage: Any, index_name: str) -> None:
        """Replaces the saved vocabulary; a reader sees the old file or the new one, never a part."""
        name = file_name(index_name)
        temporary = f"{name}.{os.getpid()}.tmp"
        with storage.create_file(temporary) as handle:
            handle.write(self.to_bytes())
        if isinstance(storage, FileStorage):  # its rename_file removes the old file first
            os.replace(os.path.join(storage.folder, temporary), os.path.join(storage.folder, name))
        else:  # in memory: the swap of one dictionary entry
            storage.rename_file(temporary, name)


class WordCounter:
    """Counts the words of the articles written in a batch, to add to the saved vocabulary."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.articles = 0

    def add(self, text: str) -> None:
        self.add_words(folded_words(text))

    def add_words(self, words: Iterable[str]) -> None:
        """Counts one article's distinct words (as :func:`~searchlib.analysis.folded_words` gives them)."""
        self.counts.update(words)
        self.articles += 1

    def add_counts(self, counts: dict[str, int], articles: int) -> None:
        """Counts ``articles`` articles whose words, each with the number of them holding it,
        are ``counts`` (counted all at once: :meth:`searchlib.postings.WordBuffer.folded_counts`)."""
        self.counts.update(counts)
        self.articles += articles

    def take(self, other: WordCounter) -> None:
        """Adds what ``other`` counted (another writer's articles) and empties it."""
        self.counts.update(other.counts)
        self.articles += other.articles
        other.counts = Counter()
        other.articles = 0

    def save(self, storage: Any, index_name: str) -> None:
        """Adds what was counted to the saved vocabulary, then starts counting afresh."""
        if not self.articles:
            return
        saved = Vocabulary.load(storage, index_name)
        merged = Counter(saved.counts)
        merged.update(self.counts)
        Vocabulary(merged, saved.articles + self.articles).save(storage, index_name)
        self.counts = Counter()
        self.articles = 0


def vocabulary_of(texts: Iterable[str]) -> Vocabulary:
    """The vocabulary of some texts (for tests and tools)."""
    counter = WordCounter()
    for text in texts:
        counter.add(text)
    return Vocabulary(dict(counter.counts), counter.articles)
