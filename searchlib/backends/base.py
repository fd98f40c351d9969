"""The seam between searchlib and a storage-and-matching engine.

Everything above this module (reading and cleaning files, the French analysis rules, the query
language, the second look, wire-copy grouping, snippets, spelling help, rendering, the CLI and the
server) speaks to an engine through these three interfaces only:

- :class:`Backend`, one index: its life cycle, the catalog of the files it was built from, and
  writing (:meth:`Backend.batch` for a few changes, :meth:`Backend.run` for an indexing run that
  commits every few thousand articles and tidies the index at its end);
- :class:`Batch`, the writes of one run, committed in batches and counted in an
  :class:`~searchlib.models.IndexReport`;
- :class:`View`, the index as one commit left it: what one search, ``get``, ``similar`` or
  ``check`` reads, so that every step of a search sees the same articles.

A document is named by a :data:`DocRef` the engine chooses (Whoosh: a document number) and that
is only meaningful to the view that gave it. Queries are :mod:`searchlib.search.tree` nodes; the
engine translates them into its own.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..analysis.copy_keys import CopyKey
from ..analysis.vocabulary import Vocabulary
from ..ingest.catalog import FileCatalog
from ..models import Article, Failure, IndexReport, SearchFilters
from ..search.tree import Node

#: An engine's name for one stored article, valid in the view that gave it.
DocRef = Hashable

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def added_value(moment: dt.datetime) -> int:
    """How every engine records when an article was added: microseconds since 1970, UTC (a naive
    ``moment`` is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def added_time(value: int) -> dt.datetime:
    """The moment an :func:`added_value` stands for (timezone-aware, UTC)."""
    return _EPOCH + dt.timedelta(microseconds=value)


def added_now() -> int:
    """This moment as :func:`added_value`."""
    return added_value(dt.datetime.now(dt.timezone.utc))


@dataclass
class Matches:
    """What matching and ranking a query found."""

    #: The first matches in the order asked for, with their relevance scores.
    top: list[tuple[DocRef, float]]
    #: Every article the query and the filters let through (copies included).
    total: int
    #: ``{"source": {"AFP": 12}, "year": {"2023": 40}}`` over every match, for the facets asked.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: True when the time limit stopped the ranking: ``top`` are the best found by then.
    stopped: bool = False


class Batch(Protocol):
    """The writes of one run. A commit happens every ``batch_size`` changes and when the run ends."""

    report: IndexReport
    #: Changes committed so far.
    committed: int

    def record(self, item: Article | Failure) -> None:
        """Writes an article, or counts a record that could not be read."""

    def put(self, article: Article, added: int = 0) -> None:
        """Adds ``article``, or replaces the one with its id (unchanged ones are only counted).
        ``added``: when it was first added to another archive it is copied from (µs since 1970),
        which it keeps; an article this archive already holds keeps its own time."""

    def delete(self, article_id: str) -> bool:
        """Removes an article; False when there is none with that id."""


class View(ABC):
    """The index as one commit left it."""

    def close(self) -> None:  # noqa: B027 - a view of the thread's searcher has nothing to release
        """Releases what the view holds of its own (see :meth:`Backend.private_view`)."""

    @abstractmethod
    def count(self) -> int:
        """How many articles the index holds."""

    @abstractmethod
    def find(self, article_id: str) -> DocRef | None:
        """The article with ``article_id``, or None."""

    @abstractmethod
    def article(self, doc: DocRef) -> Article:
        """The stored article ``doc`` (read once per view)."""

    def read(self, docs: list[DocRef]) -> None:  # noqa: B027 - an engine that reads from its files has nothing to do
        """Reads the articles ``docs`` at once where that saves work (a cluster: one request, not
        one each), so that :meth:`article` finds them; nothing to do for the embedded index."""

    @abstractmethod
    def articles(self) -> Iterator[Article]:
        """Every stored article, in the engine's order."""

    @abstractmethod
    def articles_added(self) -> Iterator[tuple[Article, int]]:
        """Every stored article with when it was first added (µs since 1970, 0 where the index does
        not record it), in the engine's order: what a copy carries over."""

    @abstractmethod
    def prepare(self, query: Node) -> tuple[Node, list[str]]:
        """``query`` with its wildcards and fuzzy words turned into the words the archive holds
        (the most frequent ones when they name too many), with a notice for each bound."""

    @abstractmethod
    def holds(self, term: str) -> bool:
        """Whether an article holds the text term ``term``."""

    @abstractmethod
    def match(
        self,
        query: Node,
        filters: SearchFilters,
        *,
        window: int,
        sort: str = "relevance",
        facets: tuple[str, ...] = (),
        time_limit: float | None = None,
    ) -> Matches:
        """The ``window`` first matches of ``query`` in ``sort`` order, every match counted."""

    @abstractmethod
    def total(self, query: Node, filters: SearchFilters) -> int:
        """How many articles match ``query`` and ``filters``."""

    @abstractmethod
    def highlight_terms(self, query: Node) -> set[str]:
        """The index terms of the text a hit can show as matched."""

    @abstractmethod
    def term_weight(self, term: str) -> float:
        """How rare the text term ``term`` is in the archive (an idf)."""

    @abstractmethod
    def holding(self, term: str, docs: list[DocRef]) -> set[DocRef]:
        """Which of ``docs`` hold the text term ``term``."""

    @abstractmethod
    def positions(self, term: str, docs: list[DocRef]) -> dict[DocRef, list[int]]:
        """The word positions of the text term ``term`` in each of ``docs`` that holds it."""

    @abstractmethod
    def copy_key(self, doc: DocRef) -> CopyKey:
        """The wire-copy key and day of ``doc`` (see :mod:`searchlib.search.grouping`)."""

    @abstractmethod
    def similar(self, article_id: str, limit: int) -> tuple[list[tuple[DocRef, float]], set[str]] | None:
        """The articles closest to ``article_id`` (itself left out) and the words they were found
        by; None for an unknown id."""

    @abstractmethod
    def vocabulary(self) -> Vocabulary:
        """The archive's words as written, with the number of articles holding each."""

    @abstractmethod
    def word_counts(self, terms: list[str], docs: list[DocRef] | None) -> dict[str, int]:
        """How many of ``docs`` (None: of every article) hold each of the text terms ``terms``
        (index terms of the French analysis)."""

    @abstractmethod
    def newest_added(self) -> dt.datetime | None:
        """When the most recently added article was added (None when no article records it)."""

    @abstractmethod
    def check(self, samples: int) -> list[str]:
        """What is wrong with the index, in words; empty for a sound one."""


class Backend(ABC):
    """One index of one engine."""

    #: Where the index is, as people name it (a directory); None in memory or in a cluster.
    path: Path | None

    @property
    def shown(self) -> str | None:
        """Where the index is, for people: its directory, or a cluster's address and index name
        (never credentials); None in memory."""
        return str(self.path) if self.path is not None else None

    @classmethod
    @abstractmethod
    def open(cls, path: Path, *, create: bool = True, lock_timeout: float = 5.0) -> Backend:
        """The index at ``path``, created when ``create`` and there is none yet; raises
        :class:`~searchlib.errors.IndexNotFound` otherwise, :class:`~searchlib.errors.IncompatibleIndex`
        for one this searchlib cannot read."""

    @classmethod
    @abstractmethod
    def in_memory(cls) -> Backend:
        """An index that lives in memory only (tests, short-lived embedding)."""

    @classmethod
    @abstractmethod
    def rebuilding(cls, path: Path, *, lock_timeout: float = 5.0) -> AbstractContextManager[tuple[Backend, list[str]]]:
        """A new index built beside the one at ``path``, with the files the old one was built from,
        swapped in atomically when the block ends without an error (else dropped)."""

    @abstractmethod
    def close(self) -> None:
        """Releases every file and searcher."""

    @abstractmethod
    def view(self) -> View:
        """The index as its newest commit left it (for this thread)."""

    @abstractmethod
    def private_view(self) -> View:
        """A view of the newest commit with resources of its own, for work that outlives one call
        and may go on in other threads (an export read row by row): it stays valid whatever
        commits come in, and is released by :meth:`View.close`."""

    @abstractmethod
    def catalog(self) -> FileCatalog:
        """The files this index was built from, as saved with its last commit."""

    @abstractmethod
    def batch(self) -> AbstractContextManager[Batch]:
        """A few changes, committed together when the block ends."""

    @abstractmethod
    def run(
        self, batch_size: int, jobs: int, on_commit: Callable[[], None] | None
    ) -> AbstractContextManager[Batch]:
        """An indexing run: committed every ``batch_size`` changes (``on_commit`` after each),
        written by ``jobs`` processes, and tidied (segments merged) when it ends."""

    @abstractmethod
    def size_bytes(self) -> int:
        """The index's size on disk."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
