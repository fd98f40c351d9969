"""The JSON API: each route reads its parameters, makes one Archive call, returns searchlib.render's
dict (the shape of the CLI's ``--json``). Errors are ``{"error": …, "hint": …}`` with a status code."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import render
from ..archive import Archive
from ..errors import (
    ArticleNotFound,
    BadFilter,
    IncompatibleIndex,
    IndexNotFound,
    QueryError,
    SearchlibError,
)
from .limits import Limits, SearchRequest, SearchStopped, facet_names
from .schemas import ERRORS, NOT_FOUND, ArticleOut, HealthOut, SearchOut, SimilarOut, StatsOut

router = APIRouter()
log = logging.getLogger("searchlib.server")

_STATUS: list[tuple[type[SearchlibError], int]] = [
    (ArticleNotFound, 404),
    (SearchStopped, 503),
    (BadFilter, 400),
    (QueryError, 400),
    (IndexNotFound, 503),
    (IncompatibleIndex, 503),
]


def status_of(error: SearchlibError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 500)


def error_body(error: SearchlibError) -> dict[str, Any]:
    return {"error": str(error), "hint": error.hint}


def install_error_handlers(app: FastAPI) -> None:
    """Every failure answers JSON a person can read: library errors with their status, invalid
    parameters as 400 (not FastAPI's 422 list), anything unexpected as a logged 500."""

    @app.exception_handler(SearchlibError)
    async def library_error(request: Request, error: SearchlibError) -> JSONResponse:
        return JSONResponse(error_body(error), status_code=status_of(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(error), "hint": "see /docs"}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        message = f"no such page: {request.url.path}" if error.status_code == 404 else str(error.detail)
        # Keep Starlette's headers: a 405 must say which methods are allowed.
        return JSONResponse({"error": message, "hint": None}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url)
        message = f"unexpected {type(error).__name__}; the server log has the details"
        return JSONResponse({"error": message, "hint": "run `searchlib check` on the index"}, status_code=500)


def _validation_message(error: RequestValidationError) -> str:
    first = error.errors()[0]
    name = str(first.get("loc", ("", "parameter"))[-1])
    value = first.get("input")
    shown = f" {value!r}" if value is not None and not isinstance(value, dict) else ""
    return f"bad {name}{shown}: {first.get('msg', 'invalid').lower()}"


class StatsCache:
    """The archive's figures, computed at most once a minute: they read every stored article, so
    a client polling /stats must not make the server do that on every request."""

    def __init__(self, archive: Archive, seconds: float = 60.0) -> None:
        self._archive = archive
        self._seconds = seconds
        self._lock = threading.Lock()
        self._figures: dict[str, Any] | None = None
        self._at = 0.0

    def get(self) -> dict[str, Any]:
        with self._lock:  # one computation at a time; the others wait for its result
            if self._figures is None or time.monotonic() - self._at > self._seconds:
                self._figures = render.stats_dict(self._archive.stats())
                self._at = time.monotonic()
            return self._figures


def archive_of(request: Request) -> Archive:
    return request.app.state.archive  # type: ignore[no-any-return]


def limits_of(request: Request) -> Limits:
    return request.app.state.limits  # type: ignore[no-any-return]


Names = Annotated[list[str], Query()]


@router.get("/search", response_model=SearchOut, responses=ERRORS, tags=["search"])
def search(  # noqa: PLR0913 - one parameter per filter, as the CLI
    request: Request,
    q: Annotated[str, Query(min_length=1, description="The query, in the syntax of `searchlib search`", examples=["pekin"])],
    date_from: Annotated[str | None, Query(alias="from", description="2023-07-13, 2023-07, 2023, juillet 2023")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="Inclusive; a month or year counts whole")] = None,
    source: Names = [],  # noqa: B006 - FastAPI copies defaults
    author: Names = [],  # noqa: B006
    section: Names = [],  # noqa: B006
    sort: Literal["relevance", "date", "-date", "-added"] = "relevance",
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    facets: Annotated[str | None, Query(description="Comma-separated: source,section,author,year,month")] = None,
) -> Any:
    """Ranked articles matching `q` and the filters, with highlighted snippets."""
    query = SearchRequest(
        q=q, date_from=date_from, date_to=date_to, sources=tuple(source), authors=tuple(author),
        sections=tuple(section), sort=sort, page=page, limit=limit, facets=facet_names(facets),
    )  # fmt: skip
    return JSONResponse(render.results_dict(query.run(archive_of(request), limits_of(request))))


@router.get(
    "/articles/{article_id:path}/similar", response_model=SimilarOut, responses={**ERRORS, **NOT_FOUND}, tags=["articles"]
)
def similar(request: Request, article_id: str, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> Any:
    """Articles about the same story as this one."""
    limit = min(limit, limits_of(request).max_limit)
    return JSONResponse(render.results_dict(archive_of(request).similar(article_id, limit=limit)))


@router.get("/articles/{article_id:path}", response_model=ArticleOut, responses={**ERRORS, **NOT_FOUND}, tags=["articles"])
def article(request: Request, article_id: str) -> Any:
    """The whole stored article."""
    return JSONResponse(render.article_dict(archive_of(request).get(article_id)))


@router.get("/stats", response_model=StatsOut, responses=ERRORS, tags=["index"])
def stats(request: Request) -> Any:
    """How many articles, their date span, the sources, the size on disk (up to a minute old)."""
    return JSONResponse(request.app.state.stats.get())


@router.get("/health", response_model=HealthOut, responses=ERRORS, tags=["index"])
def health(request: Request) -> Any:
    """Whether the index can be read, and how many articles it holds."""
    return JSONResponse({"status": "ok", "articles": len(archive_of(request))})
