"""Trends: how many articles match each query, period by period (``searchlib trend``).

The counts are the search's own facet counts over every match (:meth:`View.match` with the period
as facet), so a period's count is the total a search of that period gives. With ``per``, each count
is divided by the articles of its period (the same filters, any query): a growing archive does not
fake a rise.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from ..backends.base import View
from ..errors import BadFilter
from ..models import SearchFilters, Trend, TrendSeries
from ..search import tree
from ..search.facets import PERIODS, period_of
from ..search.pipeline import resolve
from ..search.query import QueryBuilder

#: Queries one trend compares: more lines than that no chart keeps readable.
MAX_TREND_QUERIES = 6
#: Periods one trend spans at most (40 years of weeks, a century of months).
MAX_PERIODS = 2_100
_WEEK = dt.timedelta(days=7)
_OPERATORS = {"AND", "OR", "NOT", "ET", "OU", "SAUF"}


def trend(
    view: View,
    parser: QueryBuilder,
    queries: Sequence[str],
    by: str,
    filters: SearchFilters,
    per: int | None = None,
) -> Trend:
    """The matching articles of each of ``queries`` per period ``by`` (year, month, week)."""
    check_trend(queries, by, per)
    series = []
    for text in queries:
        q, _, notices = resolve(view, parser, text)
        found = view.match(q, filters, window=0, facets=(by,))
        counts = found.facets.get(by, {})
        if not found.total:
            notices = [*notices, f"no article matches {text}"]
        elif any_of_its_words(text):
            notices = [*notices, f'{text} counts the articles holding any of its words; for the phrase, quote it: "{text}"']
        series.append(TrendSeries(text, counts, found.total, found.total - sum(counts.values()), notices))
    periods = every_period([period for one in series for period in one.counts], by, filters)
    series = [TrendSeries(s.query, {p: s.counts.get(p, 0) for p in periods}, s.total, s.undated, s.notices) for s in series]
    articles: dict[str, int] = {}
    if per is not None:
        everything = view.match(tree.Every(), filters, window=0, facets=(by,)).facets.get(by, {})
        articles = {period: everything.get(period, 0) for period in periods}
    return Trend(by, periods, series, articles, per, filters)


def any_of_its_words(text: str) -> bool:
    """Whether ``text`` is plain words, two or more, with no quotes or operators: a search (and so
    a trend) counts the articles holding any of them, which a chart of "gilets jaunes" may not mean."""
    words = text.split()
    plain = not any(mark in text for mark in '"()*?~:+') and not any(word.startswith("-") for word in words)
    return len(words) > 1 and plain and not _OPERATORS & set(words)


def check_trend(queries: Sequence[str], by: str, per: int | None) -> None:
    """Raises :class:`BadFilter` for what a trend cannot draw."""
    if by not in PERIODS:
        raise BadFilter("period", by, f"count by {', '.join(PERIODS)}")
    if not queries:
        raise BadFilter("queries", 0, "name at least one query")
    if len(queries) > MAX_TREND_QUERIES:
        raise BadFilter(
            "queries", len(queries), f"a trend compares up to {MAX_TREND_QUERIES} queries", "draw the others in a second chart"
        )
    if per is not None and per < 1:
        raise BadFilter("per", per, "counts are given per 1 article or more (--per 1000)")


def every_period(matched: Sequence[str], by: str, filters: SearchFilters) -> list[str]:
    """Every period from the first to the last, in order: from the filters' dates when given, else
    from the first and last period with a match. Empty when there is neither."""
    first = period_of(filters.date_from, by) if filters.date_from else min(matched, default=None)
    last = period_of(filters.date_to, by) if filters.date_to else max(matched, default=None)
    if first is None or last is None or first > last:
        return []
    periods = [first]
    while periods[-1] < last:
        if len(periods) >= MAX_PERIODS:
            raise BadFilter(
                "period", f"{first} … {last}", f"a chart of more than {MAX_PERIODS:,} {by}s cannot be read",
                "count by a longer period (--by month, --by year) or narrow the dates (--from, --to)",
            )
        periods.append(period_of(period_span(periods[-1])[1] + dt.timedelta(days=1), by))
    return periods


def period_span(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``period`` ("2023", "2023-07" or "2023-W07").

    >>> period_span("2023-W07")
    (datetime.date(2023, 2, 13), datetime.date(2023, 2, 19))
    """
    if "-W" in period:
        year, week = period.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
        return monday, monday + min(_WEEK - dt.timedelta(days=1), dt.date.max - monday)
    if "-" in period:
        year, month = (int(part) for part in period.split("-"))
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)
