"""Incremental indexing: which files to read again, which articles to prune, in batches that a
crash or Ctrl-C cannot leave half-written.

The engine's :meth:`~searchlib.backends.base.Backend.run` commits; this module decides what goes
into it, and keeps the file catalog (which file gave which articles) in step with each commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..backends.base import Backend, Batch
from ..models import Article, Failure, IndexReport
from .catalog import FileCatalog, FileRecord, signature_of

#: Called with (files done, files in all) during an indexing run.
Progress = Callable[[int, int], None]

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

    found = list(discover(paths))
    catalog = backend.catalog()
    with backend.run(batch_size, jobs, on_commit=catalog.save) as batch:
        for done, item in enumerate(found, 1):
            if isinstance(item, Failure):
                batch.record(item)
            else:
                _index_file(batch, catalog, item, prune)
            if progress is not None:
                progress(done, len(found))
        if prune:
            _prune_missing(batch, catalog)
    return batch.report


def delete(backend: Backend, article_ids: Iterable[str]) -> list[str]:
    """Removes articles by id; returns the ids that were there."""
    with backend.batch() as batch:
        removed = [article_id for article_id in dict.fromkeys(article_ids) if batch.delete(article_id)]
    catalog = backend.catalog()
    catalog.forget_articles(set(removed))
    catalog.save()
    return removed


def _index_file(batch: Batch, catalog: FileCatalog, path: Path, prune: bool) -> None:
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
    from .sources import read_file

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
            if catalog.owners(gone) == [key]:
                batch.delete(gone)
    if not complete:  # keep its old articles in mind for --prune: one bad record loses nothing
        ids = list(dict.fromkeys(previous + ids))
    # A file that could not be read (permissions, I/O) is tried again next time; what was wrong
    # with a file read through is remembered and reported again until the file changes.
    read_through = not any(failure.transient for failure in failures)
    catalog.files[key] = FileRecord(signature if read_through else None, ids, failures)


def _prune_missing(batch: Batch, catalog: FileCatalog) -> None:
    for key, record in list(catalog.files.items()):
        if Path(key).exists():
            continue
        for article_id in record.ids:
            if catalog.owners(article_id) == [key]:
                batch.delete(article_id)
        del catalog.files[key]
