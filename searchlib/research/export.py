"""Export: every article matching a search, as rows (``searchlib search --format csv|jsonl``).

Rows come one at a time: each article is read, made a row and let go, so an export of any size
holds only the ranked list of matches (a number and a score each) in memory. Every copy of an
agency dispatch is its own row.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from ..backends.base import DocRef, View
from ..errors import BadFilter
from ..models import ExportRow, SearchFilters
from ..search.facets import SORTS
from ..search.pipeline import SearchRequest, match, resolve, snippet_of
from ..search.query import QueryBuilder

#: Articles read in one go (one request on a cluster) as the rows go by.
READ_AT_ONCE = 100


class Export:
    """The rows of an export, an iterator: ``total`` matching articles, of which the first
    ``limit`` (all when None) are given. It reads a view of its own, released when the rows
    run out or on :meth:`close` (also a context manager)."""

    def __init__(self, view: View, ranked: list[tuple[DocRef, float]], terms: set[str], total: int, limit: int | None) -> None:
        self.total = total
        self.limit = limit
        self.notices: list[str] = []
        self._view = view
        self._rows = _rows(view, ranked, terms)

    def close(self) -> None:
        self._rows.close()
        self._view.close()

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def truncated(self) -> bool:
        """Whether the limit left matching articles out."""
        return self.limit is not None and self.total > self.limit

    def __iter__(self) -> Export:
        return self

    def __next__(self) -> ExportRow:
        return next(self._rows)


def export(
    view: View, parser: QueryBuilder, text: str, filters: SearchFilters, *, sort: str = "relevance", limit: int | None = None
) -> Export:
    """The rows of the articles matching ``text`` and ``filters``, in ``sort`` order (best first,
    as a search ranks them, or by date), the first ``limit`` of them when given. ``view`` is the
    export's own (:meth:`Backend.private_view`): the rows close it."""
    if sort not in SORTS:
        raise BadFilter("sort", sort, f"sort by {', '.join(SORTS)}")
    if limit is not None and limit < 0:
        raise BadFilter("limit", limit, "the number of rows cannot be negative")
    try:
        q, parsed, notices = resolve(view, parser, text)
        total = view.match(q, filters, window=0).total
        wanted = total if limit is None else min(limit, total)
        request = SearchRequest(text, filters, limit=max(wanted, 1), sort=sort, all_copies=True)
        ranked = match(view, q, parsed, request).top[:wanted] if wanted else []
        rows = Export(view, ranked, view.highlight_terms(q), total, limit)
    except BaseException:
        view.close()
        raise
    rows.notices = notices
    return rows


def _rows(view: View, ranked: list[tuple[DocRef, float]], terms: set[str]) -> Generator[ExportRow, None, None]:
    try:
        yield from _each_row(view, ranked, terms)
    finally:
        view.close()


def _each_row(view: View, ranked: list[tuple[DocRef, float]], terms: set[str]) -> Iterator[ExportRow]:
    for number, (doc, score) in enumerate(ranked):
        if number % READ_AT_ONCE == 0:
            view.read([doc for doc, _ in ranked[number : number + READ_AT_ONCE]])
        article = view.article(doc)
        yield ExportRow(
            id=article.id,
            title=article.title,
            date=article.date,
            source=article.source or article.agency,
            author=article.author,
            section=article.section,
            url=article.url,
            score=score,
            snippet=snippet_of(article, terms).text,
        )
