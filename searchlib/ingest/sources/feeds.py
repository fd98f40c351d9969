"""RSS 2.0, RSS 1.0 and Atom feeds: one article per item or entry.

feedparser copes with the feeds found in the wild (wrong encodings, unescaped HTML, RSS dialects,
``content:encoded``, Dublin Core dates and authors) and sanitises the HTML inside. It is handed
the bytes, never a URL, so it never fetches anything.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
from collections.abc import Iterator
from typing import Any

import feedparser

from ..dates import parse_date
from ...models import Article, Failure
from .html import fragment_text, is_teaser
from .jsonl import BadRecord, record_article
from .members import WHOLE_FILE_LIMIT, Source, TooLarge, read_whole

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_feed(source: Source) -> Iterator[Article | Failure]:
    try:
        data = read_whole(source, WHOLE_FILE_LIMIT)
    except TooLarge as error:
        yield Failure(str(source), str(error))
        return
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.bozo:
            yield Failure(str(source), f"not a readable RSS or Atom feed: {parsed.bozo_exception}")
        else:
            yield Failure(str(source), "feed has no items", warning=True)
        return
    if parsed.bozo:
        problem = f"feed is not well-formed ({parsed.bozo_exception}); read {len(parsed.entries)} items anyway"
        yield Failure(str(source), problem, warning=True)
    site = _text(parsed.feed, "title")
    for number, entry in enumerate(parsed.entries, 1):
        try:
            for record in record_article(_record(entry, site), source, number):
                if isinstance(record, Failure):
                    record = Failure(record.path, f"item {number}: {record.reason}", warning=record.warning)
                yield record
        except BadRecord as error:
            yield Failure(str(source), f"item {number}: {error}")


def _record(entry: Any, site: str) -> dict[str, Any]:
    """The entry under our field names, for record_article."""
    content = next((_detail(item) for item in entry.get("content", []) if item.get("value")), "")
    summary = _text(entry, "summary")
    tags = [tag.get("term") for tag in entry.get("tags", []) if tag.get("term")]
    author = entry.get("author_detail", {}).get("name") or entry.get("author")
    return {
        "id": entry.get("id"),
        "title": _text(entry, "title"),
        # Without full content, the summary is all the text there is.
        "lede": summary if content and not is_teaser(summary, content) else "",
        "text": content or summary,
        "date": _date(entry),
        "url": entry.get("link"),
        "source": site,
        "author": author,
        "section": tags[0] if tags else None,
    }


def _text(node: Any, field: str) -> str:
    detail = node.get(f"{field}_detail")
    if detail is not None:
        return _detail(detail)
    return str(node.get(field) or "")


def _detail(detail: Any) -> str:
    value = str(detail.get("value") or "")
    return fragment_text(value) if detail.get("type") in _HTML_TYPES else value


def _date(entry: Any) -> str | None:
    """The entry's date as written, made ISO when it is RSS's RFC 822 ("Thu, 13 Jul 2023 08:30 +0200").

    The local date is kept: feedparser's parsed dates are in UTC, a day off for articles
    published just after midnight in Paris.
    """
    raw = entry.get("published") or entry.get("updated") or entry.get("created")
    if not raw:
        return None
    try:
        parse_date(raw)
        return str(raw)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(raw).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.date(*parsed[:3]).isoformat() if parsed else str(raw)
