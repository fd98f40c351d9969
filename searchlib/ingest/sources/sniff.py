"""Recognising a format from a file's first bytes, for files whose name does not say.

Crawls save pages without extensions (``index``, ``article?id=3``) and mail attachments lose
theirs; the first bytes of HTML, feeds, WARC and compressed files are distinctive enough.
Plain text and JSON are not sniffed: too many files that are not articles would look like them.
"""

from __future__ import annotations

import re
import zlib

_GZIP = b"\x1f\x8b"
_MAGIC: list[tuple[bytes, str]] = [
    (b"BZh", ".bz2"),
    (b"\xfd7zXZ\x00", ".xz"),
    (b"PK\x03\x04", ".zip"),
    (b"PK\x05\x06", ".zip"),  # an empty zip
]
# The first element of a markup file, past the XML declaration, comments and a doctype
# that is not HTML's.
_FIRST_ELEMENT = re.compile(
    rb"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!doctype\s+(?!html)[^>]*>)*<(!doctype\s+html|html|head|body|rss|rdf:rdf|feed)\b",
    re.IGNORECASE | re.DOTALL,
)
_MARKUP = {b"rss": ".rss", b"rdf:rdf": ".rss", b"feed": ".atom"}


def sniff(head: bytes) -> str | None:
    """The registry extension (``".html"``, ``".warc.gz"``…) that ``head`` looks like, or None."""
    if head.startswith(_GZIP):
        inner = _gunzip_head(head)
        if inner is not None and sniff(inner) in (".warc", ".arc"):
            # warcio reads the gzip members itself, so offsets stay those of the file.
            return sniff(inner) + ".gz"  # type: ignore[operator]
        return ".gz"
    for magic, extension in _MAGIC:
        if head.startswith(magic):
            return extension
    if head[257:262] == b"ustar":
        return ".tar"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"WARC/1."):
        return ".warc"
    if text.startswith(b"filedesc://"):
        return ".arc"
    match = _FIRST_ELEMENT.match(text)
    if match:
        return _MARKUP.get(match.group(1).lower(), ".html")
    return None


def sniff_markup(head: bytes) -> str | None:
    """``".rss"``, ``".atom"`` or ``".html"`` for XML-looking bytes, else None."""
    found = sniff(head)
    return found if found in (".rss", ".atom", ".html") else None


def _gunzip_head(head: bytes) -> bytes | None:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 512)
    except zlib.error:
        return None
