"""Writing an index: batched commits, the writer's lock, and the files of one Whoosh index.

Kept apart from :mod:`searchlib.ingest.indexing`, which decides *what* to write; this module knows
*how* Whoosh is written safely.
"""

# whoosh3 private names used here (pinned whoosh3==3.54.0; tests/backends/whoosh/test_writing.py, test_bulkwrite.py check the behaviour):
#   whoosh.multiproc.MpWriter (self in ParallelWriter): _commit (overridden), _enqueue, _new_task (overridden)
#   whoosh.multiproc.SubWriterTask (self in _BulkSubWriter): _process_file
#   whoosh.writing.SegmentWriter (self in ParallelWriter, and the BulkWriter of _BulkSubWriter): _added, _close_segment,
#       _commit_toc (overridden, super), _finalize_segment, _finish, _merge_segments
#   whoosh.writing.SegmentWriter.__init__ (a keyword, in _BulkSubWriter): _lk

from __future__ import annotations


import gc
import os
import queue
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter, SegmentWriter

from . import postings, words
from ...analysis import french as analysis
from ...analysis import copy_keys as copies
from .bulkwrite import BulkWriter
from ...errors import IndexWriteError
from ...models import Article, Failure, IndexReport
from ...search.fields import ALL_WORDS_FIELD, TEXT_EXACT_FIELD
from ..base import added_now
from .schema import ADDED, to_document
from ...analysis.vocabulary import WordCounter

#: The pid of the process writing the index, for the message a waiting process gets.
#: Seconds between a waiting worker process's checks that its parent is still there.
ORPHAN_CHECK = 0.5


