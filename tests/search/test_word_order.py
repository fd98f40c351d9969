"""An unquoted query is a set of words: typed in any order, it ranks the same articles the same
way (tests/search/test_ranking.py has what the ranking rewards; quotes keep the order)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from searchlib import Archive, Article
from searchlib.analysis.french import content_word, fold
from tests.corpora import sample_articles

_WORD = re.compile(r"[^\W\d_]{3,}")


@pytest.fixture(scope="module")
def samples(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(sample_articles())
    return archive


@functools.cache
def _title_words() -> list[list[str]]:
    """Each sample article's title words (three letters or more), as a reader would type them."""
    return [words for article in sample_articles() if len(words := _WORD.findall(article.title)) >= 2]


def _ranking(archive: Archive, query: str) -> list[tuple[str, float]]:
    return [(hit.id, round(hit.score, 9)) for hit in archive.search(query, limit=10, snippets=False).hits]


@st.composite
def _query_and_order(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Two to four words of one title (some from another article's title too) and another order."""
    words = draw(st.sampled_from(_title_words()))
    picked = draw(st.lists(st.sampled_from(words), min_size=2, max_size=4, unique=True))
    if draw(st.booleans()):
        picked.append(draw(st.sampled_from(draw(st.sampled_from(_title_words())))))
    # A query of common words only ("la une", "sur une") is searched as written, in its order: by
    # design, as the names it stands for are ("Les Échos"); the property is about the others.
    assume(any(content_word(fold(word)) for word in picked))
    return picked, draw(st.permutations(picked))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_query_and_order())
def test_the_order_of_the_words_typed_changes_nothing(samples: Archive, query: tuple[list[str], list[str]]) -> None:
    typed, other = query
    assert _ranking(samples, " ".join(typed)) == _ranking(samples, " ".join(other)), (typed, other)


def test_a_title_holding_every_word_anywhere_ranks_first_in_either_order(new_archive: Callable[[], Archive]) -> None:
    # The headline holds both words far apart, in the other order than one of the queries; the
    # other article holds them side by side, often, in its text only.
    archive = new_archive()
    archive.add_many(
        [
            Article(id="headline", title="Manuel Valls reconnaît quatre erreurs dans le quinquennat", body="Un bilan."),
            Article(
                id="text",
                title="Dernière commémoration du 8 mai pour le président",
                body="Le quinquennat, Valls l'a dit. " * 3 + "Valls et le quinquennat.",
            ),
        ]
    )
    for query in ("quinquennat Valls", "Valls quinquennat"):
        assert [hit.id for hit in archive.search(query).hits] == ["headline", "text"]


def test_a_quoted_phrase_keeps_its_order(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add_many(
        [
            Article(id="chien-mord", title="Le chien mord le facteur", body="Fait divers."),
            Article(id="mord-chien", title="Il mord son chien", body="Fait divers."),
        ]
    )
    assert [hit.id for hit in archive.search('"chien mord"').hits] == ["chien-mord"]
    assert [hit.id for hit in archive.search('"mord chien"').hits] == ["mord-chien"]
