"""The Archive: one searchlib index, to fill and to search. A façade: the work is done by
:mod:`searchlib.ingest.indexing` (files in), :mod:`searchlib.search.pipeline` (queries out) and
the engine behind :mod:`searchlib.backends.base`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from .analysis.french import fold
from .backends import engine_for, location_of
from .backends.base import Backend
from .errors import ArticleNotFound
from .ingest import indexing
from .ingest.indexing import BATCH_SIZE, Progress
from .models import AssociatedTerms, Article, Concordance, IndexReport, IndexStats, SearchFilters, SearchResults, Trend
from .research import associated, concordance as concordances, export as exports, trend as trends
from .research.export import Export
from .search import pipeline
from .search.facets import check_options
from .search.query import QueryBuilder, make_filters

__all__ = ["Archive", "BATCH_SIZE", "Progress"]


class Archive:
    """A searchable archive of French articles.

    >>> with Archive("index") as archive:                          # doctest: +SKIP
    ...     report = archive.index_paths(["samples/"])
    ...     for hit in archive.search("sécurité chinoise").hits:
    ...         print(hit.title, hit.snippet.highlighted_words())
    """

    #: Seconds a search may run before it stops with the best articles found by then.
    query_time_limit: float = 10.0

    def __init__(self, path: str | Path, *, create: bool = True, lock_timeout: float = 5.0) -> None:
        """Opens the index at ``path``, creating it when ``create`` and there is none yet."""
        self._use(engine_for(path).open(location_of(path), create=create, lock_timeout=lock_timeout))

    def _use(self, backend: Backend) -> None:
        self._backend = backend
        self.path: Path | None = backend.path
        self._queries = QueryBuilder()

    @classmethod
    def _over(cls, backend: Backend) -> Archive:
        archive = cls.__new__(cls)
        archive._use(backend)
        return archive

    @classmethod
    def open(cls, path: str | Path, *, lock_timeout: float = 5.0) -> Archive:
        """Opens an existing index; raises :class:`IndexNotFound` when there is none at ``path``."""
        return cls(path, create=False, lock_timeout=lock_timeout)

    @classmethod
    def in_memory(cls) -> Archive:
        """An archive that lives in memory only: for tests and short-lived embedding."""
        return cls._over(engine_for(":memory:").in_memory())

    @classmethod
    def rebuild(
        cls,
        path: str | Path,
        paths: Iterable[str | Path] = (),
        *,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
        lock_timeout: float = 5.0,
        jobs: int = 1,
    ) -> IndexReport:
        """Builds the index at ``path`` anew beside the old one, then swaps it in atomically.

        Reads ``paths``, or when none are given the files the old index was built from. Searches
        keep using the old index until the swap; an index of an incompatible version is rebuilt
        this way. Articles added through the API without a file are not carried over.
        """
        with engine_for(path).rebuilding(location_of(path), lock_timeout=lock_timeout) as (fresh, built_from):
            sources = list(paths) or [Path(key) for key in built_from if Path(key).exists()]
            return indexing.index_paths(fresh, sources, progress, batch_size=batch_size, jobs=jobs)

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def index_paths(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        *,
        prune: bool = False,
        batch_size: int = BATCH_SIZE,
        jobs: int = 1,
    ) -> IndexReport:
        """Indexes the articles of every file under ``paths`` (files or directories, recursively).

        Files or records that cannot be read are listed in the report's ``failed``; everything
        else is indexed. Files unchanged since they were last indexed are not read again; articles
        are updated in place when they changed. With ``prune``, articles whose file under ``paths``
        is gone, or no longer holds them, are removed (files indexed from elsewhere are left alone).

        ``progress(bytes_done, bytes_total)`` is called as each file is done and every 0.2 s while
        one is read: bytes of the files on disk (a compressed file counts its compressed bytes). A
        callback that takes a third argument also gets the number of articles read so far. The
        report says how long the run took (``seconds``) and how many articles it read (``read``).

        Work is committed every ``batch_size`` articles: a crash loses at most the batch in
        flight, and running the same call again finishes the job without duplicates. Ctrl-C
        raises :class:`~searchlib.errors.Interrupted` once the batch in flight is dropped.

        ``jobs`` > 1 analyses and writes with that many worker processes (an on-disk archive
        only): each batch then adds one segment per worker.
        """
        return indexing.index_paths(self._backend, paths, progress, prune=prune, batch_size=batch_size, jobs=jobs)

    def copy_to(
        self,
        location: str | Path,
        progress: Callable[[int, int], None] | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        lock_timeout: float = 5.0,
    ) -> IndexReport:
        """Copies every article of this archive, and its file catalog, into the archive at
        ``location`` (created when there is none): an embedded index into a cluster
        (``http://host:9200/presse``) or back. Articles already there as they are here are only
        counted, so a copy stopped midway is finished by running it again. ``progress(done,
        total)`` is called after each article.

        >>> Archive.open("index").copy_to("http://localhost:9200/presse")  # doctest: +SKIP
        """
        with Archive(location, lock_timeout=lock_timeout) as target:
            return indexing.copy_archive(self._backend, target._backend, progress, batch_size=batch_size)

    def add_many(self, articles: Iterable[Article]) -> IndexReport:
        """Adds or updates ``articles`` in one commit."""
        with self._backend.batch() as batch:
            for article in articles:
                batch.put(article)
        return batch.report

    def add(self, article: Article) -> str:
        """Adds or updates one article; returns ``"added"``, ``"updated"`` or ``"unchanged"``."""
        report = self.add_many([article])
        return "added" if report.added else "updated" if report.updated else "unchanged"

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        """Removes articles by id; returns the ids that were there. Indexing their files again
        brings them back."""
        return indexing.delete(self._backend, article_ids)

    def delete_source(self, source: str) -> list[str]:
        """Removes every article whose source is ``source`` (case and accents ignored)."""
        wanted = _folded_name(source)
        return self.delete(article.id for article in self if _folded_name(article.source or "") == wanted)

    # -- reading ---------------------------------------------------------------------------

    def search(  # noqa: PLR0913 - the filters people narrow a search with
        self,
        query: str,
        limit: int = 10,
        page: int = 1,
        *,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        sources: Iterable[str] = (),
        authors: Iterable[str] = (),
        sections: Iterable[str] = (),
        sort: str = "relevance",
        facets: Iterable[str] = (),
        snippets: bool = True,
        all_copies: bool = False,
        added_since: dt.datetime | None = None,
    ) -> SearchResults:
        """Page ``page`` (``limit`` hits) of the articles matching ``query`` and the filters.

        ``query`` is in the query language of the README (searched leniently). Dates are inclusive
        and may be text ("2023", "2023-07", "juillet 2023"); ``sources``, ``authors`` and
        ``sections`` keep articles matching any of their names (case and accents ignored).
        ``sort`` is "relevance", "date" (oldest first) or "-date"; undated articles come last.
        ``facets`` (source, section, author, year, month) are counted over every match.
        Copies of one agency dispatch are shown as one hit (its earliest copy, with the others in
        ``hit.copies``) unless ``all_copies``. ``added_since`` keeps the articles indexed at or
        after that time (see :meth:`newest_added`).

        >>> archive.search("pékin", date_from="juillet 2023", sources=["AFP"], facets=["year"])  # doctest: +SKIP

        A query of common words only ("le la les", "la une") is searched as written in titles and
        source names, with a notice. Raises :class:`~searchlib.errors.EmptyQuery` when the query
        has no word at all, or only words to leave out, and
        :class:`~searchlib.errors.BadFilter` for a filter that cannot be used.
        """
        facets = tuple(dict.fromkeys(facets))
        check_options(page, limit, sort, facets)
        request = pipeline.SearchRequest(
            query=query,
            filters=make_filters(date_from, date_to, sources, authors, sections, added_since),
            limit=limit,
            page=page,
            sort=sort,
            facets=facets,
            snippets=snippets,
            all_copies=all_copies,
            time_limit=self.query_time_limit,
        )
        return pipeline.search(self._backend.view(), self._queries, request)

    # -- research: trends, concordance, associated terms, export ----------------------------
    # Each takes the filters of :meth:`search` (date_from, date_to, sources, authors, sections).

    def trend(self, queries: Sequence[str], by: str = "month", *, per: int | None = None, **filters: Any) -> Trend:
        """How many articles match each of ``queries`` (up to 6) per period: ``by`` "year", "month"
        or "week" (ISO weeks, "2023-W07"). Every period from the first to the last is there, 0 when
        empty; with ``per=1000`` :meth:`Trend.value` gives matches per 1,000 articles of the period.

        >>> archive.trend(["gilets jaunes", "retraites"], by="month", date_from="2019")  # doctest: +SKIP

        Counts are those of :meth:`search` (its totals, period by period). Raises
        :class:`~searchlib.errors.BadFilter` for an unknown period or too many queries.
        """
        queries = [queries] if isinstance(queries, str) else list(queries)
        return trends.trend(self._backend.view(), self._queries, queries, by, self._filters(filters), per)

    def kwic(
        self, query: str, *, width: int = 60, sort: str = "date", page: int = 1, limit: int = 50, **filters: Any
    ) -> Concordance:
        """A concordance: each occurrence of the matched words, ``width`` characters of the original
        text on each side, ordered by ``sort``: "date" (oldest first), "left" or "right" (the words
        before or after the match), ``limit`` lines a page.

        >>> for line in archive.kwic("pekin", width=30).lines:  # doctest: +SKIP
        ...     print(line.left, line.match, line.right)
        """
        view = self._backend.view()
        return concordances.concordance(
            view, self._queries, query, self._filters(filters), width=width, sort=sort, page=page, limit=limit,
            time_limit=self.query_time_limit,
        )  # fmt: skip

    def terms(self, query: str, *, top: int = 30, **filters: Any) -> AssociatedTerms:
        """The ``top`` words and names unusually frequent in the articles matching ``query``,
        compared with the whole archive (JLH, as Elasticsearch's ``significant_terms``).

        >>> [term.term for term in archive.terms("gilets jaunes", top=5).terms]  # doctest: +SKIP
        """
        return associated.associated_terms(self._backend.view(), self._queries, query, self._filters(filters), top)

    def export(
        self, query: str, *, sort: str = "relevance", limit: int | None = None, **filters: Any
    ) -> Export:
        """Every article matching ``query`` as an :class:`~searchlib.models.ExportRow`, one at a
        time (memory stays flat), in ``sort`` order; its ``total`` says how many match, and only
        the first ``limit`` are given when set. Takes ``added_since`` besides the filters. The rows
        read the index as it was when the export began, from any thread; ``close()`` them (or use
        ``with``) when stopping before the end.

        >>> rows = archive.export("pekin", sort="-date")  # doctest: +SKIP
        >>> rows.total, [row.title for row in rows]  # doctest: +SKIP
        """
        filtered = self._filters(filters)  # checked before a view is opened for the rows
        return exports.export(self._backend.private_view(), self._queries, query, filtered, sort=sort, limit=limit)

    def newest_added(self) -> dt.datetime | None:
        """When the most recently indexed article was added (UTC; None for an index that does not
        record it): pass it back as ``added_since`` (plus a microsecond) to list what came after."""
        return self._backend.view().newest_added()

    @staticmethod
    def _filters(options: dict[str, Any]) -> SearchFilters:
        unknown = set(options) - _FILTERS
        if unknown:
            raise TypeError(f"unexpected filter {sorted(unknown)[0]!r}; filters are {', '.join(sorted(_FILTERS))}")
        return make_filters(**options)

    def similar(self, article_id: str, limit: int = 10, *, snippets: bool = True) -> SearchResults:
        """Articles about the same story as ``article_id``: more-like-this on its most distinctive
        words (weighed against the whole archive), the article itself left out.

        Raises :class:`ArticleNotFound` for an unknown id.
        """
        results = pipeline.similar(self._backend.view(), article_id, limit, snippets)
        if results is None:
            raise ArticleNotFound(article_id)
        return results

    def get(self, article_id: str) -> Article:
        """The stored article with ``article_id``; raises :class:`ArticleNotFound`."""
        view = self._backend.view()
        doc = view.find(article_id)
        if doc is None:
            raise ArticleNotFound(article_id)
        return view.article(doc)

    def __len__(self) -> int:
        return self._backend.view().count()

    def __iter__(self) -> Iterator[Article]:
        return self._backend.view().articles()

    def stats(self) -> IndexStats:
        dates: list[dt.date] = []
        sources: dict[str, int] = {}
        for article in self:  # one pass: every stored article is read from disk
            if article.date is not None:
                dates.append(article.date)
            name = article.source or article.agency
            if name:
                sources[name] = sources.get(name, 0) + 1
        return IndexStats(
            articles=len(self),
            first_date=min(dates, default=None),
            last_date=max(dates, default=None),
            sources=dict(sorted(sources.items(), key=lambda item: (-item[1], item[0]))),
            size_bytes=self._backend.size_bytes(),
            path=self._backend.shown,
        )

    def check(self, samples: int = 100) -> list[str]:
        """Verifies the index: every segment opens, counts agree, stored articles read back.

        Returns the problems found (an empty list for a sound index).
        """
        return self._backend.view().check(samples)


#: The filters every search and research method takes, as keyword arguments.
_FILTERS = frozenset({"date_from", "date_to", "sources", "authors", "sections", "added_since"})


def _folded_name(name: str) -> str:
    return " ".join(fold(word) for word in name.split())
