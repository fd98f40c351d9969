"""Queries of common words only ("le la les", "la une", "Les Échos" when every word is a stop word):
searched as written in titles and source names, with a notice, instead of refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Archive, Article, EmptyQuery
from searchlib.cli import main

ARTICLES = [
    Article(id="une", title="La une des quotidiens du 14 juillet", body="Les journaux du matin ouvrent sur le défilé."),
    Article(id="apart", title="Une réforme, la troisième de l'année", body="Le gouvernement présente une réforme."),
    Article(id="other", title="Sécheresse dans le Sud", body="La une de ce journal parle de la sécheresse."),
    Article(id="vous", title="Marchés en baisse", body="Les Bourses reculent.", source="Vous et nous"),
]


@pytest.fixture(scope="module")
def archive(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(ARTICLES)
    return archive


def test_a_phrase_of_common_words_finds_the_title_that_holds_it_first(archive: Archive) -> None:
    results = archive.search("la une")
    assert [hit.id for hit in results.hits] == ["une", "apart"]  # the phrase, then both words apart
    assert results.notices == ["the query has only common words (la, une): searched as written, in titles and source names"]


def test_quotes_and_capitals_change_nothing(archive: Archive) -> None:
    assert [hit.id for hit in archive.search('"La Une"').hits] == ["une", "apart"]


def test_common_words_find_a_source_name(archive: Archive) -> None:
    assert [hit.id for hit in archive.search("vous et nous").hits] == ["vous"]


def test_a_query_of_common_words_the_archive_lacks_finds_nothing_without_an_error(archive: Archive) -> None:
    results = archive.search("il elles")
    assert (results.total, results.hits) == (0, [])
    assert results.notices[0].startswith("the query has only common words (il, elles)")


@pytest.mark.parametrize("query", ["", "?!", "-secheresse", "NOT sécheresse"])
def test_a_query_with_no_word_to_look_for_is_still_an_error(archive: Archive, query: str) -> None:
    with pytest.raises(EmptyQuery):
        archive.search(query)


def test_the_terminal_shows_the_hits_and_the_notice(tmp_path: Path) -> None:
    # The command line's output, over an index in a directory (the other tests cover both engines).
    with Archive(tmp_path / "ix") as archive:
        archive.add_many(ARTICLES)
    result = CliRunner().invoke(main, ["search", "le la les", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "note: the query has only common words (le, la, les)" in result.stderr
    assert "No articles found" in result.stdout  # no title holds all three: said, not an error
    result = CliRunner().invoke(main, ["search", "la une", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0 and "La une des quotidiens" in result.stdout


def test_the_common_words_are_marked_in_the_titles_found(archive: Archive) -> None:
    first = archive.search("la une").hits[0]
    assert [first.title[start:end] for start, end in first.title_highlights] == ["La", "une"]