class Batch:
    """The writes of one run, committed every ``size`` changes, counted in a report."""

    def __init__(
        self,
        open_writer: Callable[[], IndexWriter],
        existing: Searcher,
        size: int | None,
        on_commit: Callable[[], None] | None,
        *,
        copy_hash_version: int = copies.COPY_HASH_VERSION,
        earlier_added: dict[str, int] | None = None,
    ) -> None:
        self._open_writer = open_writer
        #: When the articles of the index a rebuild replaces were added (they keep that time).
        self.earlier_added = earlier_added or {}
        #: The index's version of the wire-copy keys (see searchlib.analysis.copy_keys).
        self.copy_hash_version = copy_hash_version
        self.writer: IndexWriter | None = open_writer()
        self.existing = existing
        #: Fields of newer searchlibs an index written before them lacks: left out of its articles.
        self.absent = {ALL_WORDS_FIELD, TEXT_EXACT_FIELD, ADDED} - set(existing.schema.names())
        #: When the articles of this batch are recorded as added (an update keeps its first time):
        #: taken each time a writer is opened (see _write).
        self.added = added_now()
        #: The time given to each article written in this run, which a second copy keeps.
        self.added_of: dict[str, int] = {}
        self.size = size
        self.on_commit = on_commit
        self.written: set[str] = set()
        #: Ids written since the last commit: Whoosh's delete cannot reach a writer's own buffer.
        self.uncommitted: set[str] = set()
        self.report = IndexReport()
        self.pending = 0
        self.committed = 0
        #: Whether each commit may merge small segments (Whoosh's default policy). A long run
        #: commits without and merges once at its end: merging every few batches rewrote the
        #: same postings again and again.
        self.merge_small = True
        #: The words of the articles committed and not yet saved, for "did you mean".
        self.words = WordCounter()

    def _write(self) -> IndexWriter:
        if self.writer is None:
            self.writer = self._open_writer()
            # Taken once the writer holds the index's lock: later than every commit before it, of
            # this run or another, so "newer than the newest a search saw" misses none.
            self.added = max(added_now(), self.added + 1)
        return self.writer

    def _changed(self) -> None:
        self.pending += 1
        if self.size and self.pending >= self.size:
            self.commit()

    def record(self, item: Article | Failure) -> None:
        if isinstance(item, Failure):
            self.report.note(item)
        else:
            self.put(item)

    def put(self, article: Article, added: int = 0) -> None:
        if added and article.id not in self.earlier_added:
            self.earlier_added[article.id] = added  # copied from another archive: its time goes with it
        document = to_document(article, defer_copy_hash=True, copy_hash_version=self.copy_hash_version)
        for name in self.absent:
            document.pop(name, None)
        if article.id in self.written:
            if article.id in self.uncommitted:
                self.commit()  # so that the update replaces it rather than standing beside it
            self._stamp(document, article.id, self.existing.document_number(id=article.id))
            self._write().update_document(**document)
            self.report.updated += 1
        else:
            self.written.add(article.id)
            docnum = self.existing.document_number(id=article.id)
            if docnum is not None and self.existing.stored_fields(docnum).get("fingerprint") == document["fingerprint"]:
                self.report.unchanged += 1
                return
            self._stamp(document, article.id, docnum)
            if docnum is None:
                self._write().add_document(**document)
                self.report.added += 1
            else:
                self._write().update_document(**document)
                self.report.updated += 1
        self.uncommitted.add(article.id)
        self._changed()

    def _stamp(self, document: dict[str, Any], article_id: str, docnum: int | None) -> None:
        """Sets when the article was first added: as this run first wrote it, as the index holds
        it (``docnum``: an update keeps its time), as the index a rebuild replaces held it, or now."""
        if ADDED in self.absent:
            return
        first = self.added_of.get(article_id)
        if first is None:
            self._write()  # the batch's time is taken when its writer opens
            held = self._recorded_added(docnum) if docnum is not None else 0
            first = held or self.earlier_added.get(article_id) or self.added
            self.added_of[article_id] = first
        document[ADDED] = first

    def _recorded_added(self, docnum: int) -> int:
        """When the indexed article ``docnum`` was first added; 0 when not recorded."""
        reader = self.existing.reader()
        return reader.column_reader(ADDED)[docnum] if reader.has_column(ADDED) else 0

    def delete(self, article_id: str) -> bool:
        if article_id not in self.written and self.existing.document_number(id=article_id) is None:
            return False
        if article_id in self.uncommitted:
            self.commit()
        self._write().delete_by_term("id", article_id)
        self.written.discard(article_id)
        self.report.removed += 1
        self._changed()
        return True

    def commit(self, *, merge: bool = False, merge_small: bool = False) -> None:
        """Commits the changes since the last commit (if any); later changes open a new writer.
        ``merge`` also rewrites the whole index as one segment, ``merge_small`` merges its small
        segments (Whoosh's default policy) even when nothing changed."""
        if merge or merge_small:
            self._commit_with(self._write(), optimize=merge)
        elif self.writer is not None and self.pending:
            self._commit_with(self.writer, merge=self.merge_small)
        elif self.writer is not None:
            self.writer.cancel()
            self.writer = None

    def _commit_with(self, writer: IndexWriter, **options: Any) -> None:
        storage, index_name = writer.storage, writer.indexname
        writer.commit(**options)
        self.writer = None
        # The writer counted the words of the articles it wrote (in its worker processes, if any).
        self.words.take(writer.words)
        # After the commit: a crash in between loses suggestions, never articles.
        words.save_counted(self.words, storage, index_name)
        self.report.batches += 1 if self.pending else 0
        self.committed += self.pending
        self.pending = 0
        self.uncommitted.clear()
        if self.on_commit is not None:
            self.on_commit()

    def cancel(self) -> None:
        if self.writer is not None:
            try:
                if not self.writer.is_closed:
                    self.writer.cancel()
            except OSError:
                pass  # the disk that failed the write may fail the clean-up too; nothing was committed
            self.writer = None

    def close(self) -> None:
        self.existing.close()


