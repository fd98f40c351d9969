"""The query's words marked in hit titles, as in snippets: ranges in the API, <mark> in JSON,
colour on a terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Archive, Article
from searchlib.cli import main
from searchlib.render import results_text

ARTICLES = [
    Article(id="pekin", title="Pékin : les États-Unis et la Chine se parlent", body="Blinken était à Pékin jeudi."),
    Article(id="marches", title="Bourses asiatiques", body="Les marchés de Pékin et de Tokyo reculent."),
]


@pytest.fixture(scope="module")
def archive(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(ARTICLES)
    return archive


def _marked(title: str, ranges: tuple[tuple[int, int], ...]) -> list[str]:
    return [title[start:end] for start, end in ranges]


def test_hits_carry_the_ranges_of_matched_title_words(archive: Archive) -> None:
    hits = archive.search("pekin etats-unis").hits
    first, second = hits
    assert _marked(first.title, first.title_highlights) == ["Pékin", "États", "Unis"]
    assert (second.id, second.title_highlights) == ("marches", ())  # only its text holds Pékin
    similar = archive.similar("marches").hits
    assert similar and _marked(similar[0].title, similar[0].title_highlights) == ["Pékin"]


def test_json_gives_the_title_as_html_with_marks(tmp_path: Path) -> None:
    # The command line's output, over an index in a directory.
    with Archive(tmp_path / "ix") as archive:
        archive.add_many(ARTICLES)
    result = CliRunner().invoke(main, ["search", "chine", "--index", str(tmp_path / "ix"), "--json"])
    hit = json.loads(result.stdout)["hits"][0]
    assert hit["title"] == ARTICLES[0].title  # as stored
    assert hit["title_html"] == "Pékin : les États-Unis et la <mark>Chine</mark> se parlent"


def test_a_terminal_shows_matched_title_words_in_colour(archive: Archive) -> None:
    results = archive.search("chine")
    coloured = results_text(results, color=True)
    assert "\x1b[33m\x1b[1mChine\x1b[0m" in coloured  # yellow, as the snippet's words
    assert "1. Pékin : les États-Unis et la Chine se parlent" in results_text(results, color=False)
