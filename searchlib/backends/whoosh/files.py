"""The files of a Whoosh index in its directory: whether there is one, opening it, its writer's
note and lock, removing it. What searching needs of them, without the writer's modules."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from ...errors import IncompatibleIndex
from ...ingest.catalog import FileCatalog
from . import manifest, words

#: The file naming the process that writes the index (for a clear "locked by pid N").
WRITER_NOTE = "writer.pid"


def writer_pid(path: Path | None) -> int | None:
    try:
        return int((path / WRITER_NOTE).read_text(encoding="ascii")) if path else None
    except (OSError, ValueError):
        return None


def whoosh_exists(path: Path, name: str) -> bool:
    return whoosh_index.exists_in(str(path), indexname=name)


def holds_whoosh(path: Path) -> bool:
    return any(path.glob("_*.toc"))


def open_whoosh(path: Path, name: str) -> Any:
    try:
        ix = FileStorage(str(path)).open_index(name)
        ix.doc_count()  # reads the table of contents and opens every segment
    except Exception as error:  # noqa: BLE001 - whatever Whoosh trips on, the index is damaged
        reason = f"it is damaged ({type(error).__name__}: {error})"
        raise IncompatibleIndex(path, reason, hint=manifest.REBUILD_HINT.format(path=path)) from None
    return ix


def acquire(lock: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def remove_index_files(directory: Path, name: str) -> None:
    """The files of one Whoosh index of the directory (its TOCs, segments, lock, catalog, words)."""
    catalog_name = FileCatalog(directory, name).file
    for child in directory.iterdir():
        if child.name.startswith((f"_{name}_", f"{name}_", words.file_name(name))) or child == catalog_name:
            child.unlink(missing_ok=True)
