"""An article as a document of the cluster's index, and back; the fields of
:func:`searchlib.backends.opensearch.settings.mappings`, as the Whoosh schema has them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...analysis.copy_keys import COPY_HASH_VERSION, simhash, word_simhash
from ...analysis.french import analysed, raw_words, terms
from ...models import Article

#: The stored fields an Article is made of.
ARTICLE_FIELDS = ("id", "headline", "lede", "body", "date", "source", "author", "agency", "place", "url", "section", "path")


def to_source(article: Article, added: int, copy_hash_version: int = COPY_HASH_VERSION) -> dict[str, Any]:
    """The document of ``article``; ``added`` is when it was first added (µs since 1970, UTC)."""
    text = article.text()
    source: dict[str, Any] = {
        "id": article.id,
        "headline": article.title,
        # searchlib's terms, as the embedded index has them (settings.mappings says why)
        "title": " ".join(terms(article.title)),
        "text": " ".join(terms(text)),
        "title_words": " ".join(_folded(article.title)),
        "text_words": " ".join(_folded(text)),
        "title_all_words": article.title,
        "lede": article.lede,
        "body": article.body,
        "fingerprint": article.fingerprint(),
        "added": added,
    }
    key = (simhash if copy_hash_version == 1 else word_simhash)(article.body) if article.body else None
    if key:
        source["copy_hash"] = key
    shown = {"source": article.source or article.agency, "author": article.author, "section": article.section}
    for name, value in shown.items():
        if value:
            source[f"facet_{name}"] = value
    if article.date is not None:
        source["date"] = article.date.isoformat()
    for name in ("source", "author", "agency", "place", "section", "url", "path"):
        value = getattr(article, name)
        if value:
            source[name] = value
    return source


def _folded(text: str) -> list[str]:
    """The words of ``text`` as the embedded index's fields of words as written have them."""
    return [folded for folded, term in map(analysed, raw_words(text)) if term is not None]


def to_article(source: dict[str, Any]) -> Article:
    date = source.get("date")
    return Article(
        id=source["id"],
        title=source.get("headline") or "",
        lede=source.get("lede") or "",
        body=source.get("body") or "",
        date=dt.date.fromisoformat(date) if date else None,
        source=source.get("source"),
        author=source.get("author"),
        agency=source.get("agency"),
        place=source.get("place"),
        url=source.get("url"),
        section=source.get("section"),
        path=source.get("path"),
    )