class ParallelWriter(MpWriter):
    """Whoosh's multiprocess writer, made as safe as the one-process writer.

    Documents are analysed and their postings written by ``procs`` worker processes, each
    adding its own segment at commit (``multisegment``: no merge of their work at every batch).
    Whoosh's own MpWriter commits whatever the workers that finished returned, so a worker
    that died (killed, out of memory) would silently lose its share of the batch; this one
    refuses to commit then. Its ``cancel`` stops the workers (Whoosh's only flags them in the
    parent, leaving them waiting forever), and the workers ignore Ctrl-C: the parent drops the
    batch in flight and stops them.
    """

    def __init__(self, ix: Any, procs: int, *, count_words: str | None = None, **kwargs: Any) -> None:
        """``count_words``: as :class:`BulkWriter`'s, counted by the workers into :attr:`words`."""
        copies.prepare()  # before the workers are forked
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        self.subargs = {**self.subargs, "count_words": count_words}
        #: How many workers returned their segments at the commit (all of them, or it is refused).
        self._delivered = 0
        #: The words of the documents the workers wrote, once committed.
        self.words = WordCounter()

    def _new_task(self) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return self._start_task()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the forked worker
        try:
            return self._start_task()
        finally:
            signal.signal(signal.SIGINT, previous)

    def _start_task(self) -> Any:
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        task = _BulkSubWriter(*args)
        self.tasks.append(task)
        task.start()
        return task

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        """MpWriter's commit with several segments, each worker's result (its segments and the
        words it counted) read before it is joined: a worker exits only once what it put on the
        result queue is read, and a batch's word counts are larger than a pipe holds."""
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        results = self._results()
        for task in self.tasks:
            task.join()
        self._delivered = len(results)
        for counted, analysed, worker_segments in results:
            self.words.take(counted)
            analysis.learn(analysed)  # inherited by the next batch's workers
            postings.number_words(analysed)  # and numbered (for their WordBuffers)
            segments.append(worker_segments)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _results(self) -> list[Any]:
        """One result per worker, or fewer if some died (:meth:`_commit_toc` then refuses)."""
        results = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=ORPHAN_CHECK))
            except queue.Empty:
                if all(task.exitcode is not None for task in self.tasks) and self.resultqueue.empty():
                    break  # every worker has ended: no more results can come
        return results

    def _commit_toc(self, segments: list[Any]) -> None:
        # A worker whose memory filled up returns the segments it closed on the way with its last
        # (so there may be more segments than workers: what counts is that every worker answered).
        segments = [s for item in segments for s in (item if isinstance(item, list) else [item])]
        if self._delivered != len(self.tasks) or any(task.exitcode != 0 for task in self.tasks):
            codes = ", ".join(str(task.exitcode) for task in self.tasks)
            self._stop_workers()
            self._finish()
            path = Path(getattr(self.storage, "folder", ":memory:"))
            raise IndexWriteError(path, f"an indexing worker process failed (exit codes {codes}); nothing of this batch was committed")
        super()._commit_toc(segments)

    def _stop_workers(self) -> None:
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join()

    def cancel(self) -> None:
        self._stop_workers()
        SegmentWriter.cancel(self)


class _BulkSubWriter(SubWriterTask):
    """Whoosh's worker process, writing its segment with :class:`BulkWriter`, and ending when its
    parent is gone: Whoosh's waits for work forever, and a worker orphaned by a killed
    ``searchlib index`` kept the index's lock (inherited from the parent) so that every later
    run found the index locked (benchmarks/crash_test.py)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.parent = os.getpid()

    def run(self) -> None:
        # What the worker inherited from its parent (the analysed words, their numbers) lives as
        # long as it does: kept out of the cyclic collector's full passes, which went through it
        # all again and again (7 % of a worker's CPU on OrangeSum).
        gc.freeze()
        inherited = analysis.learned_words()
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = BulkWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            try:
                job = self.jobqueue.get(timeout=ORPHAN_CHECK)
            except queue.Empty:
                if os.getppid() != self.parent:
                    os._exit(1)  # nothing of this batch can be committed now
                continue
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        last = writer._finalize_segment()
        segments = [*writer._spilled, last] if writer._spilled else last
        self.resultqueue.put((writer.words, analysis.learned_since(inherited), segments), timeout=5)
        self._wait_until_sent()

    def _wait_until_sent(self) -> None:
        """Waits until the result is written to the parent, or ends if the parent is gone.

        A queue's items go through a pipe, written by a thread of the queue's, and a process's
        exit waits for that thread. A batch's result is larger than a pipe holds: when the parent
        died before reading it, the thread waited forever (the sibling worker holds the pipe's
        reading end too), and the worker with it, keeping the index's lock, so that every later
        run found the index locked (benchmarks/crash_test.py: 10 kills, the final run refused).
        """
        results = self.resultqueue
        results.close()  # nothing more to put: the thread ends once what it holds is written
        sender = getattr(results, "_thread", None)  # multiprocessing's own (private) feeder thread
        while sender is not None and sender.is_alive():
            sender.join(ORPHAN_CHECK)
            if os.getppid() != self.parent:
                os._exit(1)  # nothing of this batch can be committed now
