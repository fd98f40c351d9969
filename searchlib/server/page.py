"""The search page for people: server-rendered HTML (Jinja, autoescaped), no JavaScript needed.

Every link is a plain GET with the whole search in its query string, so a result page can be
bookmarked, shared, opened in a new tab and used from the keyboard like any other page.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from .. import render
from ..errors import SearchlibError
from ..models import Concordance, Hit, SearchResults, Trend, TrendSeries
from ..research.trend import MAX_TREND_QUERIES, period_span
from . import chart, french
from .api import archive_of, limits_of, status_of
from .limits import SearchRequest, check_depth, check_queries, filters_of, from_query_string, whole_number

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.filters["count"] = render.count  # 1 234, as French prints it
templates.env.filters["notice"] = french.notice
# Stored urls come from scraped data: only web links become links (no javascript: or data: urls).
templates.env.filters["web_link"] = lambda url: url if url and url.lower().startswith(("http://", "https://")) else None

#: The facets the page always counts: sources to narrow by, years for the timeline.
PAGE_FACETS = ("source", "year", "month")
SORT_LABELS = {"relevance": "pertinence", "-date": "plus récents d'abord", "date": "plus anciens d'abord"}
PERIOD_LABELS = {"year": "année", "month": "mois", "week": "semaine"}
KWIC_SORT_LABELS = {"date": "date", "left": "mot précédent", "right": "mot suivant"}
#: The query string's filters, kept from tab to tab and in the feed and download links.
FILTERS = ("from", "to", "source", "author", "section")
#: Associated terms beside the results; lines on a page of the concordance, and their context.
TERMS_SHOWN = 20
KWIC_LINES = 50
KWIC_WIDTH = 60
log = logging.getLogger("searchlib.server")


@router.get("/", response_class=HTMLResponse, name="search_page")
def search_page(request: Request) -> HTMLResponse:
    params = request.query_params
    context = _page_context(request, "results")

    def results() -> dict[str, Any]:
        query = dataclasses.replace(from_query_string(params), facets=PAGE_FACETS)
        found = query.run(archive_of(request), limits_of(request))
        shown = _results_context(request, found)
        if found.total:
            shown.update(_research_links(request, query, terms=found.page == 1))
        return shown

    return _answer(request, "search.html", context, results if params.get("q", "").strip() else None)


@router.get("/tendance", response_class=HTMLResponse, name="trend_page")
def trend_page(request: Request) -> HTMLResponse:
    """Up to six queries' matching articles per period: an SVG line chart and its table."""
    params = request.query_params
    context = _page_context(request, "trend")

    def drawn() -> dict[str, Any]:
        check_queries(context["queries"], limits_of(request))
        per = whole_number("per", params.get("per"), 0) or None
        found = archive_of(request).trend(context["queries"], params.get("by") or "month", per=per, **filters_of(params))
        return _trend_context(request, found)

    return _answer(request, "trend.html", context, drawn if context["queries"] else None)


@router.get("/concordance", response_class=HTMLResponse, name="concordance_page")
def concordance_page(request: Request) -> HTMLResponse:
    """Keyword in context: a page of occurrences of the matched words, as a table."""
    params = request.query_params
    context = _page_context(request, "concordance")

    def lines() -> dict[str, Any]:
        limits = limits_of(request)
        page = whole_number("page", params.get("page"), 1)
        check_queries([params.get("q", "")], limits)
        check_depth("lines", page, KWIC_LINES, limits)
        found = archive_of(request).kwic(
            params.get("q", ""), width=KWIC_WIDTH, sort=params.get("sort") or "date", page=page, limit=KWIC_LINES,
            **filters_of(params),
        )  # fmt: skip
        return _concordance_context(request, found)

    return _answer(request, "concordance.html", context, lines if params.get("q", "").strip() else None)


@router.get("/view/{article_id:path}", response_class=HTMLResponse, name="article_page")
def article_page(request: Request, article_id: str) -> HTMLResponse:
    try:
        article = archive_of(request).get(article_id)
    except SearchlibError as error:
        context = _page_context(request, "results")
        context["error"] = french.error_message(error)
        return templates.TemplateResponse(request, "search.html", context, status_code=status_of(error))
    back = request.query_params.get("back", "")
    return templates.TemplateResponse(
        request, "article.html", {"article": article, "back": back if back.startswith("?") else ""}
    )


def _answer(request: Request, template: str, context: dict[str, Any], work: Callable[[], dict[str, Any]] | None) -> HTMLResponse:
    """The page, with what ``work`` adds to ``context`` (nothing to do without a query), or
    with the error it raised said in French and its status code."""
    status = 200
    if work is not None:
        try:
            context.update(work())
        except SearchlibError as error:
            context["error"] = french.error_message(error)
            status = status_of(error)
    return templates.TemplateResponse(request, template, context, status_code=status)


def _page_context(request: Request, tab: str) -> dict[str, Any]:
    """What every tab's template needs: the query string, the form's choices, the tabs."""
    params = request.query_params
    return {
        "params": params,
        "queries": [text.strip() for text in params.getlist("q") if text.strip()],
        "sort_labels": SORT_LABELS,
        "period_labels": PERIOD_LABELS,
        "kwic_sort_labels": KWIC_SORT_LABELS,
        "max_queries": MAX_TREND_QUERIES,
        "tabs": _tabs(request, tab),
        "results": None,
        "error": None,
    }


