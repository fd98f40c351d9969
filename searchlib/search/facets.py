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
FACETS = ("source", "section", "author", "year", "month")
#: The facets counted by a stored name (the others by the article's date).
NAMED = ("source", "section", "author")
#: Orders results can be sorted in: by score, oldest first, newest first.
SORTS = ("relevance", "date", "-date")


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
        elif name in ("year", "month"):
            width = 4 if name == "year" else 7
            periods: Counter[str] = Counter()
            for day, count in (days or {}).items():
                periods[day.isoformat()[:width]] += count
            found[name] = dict(sorted(periods.items()))
    return found


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
