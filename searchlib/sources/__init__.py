"""Readers: archive files → Articles. One module per format, picked by file extension.

A reader yields an :class:`~searchlib.models.Article` per record, or a
:class:`~searchlib.models.Failure` for a record it cannot read, and carries on; a reader that
cannot read the file at all yields a single Failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..models import Article, Failure
from .jsonl import read_jsonl
from .text import read_text

Reader = Callable[[Path], Iterator[Article | Failure]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def discover(paths: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """The archive files under ``paths`` (recursively, in a stable order), or why a path is unusable.

    Inside directories, hidden files and files of other formats are passed over silently; a file
    named explicitly in an unknown format is reported.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root, name)
                    if not name.startswith(".") and supported(child):
                        yield child
        elif path.is_file():
            if supported(path):
                yield path
            else:
                known = ", ".join(sorted(READERS))
                yield Failure(str(path), f"unsupported file type (searchlib reads {known})")
        elif path.exists():
            yield Failure(str(path), "not a regular file or directory")
        else:
            yield Failure(str(path), "no such file or directory")


def read_file(path: Path) -> Iterator[Article | Failure]:
    """Every article in one archive file (see :data:`READERS`)."""
    try:
        yield from READERS[path.suffix.lower()](path)
    except OSError as error:
        yield Failure(str(path), f"cannot read file: {error.strerror or error}")
