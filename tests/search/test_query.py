"""The query language (searchlib.search.query): French operators, +/-, fuzzy words and wildcards,
date and field terms, filters and paging, searched in the five ``DIPLOMACY`` articles."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from searchlib import Archive, Article
from searchlib.errors import BadFilter
from searchlib.render import results_text
from tests.search.conftest import ids


# -- query language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("blinken ET wang", {"jakarta", "bavard"}),
        ("blinken AND wang", {"jakarta", "bavard"}),
        ("wang OU football", {"jakarta", "bavard", "sport"}),
        ("blinken SAUF wang", {"undated", "pekin"}),
        ("blinken NOT wang", {"undated", "pekin"}),
        ("blinken -wang", {"undated", "pekin"}),
        ("blinken +shangfu", {"undated", "pekin"}),
        ("+wang +jakarta", {"jakarta"}),
        ("(blinken SAUF wang) OU football", {"undated", "pekin", "sport"}),
        ("(blinken -wang) football", {"undated", "pekin", "sport"}),
        ("jakarta SAUF (wang OU blinken)", {"sport"}),
        ('"Blinken Wang"~3', {"jakarta"}),
        ('"Blinken Wang"~12', {"jakarta", "bavard"}),
        ("date:2023-07", {"jakarta"}),
        ("date:2023", {"jakarta", "pekin"}),
        ("blinken ET date:[2023-01-01 TO 2023-07-31]", {"jakarta"}),
        # One edit from a word as written ("cyberattaque"), then every form of it ("cyberattaques").
        ("cyberataque~", {"jakarta", "undated"}),
        ("cyberataque~2", {"jakarta", "undated"}),
        ("shangfou~", {"undated", "pekin"}),
    ],
)
def test_query_language(archive: Archive, query: str, found: set[str]) -> None:
    results = archive.search(query)
    assert ({hit.id for hit in results.hits}, results.notices) == (found, [])


def test_hyphenated_words_are_not_exclusions(archive: Archive) -> None:
    other = Archive.in_memory()
    other.add_many([Article(id="us", body="Les États-Unis et la Chine."), Article(id="fr", body="La Chine.")])
    assert ids(other, "chine États-Unis")[0] == "us" and ids(other, "chine -Unis") == ["fr"]


def test_fuzzy_words_are_highlighted_as_written(archive: Archive) -> None:
    highlighted = {hit.id: hit.snippet.highlighted_words() for hit in archive.search("cyberataque~").hits}
    assert highlighted == {"jakarta": ["cyberattaque"], "undated": ["cyberattaques"]}


def test_excluded_words_are_not_highlighted(archive: Archive) -> None:
    [hit] = archive.search("jakarta -wang").hits
    assert hit.snippet.highlighted_words() == ["Jakarta"]


@pytest.mark.parametrize("query", ["blinken SAUF", "OU blinken", "(blinken ET wang"])
def test_broken_syntax_with_french_operators_is_searched_as_words(archive: Archive, query: str) -> None:
    results = archive.search(query)
    assert results.total >= 1 and results.notices


@pytest.mark.parametrize("query", ["-wang", "SAUF wang"])
def test_only_exclusions_is_an_empty_query(archive: Archive, query: str) -> None:
    from searchlib import EmptyQuery

    with pytest.raises(EmptyQuery):
        archive.search(query)


# -- filters and paging ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"date_from": "2023"}, {"jakarta", "pekin"}),
        ({"date_from": "2023", "date_to": "juillet 2023"}, {"jakarta"}),
        ({"date_to": "13 juillet 2023"}, {"bavard"}),
        ({"date_from": dt.date(2023, 8, 1)}, {"pekin"}),
        ({"sources": ["LE MONDE"]}, {"bavard", "pekin"}),
        ({"sources": ["afp"]}, {"jakarta", "undated"}),  # the agency counts as the source
        ({"sources": ["afp", "le monde"]}, {"jakarta", "undated", "bavard", "pekin"}),
        ({"authors": ["dupont"]}, {"bavard"}),
        ({"authors": ["Marie Dupont", "paul martin"]}, {"bavard", "pekin"}),
        ({"sections": ["monde"], "date_to": "2023-07"}, {"jakarta"}),
        ({"sources": ["Libération"]}, set()),
    ],
)
def test_filters(archive: Archive, filters: dict[str, object], found: set[str]) -> None:
    results = archive.search("blinken", **filters)  # type: ignore[arg-type]
    assert {hit.id for hit in results.hits} == found and results.total == len(found)


@pytest.mark.parametrize(
    ("filters", "name"),
    [({"date_from": "hier"}, "from"), ({"date_to": "2023-13"}, "to"), ({"date_from": "2024", "date_to": "2023"}, "dates")],
)
def test_bad_filters_raise_bad_filter_with_a_hint(archive: Archive, filters: dict[str, object], name: str) -> None:
    with pytest.raises(BadFilter) as error:
        archive.search("blinken", **filters)  # type: ignore[arg-type]
    assert error.value.name == name and error.value.hint


def test_paging(archive: Archive) -> None:
    everything = ids(archive, "blinken", sort="date")
    second = archive.search("blinken", sort="date", limit=3, page=2)
    assert (second.total, second.first, second.last) == (4, 4, 4)
    assert ids(archive, "blinken", sort="date", limit=3) + [hit.id for hit in second.hits] == everything


def test_paging_past_the_end_gives_no_hits_and_the_total(archive: Archive) -> None:
    results = archive.search("blinken", limit=3, page=5, facets=["source"])
    assert (results.hits, results.total, results.facets["source"]) == ([], 4, {"AFP": 2, "Le Monde": 2})
    assert results_text(results, color=False).startswith("No articles on page 5: 4 articles in all, on 2 page(s).")


def test_the_total_counts_every_match_even_with_a_small_page() -> None:
    # Whoosh's top-N collector drops sub-queries that can no longer reach the page once it is full,
    # and with them the count of the matches they alone would have found.
    archive = Archive.in_memory()
    archive.add_many(
        [Article(id=f"t{i}", title="France " * (i % 7 + 1), body=("Pékin " * i) + "France") for i in range(300)]
        + [Article(id=f"b{i}", body="France " + "et puis " * i) for i in range(300)]
    )
    assert archive.search("france", limit=1).total == archive.search("france", limit=1000).total == 600


# -- wildcards and fuzzy words naming too many words ------------------------------------------------


def _zorg_archive() -> tuple[Archive, int]:
    """676 articles of one word each, zorgaa to zorgzz, and five more of zorgzz: (archive, articles)."""
    import itertools
    import string

    words = ["zorg" + "".join(pair) for pair in itertools.product(string.ascii_lowercase, repeat=2)]
    archive = Archive.in_memory()
    articles = [Article(id=f"w{n}", title=f"Article {n}", body=f"Le mot {word}.") for n, word in enumerate(words)]
    articles += [Article(id=f"often{n}", title=f"Souvent {n}", body="Le mot zorgzz encore.") for n in range(5)]
    archive.add_many(articles)
    return archive, len(articles)


def test_a_wildcard_naming_too_many_words_searches_the_most_frequent_and_says_so() -> None:
    archive, count = _zorg_archive()
    results = archive.search("zorg*", limit=10)
    # (fewer than 676 index words: the stemmer merges some of them)
    assert len(results.notices) == 1
    assert re.fullmatch(r"zorg\* matches \d{3} words; searched for the 200 most frequent", results.notices[0])
    assert 200 <= results.total < count
    assert {f"often{n}" for n in range(5)} <= {hit.id for hit in archive.search("zorg*", limit=300).hits}
    few = archive.search("zorgz*")
    assert few.total == 26 + 5 and not few.notices


def test_a_fuzzy_term_naming_too_many_words_searches_the_most_frequent() -> None:
    archive, count = _zorg_archive()
    results = archive.search("zorgxx~2", limit=300)  # every zorg word is two edits away or fewer
    assert results.notices == ["zorgxx~ matches 676 words; searched for the 200 most frequent"]
    assert {f"often{n}" for n in range(5)} <= {hit.id for hit in results.hits}
    assert 200 <= results.total < count
