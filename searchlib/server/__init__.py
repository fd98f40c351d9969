"""`searchlib serve`: the archive over HTTP — a JSON API for other apps and a search page for people.

A thin shell around :class:`searchlib.Archive`, like the CLI: each route parses its parameters, makes
one library call and renders the result (``searchlib.render`` for JSON, Jinja templates for the
page). Read-only: nothing here writes the index.

Embedding it in another ASGI app (FastAPI, Starlette)::

    from searchlib.server import create_app
    app.mount("/archives", create_app("index"))

Needs the optional dependencies: ``pip install 'searchlib[server]'``.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from .. import __version__
from ..archive import Archive
from .api import StatsCache, install_error_handlers, router as api_router
from .limits import Limits, ConcurrencyLimit
from .page import router as page_router
from .research import router as research_router

__all__ = ["Limits", "create_app", "app_from_environment"]


def create_app(index: str | Path | Archive, *, limits: Limits | None = None) -> FastAPI:
    """The ASGI app serving the index at ``index`` (a directory, or an open :class:`Archive`).

    The archive is opened once, at startup, and shared by every request (each thread gets its own
    Whoosh searcher); an index rebuilt meanwhile (``searchlib index --rebuild``) is followed.
    Raises :class:`~searchlib.errors.IndexNotFound` when there is no index there.
    """
    archive = index if isinstance(index, Archive) else Archive.open(index)
    limits = limits or Limits()
    archive.query_time_limit = limits.query_seconds
    app = FastAPI(
        title="searchlib",
        summary="Full-text search over a French news archive.",
        description=(
            "Accent-insensitive French search with ranked hits and highlighted snippets. "
            "Responses have the shapes of `searchlib search --json`; snippets are HTML "
            "(the article text escaped, matched words in `<mark>`). For research: trends per "
            "period (`/trend`), concordance (`/kwic`), associated terms (`/terms`), exports "
            "(`/export.csv`, `/export.jsonl`, at most 10,000 rows each) and any search as an "
            "Atom feed (`/search.atom`)."
        ),
        version=__version__,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.archive = archive
    app.state.limits = limits
    app.state.stats = StatsCache(archive)
    install_error_handlers(app)
    app.add_middleware(ConcurrencyLimit, limit=limits.concurrent)
    app.include_router(api_router)
    app.include_router(research_router)
    app.include_router(page_router)
    return app


def app_from_environment() -> FastAPI:
    """The app for ``uvicorn --factory``: the index in ``SEARCHLIB_INDEX`` (default ``index``) and
    the limits in ``SEARCHLIB_QUERY_SECONDS``; each worker process calls it once."""
    seconds = os.environ.get("SEARCHLIB_QUERY_SECONDS")
    limits = Limits(query_seconds=float(seconds)) if seconds else Limits()
    return create_app(os.environ.get("SEARCHLIB_INDEX", "index"), limits=limits)
