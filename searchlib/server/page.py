"""The search page for people: server-rendered HTML (Jinja, autoescaped), no JavaScript needed.

Every link is a plain GET with the whole search in its query string, so a result page can be
bookmarked, shared, opened in a new tab and used from the keyboard like any other page.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from .. import render
from ..errors import SearchlibError
from ..models import Hit, SearchResults
from . import french
from .api import archive_of, limits_of, status_of
from .limits import from_query_string

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.filters["count"] = render._count  # 1 234, as French prints it
templates.env.filters["notice"] = french.notice
# Stored urls come from scraped data: only web links become links (no javascript: or data: urls).
templates.env.filters["web_link"] = lambda url: url if url and url.lower().startswith(("http://", "https://")) else None

#: The facets the page always counts: sources to narrow by, years for the timeline.
PAGE_FACETS = ("source", "year", "month")
SORT_LABELS = {"relevance": "pertinence", "-date": "plus récents d'abord", "date": "plus anciens d'abord"}


@router.get("/", response_class=HTMLResponse, name="search_page")
def search_page(request: Request) -> HTMLResponse:
    params = request.query_params
    context: dict[str, Any] = {"params": params, "sort_labels": SORT_LABELS, "results": None, "error": None}
    status = 200
    if params.get("q", "").strip():
        try:
            query = dataclasses.replace(from_query_string(params), facets=PAGE_FACETS)
            context.update(_results_context(request, query.run(archive_of(request), limits_of(request))))
        except SearchlibError as error:
            context["error"] = french.error_message(error)
            status = status_of(error)
    return templates.TemplateResponse(request, "search.html", context, status_code=status)


@router.get("/view/{article_id:path}", response_class=HTMLResponse, name="article_page")
def article_page(request: Request, article_id: str) -> HTMLResponse:
    try:
        article = archive_of(request).get(article_id)
    except SearchlibError as error:
        context = {"params": request.query_params, "sort_labels": SORT_LABELS, "results": None}
        context["error"] = french.error_message(error)
        return templates.TemplateResponse(request, "search.html", context, status_code=status_of(error))
    back = request.query_params.get("back", "")
    return templates.TemplateResponse(
        request, "article.html", {"article": article, "back": back if back.startswith("?") else ""}
    )


def _results_context(request: Request, results: SearchResults) -> dict[str, Any]:
    current = list(request.query_params.multi_items())
    here = "?" + urlencode(current)
    root = str(request.url_for("search_page").path)
    pages = -(-results.total // results.limit) if results.limit else 0
    timeline = render.timeline_counts(results.facets)
    most = max(timeline.values(), default=0) or 1
    return {
        "results": results,
        "hits": [_hit_context(hit, root, here) for hit in results.hits],
        "pages": pages,
        "previous": _with(current, page=results.page - 1) if results.page > 1 else None,
        "next": _with(current, page=results.page + 1) if results.page < pages else None,
        "suggestion": _with(current, q=results.suggestion, page=None) if results.suggestion else None,
        "sources": [
            (name, count, _with(current, page=None, source=[*request.query_params.getlist("source"), name]))
            for name, count in list(results.facets.get("source", {}).items())[: render.TOP_NAMES]
            if name not in request.query_params.getlist("source")
        ],
        "active_sources": [
            (name, _with(current, page=None, source=[s for s in request.query_params.getlist("source") if s != name]))
            for name in request.query_params.getlist("source")
        ],
        "timeline": [
            (period, count, round(100 * count / most), _with(current, page=None, **{"from": period, "to": period}))
            for period, count in timeline.items()
        ],
    }


def _hit_context(hit: Hit, root: str, back: str) -> dict[str, Any]:
    view = root + "view/" + quote(hit.id, safe="")
    return {
        "hit": hit,
        "snippet": Markup(render.snippet_html(hit.snippet)),  # escaped by snippet_html, but our <mark>
        "title": Markup(render.title_html(hit)) if hit.title else hit.id,
        "view": view + "?" + urlencode({"back": back}),
        "copy_sources": ", ".join(dict.fromkeys(copy.source or copy.id for copy in hit.copies)),
    }


def _with(current: list[tuple[str, str]], **changes: Any) -> str:
    """The current query string with ``changes`` (None removes a parameter; a list repeats it)."""
    kept = [(name, value) for name, value in current if name not in changes]
    for name, value in changes.items():
        if value is None:
            continue
        kept += [(name, str(item)) for item in value] if isinstance(value, list) else [(name, str(value))]
    return "?" + urlencode(kept)
