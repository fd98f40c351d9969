"""The JSON API's research routes: trends, concordance, associated terms, exports and Atom feeds.

Thin, like :mod:`.api`: each route reads its parameters, makes one Archive call and renders it
(``searchlib.render``'s dicts for JSON, ``searchlib.tables``' writers for exports, :mod:`.feed` for
Atom). Errors are those of the API (``{"error": …, "hint": …}`` with a status code).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from unidecode import unidecode

from .. import render, tables
from ..models import ExportRow, SearchResults
from ..research.associated import MAX_TOP
from ..research.export import Export
from . import feed
from .api import archive_of, limits_of
from .limits import SearchRequest, check_depth, check_queries
from .schemas import ERRORS, ConcordanceOut, TermsOut, TrendOut

router = APIRouter()

#: Rows written at a time into an export's stream.
EXPORT_BATCH = 500


def filter_parameters(
    date_from: Annotated[str | None, Query(alias="from", description="2023-07-13, 2023-07, 2023, juillet 2023")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="Inclusive; a month or year counts whole")] = None,
    source: Annotated[list[str], Query(description="Repeatable: articles of any of these sources")] = [],  # noqa: B006 - FastAPI copies defaults
    author: Annotated[list[str], Query(description="Repeatable")] = [],  # noqa: B006
    section: Annotated[list[str], Query(description="Repeatable")] = [],  # noqa: B006
) -> dict[str, Any]:
    """The filters every route shares, as the keyword arguments of Archive's methods."""
    return {
        "date_from": date_from or None,
        "date_to": date_to or None,
        "sources": tuple(source),
        "authors": tuple(author),
        "sections": tuple(section),
    }


Filters = Annotated[dict[str, Any], Depends(filter_parameters)]
OneQuery = Annotated[str, Query(min_length=1, description="The query, in the syntax of `searchlib search`", examples=["pekin"])]


@router.get("/trend", response_model=TrendOut, responses=ERRORS, tags=["research"])
def trend(
    request: Request,
    q: Annotated[list[str], Query(min_length=1, description="Repeatable: up to 6 queries, one line each", examples=[["retraites"]])],
    filters: Filters,
    by: Annotated[Literal["year", "month", "week"], Query(description="Periods: 2023, 2023-07 or 2023-W07 (ISO weeks)")] = "month",
    per: Annotated[int | None, Query(ge=1, description="Articles per `per` articles of the period (1000: per thousand) instead of counts")] = None,
) -> Any:
    """Matching articles of each query per period, every period from the first to the last
    included (an empty one is 0): the totals a search of that period gives."""
    check_queries(q, limits_of(request))
    return JSONResponse(render.trend_dict(archive_of(request).trend(q, by, per=per, **filters)))


@router.get("/kwic", response_model=ConcordanceOut, responses=ERRORS, tags=["research"])
def kwic(  # noqa: PLR0913 - the page, its order and its width
    request: Request,
    q: OneQuery,
    filters: Filters,
    width: Annotated[int, Query(ge=1, le=500, description="Characters of text on each side of the match")] = 60,
    sort: Annotated[Literal["date", "left", "right"], Query(description="Oldest first, or by the words before or after")] = "date",
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Any:
    """Concordance (keyword in context): every occurrence of the matched words, with the original
    text on each side, a page of lines at a time."""
    limits = limits_of(request)
    check_queries([q], limits)
    check_depth("lines", page, limit, limits)
    found = archive_of(request).kwic(q, width=width, sort=sort, page=page, limit=limit, **filters)
    return JSONResponse(render.concordance_dict(found))


@router.get("/terms", response_model=TermsOut, responses=ERRORS, tags=["research"])
def terms(
    request: Request,
    q: OneQuery,
    filters: Filters,
    top: Annotated[int, Query(ge=1, le=MAX_TOP, description="How many terms")] = 30,
) -> Any:
    """The words and names unusually frequent in the matching articles compared with the whole
    archive (JLH significance, as Elasticsearch's `significant_terms`), as written."""
    check_queries([q], limits_of(request))
    return JSONResponse(render.terms_dict(archive_of(request).terms(q, top=top, **filters)))


EXPORT_DOC = (
    "Every matching article as a row: id, title, date, source, author, section, url, score and the "
    "snippet as plain text; cells that a spreadsheet would read as a formula are escaped. Streamed. "
    "At most 10,000 rows (the server's cap, `Limits.max_export`; fewer with `limit`): the headers "
    "`X-Searchlib-Total` (articles matching), `X-Searchlib-Export-Limit` (the rows this export holds "
    "at most) and, when there were more, `X-Searchlib-Truncated: true` say so."
)
EXPORT_HEADERS = {
    "X-Searchlib-Total": {"description": "Articles matching", "schema": {"type": "integer"}},
    "X-Searchlib-Export-Limit": {"description": "Rows this export holds at most: `limit`, or the server's cap", "schema": {"type": "integer"}},
    "X-Searchlib-Truncated": {"description": "`true` when there were more rows than the limit", "schema": {"type": "string"}},
}


def _export_responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {"schema": {"type": "string"}}}, "description": "The rows", "headers": EXPORT_HEADERS}, **ERRORS}


