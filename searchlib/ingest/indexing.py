"""Incremental indexing: which files to read again, which articles to prune, in batches that a
crash or Ctrl-C cannot leave half-written.

The engine's :meth:`~searchlib.backends.base.Backend.run` commits; this module decides what goes
into it, and keeps the file catalog (which file gave which articles) in step with each commit.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..backends.base import Backend, Batch
from ..models import Article, Failure, IndexReport
from .catalog import FileCatalog, FileRecord, signature_of

#: Called during an indexing run with (bytes read, bytes in all): the files' sizes on disk, a
#: compressed file's compressed size. A callback that takes a third argument also gets the
#: number of articles read so far.
Progress = Callable[..., None]

#: Seconds between two calls of the progress callback while a file is read.
PROGRESS_EVERY = 0.2

#: Articles written between two commits of an indexing run: a crash loses at most that many
#: articles' work (about 4 s of it on two cores). Each commit costs a segment per worker process,
#: which the run's final merge reads again: on OrangeSum, 4,000 (9 batches) took 31 s where
#: 2,000 took 33 s and 1,000 took 37 s (docs/history/performance-log.md), for 40 MB more peak memory.
BATCH_SIZE = 4000


def index_paths(
    backend: Backend,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    *,
    prune: bool = False,
    batch_size: int = BATCH_SIZE,
    jobs: int = 1,
) -> IndexReport:
    """Indexes the articles of every file under ``paths`` into ``backend`` (see
    :meth:`searchlib.Archive.index_paths`)."""
    # Imported here: the readers (trafilatura, lxml, feedparser, warcio) take half of a
    # `searchlib search` process's start-up time, and searching never needs them.
    from .sources import discover

    started = time.monotonic()
    paths = list(paths)
    found = list(discover(paths, backend.path))
    meter = _Meter(found, progress)
    catalog = backend.catalog()
    saver = _CatalogSaver(catalog)
    with backend.run(batch_size, jobs, on_commit=saver) as batch:
        saver.report = batch.report
        for item in found:
            if isinstance(item, Failure):
                batch.record(item)
            else:
                _index_file(batch, catalog, item, prune, meter)
            meter.file_done(item)
        if prune:
            _prune_missing(batch, catalog, [Path(path).resolve() for path in paths])
    batch.report.seconds = time.monotonic() - started
    return batch.report


def delete(backend: Backend, article_ids: Iterable[str]) -> list[str]:
    """Removes articles by id; returns the ids that were there."""
    with backend.batch() as batch:
        removed = [article_id for article_id in dict.fromkeys(article_ids) if batch.delete(article_id)]
    catalog = backend.catalog()
    catalog.forget_articles(set(removed))
    catalog.save()
    return removed


class _Meter:
    """Tells the progress callback how many bytes of the files have been read, and articles."""

    def __init__(self, found: list[Path | Failure], progress: Progress | None) -> None:
        self.sizes = {item: _size(item) for item in found if isinstance(item, Path)}
        self.total = sum(self.sizes.values())
        self.done = self.articles = 0
        self.progress = progress
        self.with_articles = progress is not None and _takes_three(progress)
        self.last = time.monotonic()

    def read(self, path: Path, position: Callable[[], int]) -> None:
        """One more article read from ``path``; ``position()`` says how far into it."""
        self.articles += 1
        if self.progress is not None and time.monotonic() - self.last >= PROGRESS_EVERY:
            self._tell(self.done + min(position(), self.sizes.get(path, 0)))

    def file_done(self, item: Path | Failure) -> None:
        if isinstance(item, Path):
            self.done += self.sizes.get(item, 0)
        if self.progress is not None:
            self._tell(self.done)

    def _tell(self, done: int) -> None:
        self.last = time.monotonic()
        if self.with_articles:
            self.progress(done, self.total, self.articles)  # type: ignore[misc]
        else:
            self.progress(done, self.total)  # type: ignore[misc]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _takes_three(callback: Callable[..., None]) -> bool:
    try:
        inspect.signature(callback).bind(0, 0, 0)
    except TypeError:
        return False
    except ValueError:  # no signature to read (some built-ins)
        return False
    return True


def _index_file(batch: Batch, catalog: FileCatalog, path: Path, prune: bool, meter: _Meter) -> None:
    key = FileCatalog.key(path)
    known = catalog.files.get(key)
    if known is not None and catalog.unchanged(path):
        batch.report.unchanged += len(known.ids)
        for failure in known.failures:
            batch.record(failure)
        return
    try:
        signature: tuple[int, int] | None = signature_of(path)
    except OSError:
        signature = None  # read_file reports why
    ids, failures = _read(batch, path, meter)
    complete = all(failure.warning or failure.skipped for failure in failures)
    previous = known.ids if known else []
    if prune and complete:
        for gone in set(previous) - set(ids):
            if catalog.owners(gone) == [key]:
                batch.delete(gone)
    if not complete:  # keep its old articles in mind for --prune: one bad record loses nothing
        ids = list(dict.fromkeys(previous + ids))
    # A file that could not be read (permissions, I/O) is tried again next time; what was wrong
    # with a file read through is remembered and reported again until the file changes.
    read_through = not any(failure.transient for failure in failures)
    catalog.files[key] = FileRecord(signature if read_through else None, ids, failures)


def _read(batch: Batch, path: Path, meter: _Meter) -> tuple[list[str], list[Failure]]:
    """Writes the articles of ``path``, reports what could not be read; returns their ids and that."""
    from .sources import metered, read_file

    ids: list[str] = []
    failures: list[Failure] = []
    with metered() as position:
        for record in read_file(path):
            if isinstance(record, Article):
                batch.record(record)
                ids.append(record.id)
                meter.read(path, position)
            else:
                failures.append(record)
    batch.report.read += len(ids)
    if not ids:
        failures = _not_articles(failures)
    for failure in failures:
        batch.record(failure)
    return ids, failures


def _not_articles(failures: list[Failure]) -> list[Failure]:
    """A file none of whose records has a field that could be a title or text is not an article
    file (a table of relevance judgements, a list of queries): one line, not one per record."""
    from .sources.jsonl import NO_TEXT_FIELD

    if not failures or not all(NO_TEXT_FIELD in failure.reason for failure in failures):
        return failures
    first = failures[0].reason
    why = first[first.index(NO_TEXT_FIELD) :]
    return [Failure(failures[0].path, f"not an article file: {why}", skipped=True)]


class _CatalogSaver:
    """Saves the file catalog at each commit (``on_commit``), first forgetting what it knows of
    each file with an article the engine refused for a reason that may pass (a busy cluster, an
    index blocked for writes): the next run reads that file again."""

    def __init__(self, catalog: FileCatalog) -> None:
        self.catalog = catalog
        self.report: IndexReport | None = None
        self.refused: set[str] = set()
        self.seen = 0  # failures looked at

    def __call__(self) -> None:
        if self.report is not None:
            failed = self.report.failed
            self.refused.update(FileCatalog.key(Path(f.path)) for f in failed[self.seen :] if f.transient)
            self.seen = len(failed)
            for key in self.refused & self.catalog.files.keys():
                self.catalog.files[key].signature = None
        self.catalog.save()


def _prune_missing(batch: Batch, catalog: FileCatalog, roots: list[Path]) -> None:
    """Removes the articles of the files under ``roots`` that are gone. Only under them: a file
    indexed from elsewhere (another folder, another machine writing to the same cluster) is not
    this run's to judge."""
    for key, record in list(catalog.files.items()):
        path = Path(key)
        if path.exists() or not any(path == root or path.is_relative_to(root) for root in roots):
            continue
        for article_id in record.ids:
            if catalog.owners(article_id) == [key]:
                batch.delete(article_id)
        del catalog.files[key]


def copy_archive(source: Backend, target: Backend, progress: Callable[[int, int], None] | None = None,
                 *, batch_size: int = BATCH_SIZE) -> IndexReport:  # fmt: skip
    """Copies every article of ``source`` into ``target`` (embedded to cluster, or back), with
    the time each was first added and the file catalog, committed every ``batch_size`` articles. Articles already in ``target`` as
    they are in ``source`` are only counted, so a copy stopped midway is finished by running it
    again; ``progress(done, total)`` is called after each article."""
    started = time.monotonic()
    view = source.view()
    total = view.count()
    with target.run(batch_size, 1, on_commit=None) as batch:
        for done, (article, added) in enumerate(view.articles_added(), 1):
            batch.put(article, added)
            if progress is not None:
                progress(done, total)
    catalog = target.catalog()
    catalog.files = dict(source.catalog().files)
    catalog.save()
    batch.report.read = total
    batch.report.seconds = time.monotonic() - started
    return batch.report
