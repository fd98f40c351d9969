"""Concordance: every occurrence of the matched words, as written, with its context, in order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from searchlib import Archive, BadFilter
from searchlib.analysis.french import fold
from tests.research.conftest import dated


@pytest.fixture(scope="module")
def archive(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(
        [
            dated("late", "2020-05-01", "Grève à la SNCF. Une grève dure, puis une autre grève.", title="Grèves"),
            dated("early", "2019-01-01", "Le préavis de grève des contrôleurs est levé."),
            dated("names", "2019-06-01", "Les gilets jaunes défilent ; les Gilets-Jaunes encore."),
            dated("commas", "2019-07-01", "Pékin, Pékin et Pékin."),
        ]
    )
    return archive


def test_every_occurrence_as_written_oldest_first(archive: Archive) -> None:
    lines = archive.kwic("greve", width=20).lines
    assert [line.id for line in lines] == ["early", "late", "late", "late", "late"]
    assert [line.match for line in lines] == ["grève", "Grèves", "Grève", "grève", "grève"]
    first = lines[0]
    assert first.left == "Le préavis de " and first.right == " des contrôleurs est"
    assert all(len(line.left) <= 20 and len(line.right) <= 20 for line in lines)


def test_words_side_by_side_are_one_occurrence_but_a_comma_parts_them(archive: Archive) -> None:
    assert [line.match for line in archive.kwic('"gilets jaunes"').lines] == ["gilets jaunes", "Gilets-Jaunes"]
    assert [line.match for line in archive.kwic("pekin").lines] == ["Pékin", "Pékin", "Pékin"]


def test_sort_by_the_word_before_or_after(archive: Archive) -> None:
    left = archive.kwic("grève", sort="left")
    before = [fold(line.left.split()[-1].strip(".,")) if line.left.split() else "" for line in left.lines]
    assert before == ["", "", "autre", "de", "une"]
    right = archive.kwic("grève", sort="right")
    after = [fold(line.right.split()[0].strip(".,")) if line.right.split() else "" for line in right.lines]
    assert after == ["", "", "a", "des", "dure"]  # "à" as "a": accents do not change the order
    assert left.total == right.total == 5


def test_pages_follow_each_other_without_gap_or_repeat(samples: Archive) -> None:
    every = samples.kwic("chine", limit=500).lines
    pages = []
    page = 1
    while True:
        shown = samples.kwic("chine", limit=4, page=page)
        pages.extend(shown.lines)
        if not shown.more:
            break
        page += 1
    assert pages == every and len(every) > 8


def test_no_match_is_an_empty_page(archive: Archive) -> None:
    found = archive.kwic("zyxwvutsr")
    assert (found.lines, found.articles, found.more) == ([], 0, False)


@pytest.mark.parametrize(("option", "value"), [("sort", "middle"), ("width", 0), ("page", 0), ("limit", 0)])
def test_bad_options_are_one_clear_error(archive: Archive, option: str, value: object) -> None:
    with pytest.raises(BadFilter, match=option):
        archive.kwic("grève", **{option: value})
