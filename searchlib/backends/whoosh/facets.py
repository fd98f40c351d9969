"""Facet counts and date order on a Whoosh index: from Whoosh's ``groupedby`` when Whoosh runs
the search, from whole columns when the array search does (:mod:`.arrays`).

Counts come from columns (one value per article, read without loading the stored article), in the
same pass that ranks the matches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from whoosh import sorting
from whoosh.reading import IndexReader
from whoosh.searching import Results
from whoosh.util.times import long_to_datetime

from ...search.facets import PERIODS, shown
from .schema import FACET_COLUMNS, NO_DATE

_DATES = "_dates"


def _raw(key: Any) -> Any:
    return key


def _newest_first(key: int) -> tuple[bool, int]:
    return (key == NO_DATE, -key)


def sort_facet(sort: str, reader: IndexReader) -> sorting.FacetType | None:
    """How Whoosh orders the matches for ``sort``: articles without a date come last either way,
    and articles of the same day best first; by the time they were added, newest first (those
    of an index that did not record it tie)."""
    column = "added" if sort == "-added" else "date"
    if sort == "relevance" or column not in reader.schema.names() or not reader.has_column(column):
        return None  # no article has a value: all tie
        return None
    values = sorting.FieldFacet(column)
    if sort == "-added":
        by_value: sorting.FacetType = sorting.FieldFacet(column, reverse=True)
    else:
        by_value = values if sort == "date" else sorting.TranslateFacet(_newest_first, values)
    return sorting.MultiFacet([by_value, sorting.ScoreFacet()])


def relevance(score: Any) -> float:
    """A hit's score: sorted hits carry their sort key instead, which ends with the negated score."""
    if isinstance(score, tuple):
        return float(-score[-1])
    return float(score or 0.0)


def grouped_by(names: Iterable[str], reader: IndexReader) -> dict[str, sorting.FacetType]:
    """The Whoosh facets that count the matches for the facets ``names``.

    A column no article has a value for was never written: its facet is left out (and counts
    nothing).
    """
    groups: dict[str, sorting.FacetType] = {}
    for name in names:
        if not reader.has_column(FACET_COLUMNS.get(name, "date")):
            continue
        if name in FACET_COLUMNS:
            groups[name] = sorting.FieldFacet(FACET_COLUMNS[name], maptype=sorting.Count)
        elif name in PERIODS and _DATES not in groups:
            # One count per distinct day (raw column values: Whoosh cannot name a missing date),
            # folded into years and months afterwards.
            dates = sorting.TranslateFacet(_raw, sorting.FieldFacet("date"))
            dates.maptype = sorting.Count
            groups[_DATES] = dates
    return groups


def counts(results: Results, names: Iterable[str]) -> dict[str, dict[str, int]]:
    """The facet counts of ``names`` over Whoosh's results (grouped by :func:`grouped_by`)."""
    return _shown({name: results.groups(name) for name in results.facet_names()}, names)


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
        source = FACET_COLUMNS.get(name) or ("date" if name in PERIODS else None)
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
    named = {name: {_text(key): count for key, count in groups[name].items()} for name in FACET_COLUMNS if name in groups}
    days = None
    if _DATES in groups:
        days = {}
        for key, count in groups[_DATES].items():
            if key != NO_DATE:
                day = _day(key)
                days[day] = days.get(day, 0) + count
    return shown(names, named, days)


def _text(key: Any) -> str:
    return key.decode("utf-8") if isinstance(key, bytes) else str(key or "")


@lru_cache(maxsize=65_536)
def _day(key: int) -> dt.date:
    return long_to_datetime(key).date()
