"""Readers: archive files → Articles. One module per format, picked by extension, else by content.

A reader yields an :class:`~searchlib.models.Article` per record, or a
:class:`~searchlib.models.Failure` for a record it cannot read, and carries on; a reader that
cannot read the file at all yields a single Failure. Readers take a :data:`Source`: a file on
disk, or a member of a compressed file or bundle (``archive.zip!inner/a.jsonl``).

>>> sorted(READERS)[:4]
['.arc', '.arc.gz', '.atom', '.bz2']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import cast

from ...models import Article, Failure
from .bundles import read_compressed, read_tar, read_zip
from .jsonl import read_json, read_jsonl
from .members import Member, Source, head, metered
from .sniff import sniff, sniff_markup
from .tabular import read_csv, read_tsv
from .text import read_text

__all__ = ["READERS", "Member", "Reader", "Source", "discover", "metered", "read_file", "read_source", "reader_for"]

Reader = Callable[[Source], Iterator[Article | Failure]]


def read_source(source: Source, quiet: bool = False) -> Iterator[Article | Failure]:
    """Every article in ``source``, by the reader its name or content calls for.

    ``quiet`` passes over a source of no known format instead of reporting it, as directory walks
    and bundles do with the other files they hold.
    """
    reader = reader_for(source)
    if reader is not None:
        yield from reader(source)
    elif not quiet:
        yield Failure(str(source), f"unsupported file type (searchlib reads {', '.join(sorted(READERS))})")


# The HTML, feed and WARC readers import lxml, trafilatura, feedparser and warcio (~130 ms, a
# third of an index run that finds every file unchanged): imported when a file needs them.


def read_html(source: Source) -> Iterator[Article | Failure]:
    from .html import read_html as read

    return read(source)


def read_feed(source: Source) -> Iterator[Article | Failure]:
    from .feeds import read_feed as read

    return read(source)


def read_warc(source: Source) -> Iterator[Article | Failure]:
    from .warc import read_warc as read

    return read(source)


def _xml(source: Source) -> Iterator[Article | Failure]:
    # ".xml" is also sitemaps, configs, NewsML: only feeds (and XHTML pages) are articles.
    kind = sniff_markup(head(source))
    if kind is None:
        yield Failure(str(source), "XML that is not an RSS or Atom feed")
    else:
        yield from READERS[kind](source)


def _gzip(source: Source) -> Iterator[Article | Failure]:
    return read_compressed(source, "gzip", read_source)


def _bzip2(source: Source) -> Iterator[Article | Failure]:
    return read_compressed(source, "bzip2", read_source)


def _xz(source: Source) -> Iterator[Article | Failure]:
    return read_compressed(source, "xz", read_source)


def _zip(source: Source) -> Iterator[Article | Failure]:
    return read_zip(source, read_source)


def _tar(source: Source) -> Iterator[Article | Failure]:
    return read_tar(source, read_source)


READERS: dict[str, Reader] = {
    # text.py is written for a Path and uses only what a Member has too.
    ".txt": cast(Reader, read_text),
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".html": read_html,
    ".htm": read_html,
    ".xhtml": read_html,
    ".rss": read_feed,
    ".atom": read_feed,
    ".xml": _xml,
    # Before ".gz": warcio reads per-record gzip itself, so offsets are those of the file.
    ".warc": read_warc,
    ".warc.gz": read_warc,
    ".arc": read_warc,
    ".arc.gz": read_warc,
    ".gz": _gzip,
    ".gzip": _gzip,
    ".bz2": _bzip2,
    ".xz": _xz,
    ".zip": _zip,
    ".tar": _tar,
    ".tar.gz": _tar,
    ".tgz": _tar,
    ".tar.bz2": _tar,
    ".tbz2": _tar,
    ".tar.xz": _tar,
    ".txz": _tar,
}
# Longest first, so "a.warc.gz" is a WARC file and "a.jsonl.gz" a compressed one.
_EXTENSIONS = sorted(READERS, key=len, reverse=True)


def reader_for(source: Source) -> Reader | None:
    """The reader for ``source``: by extension, else by its first bytes (see :mod:`.sniff`)."""
    name = source.name.lower()
    for extension in _EXTENSIONS:
        if name.endswith(extension) and len(name) > len(extension):
            return READERS[extension]
    sniffed = sniff(head(source))
    return READERS[sniffed] if sniffed is not None else None


def supported(path: Path) -> bool:
    try:
        return reader_for(path) is not None
    except OSError:
        return True  # unreadable: read_file will say why


def discover(paths: Iterable[str | Path], index: Path | None = None) -> Iterator[Path | Failure]:
    """The archive files under ``paths`` (recursively, in a stable order), or why a path is unusable.

    Inside directories, hidden files, files of other formats and the ``index`` folder itself (the
    default ``./index`` sits inside ``searchlib index .``) are passed over silently; a file named
    explicitly in an unknown format is reported.
    """
    own = index.resolve() if index else None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and Path(root, d).resolve() != own)
                for name in sorted(files):
                    child = Path(root, name)
                    if not name.startswith(".") and child.is_file() and supported(child):
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
        yield from read_source(path)
    except OSError as error:
        yield Failure(str(path), f"cannot read file: {error.strerror or error}", transient=True)
    except Exception as error:  # noqa: BLE001 - a parser crashing on one hostile file must not end the run
        yield Failure(str(path), f"could not be read ({type(error).__name__}: {error}); the rest was indexed")
