"""WARC and ARC files, the formats of web crawls (Common Crawl's news crawl, national web archives).

Every HTML page a crawler fetched (a ``response`` record with status 2xx) becomes an article,
its text extracted as for HTML files; the record's URL is the article's, the crawl date its date
unless the page or its text gives one (README, "Dates"). Other records (requests, metadata, images, redirects) are skipped and
counted in one warning. warcio reads both formats, compressed per record or not, and gives each
record's byte offset, which is how a bad record is reported.
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..dates import parse_date
from ...models import Article, Failure
from .html import NoArticle, page_article
from .members import Source, open_source

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PAGE_RECORDS = ("response", "resource")
# What can go wrong inside one record: bad HTTP chunking or content encoding, a cut stream.
_RECORD_ERRORS = (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError)


def read_warc(source: Source) -> Iterator[Article | Failure]:
    read: set[str] = set()
    try:
        for record in _read_warc(source, whole_gzip=False):
            if isinstance(record, Article):
                read.add(record.id)
            yield record
    except _WholeGzip:
        # "gzip crawl.warc" compresses the file as one piece rather than record by record: still
        # readable, as one stream, with offsets into the uncompressed data.
        for record in _read_warc(source, whole_gzip=True):
            if not (isinstance(record, Article) and record.id in read):
                yield record


class _WholeGzip(Exception):
    pass


def _read_warc(source: Source, whole_gzip: bool) -> Iterator[Article | Failure]:
    skipped: Counter[str] = Counter()
    with open_source(source) as raw:
        stream = _Counted(gzip.GzipFile(fileobj=raw) if whole_gzip else raw)
        records = ArchiveIterator(stream, arc2warc=True)
        try:
            for record in records:
                yield from _record(record, records, source, skipped)
        except ArchiveLoadFailed as error:
            if "non-chunked gzip" in str(error) and not whole_gzip:
                raise _WholeGzip from None
            message = f"broken record: {_short(error)}; the rest of the file was not read"
            yield Failure(str(source), message, offset=None if whole_gzip else records.offset)
            return
        except (EOFError, OSError, zlib.error) as error:
            yield Failure(str(source), f"truncated or corrupt compressed data: {error}")
            return
        try:
            stream.read_rest()
        except (EOFError, OSError, zlib.error) as error:
            yield Failure(str(source), f"truncated gzip data: {error}", offset=None if whole_gzip else records.offset)
            return
        if records.offset < stream.count:
            # warcio passes over a last record cut short inside its gzip member without a word.
            lost = stream.count - records.offset
            yield Failure(str(source), f"unreadable last {lost} bytes (a record cut short?)", offset=records.offset)
    if skipped:
        counts = ", ".join(f"{count} {kind}" for kind, count in skipped.most_common())
        yield Failure(str(source), f"skipped {skipped.total()} non-HTML records ({counts})", warning=True)


def _record(record: Any, records: ArchiveIterator, source: Source, skipped: Counter[str]) -> Iterator[Article | Failure]:
    kind = _page_kind(record)
    if kind is not None:
        skipped[kind] += 1
        return
    try:
        # The payload first: asking for the offset reads the record to its end.
        payload = record.content_stream().read()
    except _RECORD_ERRORS as error:
        yield Failure(str(source), f"unreadable record: {_short(error)}", offset=records.get_record_offset())
        return
    offset = records.get_record_offset()
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        yield Failure(str(source), f"record cut short ({missing} bytes missing)", offset=offset)
        return
    url = record.rec_headers.get_header("WARC-Target-URI") or None
    try:
        crawled = parse_date(record.rec_headers.get_header("WARC-Date") or "")
    except ValueError:
        crawled = None
    try:
        yield page_article(payload, source, url=url, date=crawled, charset=_charset(record), record=offset)
    except NoArticle as error:
        yield Failure(str(source), f"{url}: {error}", offset=offset)


def _page_kind(record: Any) -> str | None:
    """None for an HTML page; else what the record is, for the count of skipped records."""
    if record.rec_type not in _PAGE_RECORDS:
        return str(record.rec_type or "unknown")
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    if headers is None:
        return f"non-HTTP {record.rec_type}"
    if record.rec_type == "response":
        status = headers.get_statuscode() or ""
        if not status.startswith("2"):
            return f"HTTP {status or '?'}"
    content_type = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    return None if content_type in _HTML_TYPES else content_type or "untyped"


def _charset(record: Any) -> str | None:
    headers = record.http_headers or record.rec_headers
    for part in (headers.get_header("Content-Type") or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _short(error: BaseException) -> str:
    # warcio quotes the bad line, which for a gzip member is binary noise.
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:80] if lines else type(error).__name__


class _Counted:
    """The bytes read from a stream, counted, to tell whether warcio stopped before the end."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(size)
        self.count += len(data)
        return data

    def read_rest(self) -> None:
        while self.read(1 << 16):
            pass