@router.get("/export.csv", response_class=StreamingResponse, responses=_export_responses("text/csv"), tags=["research"], description=EXPORT_DOC)
def export_csv(
    request: Request,
    q: OneQuery,
    filters: Filters,
    sort: Literal["relevance", "date", "-date", "-added"] = "relevance",
    limit: Annotated[int | None, Query(ge=1, description="Rows at most (the server's cap if more)")] = None,
) -> StreamingResponse:
    """The matching articles as CSV (UTF-8, a header row)."""
    return _export(request, q, filters, sort, limit, tables.write_csv, "csv", "text/csv; charset=utf-8")


@router.get(
    "/export.jsonl", response_class=StreamingResponse, responses=_export_responses("application/x-ndjson"), tags=["research"],
    description=EXPORT_DOC,
)  # fmt: skip
def export_jsonl(
    request: Request,
    q: OneQuery,
    filters: Filters,
    sort: Literal["relevance", "date", "-date", "-added"] = "relevance",
    limit: Annotated[int | None, Query(ge=1, description="Rows at most (the server's cap if more)")] = None,
) -> StreamingResponse:
    """The matching articles as JSON Lines (one object a line)."""
    return _export(request, q, filters, sort, limit, tables.write_jsonl, "jsonl", "application/x-ndjson")


Writer = Callable[..., Any]  # tables.write_csv or write_jsonl


def _export(  # noqa: PLR0913 - one export, as both routes ask for it
    request: Request, q: str, filters: dict[str, Any], sort: str, limit: int | None, write: Writer, extension: str, media_type: str
) -> StreamingResponse:
    limits = limits_of(request)
    check_queries([q], limits)
    cap = min(limit or limits.max_export, limits.max_export)
    rows = archive_of(request).export(q, sort=sort, limit=cap, **filters)
    headers = {
        "Content-Disposition": f"attachment; filename=\"{export_name(q, extension)}\"",
        "X-Searchlib-Total": str(rows.total),
        "X-Searchlib-Export-Limit": str(cap),
    }
    if rows.total > cap:
        headers["X-Searchlib-Truncated"] = "true"
    return StreamingResponse(streamed(write, rows), media_type=media_type, headers=headers)


def streamed(write: Writer, rows: Export, batch: int = EXPORT_BATCH) -> Iterator[bytes]:
    """The bytes ``write`` makes of ``rows``, ``batch`` rows at a time: constant memory however
    many rows; the header (CSV) once. The export is closed when the stream ends or is dropped."""
    try:
        yield _written(write, [], header=True)
        while chunk := list(islice(rows, batch)):
            yield _written(write, chunk, header=False)
    finally:
        rows.close()


def _written(write: Writer, rows: list[ExportRow], *, header: bool) -> bytes:
    out = io.StringIO()
    write(rows, out, header=header)
    return out.getvalue().encode("utf-8")


def export_name(query: str, extension: str) -> str:
    """``"Gilets jaunes" retraites`` → ``searchlib-gilets-jaunes-retraites.csv``."""
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(query).lower()).strip("-")[:60].rstrip("-")
    return f"searchlib-{slug or 'export'}.{extension}"


@router.get(
    "/search.atom",
    response_class=Response,
    responses={200: {"content": {feed.MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "An Atom 1.0 feed"}, **ERRORS},
    tags=["search"],
)  # fmt: skip
def search_atom(request: Request, q: OneQuery, filters: Filters) -> Response:
    """The search as an Atom 1.0 feed, the articles most recently added to the archive first (50
    of them), each with its snippet as summary: subscribe in a feed reader to be told of new
    articles."""
    search = SearchRequest(
        q=q, date_from=filters["date_from"], date_to=filters["date_to"], sources=filters["sources"],
        authors=filters["authors"], sections=filters["sections"], sort="-added", limit=feed.ENTRIES,
    )  # fmt: skip
    archive = archive_of(request)
    results = search.run(archive, limits_of(request))
    return Response(feed_document(request, results, archive.newest_added()), media_type=f"{feed.MEDIA_TYPE}; charset=utf-8")


def feed_document(request: Request, results: SearchResults, updated: dt.datetime | None) -> bytes:
    """The Atom document for this request's ``results``; ``updated``: when the archive last changed."""
    params = list(request.query_params.multi_items())
    page = str(request.url_for("search_page"))
    return feed.atom_feed(
        results,
        title=f"« {results.query} » — archives de presse",
        feed_id=feed.feed_id(str(request.url_for("search_atom")), params),
        self_url=str(request.url),
        page_url=page + "?" + urlencode(params),
        view_url=lambda article_id: page + "view/" + quote(article_id, safe=""),
        updated=updated or dt.datetime.now(dt.timezone.utc),
    )
