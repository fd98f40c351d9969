"""Facets and sorting by date (searchlib.search.facets): every match counted, not only the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from searchlib import Archive, Article
from searchlib.errors import BadFilter
from tests.search.conftest import ids


def test_facets_count_every_match_not_only_the_page(archive: Archive) -> None:
    results = archive.search("blinken", limit=1, facets=["source", "section", "author", "year", "month"])
    assert len(results.hits) == 1
    assert results.facets == {
        # "Le Monde" and "le monde" are one source; the agency stands for a missing source
        "source": {"AFP": 2, "Le Monde": 2},
        "section": {"Monde": 2, "International": 1},
        "author": {"Georges Haddad": 1, "Marie Dupont": 1, "Paul Martin": 1},
        "year": {"2022": 1, "2023": 2},  # the undated article is in no year
        "month": {"2022-01": 1, "2023-07": 1, "2023-08": 1},
    }


def test_weeks_are_iso_weeks_named_by_their_year(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    days = ["2024-12-29", "2024-12-30", "2025-01-05", "2025-01-06"]
    archive.add_many([Article(id=day, body="Bilan.", date=dt.date.fromisoformat(day)) for day in days])
    # 2024-12-30 is the Monday of the first week of 2025, which ends on Sunday 2025-01-05.
    assert archive.search("bilan", facets=["week"]).facets == {"week": {"2024-W52": 1, "2025-W01": 2, "2025-W02": 1}}


def test_facets_follow_the_filters(archive: Archive) -> None:
    results = archive.search("blinken", sources=["AFP"], facets=["source", "year"])
    assert results.facets == {"source": {"AFP": 2}, "year": {"2023": 1}}


def test_empty_facets(archive: Archive) -> None:
    results = archive.search("ornithorynque", facets=["source", "year"])
    assert (results.total, results.facets) == (0, {"source": {}, "year": {}})
    assert archive.search("blinken").facets == {}
    with pytest.raises(BadFilter):
        archive.search("blinken", facets=["colour"])


def test_facets_and_date_sort_when_no_article_has_the_value(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add(Article(id="a", title="Pékin"))  # no date, source, author or section: no columns
    results = archive.search("pekin", sort="-date", facets=["source", "author", "section", "year", "month"])
    assert [hit.id for hit in results.hits] == ["a"]
    assert results.facets == {"source": {}, "author": {}, "section": {}, "year": {}, "month": {}}
    archive.add(Article(id="b", title="Pékin", source="AFP", date=dt.date(2023, 7, 1)))  # another segment
    results = archive.search("pekin", sort="-date", facets=["source", "year"])
    assert [hit.id for hit in results.hits] == ["b", "a"]
    assert results.facets == {"source": {"AFP": 1}, "year": {"2023": 1}}


def test_sort_by_date_puts_undated_articles_last(archive: Archive) -> None:
    assert ids(archive, "blinken", sort="date") == ["bavard", "jakarta", "pekin", "undated"]
    assert ids(archive, "blinken", sort="-date") == ["pekin", "jakarta", "bavard", "undated"]
    with pytest.raises(BadFilter):
        archive.search("blinken", sort="oldest")


@pytest.fixture(scope="module")
def one_article(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many([Article(id="a", body="Chine, pollution.", section="Monde", date=dt.date(2016, 1, 2))])
    return archive


@pytest.mark.parametrize("query", ["date:2016", "pol*", "chine AND NOT pekin", "chin*"])
def test_filters_no_article_passes_leave_no_match_whatever_the_query(one_article: Archive, query: str) -> None:
    """Queries that Whoosh's own collector runs once matched every article when the filters let
    none through (Whoosh reads an empty filter as no filter)."""
    archive = one_article
    results = archive.search(query, sections=["Sport"], facets=["section", "year"])
    assert (results.total, results.hits, results.facets) == (0, [], {"section": {}, "year": {}})
    assert archive.search(query, sections=["Monde"]).total == 1
