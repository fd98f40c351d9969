"""Results → text for people and programs: HTML, terminal colours, plain dicts. No I/O here."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import click

from .models import Article, Failure, Hit, IndexStats, SearchResults, Snippet


def snippet_html(snippet: Snippet) -> str:
    """The snippet with matched words in ``<mark>`` and everything else HTML-escaped."""
    return _wrap(snippet, "<mark>", "</mark>", lambda text: html.escape(text, quote=False))


def snippet_ansi(snippet: Snippet) -> str:
    """The snippet with matched words in bold yellow for a terminal."""
    start = click.style("", bold=True, fg="yellow", reset=False)
    return _wrap(snippet, start, "\x1b[0m", lambda text: text)


def _wrap(snippet: Snippet, before: str, after: str, escape: Any) -> str:
    parts: list[str] = []
    position = 0
    for start, end in snippet.highlights:
        parts.append(escape(snippet.text[position:start]))
        parts.append(before + escape(snippet.text[start:end]) + after)
        position = end
    parts.append(escape(snippet.text[position:]))
    return "".join(parts)


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": _iso(hit.date),
        "source": hit.source,
        "author": hit.author,
        "url": hit.url,
        "score": round(hit.score, 4),
        "snippet": snippet_html(hit.snippet),
    }


def results_dict(results: SearchResults) -> dict[str, Any]:
    data: dict[str, Any] = {
        "query": results.query,
        "total": results.total,
        "hits": [hit_dict(hit) for hit in results.hits],
    }
    if results.notices:
        data["notices"] = results.notices
    return data


def article_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "lede": article.lede,
        "body": article.body,
        "date": _iso(article.date),
        "source": article.source,
        "author": article.author,
        "agency": article.agency,
        "place": article.place,
        "url": article.url,
        "section": article.section,
        "path": article.path,
    }


def failure_dict(failure: Failure) -> dict[str, Any]:
    data: dict[str, Any] = {"path": failure.path, "line": failure.line, "reason": failure.reason}
    offset = getattr(failure, "offset", None)
    if offset is not None:
        data["offset"] = offset
    data["indexed"] = failure.warning
    return data


def stats_dict(stats: IndexStats) -> dict[str, Any]:
    return {
        "articles": stats.articles,
        "first_date": _iso(stats.first_date),
        "last_date": _iso(stats.last_date),
        "sources": stats.sources,
        "size_bytes": stats.size_bytes,
        "path": stats.path,
    }


def results_text(results: SearchResults, color: bool) -> str:
    """Ranked hits for a terminal: title, date · source · author, snippet, id."""
    if not results.hits:
        return "No articles found."
    lines = [f"Showing {len(results.hits)} of {results.total:,} articles".replace(",", " ")]
    for rank, hit in enumerate(results.hits, 1):
        title = click.style(hit.title, bold=True) if color else hit.title
        meta = " · ".join(x for x in (_iso(hit.date), hit.source, hit.author) if x)
        snippet = snippet_ansi(hit.snippet) if color else hit.snippet.text
        lines += ["", f"{rank}. {title}"]
        if meta:
            lines.append(f"   {meta}")
        lines.append(f"   {snippet}")
        lines.append(f"   id: {hit.id}" + (f"  {hit.url}" if hit.url else ""))
    return "\n".join(lines)


def article_text(article: Article) -> str:
    meta = [
        ("Date", _iso(article.date)), ("Source", article.source), ("Author", article.author),
        ("Agency", article.agency), ("Place", article.place), ("Section", article.section), ("URL", article.url),
        ("Id", article.id), ("File", article.path),
    ]  # fmt: skip
    lines = [article.title, "=" * min(len(article.title), 80)]
    lines += [f"{name}: {value}" for name, value in meta if value]
    for part in (article.lede, article.body):
        if part:
            lines += ["", part]
    return "\n".join(lines)


def stats_text(stats: IndexStats) -> str:
    span = f"{_iso(stats.first_date)} … {_iso(stats.last_date)}" if stats.first_date else "no dates"
    sources = ", ".join(f"{name} ({count})" for name, count in list(stats.sources.items())[:10]) or "none"
    more = len(stats.sources) - 10
    if more > 0:
        sources += f" and {more} more"
    return "\n".join(
        [
            f"Index:    {stats.path or '(in memory)'}",
            f"Articles: {stats.articles}",
            f"Dates:    {span}",
            f"Sources:  {sources}",
            f"Size:     {stats.size_bytes / 2**20:.1f} MiB",
        ]
    )
