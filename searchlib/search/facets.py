"""The facets people narrow a search by, and how their counts are shown.

An engine counts every match per raw value (a source as stored, a day); :func:`shown` turns that
into what people read: values that differ only by case or accents ("Le Monde", "le monde") count
as one under their most frequent spelling, most frequent first; years and months in time order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping

from ..analysis.french import fold
from ..errors import BadFilter

#: What results can be counted by, in the order they are shown.
FACETS = ("source", "section", "author", "year", "month", "week")
#: The facets counted by a stored name (the others by the article's date).
NAMED = ("source", "section", "author")
#: The facets counted by the article's date: "2023", "2023-07", "2023-W07" (ISO weeks).
PERIODS = ("year", "month", "week")
#: Orders results can be sorted in: by score, oldest first, newest first, and the most recently
#: indexed first (what a feed of new articles shows).
SORTS = ("relevance", "date", "-date", "-added")


def shown(
    names: Iterable[str], named: Mapping[str, Mapping[str, int]], days: Mapping[dt.date, int] | None
) -> dict[str, dict[str, int]]:
    """``{"source": {"AFP": 12, …}, "year": {"2023": 40, …}}`` for the facets ``names``, from the
    matches counted per stored name (``named``) and per day (``days``; None when not counted).
    A facet no article has a value for counts nothing."""
    found: dict[str, dict[str, int]] = {}
    for name in names:
        if name in NAMED:
            found[name] = _names(named.get(name, {}))
        elif name in PERIODS:
            periods: Counter[str] = Counter()
            for day, count in (days or {}).items():
                periods[period_of(day, name)] += count
            found[name] = dict(sorted(periods.items()))
    return found


def period_of(day: dt.date, by: str) -> str:
    """The period ``day`` falls in: "2023" by year, "2023-07" by month, "2023-W07" by ISO week
    (whose year is the week's: 2024-12-30 is in "2025-W01"). Such names sort in time order."""
    if by == "year":
        return f"{day.year:04d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _names(groups: Mapping[str, int]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for value, count in groups.items():
        if not value:
            continue
        folded = " ".join(fold(word) for word in value.split())
        totals[folded] += count
        spellings.setdefault(folded, Counter())[value] += count
    named = {spellings[folded].most_common(1)[0][0]: total for folded, total in totals.items()}
    return dict(sorted(named.items(), key=lambda item: (-item[1], item[0])))


def check_options(page: int, limit: int, sort: str, names: Iterable[str]) -> None:
    """Raises :class:`BadFilter` for a page, limit, sort order or facet a search cannot take."""
    if page < 1:
        raise BadFilter("page", page, "pages are numbered from 1")
    if limit < 0:
        raise BadFilter("limit", limit, "the number of hits per page cannot be negative")
    if sort not in SORTS:
        raise BadFilter("sort", sort, f"sort by {', '.join(SORTS)}")
    for name in names:
        if name not in FACETS:
            raise BadFilter("facet", name, f"results can be counted by {', '.join(FACETS)}")