def _tabs(request: Request, tab: str) -> list[tuple[str, str, bool]]:
    """(label, link, current) of the tabs Résultats, Tendance, Concordance, keeping the query (the
    first one, but on the trend) and the filters; none before there is a query."""
    params = request.query_params
    queries = [text for text in params.getlist("q") if text.strip()]
    if not queries:
        return []
    kept = [(name, value) for name, value in params.multi_items() if name in FILTERS and value]
    trend = [(name, value) for name, value in params.multi_items() if name in ("by", "per") and value] if tab == "trend" else []
    links = {
        "results": (("q", queries[0]), *kept),
        "trend": (*(("q", text) for text in queries), *kept, *trend),
        "concordance": (("q", queries[0]), *kept),
    }
    labels = {"results": "Résultats", "trend": "Tendance", "concordance": "Concordance"}
    routes = {"results": "search_page", "trend": "trend_page", "concordance": "concordance_page"}
    return [
        (labels[name], str(request.url_for(routes[name]).path) + "?" + urlencode(links[name]), name == tab) for name in labels
    ]


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


def _research_links(request: Request, query: SearchRequest, *, terms: bool) -> dict[str, Any]:
    """The results' Atom feed, their downloads and (with ``terms``) their associated terms."""
    params = request.query_params
    search = [("q", query.q), *((name, value) for name, value in params.multi_items() if name in FILTERS and value)]
    ordered = [*search, ("sort", query.sort)] if query.sort != "relevance" else search
    return {
        "feed": str(request.url_for("search_atom").path) + "?" + urlencode(search),
        "exports": {kind: str(request.url_for(f"export_{kind}").path) + "?" + urlencode(ordered) for kind in ("csv", "jsonl")},
        "max_export": limits_of(request).max_export,
        "terms": _terms(request, query) if terms else [],
    }


def _terms(request: Request, query: SearchRequest) -> list[tuple[str, str, int]]:
    """(term, link to the search with it added, matching articles): a side dish, so a failure
    leaves them out rather than the results."""
    try:
        found = archive_of(request).terms(query.q, top=TERMS_SHOWN, **filters_of(request.query_params))
    except SearchlibError as error:
        log.warning("associated terms of %r left out: %s", query.q, error)
        return []
    current = list(request.query_params.multi_items())
    return [(term.term, _with(current, q=with_term(query.q, term.term), page=None), term.matching) for term in found.terms]


def with_term(query: str, term: str) -> str:
    """The query narrowed to articles holding ``term`` too: ``pekin`` + "Wang Yi" →
    ``pekin AND "Wang Yi"`` (a query of several words is put in brackets first)."""
    words = term.replace('"', " ").split()
    added = f'"{" ".join(words)}"' if len(words) > 1 else "".join(words)
    base = query.strip() if len(query.split()) == 1 else f"({query.strip()})"
    return f"{base} AND {added}"


def _trend_context(request: Request, trend: Trend) -> dict[str, Any]:
    root = str(request.url_for("search_page").path)
    names = [(name, value) for name, value in request.query_params.multi_items() if name in ("source", "author", "section")]

    def link(series: TrendSeries, period: str) -> str:
        first, last = period_span(period)  # within the filter's dates, so that the counts agree
        first = max(first, trend.filters.date_from) if trend.filters.date_from else first
        last = min(last, trend.filters.date_to) if trend.filters.date_to else last
        return root + "?" + urlencode([("q", series.query), ("from", first.isoformat()), ("to", last.isoformat()), *names])

    def cell(series: TrendSeries, period: str) -> tuple[str, str]:
        count = french.number(series.counts.get(period, 0))
        text = f"{french.number(trend.value(series, period))} ({count})" if trend.per else count
        return text, link(series, period)

    label = "Nombre d'articles par " + PERIOD_LABELS.get(trend.by, trend.by) + " pour " + ", ".join(f"« {s.query} »" for s in trend.series)
    span = f", de {french.period(trend.periods[0])} à {french.period(trend.periods[-1])}" if trend.periods else ""
    return {
        "trend": trend,
        "svg": Markup(chart.trend_svg(trend, link, label=label)),  # every text in it escaped by trend_svg
        "rows": [(french.period(p), [cell(s, p) for s in trend.series], trend.articles.get(p, 0)) for p in trend.periods],
        "heading": f"Articles trouvés par {PERIOD_LABELS.get(trend.by, trend.by)}{span}",
        "period_name": PERIOD_LABELS.get(trend.by, trend.by),
        "empty": not any(any(series.counts.values()) for series in trend.series),
        "undated": sum(series.undated for series in trend.series),
        "notices": [notice for series in trend.series for notice in series.notices],
    }


def _concordance_context(request: Request, found: Concordance) -> dict[str, Any]:
    current = list(request.query_params.multi_items())
    root = str(request.url_for("search_page").path)
    back = "?" + urlencode([(name, value) for name, value in current if name == "q" or name in FILTERS])
    first = (found.page - 1) * found.limit + 1
    if found.lines:
        heading = f"Occurrences {first}–{first + len(found.lines) - 1}"
        heading += f" sur {render.count(found.total)}" if found.total is not None else ""
        heading += f", dans {french.articles(found.articles)}"
    else:
        heading = "Aucun article trouvé." if not found.articles else "Aucune occurrence sur cette page."
    return {
        "concordance": found,
        "heading": heading,
        "lines": [
            {"line": line, "view": root + "view/" + quote(line.id, safe="") + "?" + urlencode({"back": back})}
            for line in found.lines
        ],
        "previous": _with(current, page=found.page - 1) if found.page > 1 else None,
        "next": _with(current, page=found.page + 1) if found.more else None,
    }
