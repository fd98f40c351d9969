"""Did you mean (searchlib.search.spelling): misspelt words replaced by words the archive holds, and
searched as the archive spells them when no article holds them."""

from __future__ import annotations

import pytest

from searchlib import Archive, Article
from searchlib.search.spelling import best_spelling, words_within


def test_did_you_mean_counts_a_swap_of_neighbouring_letters_as_one_edit() -> None:
    archive = Archive.in_memory()
    archive.add_many([Article(id=f"a{n}", title="Pékin", body="Une cyberattaque visait Pékin.") for n in range(30)])
    words = archive._backend.view().vocabulary()
    assert "pekin" in words_within(words, "pkein", 1)  # one swap: two Levenshtein edits
    assert best_spelling("pkein", words) == "pekin"
    assert best_spelling("cyebrattaque", words) == "cyberattaque"
    assert archive.search("cyebrattaque").suggestion == "cyberattaque"


@pytest.mark.parametrize(
    ("query", "suggestion", "total"),
    [
        ("cyberataque", "cyberattaque", 2),  # cyberattaque and cyberattaques
        ("Shangfou", "Shangfu", 2),
        ("Blinkin", "Blinken", 4),
        ("cyberataque Jakartaa", "cyberattaque Jakarta", 3),
    ],
)
def test_did_you_mean(archive: Archive, query: str, suggestion: str, total: int) -> None:
    results = archive.search(query)
    assert (results.total, results.suggestion, results.suggestion_total) == (0, suggestion, total)


def test_no_suggestion_when_the_query_finds_enough_or_nothing_is_close(archive: Archive) -> None:
    assert archive.search("blinken").suggestion is None
    assert archive.search("ornithorynque").suggestion is None


def test_suggestion_counts_with_the_same_filters(archive: Archive) -> None:
    results = archive.search("Shangfou", sources=["le monde"])
    assert (results.suggestion, results.suggestion_total) == ("Shangfu", 1)


def test_a_word_no_article_holds_is_also_searched_as_the_archive_spells_it(archive: Archive) -> None:
    results = archive.search("cyberataque Pékin")
    assert {hit.id for hit in results.hits} == {"pekin", "jakarta", "undated"}  # cyberattaque(s) too
    assert results.notices == ['no article holds "cyberataque": searched for "cyberattaque" as well']


@pytest.mark.parametrize("query", ['"cyberataque" Pékin', "Pékin NOT cyberataque", "Pékin -cyberataque"])
def test_a_quoted_or_excluded_word_is_searched_as_written(archive: Archive, query: str) -> None:
    results = archive.search(query)
    assert ([hit.id for hit in results.hits], results.notices) == (["pekin"], [])


def test_when_every_word_misses_the_query_finds_nothing_and_suggests(archive: Archive) -> None:
    results = archive.search("cyberataque Jakartaa")
    assert (results.total, results.notices, results.suggestion) == (0, [], "cyberattaque Jakarta")


def test_a_respelt_word_counts_as_written_in_the_form_the_archive_spells_it() -> None:
    # Both articles hold the stem of "candidature"; only one holds the word in that form. Typed
    # with a slip, the word is searched as the archive spells it: as written, too.
    archive = Archive.in_memory()
    archive.add_many(
        [
            Article(id="plural", title="Municipales", body="Les candidatures de Manuel Valls à Barcelone."),
            Article(id="singular", title="Municipales", body="La candidature de Manuel Valls à Barcelone."),
        ]
    )
    results = archive.search("candidatrue valls")
    assert any("candidature" in notice for notice in results.notices)
    assert [hit.id for hit in results.hits] == ["singular", "plural"]


def test_a_respelt_word_earns_the_title_bonus_of_the_words_it_completes() -> None:
    # "candidatrue" is respelt "candidature": the headline holding every word of the respelt
    # query ranks first, before an article with one of them in its title and both in its text.
    archive = Archive.in_memory()
    long_title = "Barcelone : la candidature de Manuel Valls se précise après des mois d'attente"
    archive.add_many(
        [
            Article(id="text", title="Valls à Barcelone", body="Sa candidature est attendue. Candidature, candidature."),
            Article(id="headline", title=long_title, body="Un entretien."),
        ]
    )
    for query in ("candidatrue valls", "valls candidatrue"):
        assert [hit.id for hit in archive.search(query).hits] == ["headline", "text"]
