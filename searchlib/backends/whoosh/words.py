"""The archive's words as written (:mod:`searchlib.analysis.vocabulary`), kept in a file beside
the Whoosh index: appended a chunk per commit, compacted at the end of an indexing run, replaced
atomically."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from whoosh.filedb.filestore import FileStorage

from ...analysis.vocabulary import HEADER, MAX_CHUNKS, Vocabulary, WordCounter, _chunk, _chunks


def file_name(index_name: str) -> str:
    # Not "<index>_…": Whoosh deletes files named like its segments' when it commits.
    return f"{index_name}-words.bin"


def load(storage: Any, index_name: str) -> Vocabulary:
    """The vocabulary saved beside the index (empty when there is none yet)."""
    data = _read(storage, file_name(index_name))
    return Vocabulary() if data is None else Vocabulary.from_bytes(data)


def save(vocabulary: Vocabulary, storage: Any, index_name: str) -> None:
    """Replaces the saved vocabulary; a reader sees the old file or the new one, never a part."""
    name = file_name(index_name)
    temporary = f"{name}.{os.getpid()}.tmp"
    with storage.create_file(temporary) as handle:
        handle.write(vocabulary.to_bytes())
    if isinstance(storage, FileStorage):  # its rename_file removes the old file first
        os.replace(os.path.join(storage.folder, temporary), os.path.join(storage.folder, name))
    else:  # in memory: the swap of one dictionary entry
        storage.rename_file(temporary, name)


def save_counted(counter: WordCounter, storage: Any, index_name: str) -> None:
    """Adds what ``counter`` counted to the saved vocabulary, then empties it."""
    if not counter.articles:
        return
    add_words(storage, index_name, counter.counts, counter.articles)
    counter.counts = Counter()
    counter.articles = 0


def _read(storage: Any, name: str) -> bytes | None:
    if not storage.file_exists(name):
        return None
    with storage.open_file(name) as handle:
        return bytes(handle.read())


def add_words(storage: Any, index_name: str, counts: dict[str, int], articles: int) -> None:
    """Adds the words of ``articles`` more articles to the saved vocabulary: a chunk appended to
    the file (after whatever a crash left of a last one), or the list rewritten when it is not in
    files, is in the first format, or holds :data:`MAX_CHUNKS` chunks."""
    name = file_name(index_name)
    data = _read(storage, name)
    if data is None or not isinstance(storage, FileStorage) or not data.startswith(HEADER):
        save(_rewritten(data, counts, articles), storage, index_name)
        return
    chunks, end = _chunks(data)
    if len(chunks) >= MAX_CHUNKS:
        save(_rewritten(data, counts, articles), storage, index_name)
        return
    with open(os.path.join(storage.folder, name), "r+b") as handle:
        handle.truncate(end)
        handle.seek(end)
        # Unsorted and quickly compressed: the list is rewritten, sorted and smaller, soon enough.
        handle.write(_chunk(counts, articles, level=1))


def _rewritten(data: bytes | None, counts: dict[str, int], articles: int) -> Vocabulary:
    saved = Vocabulary() if data is None else Vocabulary.from_bytes(data)
    merged = Counter(saved.counts)
    merged.update(counts)
    return Vocabulary(merged, saved.articles + articles)


def compact(storage: Any, index_name: str) -> None:
    """Rewrites the saved vocabulary as one chunk, if it is in several: loading it is then as
    quick as it can be (the end of an indexing run, which appended a chunk per batch)."""
    data = _read(storage, file_name(index_name))
    if data is not None and len(_chunks(data)[0]) > 1:
        save(Vocabulary.from_bytes(data), storage, index_name)


