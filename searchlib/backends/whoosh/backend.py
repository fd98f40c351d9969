"""The embedded engine's :class:`~searchlib.backends.base.Backend`: a Whoosh index in a directory
(with its manifest, file catalog and words) or in memory.

It owns the directory's life cycle and the rebuild swap, one searcher per thread, the writers (one
process or ``jobs`` worker processes) and the merge policy of an indexing run.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import LockError
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from ...analysis.copy_keys import COPY_HASH_VERSION
from ...analysis.vocabulary import Vocabulary
from ...errors import IncompatibleIndex, IndexLocked, IndexNotFound, IndexWriteError, Interrupted
from ...ingest.catalog import FileCatalog
from ...models import IndexReport
from ..base import Backend
from . import manifest, words
from .codec import CompactCodec
from .schema import ADDED, VOCABULARY_FIELD, build_schema
from .scoring import weighting
from .view import WhooshView
from .files import WRITER_NOTE, acquire, holds_whoosh, open_whoosh, remove_index_files, whoosh_exists, writer_pid

if TYPE_CHECKING:
    from .writing import Batch

#: A run that wrote at least this share of the index merges it into one segment at the end.
MERGE_SHARE = 0.5
# Files that may sit in an index directory before there is an index (the repo's index/README.md).
_HARMLESS = {"README.md", "README", ".gitkeep", ".gitignore"}


class WhooshBackend(Backend):
    """One Whoosh index: ``WhooshBackend.open(path)``, ``WhooshBackend.in_memory()``."""

    def __init__(self, ix: Any, path: Path | None, index_name: str, copy_hash_version: int, lock_timeout: float) -> None:
        self._ix = ix
        self.path = path
        self.lock_timeout = lock_timeout
        self._memory_catalog: FileCatalog | None = None
        self._index_name = index_name
        #: The index's version of the wire-copy keys (see searchlib.analysis.copy_keys).
        self._copy_hash_version = copy_hash_version
        self._init_state()

    def _init_state(self) -> None:
        self._manifest_stamp = manifest.stamp(self.path) if self.path else 0
        # One Whoosh searcher per thread: a searcher reads its files through shared handles and
        # is not safe to use from two threads at once.
        self._local = threading.local()
        self._searchers: list[Searcher] = []
        self._searchers_lock = threading.Lock()
        self._vocabulary: tuple[int | None, Vocabulary] | None = None
        #: When each article of the index a rebuild replaces was added: the rebuilt ones keep it.
        self._earlier_added: dict[str, int] = {}

    @classmethod
    def open(cls, path: Path, *, create: bool = True, lock_timeout: float = 5.0) -> WhooshBackend:
        """The index at ``path``, created when ``create`` and there is none yet."""
        if path.is_dir() and (manifest.read(path) is not None or holds_whoosh(path)):
            manifest.check(path)
            name = manifest.index_name(path)
            if whoosh_exists(path, name):
                ix = open_whoosh(path, name)
            elif create:  # a creation stopped between the manifest and the index: finish it
                ix = FileStorage(str(path)).create_index(build_schema(), indexname=name)
            else:
                raise IndexNotFound(path)
            return cls(ix, path, name, manifest.copy_hash_version(path), lock_timeout)
        if not create:
            raise IndexNotFound(path)
        _prepare_directory(path)
        # The manifest first: a kill between the two steps leaves a directory searchlib knows.
        manifest.write(path, manifest.FIRST_INDEX_NAME)
        ix = FileStorage(str(path)).create_index(build_schema(), indexname=manifest.FIRST_INDEX_NAME)
        return cls(ix, path, manifest.FIRST_INDEX_NAME, COPY_HASH_VERSION, lock_timeout)

    @classmethod
    def in_memory(cls) -> WhooshBackend:
        ix = RamStorage().create_index(build_schema(), indexname=manifest.FIRST_INDEX_NAME)
        return cls(ix, None, manifest.FIRST_INDEX_NAME, COPY_HASH_VERSION, 0.0)

    @classmethod
    @contextmanager
    def rebuilding(cls, path: Path, *, lock_timeout: float = 5.0) -> Iterator[tuple[WhooshBackend, list[str]]]:
        """A new index built beside the one at ``path`` and swapped in atomically when the block
        ends without an error (else removed), with the files the old one was built from. Searches
        keep using the old index until the swap; no one writes it meanwhile. Where there is no
        index yet, the block fills a new one."""
        if manifest.read(path) is None and not holds_whoosh(path):
            with cls.open(path, lock_timeout=lock_timeout) as fresh:
                yield fresh, []
            return
        old_name = manifest.index_name(path)
        built_from = list(FileCatalog(path, old_name).files)
        storage = FileStorage(str(path))
        old_lock = storage.lock(f"{old_name}_WRITELOCK")
        if not acquire(old_lock, lock_timeout):
            raise IndexLocked(path, lock_timeout, writer_pid(path))
        new_name = f"articles-{time.time_ns()}"
        try:
            # the version the new manifest gives
            fresh = cls(storage.create_index(build_schema(), indexname=new_name), path, new_name, COPY_HASH_VERSION, lock_timeout)
            fresh._earlier_added = _added_by_id(storage, old_name)
            try:
                yield fresh, built_from
            finally:
                fresh.close()
            manifest.write(path, new_name)  # the swap: one atomic rename
        except BaseException:
            remove_index_files(path, new_name)
            raise
        finally:
            old_lock.release()
        remove_index_files(path, old_name)

    # -- resources -----------------------------------------------------------------------------

    def close(self) -> None:
        self._close_searchers()
        self._ix.close()

    def _close_searchers(self) -> None:
        with self._searchers_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._local = threading.local()

    def view(self) -> WhooshView:
        searcher = self._searcher()
        return WhooshView(searcher, lambda: self._words(searcher), self.path)

    def private_view(self) -> WhooshView:
        if self.path is not None and manifest.stamp(self.path) != self._manifest_stamp:
            self._follow_rebuild()
        searcher = self._ix.searcher(weighting=weighting())
        return WhooshView(searcher, lambda: self._words(searcher), self.path, owned=True)

    def _searcher(self) -> Searcher:
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
            searcher = self._ix.searcher(weighting=weighting())
            self._local.searcher = searcher
            with self._searchers_lock:
                self._searchers.append(searcher)
        return searcher

    def _words(self, searcher: Searcher) -> Vocabulary:
        """The archive's words as written, as saved when ``searcher``'s commit was made."""
        generation = searcher.reader().generation()
        cached = self._vocabulary  # one for all threads: 126,000 words on OrangeSum
        if cached is None or cached[0] != generation:
            cached = (generation, words.load(self._ix.storage, self._index_name))
            self._vocabulary = cached
        return cached[1]

    def _follow_rebuild(self) -> None:
        """Another process rebuilt the index and swapped it in: switch to the new one."""
        assert self.path is not None
        self._close_searchers()
        self._ix.close()
        manifest.check(self.path)
        self._index_name = manifest.index_name(self.path)
        self._copy_hash_version = manifest.copy_hash_version(self.path)
        self._ix = open_whoosh(self.path, self._index_name)
        self._init_state()

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file()) if self.path else 0

    def catalog(self) -> FileCatalog:
        if self.path is None:  # in memory: the one catalog lives as long as the archive
            if self._memory_catalog is None:
                self._memory_catalog = FileCatalog(None)
            return self._memory_catalog
        return FileCatalog(self.path, self._index_name)

    # -- writing -------------------------------------------------------------------------------

    def batch(self) -> contextlib.AbstractContextManager[Batch]:
        return self._batch()

    @contextmanager
    def run(self, batch_size: int, jobs: int, on_commit: Callable[[], None] | None) -> Iterator[Batch]:
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
        with self._batch(batch_size, on_commit, jobs=jobs, compress=not first_build) as batch:
            batch.merge_small = False
            yield batch
        if on_commit is not None:
            on_commit()
        self._tidy(batch.report, jobs, first_build and (batch.report.batches > 0 or resuming))
        if first_build:
            with contextlib.suppress(OSError):  # left behind, it costs the next run a merge, no more
                unmerged.unlink(missing_ok=True)  # type: ignore[union-attr]

    def _tidy(self, report: IndexReport, jobs: int, finish_build: bool) -> None:
        """Merges what a run wrote: the whole index when the run wrote most of it, else its small
        segments; then the words' list is compacted."""
        if self._worth_merging(report) or finish_build:
            with self._batch(merge_jobs=jobs) as merging:
                merging.commit(merge=True)
        elif report.batches:
            with self._batch(merge_jobs=jobs) as merging:  # small segments merged, as a commit of Whoosh's does
                merging.commit(merge_small=True)
        if report.batches:  # each batch appended its words to the list: read whole, it loads quicker
            words.compact(self._ix.storage, self._index_name)

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
        # saves the file catalog right after each commit, never before. (The writer's modules
        # are imported here, when an archive is written: a search does without them.)
        from .writing import Batch

        batch = Batch(lambda: self._writer(jobs, compress, merge_jobs), self._ix.searcher(), size, on_commit,
                      copy_hash_version=self._copy_hash_version, earlier_added=self._earlier_added)
        try:
            yield batch
            batch.commit()
            if batch.committed and self.path is not None:
                manifest.written_to(self.path)
        except BaseException as error:
            batch.cancel()
            if isinstance(error, KeyboardInterrupt):
                raise Interrupted(batch.committed) from None
            if isinstance(error, OSError):
                raise IndexWriteError(self.path or Path(":memory:"), error.strerror or str(error)) from None
            raise
        finally:
            batch.close()
            if writer_pid(self.path) == os.getpid():
                (self.path / WRITER_NOTE).unlink(missing_ok=True)  # type: ignore[operator]

    def _writer(self, jobs: int = 1, compress: bool = True, merge_jobs: int = 1) -> IndexWriter:
        """A writer adding documents with ``jobs`` processes, or (one process adding) writing a
        merge's postings with ``merge_jobs``."""
        from .bulkwrite import BulkWriter
        from .writing import ParallelWriter

        options = dict(timeout=self.lock_timeout, compound=False, compress=compress, codec=CompactCodec(),
                       count_words=VOCABULARY_FIELD)
        try:
            if jobs > 1 and self.path is not None:
                # Each worker has its own pool: the memory bound stays about the same in all.
                writer: IndexWriter = ParallelWriter(self._ix, jobs, limitmb=max(256 // jobs, 64), **options)
            else:
                # Segments as separate files, not one compound file: whoosh3 opens a compound
                # file's parts by copying them into memory (BytesIO of an mmap slice), which
                # cost every new searcher 0.2 s and the whole postings' size in memory on OrangeSum.
                writer = BulkWriter(self._ix, limitmb=256, procs=merge_jobs if self.path else 1, **options)
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


def _prepare_directory(path: Path) -> None:
    elsewhere = "choose a new or empty directory for the index (--index DIR)"
    if path.exists() and not path.is_dir():
        raise IncompatibleIndex(path, "it is a file, not a directory", hint=elsewhere)
    path.mkdir(parents=True, exist_ok=True)
    strangers = sorted(p.name for p in path.iterdir() if p.name not in _HARMLESS)
    if strangers:
        reason = f"the directory holds other files ({strangers[0]}…) and no searchlib index"
        raise IncompatibleIndex(path, reason, hint=elsewhere)


def _added_by_id(storage: Any, name: str) -> dict[str, int]:
    """Article id → when it was added, in the index ``name`` (empty when it does not record it)."""
    try:
        ix = storage.open_index(indexname=name)
    except Exception:  # noqa: BLE001 - an index that cannot be read has no times to keep
        return {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if not reader.has_column(ADDED):
            return {}
        added = reader.column_reader(ADDED)
        # One pass over the stored articles: what a rebuild, which reads every file again, can afford.
        return {stored["id"]: added[docnum] for docnum, stored in reader.iter_docs() if added[docnum]}
