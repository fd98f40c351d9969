"""Counting every match of a search per source, author, section, year and month; sorting by date.

Counts come from columns (one value per article, read without loading the stored article), in the
same pass that ranks the matches: Whoosh's ``groupedby``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from whoosh import sorting
from whoosh.reading import IndexReader
from whoosh.searching import Results
from whoosh.util.times import long_to_datetime

from ..analysis.french import fold
from ..errors import BadFilter
from ..backends.whoosh.schema import FACET_COLUMNS

#: What results can be counted by, in the order they are shown.
FACETS = ("source", "section", "author", "year", "month")
#: Orders results can be sorted in: by score, oldest first, newest first.
SORTS = ("relevance", "date", "-date")

# The date column's value for an article without a date: the largest, so oldest-first puts it last.
_NO_DATE = 2**64 - 1
_DATES = "_dates"


def _raw(key: Any) -> Any:
    return key


def _newest_first(key: int) -> tuple[bool, int]:
    return (key == _NO_DATE, -key)


def sort_facet(sort: str, reader: IndexReader) -> sorting.FacetType | None:
    """How Whoosh orders the matches for ``sort``: articles without a date come last either way,
    and articles of the same day best first."""
    if sort == "relevance" or not reader.has_column("date"):  # no article has a date: all tie
        return None
    date = sorting.FieldFacet("date")
    by_date = date if sort == "date" else sorting.TranslateFacet(_newest_first, date)
    return sorting.MultiFacet([by_date, sorting.ScoreFacet()])


def relevance(score: Any) -> float:
    """A hit's score: sorted hits carry their sort key instead, which ends with the negated score."""
    if isinstance(score, tuple):
        return float(-score[-1])
    return float(score or 0.0)


def grouped_by(names: Iterable[str], reader: IndexReader) -> dict[str, sorting.FacetType]:
    """The Whoosh facets that count the matches for the facets ``names`` (see :data:`FACETS`).

    A column no article has a value for was never written: its facet is left out (and counts
    nothing).
    """
    groups: dict[str, sorting.FacetType] = {}
    for name in names:
        if not reader.has_column(FACET_COLUMNS.get(name, "date")):
            continue
        if name in FACET_COLUMNS:
            groups[name] = sorting.FieldFacet(FACET_COLUMNS[name], maptype=sorting.Count)
        elif name in ("year", "month") and _DATES not in groups:
            # One count per distinct day (raw column values: Whoosh cannot name a missing date),
            # folded into years and months afterwards.
            dates = sorting.TranslateFacet(_raw, sorting.FieldFacet("date"))
            dates.maptype = sorting.Count
            groups[_DATES] = dates
    return groups


def counts(results: Results, names: Iterable[str]) -> dict[str, dict[str, int]]:
    """``{"source": {"AFP": 12, …}, "year": {"2023": 40, …}}`` for the facets ``names``.

    Names count most frequent first; years and months in time order. Values that differ only by
    case or accents ("Le Monde", "le monde") count as one, under their most frequent spelling.
    """
    computed = results.facet_names()
    groups = {name: results.groups(name) for name in computed}
    return _shown(groups, names)


def count_matches(
    factorised: Callable[[str], tuple[np.ndarray, list[Any]] | None], matches: np.ndarray, names: Iterable[str]
) -> dict[str, dict[str, int]]:
    """The same counts as :func:`counts`, for the documents of the mask ``matches``:
    ``factorised(name)`` gives a column as a code per document and the values the codes stand for
    (None when no article has a value), so a count is one ``bincount`` over the matches."""
    names = tuple(names)
    if not names:
        return {}
    groups: dict[str, dict[Any, int]] = {}
    for name in names:
        source = FACET_COLUMNS.get(name) or ("date" if name in ("year", "month") else None)
        key = name if name in FACET_COLUMNS else _DATES
        if source is None or key in groups:
            continue
        column = factorised(source)
        if column is not None:
            codes, values = column
            tally = np.bincount(codes[matches], minlength=len(values))
            groups[key] = {values[code]: int(tally[code]) for code in np.flatnonzero(tally).tolist()}
    return _shown(groups, names)


def _shown(groups: dict[str, dict[Any, int]], names: Iterable[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for name in names:
        if name not in groups and not (name in ("year", "month") and _DATES in groups):
            found[name] = {}
        elif name in FACET_COLUMNS:
            found[name] = _names(groups[name])
        elif name in ("year", "month"):
            width = 4 if name == "year" else 7
            periods: Counter[str] = Counter()
            for key, count in groups[_DATES].items():
                if key != _NO_DATE:
                    periods[_day(key)[:width]] += count
            found[name] = dict(sorted(periods.items()))
    return found


@lru_cache(maxsize=65_536)
def _day(key: int) -> str:
    return long_to_datetime(key).date().isoformat()


def _names(groups: dict[Any, int]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for key, count in groups.items():
        value = key.decode("utf-8") if isinstance(key, bytes) else str(key or "")
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
