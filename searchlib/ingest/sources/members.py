"""Files inside compressed files and bundles, read as streams and never written to disk.

A :class:`Member` offers the few things readers use of a :class:`~pathlib.Path` (``open``,
``read_bytes``, ``name``, ``stem``, ``resolve`` for derived ids, ``str`` for reports), so one reader
serves ``a.jsonl``, ``a.jsonl.gz`` and ``archive.zip!a.jsonl`` alike. It has no ``__fspath__`` on
purpose: a member's name comes from the archive and must never reach the file system.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Union

#: Bundles inside bundles are followed this deep; deeper ones are reported (zip bombs nest).
MAX_DEPTH = 4


@dataclass(frozen=True)
class Member:
    """One file inside a compressed file or a bundle.

    ``display`` is how reports name it (``archive.zip!inner/path.jsonl``); ``inner`` is its own
    name, whose extension picks its reader; ``id_base`` stands in for a path in derived ids.
    """

    display: str
    inner: str
    opener: Callable[[], BinaryIO]
    id_base: Path
    depth: int = 1
    #: False for tar members: the stream can be opened once, then it moves on to the next member.
    reopenable: bool = True

    def __str__(self) -> str:
        return self.display

    @property
    def name(self) -> str:
        return PurePosixPath(self.inner).name

    @property
    def stem(self) -> str:
        return PurePosixPath(self.inner).stem

    def open(self, mode: str = "rb") -> BinaryIO:
        if mode != "rb":
            raise ValueError("archive members are read-only, as bytes")
        return self.opener()

    def read_bytes(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def resolve(self) -> Path:
        return self.id_base


#: What a reader reads: a file on disk or a member of a compressed file or bundle.
Source = Union[Path, Member]


# The streams opened on files on disk while a meter is on (see metered()).
_OPENED: ContextVar[list[BinaryIO] | None] = ContextVar("searchlib_opened_files", default=None)


def open_source(source: Source) -> BinaryIO:
    """``source`` opened for reading bytes; readers open files through this, so that a meter can
    tell how far into a file on disk they are."""
    stream = source.open("rb")
    opened = _OPENED.get()
    if opened is not None and isinstance(source, Path):
        opened.append(stream)
    return stream


@contextmanager
def metered() -> Iterator[Callable[[], int]]:
    """Within it, a function giving how far (in bytes) the readers have got into the files on
    disk they opened: the furthest position of any of their streams, compressed bytes for a
    compressed file."""
    opened: list[BinaryIO] = []
    furthest = [0]

    def position() -> int:
        for stream in opened:
            try:
                furthest[0] = max(furthest[0], stream.tell())
            except (ValueError, OSError):  # closed, or cannot tell
                pass
        return furthest[0]

    token = _OPENED.set(opened)
    try:
        yield position
    finally:
        _OPENED.reset(token)


def depth(source: Source) -> int:
    return source.depth if isinstance(source, Member) else 0


def head(source: Source, size: int = 2048) -> bytes:
    """The first bytes of ``source``, without using up a stream that can only be read once."""
    if isinstance(source, Member) and not source.reopenable:
        stream = open_source(source)
        peek = getattr(stream, "peek", None)
        # Peeking leaves the bytes in the buffer for the reader that comes next.
        return peek(size)[:size] if peek is not None else b""
    with open_source(source) as stream:
        return stream.read(size)


#: Largest file read whole as one article (a page, a text file): anything bigger is not an article.
ARTICLE_FILE_LIMIT = 64 * 2**20
#: Largest file of a format that must be read whole (a JSON array, a CSV, a feed).
WHOLE_FILE_LIMIT = 1024 * 2**20


class TooLarge(ValueError):
    pass


def read_whole(source: Source, limit: int) -> bytes:
    """The bytes of ``source``, refusing to hold more than ``limit`` of them in memory."""
    with open_source(source) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"larger than {limit // 2**20} MiB, more than searchlib reads in one piece")
    return data
