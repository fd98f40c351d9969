"""Bounded work per request, and reading the search parameters the API and the page share."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from ..archive import Archive
from ..errors import BadFilter, QueryError
from ..search.facets import FACETS
from ..models import SearchResults


@dataclass(frozen=True)
class Limits:
    """What one request may ask for: a query longer than ``query_chars``, more than ``max_limit``
    hits per page or results past ``max_depth`` are refused; a search still running after
    ``query_seconds`` is stopped (and answered with an error)."""

    query_chars: int = 500
    max_limit: int = 100
    max_depth: int = 1000
    query_seconds: float = 5.0
    #: Requests worked on at once per server process; the others wait their turn. Searching is
    #: CPU-bound Python: more threads only share the same core, each with its own Whoosh
    #: searcher to warm up (measured on OrangeSum, 1,000 searches: 73 searches/s with one thread,
    #: 55 with two, 21 with 32). Two keep answering while one search runs long.
    concurrent: int = 2
    #: Rows one export (``/export.csv``, ``/export.jsonl``) streams at most; the response says
    #: the cap and whether it cut the export short in its headers.
    max_export: int = 10_000


class ConcurrencyLimit:
    """ASGI middleware: at most ``limit`` requests are handled at once; the rest queue."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made in the server's event loop, not at import
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)


class SearchStopped(QueryError):
    """The search ran into the time limit; the server answers with an error rather than with
    results that silently miss articles."""

    def __init__(self, query: str, seconds: float) -> None:
        super().__init__(query, f"the search took longer than {seconds:g} s and was stopped")
        self.hint = "narrow it: more words, a phrase, a date range or a source"


@dataclass(frozen=True)
class SearchRequest:
    """One search, as sent to ``GET /search`` or the page's form."""

    q: str
    date_from: str | None = None
    date_to: str | None = None
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    limit: int = 10
    facets: tuple[str, ...] = field(default=())

    def run(self, archive: Archive, limits: Limits) -> SearchResults:
        """The results, after checking the request against ``limits``; raises BadFilter,
        QueryError (EmptyQuery, SearchStopped)."""
        check_queries([self.q], limits)
        check_depth("results", self.page, self.limit, limits)
        results = archive.search(
            self.q,
            limit=self.limit,
            page=self.page,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            sources=self.sources,
            authors=self.authors,
            sections=self.sections,
            sort=self.sort,
            facets=self.facets,
        )
        if results.stopped:
            raise SearchStopped(self.q, limits.query_seconds)
        return results


def filters_of(params: QueryParams) -> dict[str, Any]:
    """The filters of the page's query string, as the keyword arguments of Archive's methods."""
    return {
        "date_from": params.get("from") or None,
        "date_to": params.get("to") or None,
        "sources": tuple(params.getlist("source")),
        "authors": tuple(params.getlist("author")),
        "sections": tuple(params.getlist("section")),
    }


def check_queries(queries: Sequence[str], limits: Limits) -> None:
    """Raises BadFilter for a query longer than the limits allow."""
    for text in queries:
        if len(text) > limits.query_chars:
            raise BadFilter("query", _shorten(text), f"longer than {limits.query_chars} characters")


def check_depth(name: str, page: int, limit: int, limits: Limits) -> None:
    """Raises BadFilter for a page size or a page past what may be paged through."""
    if not 1 <= limit <= limits.max_limit:
        raise BadFilter("limit", limit, f"must be between 1 and {limits.max_limit}")
    if page * limit > limits.max_depth:
        raise BadFilter(
            "page", page, f"only the first {limits.max_depth} {name} can be paged through",
            hint="narrow the search with a date range or a source",
        )  # fmt: skip


def facet_names(text: str | None) -> tuple[str, ...]:
    """``"source,year"`` → ``("source", "year")``; raises BadFilter naming the unknown ones."""
    names = tuple(dict.fromkeys(name.strip() for name in (text or "").split(",") if name.strip()))
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise BadFilter("facets", ",".join(unknown), f"facets are {', '.join(FACETS)}")
    return names


def from_query_string(params: QueryParams) -> SearchRequest:
    """A request from the page's query string, where everything is text (bad numbers raise
    BadFilter here; bad dates, sorts and names when the search checks them, as for the CLI)."""
    return SearchRequest(
        q=params.get("q", ""),
        date_from=params.get("from") or None,
        date_to=params.get("to") or None,
        sources=tuple(params.getlist("source")),
        authors=tuple(params.getlist("author")),
        sections=tuple(params.getlist("section")),
        sort=params.get("sort") or "relevance",
        page=whole_number("page", params.get("page"), 1),
        limit=whole_number("limit", params.get("limit"), 10),
        facets=facet_names(params.get("facets")),
    )


def whole_number(name: str, text: str | None, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        return int(text)
    except ValueError:
        raise BadFilter(name, text, "must be a whole number") from None


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
