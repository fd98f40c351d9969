"""Ranking (searchlib.search.ranking): all the words before some, the headline as a phrase, the
title's words as typed. (The second look has tests/search/test_second_look.py; figures on real
relevance sets, tests/search/test_relevance.py.)"""

from __future__ import annotations

from collections.abc import Callable

from searchlib import Archive, Article


def test_articles_with_all_the_words_rank_before_those_with_some(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add_many(
        [
            Article(id="blinken", title="Diplomatie", body="Antony Blinken à Jakarta. Blinken parle, Blinken part."),
            Article(id="both", title="Rencontre", body="Antony Blinken évoque le fentanyl à Jakarta."),
            Article(id="fentanyl", title="Santé", body="Le fentanyl, un opioïde. Le fentanyl tue."),
            Article(id="neither", title="Sport", body="Le match a eu lieu à Jakarta."),
        ]
    )
    results = archive.search("Blinken fentanyl")
    assert results.hits[0].id == "both"
    assert {hit.id for hit in results.hits} == {"both", "blinken", "fentanyl"}


def test_the_headline_remembered_as_a_phrase_ranks_first(new_archive: Callable[[], Archive]) -> None:
    # Both titles hold both words within three positions; only one holds them as a phrase.
    archive = new_archive()
    archive.add_many(
        [
            Article(id="apart", title="Pollution : les usines de Chine ferment", body="Les usines ferment en Chine."),
            Article(id="phrase", title="La pollution en Chine fait fermer des usines", body="Les usines ferment en Chine."),
        ]
    )
    assert [hit.id for hit in archive.search("pollution chine").hits] == ["phrase", "apart"]


def test_a_title_holding_the_words_as_typed_ranks_before_one_sharing_only_their_stems(new_archive: Callable[[], Archive]) -> None:
    # Both titles hold both stems; only one holds the words in the form typed (accents aside).
    archive = new_archive()
    archive.add_many(
        [
            Article(id="stems", title="Trois Français retrouvés sains et saufs", body="Les secours ont retrouvé les randonneurs."),
            Article(id="typed", title="Un téléphone français retrouvé chez un suspect", body="Les enquêteurs ont retrouvé le téléphone."),
        ]
    )
    assert [hit.id for hit in archive.search("francais retrouve").hits] == ["typed", "stems"]
    assert [hit.id for hit in archive.search("Français retrouvés").hits] == ["stems", "typed"]
