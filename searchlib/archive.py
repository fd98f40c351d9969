"""The Archive: one searchlib index on disk (or in memory), to fill and to search."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from heapq import nsmallest
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import LockError
from whoosh.searching import Results, Searcher
from whoosh.writing import IndexWriter

from .backends.whoosh import manifest
from .search import ranking
from .search import second_look as rerank
from .backends.whoosh import arrays as topk
from .analysis import vocabulary
from .analysis.french import fold
from .backends.whoosh.bulkwrite import BulkWriter
from .ingest.catalog import FileCatalog, FileRecord, signature_of
from .backends.whoosh.codec import CompactCodec
from .analysis.copy_keys import COPY_HASH_VERSION
from .errors import (
    ArticleNotFound,
    IncompatibleIndex,
    IndexLocked,
    IndexNotFound,
    IndexWriteError,
    Interrupted,
    QueryError,
)
from .search.facets import check_options, count_matches, counts, grouped_by, relevance, sort_facet
from .search.snippets import make_snippet
from .models import Article, CopyOf, Failure, Hit, IndexReport, IndexStats, SearchFilters, SearchResults, Snippet
from .search.query import NAME_FIELDS, QueryBuilder, bound_expansions, filter_query, highlight_terms, make_filters
from .backends.whoosh.schema import RANKED_FIELDS, VOCABULARY_FIELD, build_schema, stored_date, to_article
from .search.spelling import FEW_RESULTS, corrected, with_spelling_alternatives
from .analysis.vocabulary import Vocabulary
from .search.grouping import Group, group_copies
from .backends.whoosh.writing import (
    WRITER_NOTE,
    Batch,
    ParallelWriter,
    acquire,
    holds_whoosh,
    open_whoosh,
    remove_index_files,
    whoosh_exists,
    writer_pid,
)

#: Called with (files done, files in all) during :meth:`Archive.index_paths`.
Progress = Callable[[int, int], None]

#: Ranked candidates per page shown when wire copies are grouped.
COPY_WINDOW = 3
#: Distinctive words of an article that "similar" looks for in others.
SIMILAR_WORDS = 20
#: A similar article scores at least this share of the closest one's score.
SIMILAR_MIN_SHARE = 0.3
#: Articles written between two commits of an indexing run: a crash loses at most that many
#: articles' work (about 4 s of it on two cores). Each commit costs a segment per worker process,
#: which the run's final merge reads again: on OrangeSum, 4,000 (9 batches) took 31 s where
#: 2,000 took 33 s and 1,000 took 37 s (docs/performance.md), for 40 MB more peak memory.
BATCH_SIZE = 4000
# Files that may sit in an index directory before there is an index (the repo's index/README.md).
_HARMLESS = {"README.md", "README", ".gitkeep", ".gitignore"}


#: A run that wrote at least this share of the index merges it into one segment at the end.
MERGE_SHARE = 0.5


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
        self.path: Path | None = Path(path)
        self.lock_timeout = lock_timeout
        if self.path.is_dir() and (manifest.read(self.path) is not None or holds_whoosh(self.path)):
            manifest.check(self.path)
            self._index_name = manifest.index_name(self.path)
            self._copy_hash_version = manifest.copy_hash_version(self.path)
            if whoosh_exists(self.path, self._index_name):
                self._ix = open_whoosh(self.path, self._index_name)
            elif create:  # a creation stopped between the manifest and the index: finish it
                self._ix = FileStorage(str(self.path)).create_index(build_schema(), indexname=self._index_name)
            else:
                raise IndexNotFound(self.path)
        elif not create:
            raise IndexNotFound(self.path)
        else:
            self._prepare_directory(self.path)
            self._index_name = manifest.FIRST_INDEX_NAME
            self._copy_hash_version = COPY_HASH_VERSION
            # The manifest first: a kill between the two steps leaves a directory searchlib knows.
            manifest.write(self.path, self._index_name)
            self._ix = FileStorage(str(self.path)).create_index(build_schema(), indexname=self._index_name)
        self._init_state()

    def _init_state(self) -> None:
        # Read once: Index.schema reads the newest table of contents from disk on every call, and
        # fails when a writer in another process replaces it at that moment.
        self._schema = self._ix.schema
        self._queries = QueryBuilder(self._schema)
        self._catalog = FileCatalog(self.path, self._index_name)
        self._manifest_stamp = manifest.stamp(self.path) if self.path else 0
        # One Whoosh searcher per thread: a searcher reads its files through shared handles and
        # is not safe to use from two threads at once.
        self._local = threading.local()
        self._searchers: list[Searcher] = []
        self._searchers_lock = threading.Lock()
        self._vocabulary: tuple[int | None, Vocabulary] | None = None

    @classmethod
    def open(cls, path: str | Path, *, lock_timeout: float = 5.0) -> Archive:
        """Opens an existing index; raises :class:`IndexNotFound` when there is none at ``path``."""
        return cls(path, create=False, lock_timeout=lock_timeout)

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
        directory = Path(path)
        if manifest.read(directory) is None and not holds_whoosh(directory):
            with cls(directory, lock_timeout=lock_timeout) as fresh:  # nothing to rebuild: build
                return fresh.index_paths(paths, progress, batch_size=batch_size, jobs=jobs)
        old_name = manifest.index_name(directory)
        sources = list(paths) or [Path(key) for key in FileCatalog(directory, old_name).files if Path(key).exists()]
        storage = FileStorage(str(directory))
        old_lock = storage.lock(f"{old_name}_WRITELOCK")  # no one writes the old index meanwhile
        if not acquire(old_lock, lock_timeout):
            raise IndexLocked(directory, lock_timeout, writer_pid(directory))
        new_name = f"articles-{time.time_ns()}"
        try:
            archive = cls.__new__(cls)
            archive.path = directory
            archive.lock_timeout = lock_timeout
            archive._index_name = new_name
            archive._copy_hash_version = COPY_HASH_VERSION  # the version the new manifest gives
            archive._ix = storage.create_index(build_schema(), indexname=new_name)
            archive._init_state()
            try:
                report = archive.index_paths(sources, progress, batch_size=batch_size, jobs=jobs)
            finally:
                archive.close()
            manifest.write(directory, new_name)  # the swap: one atomic rename
        except BaseException:
            remove_index_files(directory, new_name)
            raise
        finally:
            old_lock.release()
        remove_index_files(directory, old_name)
        return report

    @classmethod
    def in_memory(cls) -> Archive:
        """An archive that lives in memory only: for tests and short-lived embedding."""
        archive = cls.__new__(cls)
        archive.path = None
        archive.lock_timeout = 0.0
        archive._index_name = manifest.FIRST_INDEX_NAME
        archive._copy_hash_version = COPY_HASH_VERSION
        archive._ix = RamStorage().create_index(build_schema(), indexname=archive._index_name)
        archive._init_state()
        return archive

    # -- resources -------------------------------------------------------------------------

    def close(self) -> None:
        with self._searchers_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._local = threading.local()
        self._ix.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _search_with(self) -> Searcher:
        """This thread's searcher, reopened when another commit (of any process) came in since."""
        if self.path is not None and manifest.stamp(self.path) != self._manifest_stamp:
            self._follow_rebuild()
        searcher: Searcher | None = getattr(self._local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            # Not Searcher.refresh(): it reuses the readers of unchanged segments together with
            # their old deletion lists, so deleted and replaced articles would still be found.
            with self._searchers_lock:
                self._searchers.remove(searcher)
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self._ix.searcher(weighting=ranking.weighting())
            self._local.searcher = searcher
            with self._searchers_lock:
                self._searchers.append(searcher)
        return searcher

    def _words(self, searcher: Searcher) -> Vocabulary:
        """The archive's words as written, as saved when ``searcher``'s commit was made."""
        generation = searcher.reader().generation()
        cached = self._vocabulary  # one for all threads: 126,000 words on OrangeSum
        if cached is None or cached[0] != generation:
            cached = (generation, Vocabulary.load(self._ix.storage, self._index_name))
            self._vocabulary = cached
        return cached[1]

    def _follow_rebuild(self) -> None:
        """Another process rebuilt the index and swapped it in: switch to the new one."""
        assert self.path is not None
        with self._searchers_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._ix.close()
        manifest.check(self.path)
        self._index_name = manifest.index_name(self.path)
        self._copy_hash_version = manifest.copy_hash_version(self.path)
        self._ix = open_whoosh(self.path, self._index_name)
        self._init_state()

    def _writer(self, jobs: int = 1, compress: bool = True, merge_jobs: int = 1) -> IndexWriter:
        """A writer adding documents with ``jobs`` processes, or (one process adding) writing a
        merge's postings with ``merge_jobs``."""
        try:
            if jobs > 1 and self.path is not None:
                # Each worker has its own pool: the memory bound stays about the same in all.
                writer = ParallelWriter(
                    self._ix,
                    jobs,
                    timeout=self.lock_timeout,
                    limitmb=max(256 // jobs, 64),
                    compound=False,
                    compress=compress,
                    codec=CompactCodec(),
                    count_words=VOCABULARY_FIELD,
                )
            else:
                # Segments as separate files, not one compound file: whoosh3 opens a compound
                # file's parts by copying them into memory (BytesIO of an mmap slice), which
                # cost every new searcher 0.2 s and the whole postings' size in memory on OrangeSum.
                writer = BulkWriter(
                    self._ix, timeout=self.lock_timeout, limitmb=256, compound=False, compress=compress,
                    codec=CompactCodec(), count_words=VOCABULARY_FIELD, procs=merge_jobs if self.path else 1,
                )
        except LockError:
            raise IndexLocked(self.path or Path(":memory:"), self.lock_timeout, writer_pid(self.path)) from None
        except OSError as error:
            raise IndexWriteError(self.path or Path(":memory:"), error.strerror or str(error)) from None
        if self.path is not None:
            # Whoosh's lock is an flock (the OS drops it when a writer dies, so no lock is ever
            # stale); this note only tells a waiting process who holds it.
            try:
                (self.path / WRITER_NOTE).write_text(f"{os.getpid()}\n", encoding="ascii")
            except OSError:
                pass
        return writer

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
        are updated in place when they changed. With ``prune``, articles whose file is gone, or no
        longer holds them, are removed. ``progress(done, total)`` is called as each file is done.

        Work is committed every ``batch_size`` articles: a crash loses at most the batch in
        flight, and running the same call again finishes the job without duplicates. Ctrl-C
        raises :class:`~searchlib.errors.Interrupted` once the batch in flight is dropped.

        ``jobs`` > 1 analyses and writes with that many worker processes (an on-disk archive
        only): each batch then adds one segment per worker.
        """
        # Imported here: the readers (trafilatura, lxml, feedparser, warcio) take half of a
        # `searchlib search` process's start-up time, and searching never needs them.
        from .ingest.sources import discover

        found = list(discover(paths))
        # A first build merges its batches' segments at its end (see _worth_merging): they are
        # written uncompressed, to be read once by the merge that compresses the index. A build
        # interrupted before that merge (killed, Ctrl-C) is finished as one by the next run: its
        # segments would otherwise stay apart and uncompressed (3x the size, in a crash test).
        unmerged = self._unmerged_build()
        resuming = unmerged is not None and unmerged.exists()
        first_build = unmerged is not None and (self._ix.doc_count_all() == 0 or resuming)
        if first_build:
            try:
                unmerged.touch()  # type: ignore[union-attr]
            except OSError as error:  # a read-only or full disk: no batch could be written either
                raise IndexWriteError(unmerged.parent, error.strerror or str(error)) from None  # type: ignore[union-attr]
        with self._batch(batch_size, on_commit=self._catalog.save, jobs=jobs, compress=not first_build) as batch:
            batch.merge_small = False
            for done, item in enumerate(found, 1):
                if isinstance(item, Failure):
                    batch.record(item)
                else:
                    self._index_file(batch, item, prune)
                if progress is not None:
                    progress(done, len(found))
            if prune:
                self._prune_missing(batch)
        self._catalog.save()
        if self._worth_merging(batch.report) or (first_build and (batch.report.batches or resuming)):
            with self._batch(merge_jobs=jobs) as merging:
                merging.commit(merge=True)
        elif batch.report.batches:
            with self._batch(merge_jobs=jobs) as merging:  # small segments merged, as a commit of Whoosh's does
                merging.commit(merge_small=True)
        if batch.report.batches:  # each batch appended its words to the list: read whole, it loads quicker
            vocabulary.compact(self._ix.storage, self._index_name)
        if first_build:
            with contextlib.suppress(OSError):  # left behind, it costs the next run a merge, no more
                unmerged.unlink(missing_ok=True)  # type: ignore[union-attr]
        return batch.report

    def _unmerged_build(self) -> Path | None:
        """The file that says a first build of this index has not reached its final merge yet
        (named as the index's files are, so that removing the index removes it), or None for an
        archive in memory."""
        return None if self.path is None else self.path / f"{self._index_name}_unmerged"

    def _worth_merging(self, report: IndexReport) -> bool:
        """Whether a run wrote enough of the index to pay for merging it into one segment.

        Each batch leaves segments behind (one per worker with ``jobs``); on OrangeSum, 17 of them
        made a 298 MB index that one segment holds in 199 MB, and every query reads each
        segment's term dictionary. Merging rewrites the whole index, so it is done only when the
        run itself wrote at least :data:`MERGE_SHARE` of it: a first build or a rebuild, not a
        small update of a large archive.
        """
        written = report.added + report.updated
        if self.path is None or not written:
            return False
        reader = self._ix.reader()
        try:
            return not reader.is_atomic() and written >= MERGE_SHARE * reader.doc_count()
        finally:
            reader.close()

    def add_many(self, articles: Iterable[Article]) -> IndexReport:
        """Adds or updates ``articles`` in one commit."""
        with self._batch() as batch:
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
        with self._batch() as batch:
            removed = [article_id for article_id in dict.fromkeys(article_ids) if batch.delete(article_id)]
        self._catalog.forget_articles(set(removed))
        self._catalog.save()
        return removed

    def delete_source(self, source: str) -> list[str]:
        """Removes every article whose source is ``source`` (case and accents ignored)."""
        wanted = _folded_name(source)
        searcher = self._search_with()
        ids = [
            stored["id"]
            for stored in searcher.documents()
            if _folded_name(stored.get("source") or "") == wanted
        ]
        return self.delete(ids)

    @contextmanager
    def _batch(
        self,
        size: int | None = None,
        on_commit: Callable[[], None] | None = None,
        jobs: int = 1,
        compress: bool = True,
        merge_jobs: int = 1,
    ) -> Iterator[Batch]:
        # A commit makes every file read to its end so far safe to skip next time: on_commit
        # saves the file catalog right after each commit, never before.
        batch = Batch(lambda: self._writer(jobs, compress, merge_jobs), self._ix.searcher(), size, on_commit,
                      copy_hash_version=self._copy_hash_version)
        try:
            yield batch
            batch.commit()
        except BaseException as error:
            batch.cancel()
            # back to what was saved with the last commit
            self._catalog = FileCatalog(self.path, self._index_name)
            if isinstance(error, KeyboardInterrupt):
                raise Interrupted(batch.committed) from None
            if isinstance(error, OSError):
                raise IndexWriteError(self.path or Path(":memory:"), error.strerror or str(error)) from None
            raise
        finally:
            batch.close()
            if writer_pid(self.path) == os.getpid():
                (self.path / WRITER_NOTE).unlink(missing_ok=True)  # type: ignore[operator]

    def _index_file(self, batch: Batch, path: Path, prune: bool) -> None:
        key = FileCatalog.key(path)
        known = self._catalog.files.get(key)
        if known is not None and self._catalog.unchanged(path):
            batch.report.unchanged += len(known.ids)
            for failure in known.failures:
                batch.record(failure)
            return
        try:
            signature: tuple[int, int] | None = signature_of(path)
        except OSError:
            signature = None  # read_file reports why
        ids: list[str] = []
        failures: list[Failure] = []
        from .ingest.sources import read_file

        for record in read_file(path):
            batch.record(record)
            if isinstance(record, Article):
                ids.append(record.id)
            else:
                failures.append(record)
        complete = all(failure.warning for failure in failures)
        previous = known.ids if known else []
        if prune and complete:
            for gone in set(previous) - set(ids):
                if self._catalog.owners(gone) == [key]:
                    batch.delete(gone)
        if not complete:  # keep its old articles in mind for --prune: one bad record loses nothing
            ids = list(dict.fromkeys(previous + ids))
        # A file that could not be read (permissions, I/O) is tried again next time; what was wrong
        # with a file read through is remembered and reported again until the file changes.
        read_through = not any(failure.transient for failure in failures)
        self._catalog.files[key] = FileRecord(signature if read_through else None, ids, failures)

    def _prune_missing(self, batch: Batch) -> None:
        for key, record in list(self._catalog.files.items()):
            if Path(key).exists():
                continue
            for article_id in record.ids:
                if self._catalog.owners(article_id) == [key]:
                    batch.delete(article_id)
            del self._catalog.files[key]

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
    ) -> SearchResults:
        """Page ``page`` (``limit`` hits) of the articles matching ``query`` and the filters.

        ``query`` is in the query language of the README (searched leniently). Dates are inclusive
        and may be text ("2023", "2023-07", "juillet 2023"); ``sources``, ``authors`` and
        ``sections`` keep articles matching any of their names (case and accents ignored).
        ``sort`` is "relevance", "date" (oldest first) or "-date"; undated articles come last.
        ``facets`` (source, section, author, year, month) are counted over every match.
        Copies of one agency dispatch are shown as one hit (its earliest copy, with the others in
        ``hit.copies``) unless ``all_copies``.

        >>> archive.search("pékin", date_from="juillet 2023", sources=["AFP"], facets=["year"])  # doctest: +SKIP

        Raises :class:`~searchlib.errors.EmptyQuery` when the query has nothing to search for and
        :class:`~searchlib.errors.BadFilter` for a filter that cannot be used.
        """
        facets = tuple(dict.fromkeys(facets))
        check_options(page, limit, sort, facets)
        filters = make_filters(date_from, date_to, sources, authors, sections)
        parsed = self._queries.parse(query)
        searcher = self._search_with()
        words = lambda: self._words(searcher)  # noqa: E731 - loaded only when a query needs it
        q, widened = bound_expansions(parsed.query, searcher.reader(), words)
        q, respelt = with_spelling_alternatives(q, parsed.parsed_from, searcher.reader(), words)
        engine = topk.engine(searcher)
        only = self._allowed(filters, searcher, engine)
        notices = list(parsed.notices) + widened + respelt
        # Copies folded into groups leave room on the page: rank more than a page's worth.
        window = max(page * limit * (1 if all_copies else COPY_WINDOW), 1)
        deadline = time.monotonic() + self.query_time_limit
        second_look = sort == "relevance"
        read: dict[int, dict[str, Any]] = {}  # the articles read, once each

        def stored_fields(docnum: int) -> dict[str, Any]:
            row = read.get(docnum)
            if row is None:
                row = read[docnum] = searcher.stored_fields(docnum)
            return row

        ranked = max(window, ranking.RERANK_DEPTH) if second_look else window
        found = _ranked(engine, q, ranked, only, sort, deadline)
        facet_counts: dict[str, dict[str, int]]
        stopped = False
        if found is not None:
            top, total, stopped = found.top, found.total, found.stopped
            facet_counts = count_matches(engine.factorised, found.matches, facets)
        else:  # a query the fast path does not read: Whoosh scores every match
            try:
                results = _every_match(
                    searcher,
                    q,
                    time_limit=self.query_time_limit,
                    limit=ranked,
                    filter=only,
                    sortedby=sort_facet(sort, searcher.reader()),
                    groupedby=grouped_by(facets, searcher.reader()) or None,
                )
            except _Partial as partial:
                results = partial.results
                stopped = True
            top = [(result.docnum, relevance(result.score)) for result in results[:ranked]]
            total = len(results)  # articles, copies included: the same whatever the page size
            facet_counts = counts(results, facets)
        if second_look:
            top = _second_look(top, q, parsed.parsed_from, stored_fields, searcher, engine)[:window]
        if stopped:
            notices.append(
                f"the search was stopped after {self.query_time_limit:g} s: these are the best "
                "of the articles found by then; a narrower query will be complete"
            )
        terms = highlight_terms(q, searcher.reader()) if snippets else set()
        analyzer = self._schema["text"].analyzer
        # Copies are grouped on the hash and date columns; only the page's articles are read.
        if all_copies:
            groups = [Group([candidate]) for candidate in top[(page - 1) * limit : page * limit]]
        else:
            groups = group_copies(top, engine.copy_key)[(page - 1) * limit : page * limit]
        hits = []
        for group in groups:
            rows = [stored_fields(docnum) for docnum, _ in group.rows]
            first = group.shown() if len(rows) > 1 else 0
            stored = rows[first]
            snippet = _snippet(stored, terms, analyzer) if snippets else Snippet("")
            others = tuple(
                CopyOf(row["id"], row.get("source") or row.get("agency"), stored_date(row))
                for i, row in enumerate(rows) if i != first
            )
            hits.append(_hit(stored, group.rows[0][1], snippet, others))
        suggestion, suggestion_total = self._suggestion(parsed.text, only, total)
        return SearchResults(
            query=query,
            total=total,
            hits=hits,
            notices=notices,
            page=page,
            limit=limit,
            sort=sort,
            filters=filters,
            facets=facet_counts,
            suggestion=suggestion,
            suggestion_total=suggestion_total,
            stopped=stopped,
        )

    def _allowed(self, filters: SearchFilters, searcher: Searcher, engine: topk.Engine) -> set[int] | None:
        """The documents ``filters`` let through (Whoosh's ``filter=`` takes the set), or None."""
        names = filter_query(filters, self._schema)
        allowed = None
        if names is not None:
            allowed = engine.docset(names, NAME_FIELDS)
            if allowed is None:
                allowed = set(searcher.docs_for_query(names))
        if filters.date_from or filters.date_to:
            dated = engine.dated_between(filters.date_from, filters.date_to)
            allowed = dated if allowed is None else dated & allowed
        return allowed

    def _suggestion(self, text: str, only: set[int] | None, total: int) -> tuple[str | None, int]:
        """A corrected query when ``text`` found little, and what it finds (with the same filters)."""
        if total >= FEW_RESULTS:
            return None, 0
        searcher = self._search_with()
        suggestion = corrected(text, self._words(searcher))
        if suggestion is None:
            return None, 0
        try:
            better = self._queries.parse(suggestion)
        except QueryError:
            return None, 0
        quick = topk.engine(searcher).search(better.query, 0, only, RANKED_FIELDS)
        found = quick.total if quick is not None else len(_every_match(searcher, better.query, limit=1, filter=only))
        return (suggestion, found) if found > total else (None, 0)

    def similar(self, article_id: str, limit: int = 10, *, snippets: bool = True) -> SearchResults:
        """Articles about the same story as ``article_id``: more-like-this on its most distinctive
        words (weighed against the whole archive), the article itself left out.

        Raises :class:`ArticleNotFound` for an unknown id.
        """
        searcher = self._search_with()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFound(article_id)
        stored = searcher.stored_fields(docnum)
        text = _text_field(stored)
        words = [word for word, _ in searcher.key_terms_from_text("text", text, numterms=SIMILAR_WORDS)]
        label = f"similar to {article_id}"
        if not words:
            return SearchResults(query=label, total=0, hits=[], limit=limit)
        likeness = wq.Or([wq.Term("text", word) for word in words])
        results = _every_match(searcher, likeness, limit=limit, mask=wq.Term("id", article_id))
        best = results[0].score if len(results) else 0.0
        # Sharing one common word is not being about the same story: weak matches are left out.
        close = [r for r in results[:limit] if (r.score or 0.0) >= SIMILAR_MIN_SHARE * (best or 0.0)]
        analyzer = self._schema["text"].analyzer
        hits = [
            _hit(r.fields(), r.score or 0.0, _snippet(r.fields(), set(words), analyzer) if snippets else Snippet(""))
            for r in close
        ]
        return SearchResults(query=label, total=len(hits), hits=hits, limit=limit)

    def get(self, article_id: str) -> Article:
        """The stored article with ``article_id``; raises :class:`ArticleNotFound`."""
        stored = self._search_with().document(id=article_id)
        if stored is None:
            raise ArticleNotFound(article_id)
        return to_article(stored)

    def __len__(self) -> int:
        return self._search_with().doc_count()

    def __iter__(self) -> Iterator[Article]:
        for stored in self._search_with().all_stored_fields():
            yield to_article(stored)

    def stats(self) -> IndexStats:
        dates: list[dt.date] = []
        sources: dict[str, int] = {}
        for article in self:  # one pass: every stored article is read from disk
            if article.date is not None:
                dates.append(article.date)
            name = article.source or article.agency
            if name:
                sources[name] = sources.get(name, 0) + 1
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file()) if self.path else 0
        return IndexStats(
            articles=len(self),
            first_date=min(dates, default=None),
            last_date=max(dates, default=None),
            sources=dict(sorted(sources.items(), key=lambda item: (-item[1], item[0]))),
            size_bytes=size,
            path=str(self.path) if self.path else None,
        )

    def check(self, samples: int = 100) -> list[str]:
        """Verifies the index: every segment opens, counts agree, stored articles read back.

        Returns the problems found (an empty list for a sound index).
        """
        problems: list[str] = []
        searcher = self._search_with()
        reader = searcher.reader()
        try:
            segments = list(reader.leaf_readers())
            counted = sum(leaf.doc_count() for leaf, _ in segments)
        except Exception as error:  # noqa: BLE001 - any failure to read is what check reports
            return [f"a segment cannot be read: {type(error).__name__}: {error}"]
        if counted != searcher.doc_count():
            problems.append(f"segments hold {counted} articles but the index counts {searcher.doc_count()}")
        for term in reader.lexicon("id"):
            if reader.doc_frequency("id", term) > 1:  # counts deleted copies too: look closer
                copies = [d for d in reader.postings("id", term).all_ids() if not reader.is_deleted(d)]
                if len(copies) > 1:
                    problems.append(f"article {_as_str(term)!r} is indexed {len(copies)} times")
        live = [docnum for docnum in range(reader.doc_count_all()) if not reader.is_deleted(docnum)]
        step = max(len(live) // max(samples, 1), 1)
        for docnum in live[::step]:
            try:
                stored = searcher.stored_fields(docnum)
                article = to_article(stored)
            except Exception as error:  # noqa: BLE001
                problems.append(f"article #{docnum} cannot be read back: {type(error).__name__}: {error}")
                continue
            if searcher.document_number(id=article.id) is None:
                problems.append(f"article {article.id!r} is stored but cannot be found by its id")
        if self.path is not None:
            try:
                manifest.check(self.path)
            except IncompatibleIndex as error:
                problems.append(str(error))
        return problems

    @staticmethod
    def _prepare_directory(path: Path) -> None:
        elsewhere = "choose a new or empty directory for the index (--index DIR)"
        if path.exists() and not path.is_dir():
            raise IncompatibleIndex(path, "it is a file, not a directory", hint=elsewhere)
        path.mkdir(parents=True, exist_ok=True)
        strangers = sorted(p.name for p in path.iterdir() if p.name not in _HARMLESS)
        if strangers:
            reason = f"the directory holds other files ({strangers[0]}…) and no searchlib index"
            raise IncompatibleIndex(path, reason, hint=elsewhere)


def _as_str(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _folded_name(name: str) -> str:
    return " ".join(fold(word) for word in name.split())


class _Partial(Exception):
    """A search that ran out of time, with the results collected until then."""

    def __init__(self, results: Results) -> None:
        super().__init__("search stopped by its time limit")
        self.results = results


def _every_match(searcher: Searcher, q: Any, time_limit: float | None = None, **options: Any) -> Results:
    """Runs ``q`` so that every match is counted in the same pass as the ranking.

    Whoosh's top-N collector skips blocks of low quality (``optimize``) and, once its heap is full,
    swaps the matcher for one without the sub-queries that can no longer reach the top N
    (``replace``): either way it stops seeing every match and ``len(results)`` comes out short
    (measured: 2 158 instead of 15 863 for "france" on OrangeSum) or Whoosh runs the query again.
    """
    collector = searcher.collector(optimize=False, **options)
    inner = collector
    while inner is not None:
        if hasattr(inner, "replace") and isinstance(getattr(inner, "replace"), int):
            inner.replace = 0
        inner = getattr(inner, "child", None)
    if time_limit is None:
        searcher.search_with_collector(q, collector)
        return collector.results()
    # Checked between matches (no SIGALRM: searches also run in threads other than the main one).
    limited = TimeLimitCollector(collector, timelimit=time_limit, use_alarm=False)
    try:
        searcher.search_with_collector(q, limited)
    except TimeLimit:
        raise _Partial(limited.results()) from None
    return limited.results()


def _ranked(
    engine: topk.Engine, q: Any, window: int, only: set[int] | None, sort: str, deadline: float
) -> topk.Found | None:
    """The ``window`` first matches of ``q`` in the order ``sort`` asks for, and every match; None
    when the fast path cannot read the query."""
    if sort == "relevance":
        return engine.search(q, window, only, RANKED_FIELDS, deadline)
    dates = engine.column("date")
    found = engine.search(q, 0, only, RANKED_FIELDS)
    if found is None or dates is None:  # no article has a date: all tie, by relevance
        return engine.search(q, window, only, RANKED_FIELDS, deadline) if found is not None else None
    if sort == "date":
        key: Callable[[int], Any] = dates.__getitem__
    else:
        def key(docnum: int) -> Any:
            return (dates[docnum] == topk.NO_DATE, -dates[docnum])
    first = nsmallest(window, found.docs, key=key)
    if not first:
        return found
    # Articles of the same day rank best first: score every article up to the last day shown.
    last = key(first[-1])
    same_days = [docnum for docnum in found.docs if key(docnum) <= last]
    scores = engine.scores(q, same_days, RANKED_FIELDS)
    if scores is None:
        return None
    order = sorted(same_days, key=lambda docnum: (key(docnum), -scores[docnum], docnum))[:window]
    return topk.Found([(docnum, scores[docnum]) for docnum in order], found.matches)


def _second_look(
    top: list[tuple[int, float]],
    q: Any,
    typed: str,
    stored_fields: Callable[[int], dict[str, Any]],
    searcher: Searcher,
    engine: topk.Engine,
) -> list[tuple[int, float]]:
    """``top`` with its best articles reordered by :func:`searchlib.search.second_look.rerank`."""
    words = rerank.query_words(q, typed, lambda stem: searcher.idf("text", stem))

    def holding(stem: str, docnums: list[int]) -> set[int]:
        return engine.holding("text", stem.encode("utf-8"), docnums)

    def positions(stem: str, docnums: list[int]) -> dict[int, list[int]]:
        return engine.positions("text", stem.encode("utf-8"), docnums)

    return rerank.rerank(top, words, holding, positions, lambda docnum: _text_field(stored_fields(docnum)))


def _text_field(stored: dict[str, Any]) -> str:
    """The text an article's ``text`` field was indexed from: its title, lede and body."""
    return "\n".join(part for part in (stored.get("title"), stored.get("lede"), stored.get("body")) if part)


def _snippet(stored: dict[str, Any], terms: set[str], analyzer: Any) -> Snippet:
    text = " ".join(part for part in (stored.get("lede", ""), stored.get("body", "")) if part)
    return make_snippet(text or stored.get("title", ""), terms, analyzer)


def _hit(stored: dict[str, Any], score: float, snippet: Snippet, copies: tuple[CopyOf, ...] = ()) -> Hit:
    article = to_article(stored)
    return Hit(
        id=article.id,
        title=article.title,
        date=article.date,
        source=article.source or article.agency,
        author=article.author,
        url=article.url,
        score=score,
        snippet=snippet,
        copies=copies,
    )
