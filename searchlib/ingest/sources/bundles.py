"""Compressed files (``.gz``, ``.bz2``, ``.xz``) and bundles (``.zip``, ``.tar``, ``.tar.gz``…).

Everything is read as a stream and nothing is unpacked to disk: archives of millions of articles
arrive this way, and a member's name (``../../etc/passwd``) is only ever shown in reports, never
used as a path. Each member goes to the reader of its own extension, through ``dispatch``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, cast

from ...models import Article, Failure
from .members import MAX_DEPTH, Member, Source, depth, open_source

#: Reads one member: its reader by extension or content; ``quiet`` passes over unknown formats.
Dispatch = Callable[[Source, bool], Iterator[Article | Failure]]

_OPEN: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    "gzip": gzip.open,  # type: ignore[dict-item]
    "bzip2": bz2.open,  # type: ignore[dict-item]
    "xz": lzma.open,  # type: ignore[dict-item]
}
_SUFFIXES = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2",), "xz": (".xz",)}
# How damaged compressed data shows up while a reader is part-way through it.
_DAMAGE = (EOFError, OSError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError)


def read_compressed(source: Source, kind: str, dispatch: Dispatch) -> Iterator[Article | Failure]:
    """One compressed file, read by the reader of the name it has without the compression suffix.

    A truncated file keeps the articles read before the damage; the damage is reported.
    """
    if depth(source) >= MAX_DEPTH:
        yield Failure(str(source), f"compressed or bundled more than {MAX_DEPTH} levels deep")
        return
    inner = _strip_suffix(source.name, _SUFFIXES[kind])
    reopenable = not isinstance(source, Member) or source.reopenable
    opener = partial(_decompress, source, kind)
    member = Member(
        display=str(source),
        inner=inner,
        opener=opener if reopenable else _once(opener),
        id_base=source.resolve(),
        depth=depth(source) + 1,
        reopenable=reopenable,
    )
    try:
        yield from dispatch(member, False)
    except _DAMAGE as error:
        yield Failure(str(source), _damage(kind, error))


def read_zip(source: Source, dispatch: Dispatch) -> Iterator[Article | Failure]:
    if depth(source) >= MAX_DEPTH:
        yield Failure(str(source), f"compressed or bundled more than {MAX_DEPTH} levels deep")
        return
    stream = _seekable(source)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        stream.close()
        yield Failure(str(source), f"not a readable zip file: {error}")
        return
    with stream, archive:
        for info in archive.infolist():
            if info.is_dir() or _hidden(info.filename):
                continue
            member = _member(source, info.filename, partial(archive.open, info), reopenable=True)
            if info.flag_bits & 0x1:
                yield Failure(str(member), "encrypted, not read")
                continue
            try:
                yield from dispatch(member, True)
            except (*_DAMAGE, NotImplementedError) as error:
                yield Failure(str(member), _damage("zip", error))


def read_tar(source: Source, dispatch: Dispatch) -> Iterator[Article | Failure]:
    """A tar file, compressed or not; its members are read in order, once, as the stream passes."""
    if depth(source) >= MAX_DEPTH:
        yield Failure(str(source), f"compressed or bundled more than {MAX_DEPTH} levels deep")
        return
    current = str(source)
    try:
        with open_source(source) as raw, tarfile.open(fileobj=raw, mode="r|*") as archive:
            for info in archive:
                if not info.isfile() or _hidden(info.name):
                    continue
                stream = archive.extractfile(info)
                if stream is None:
                    continue
                member = _member(source, info.name, partial(_same, stream), reopenable=False)
                current = str(member)
                yield from dispatch(member, True)
            # tarfile takes a header cut short for the end of the archive; a real end is made
            # of zero blocks, so what follows the last member says which it was.
            rest = archive.fileobj.read(1 << 20)
            if not rest or rest.strip(b"\0"):
                yield Failure(str(source), "tar cut short or damaged after its last readable member")
    except _DAMAGE as error:
        yield Failure(current, _damage("tar", error))


def _member(source: Source, name: str, opener: Callable[[], BinaryIO], *, reopenable: bool) -> Member:
    return Member(
        display=f"{source}!{name}",
        inner=name,
        opener=opener,
        id_base=Path(f"{source.resolve()}!{name}"),
        depth=depth(source) + 1,
        reopenable=reopenable,
    )


def _decompress(source: Source, kind: str) -> BinaryIO:
    raw = open_source(source)
    return cast(BinaryIO, io.BufferedReader(_Decompressed(_OPEN[kind](raw), raw)))


class _Decompressed(io.RawIOBase):
    """A decompressor's stream that also closes the file it reads: given an open file (so that a
    meter sees how far it got), gzip, bz2 and lzma leave it open."""

    def __init__(self, stream: BinaryIO, raw: BinaryIO) -> None:
        super().__init__()
        self.stream, self.raw = stream, raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self.stream.close()
            finally:
                self.raw.close()
        super().close()


def _once(opener: Callable[[], BinaryIO]) -> Callable[[], BinaryIO]:
    """An opener that always gives the same stream, for data that can be read only once."""
    opened: list[BinaryIO] = []

    def open_once() -> BinaryIO:
        if not opened:
            opened.append(opener())
        return opened[0]

    return open_once


def _same(stream: BinaryIO) -> BinaryIO:
    return stream


def _seekable(source: Source) -> BinaryIO:
    """zipfile needs to seek to the directory at the end; a zip inside a tar is held in memory."""
    stream = open_source(source)
    if isinstance(source, Path):
        return stream
    try:
        seekable = stream.seekable()
    except AttributeError:  # a tar member's stream says it has seek() but cannot tell
        seekable = False
    return stream if seekable else io.BytesIO(stream.read())


def _strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _hidden(name: str) -> bool:
    """Dot files and the resource forks macOS adds to zips (``__MACOSX/``).

    ``..`` is not hidden: such a member is read like any other, its name being only shown.
    """
    parts = PurePosixPath(name).parts
    return any((part.startswith(".") and part != "..") or part == "__MACOSX" for part in parts)


def _damage(kind: str, error: BaseException) -> str:
    if isinstance(error, EOFError):
        return f"truncated {kind} data: {error}; the articles before the damage were kept"
    return f"corrupt {kind} data: {error}"
