"""The Archive: one searchlib index on disk (or in memory), to fill and to search."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import LockError
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from . import __version__, ranking
from .analysis import ANALYZER_VERSION, fold
from .catalog import FileCatalog, FileRecord, signature_of
from .errors import ArticleNotFound, IncompatibleIndex, IndexLocked, IndexNotFound
from .highlight import make_snippet
from .models import Article, Failure, Hit, IndexReport, IndexStats, SearchResults, Snippet
from .query import QueryBuilder, highlight_terms
from .schema import SCHEMA_VERSION, build_schema, to_article, to_document
from .sources import discover, read_file

#: Called with (files done, files in all) during :meth:`Archive.index_paths`.
Progress = Callable[[int, int], None]

MANIFEST = "searchlib.json"
_INDEX_NAME = "articles"
# Files that may sit in an index directory before there is an index (the repo's index/README.md).
_HARMLESS = {"README.md", "README", ".gitkeep", ".gitignore"}


class Archive:
    """A searchable archive of French articles.

    >>> with Archive("index") as archive:                          # doctest: +SKIP
    ...     report = archive.index_paths(["samples/"])
    ...     for hit in archive.search("sécurité chinoise").hits:
    ...         print(hit.title, hit.snippet.highlighted_words())
    """

    def __init__(self, path: str | Path, *, create: bool = True, lock_timeout: float = 5.0) -> None:
        """Opens the index at ``path``, creating it when ``create`` and there is none yet."""
        self.path: Path | None = Path(path)
        self.lock_timeout = lock_timeout
        storage: Storage
        if whoosh_index.exists_in(str(self.path), indexname=_INDEX_NAME):
            _check_manifest(self.path)
            storage = FileStorage(str(self.path))
            self._ix = storage.open_index(_INDEX_NAME)
        elif not create:
            raise IndexNotFound(self.path)
        else:
            self._prepare_directory(self.path)
            storage = FileStorage(str(self.path))
            self._ix = storage.create_index(build_schema(), indexname=_INDEX_NAME)
            _write_manifest(self.path)
        self._queries = QueryBuilder(self._ix.schema)
        self._searcher: Searcher | None = None
        self._catalog = FileCatalog(self.path)

    @classmethod
    def open(cls, path: str | Path, *, lock_timeout: float = 5.0) -> Archive:
        """Opens an existing index; raises :class:`IndexNotFound` when there is none at ``path``."""
        return cls(path, create=False, lock_timeout=lock_timeout)

    @classmethod
    def in_memory(cls) -> Archive:
        """An archive that lives in memory only: for tests and short-lived embedding."""
        archive = cls.__new__(cls)
        archive.path = None
        archive.lock_timeout = 0.0
        archive._ix = RamStorage().create_index(build_schema(), indexname=_INDEX_NAME)
        archive._queries = QueryBuilder(archive._ix.schema)
        archive._searcher = None
        archive._catalog = FileCatalog(None)
        return archive

    # -- resources -------------------------------------------------------------------------

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _search_with(self) -> Searcher:
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses the readers of unchanged segments together with
            # their old deletion lists, so deleted and replaced articles would still be found.
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=ranking.weighting())
        return self._searcher

    def _writer(self) -> IndexWriter:
        try:
            return self._ix.writer(timeout=self.lock_timeout, limitmb=256)
        except LockError:
            raise IndexLocked(self.path or Path(":memory:"), self.lock_timeout) from None

    # -- writing ---------------------------------------------------------------------------

    def index_paths(
        self, paths: Iterable[str | Path], progress: Progress | None = None, *, prune: bool = False
    ) -> IndexReport:
        """Indexes the articles of every file under ``paths`` (files or directories, recursively).

        Files or records that cannot be read are listed in the report's ``failed``; everything
        else is indexed. Files unchanged since they were last indexed are not read again; articles
        are updated in place when they changed. With ``prune``, articles whose file is gone, or no
        longer holds them, are removed. ``progress(done, total)`` is called as each file is done.
        """
        found = list(discover(paths))
        with self._batch() as batch:
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
        return batch.report

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
    def _batch(self) -> Iterator[_Batch]:
        batch = _Batch(self._writer(), self._ix.searcher())
        try:
            yield batch
        except BaseException:
            batch.cancel()
            self._catalog = FileCatalog(self.path)  # forget what this run learnt: it was not kept
            raise
        batch.commit()

    def _index_file(self, batch: _Batch, path: Path, prune: bool) -> None:
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

    def _prune_missing(self, batch: _Batch) -> None:
        for key, record in list(self._catalog.files.items()):
            if Path(key).exists():
                continue
            for article_id in record.ids:
                if self._catalog.owners(article_id) == [key]:
                    batch.delete(article_id)
            del self._catalog.files[key]

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: str, limit: int = 10, *, snippets: bool = True) -> SearchResults:
        """The ``limit`` best articles for ``query`` (Whoosh query syntax, searched leniently).

        Raises :class:`~searchlib.errors.EmptyQuery` when the query has nothing to search for.
        """
        parsed = self._queries.parse(query)
        searcher = self._search_with()
        # Without block-quality skipping every match is scored, so the total comes from the same
        # pass; with it, Whoosh runs the query a second time to count (measured: 40% slower).
        results = searcher.search(parsed.query, limit=max(limit, 1), optimize=False)
        terms = highlight_terms(parsed.query, searcher.reader()) if snippets else set()
        analyzer = self._ix.schema["text"].analyzer
        hits = []
        for result in results[:limit]:
            stored = result.fields()
            snippet = _snippet(stored, terms, analyzer) if snippets else Snippet("")
            hits.append(_hit(stored, result.score or 0.0, snippet))
        return SearchResults(query=query, total=len(results), hits=hits, notices=parsed.notices)

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
        dates = [article.date for article in self if article.date is not None]
        sources: dict[str, int] = {}
        for article in self:
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


class _Batch:
    """One writer and one commit: the articles added, updated and removed, counted in a report."""

    def __init__(self, writer: IndexWriter, existing: Searcher) -> None:
        self.writer = writer
        self.existing = existing
        self.written: set[str] = set()
        self.report = IndexReport()

    def record(self, item: Article | Failure) -> None:
        if isinstance(item, Failure):
            (self.report.warnings if item.warning else self.report.failed).append(item)
        else:
            self.put(item)

    def put(self, article: Article) -> None:
        document = to_document(article)
        if article.id in self.written:
            self.writer.update_document(**document)
            self.report.updated += 1
            return
        self.written.add(article.id)
        docnum = self.existing.document_number(id=article.id)
        if docnum is None:
            self.writer.add_document(**document)
            self.report.added += 1
        elif self.existing.stored_fields(docnum).get("fingerprint") == document["fingerprint"]:
            self.report.unchanged += 1
        else:
            self.writer.update_document(**document)
            self.report.updated += 1

    def delete(self, article_id: str) -> bool:
        if article_id not in self.written and self.existing.document_number(id=article_id) is None:
            return False
        self.writer.delete_by_term("id", article_id)
        self.written.discard(article_id)
        self.report.removed += 1
        return True

    def commit(self) -> None:
        self.existing.close()
        if self.report.added or self.report.updated or self.report.removed:
            self.writer.commit()
        else:
            self.writer.cancel()

    def cancel(self) -> None:
        self.existing.close()
        self.writer.cancel()


def _folded_name(name: str) -> str:
    return " ".join(fold(word) for word in name.split())


def _snippet(stored: dict[str, Any], terms: set[str], analyzer: Any) -> Snippet:
    text = " ".join(part for part in (stored.get("lede", ""), stored.get("body", "")) if part)
    return make_snippet(text or stored.get("title", ""), terms, analyzer)


def _hit(stored: dict[str, Any], score: float, snippet: Snippet) -> Hit:
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
    )


def _write_manifest(path: Path) -> None:
    manifest = {
        "format": "searchlib-index",
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": ANALYZER_VERSION,
        "written_by": f"searchlib {__version__}",
    }
    tmp = path / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / MANIFEST)


def _check_manifest(path: Path) -> None:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IncompatibleIndex(path, "it was not written by searchlib (no searchlib.json)") from None
    except (OSError, ValueError) as error:
        raise IncompatibleIndex(path, f"its searchlib.json is unreadable ({error})") from None
    for key, current in (("schema_version", SCHEMA_VERSION), ("analyzer_version", ANALYZER_VERSION)):
        if manifest.get(key) != current:
            raise IncompatibleIndex(path, f"it has {key} {manifest.get(key)}, this searchlib needs {current}")
