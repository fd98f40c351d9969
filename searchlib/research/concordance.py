"""Concordance (keyword in context, ``searchlib kwic``): every occurrence of the matched words in
the matching articles, one per line, with the original text on each side.

The words are the ones a hit highlights (:meth:`View.highlight_terms`, found in the text as
:mod:`searchlib.search.snippets` finds them), so ``pekin`` shows "Pékin" as written. Matched words
side by side ("gilets jaunes") make one occurrence. Ordered by date, only the articles the page
needs are read; ordered by the words before or after the match, every matching article is read (up
to :data:`MAX_SORTED_ARTICLES`).
"""

from __future__ import annotations

from collections.abc import Iterator
from time import monotonic

from ..analysis.french import fold, raw_words
from ..backends.base import DocRef, View
from ..errors import BadFilter
from ..models import Article, Concordance, ConcordanceLine, SearchFilters
from ..search.pipeline import resolve
from ..search.query import QueryBuilder
from ..search.snippets import matched_words, single_spaced

#: Articles read in one go (one request on a cluster) as the rows go by.
READ_AT_ONCE = 100

#: How a concordance can be ordered: by date (oldest first), by the words before the match, or after.
KWIC_SORTS = ("date", "left", "right")
#: Matching articles read at most to sort the lines by their words (the rest are left out, with a notice).
MAX_SORTED_ARTICLES = 5_000
#: Characters of context on each side at most.
MAX_WIDTH = 500
#: Matches this close, with only these characters between, are one occurrence: "gilets jaunes".
_JOINED = 3
_JOINS = " -'’"


def concordance(  # noqa: PLR0913 - the page, its order and its width
    view: View,
    parser: QueryBuilder,
    text: str,
    filters: SearchFilters,
    *,
    width: int = 60,
    sort: str = "date",
    page: int = 1,
    limit: int = 50,
    time_limit: float | None = None,
) -> Concordance:
    """Page ``page`` (``limit`` lines) of the occurrences of ``text``'s matched words. Sorted by
    the words, reading the articles stops after ``time_limit`` seconds (with a notice)."""
    _check(width, sort, page, limit)
    q, _, notices = resolve(view, parser, text)
    terms = view.highlight_terms(q)
    articles = view.match(q, filters, window=0).total
    skip = (page - 1) * limit
    total = None
    if sort == "date":
        lines, more = _dated_page(view, q, filters, terms, width, skip, limit, articles)
    else:
        every, read = [], 0
        deadline = None if time_limit is None else monotonic() + time_limit
        for article in _in_date_order(view, q, filters, min(articles, MAX_SORTED_ARTICLES)):
            every.extend(lines_of(article, terms, width))
            read += 1
            if deadline is not None and monotonic() > deadline:
                break
        if articles > read:
            notices.append(f"only the first {read:,} articles by date were read to sort the lines; narrow the search")
        every.sort(key=_by_left if sort == "left" else _by_right)
        lines, more, total = every[skip : skip + limit], len(every) > skip + limit, len(every)
    return Concordance(text, lines, articles, page, limit, sort, width, total, more, filters, notices)


def _check(width: int, sort: str, page: int, limit: int) -> None:
    if sort not in KWIC_SORTS:
        raise BadFilter("sort", sort, f"order a concordance by {', '.join(KWIC_SORTS)}")
    if not 1 <= width <= MAX_WIDTH:
        raise BadFilter("width", width, f"give 1 to {MAX_WIDTH} characters of context")
    if page < 1:
        raise BadFilter("page", page, "pages are numbered from 1")
    if limit < 1:
        raise BadFilter("limit", limit, "show at least one line per page")


def _dated_page(
    view: View, q: object, filters: SearchFilters, terms: set[str], width: int, skip: int, limit: int, articles: int
) -> tuple[list[ConcordanceLine], bool]:
    """The ``limit`` lines after the first ``skip``, in date order, and whether more follow: reads
    articles until one line past the page."""
    lines: list[ConcordanceLine] = []
    window = min(max(skip + limit + 1, 64), articles)
    while True:
        seen = 0
        lines = []
        for article in _in_date_order(view, q, filters, window):
            seen += 1
            lines.extend(lines_of(article, terms, width))
            if len(lines) > skip + limit:
                return lines[skip : skip + limit], True
        if seen >= articles or window >= articles:
            return lines[skip : skip + limit], False
        window = min(window * 4, articles)  # articles without a line (a match by name only): read further


def _in_date_order(view: View, q: object, filters: SearchFilters, window: int) -> Iterator[Article]:
    found = view.match(q, filters, window=window, sort="date")  # type: ignore[arg-type]
    docs: list[DocRef] = [doc for doc, _ in found.top]
    for number, doc in enumerate(docs):
        if number % READ_AT_ONCE == 0:
            view.read(docs[number : number + READ_AT_ONCE])
        yield view.article(doc)


def lines_of(article: Article, terms: set[str], width: int) -> list[ConcordanceLine]:
    """Every occurrence of ``terms`` in ``article``, its title then its text (lede and body), with
    up to ``width`` characters on each side from the same part."""
    lines = []
    source = article.source or article.agency
    for part in (article.title, " ".join(p for p in (article.lede, article.body) if p)):
        text = single_spaced(part)
        for start, end in _joined(text, matched_words(text, terms)):
            left, right = text[max(0, start - width) : start], text[end : end + width]
            lines.append(ConcordanceLine(article.id, article.date, source, left, text[start:end], right))
    return lines


def _joined(text: str, matches: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end, _ in matches:
        if spans and 0 < start - spans[-1][1] <= _JOINED and not text[spans[-1][1] : start].strip(_JOINS):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _folded(text: str) -> list[str]:
    return [fold(word) for word in raw_words(text)]


def _by_left(line: ConcordanceLine) -> tuple[list[str], str, str]:
    # Nearest word first, as a concordance sorted "left" reads: "la", "de la", "grève de la"…
    return _folded(line.left)[::-1], fold(line.match), line.id


def _by_right(line: ConcordanceLine) -> tuple[list[str], str, str]:
    return _folded(line.right), fold(line.match), line.id
