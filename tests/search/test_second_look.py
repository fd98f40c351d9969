"""The second look at the best hits (searchlib.search.second_look): words standing together, and words held in
another form than the stemmer joins, lift an article above one that only holds the words."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from searchlib import Archive, Article
from searchlib.analysis.french import terms
from searchlib.search import tree
from searchlib.search.ranking import UNREAD_FORM_SHARE
from searchlib.search.second_look import (
    QueryWord,
    adjacent_weight,
    folded_bytes,
    forms_weight,
    nearby_weight,
    query_words,
    rerank,
)
from tests.corpora import sample_articles

FILLER = "Le conseil municipal a voté le budget annuel après un long débat public."


def ranked(new_archive: Callable[[], Archive], articles: list[Article], query: str) -> list[str]:
    """The ids found for ``query`` among ``articles`` and twenty that hold none of its words (so
    that its words weigh what rare words weigh), in an archive made by ``new_archive``."""
    archive = new_archive()
    archive.add_many([*articles, *(Article(id=f"other-{i}", title="Conseil", body=FILLER) for i in range(20))])
    return [hit.id for hit in archive.search(query, snippets=False).hits]


def test_the_article_where_the_question_s_words_stand_together_comes_first(new_archive: Callable[[], Archive]) -> None:
    # The same words, as often, in articles of the same length: only where they stand differs.
    scattered = Article(
        id="scattered",
        title="Chronique",
        body=f"Le traité fut signé. {FILLER} {FILLER} La paix revint. {FILLER} {FILLER} Vienne en fête.",
    )
    together = Article(
        id="together",
        title="Chronique",
        body=f"Le traité signé à Vienne ramena la paix. {FILLER} {FILLER} {FILLER} {FILLER} Rien.",
    )
    assert ranked(new_archive, [scattered, together], "Quel traité a signé la paix à Vienne ?")[0] == "together"
    assert ranked(new_archive, [together, scattered], "Quel traité a signé la paix à Vienne ?")[0] == "together"


def test_a_word_in_another_form_of_the_same_family_counts(new_archive: Callable[[], Archive]) -> None:
    # Snowball stems "villageois" and "village" apart; both start with "villa".
    village = Article(id="village", title="Récit", body=f"Les troupes ont attaqué le village. {FILLER}")
    maison = Article(id="maison", title="Récit", body=f"Les troupes ont attaqué la maison. {FILLER}")
    assert ranked(new_archive, [maison, village], "attaque des villageois")[0] == "village"


def test_a_short_word_typed_in_full_prefers_the_article_holding_it_as_typed(new_archive: Callable[[], Archive]) -> None:
    # "Tours" and "tour" share a stem; the city is what was typed.
    tower = Article(id="tower", title="Patrimoine", body=f"La tour domine la vallée. {FILLER}")
    city = Article(id="city", title="Patrimoine", body=f"Tours domine la vallée. {FILLER}")
    assert ranked(new_archive, [tower, city], "Tours")[0] == "city"
    assert ranked(new_archive, [city, tower], "tour")[0] == "tower"


def test_only_the_best_are_reordered_and_the_rest_keep_their_order() -> None:
    words = [QueryWord("paix", "paix", 2.0), QueryWord("vienn", "vienne", 3.0)]
    positions = {"paix": {1: [5], 2: [9]}, "vienn": {1: [40], 2: [10]}}
    top = [(docnum, 100.0 - docnum) for docnum in range(1, 30)]
    reordered = rerank(
        top, words, lambda stem, docs: set(positions[stem]), lambda stem, docs: positions[stem], lambda docnum: "paix vienne"
    )
    assert [docnum for docnum, _ in reordered[:2]] == [2, 1]  # 2 holds the words side by side
    assert reordered[20:] == top[20:]
    scores = [score for _, score in reordered]
    assert scores == sorted(scores, reverse=True)


def test_nearby_weight_takes_the_heaviest_window_of_distinct_words() -> None:
    words = [QueryWord("a", "a", 1.0), QueryWord("b", "b", 2.0), QueryWord("c", "c", 4.0)]
    assert nearby_weight([[0], [1], [30]], words, width=4) == 4.0  # c alone outweighs a and b
    assert nearby_weight([[0], [1], [3]], words, width=4) == 7.0
    assert nearby_weight([[0], [1], [4]], words, width=4) == 6.0  # b and c: positions 1 to 4
    assert nearby_weight([[0, 1, 2], [], []], words, width=4) == 1.0  # a word counts once
    assert nearby_weight([[], [], []], words, width=4) == 0.0


def test_adjacent_weight_counts_each_pair_of_query_words_side_by_side_in_either_order() -> None:
    words = [QueryWord("a", "a", 1.0), QueryWord("b", "b", 2.0), QueryWord("c", "c", 4.0)]
    assert adjacent_weight([[3], [4], [5]], words) == 1.0 + 2.0  # a b, b c; a and c stand apart
    assert adjacent_weight([[4], [3], [9]], words) == 1.0  # b a: the order does not matter
    assert adjacent_weight([[3], [], [4]], words) == 1.0  # a c
    assert adjacent_weight([[3], [5], [9]], words) == 0.0
    assert adjacent_weight([[3, 8], [9], []], words) == 1.0  # a pair counts once


@pytest.mark.parametrize(
    ("text", "word", "held"),
    [
        ("Les villageois fuient", QueryWord("villag", "village", 1.0), True),
        ("Une ville", QueryWord("villag", "village", 1.0), False),
        ("L'ONU se réunit", QueryWord("onu", "onu", 1.0), True),
        ("L'ONUSIDA se réunit", QueryWord("onu", "onu", 1.0), False),  # a short word must be whole
        ("Le Présidént parle", QueryWord("president", "president", 1.0), True),  # accents folded
        ("Une œuvre", QueryWord("oeuvr", "oeuvre", 1.0), True),
        ("Le contrepoids", QueryWord("poid", "poids", 1.0), False),  # a form starts a word
    ],
)
def test_forms_weight(text: str, word: QueryWord, held: bool) -> None:
    assert forms_weight([[]], [word], lambda: folded_bytes(text)) == (1.0 if held else 0.0)


def test_forms_weight_trusts_a_held_stem_that_starts_like_the_word() -> None:
    word = QueryWord("president", "presidente", 1.5)
    never_read = lambda: pytest.fail("the text was read")  # noqa: E731
    assert forms_weight([[3]], [word], never_read) == 1.5


def test_query_words_are_the_searched_words_sorted_once_each_without_the_excluded() -> None:
    (paix,), (vienne,), (pieds, noirs), (guerre,) = (terms(word) for word in ("paix", "Vienne", "pieds-noirs", "guerre"))
    q = tree.AndNot(
        tree.Or((tree.Term("text", paix), tree.Term("text", vienne), tree.Phrase("text", (pieds, noirs)))),
        tree.Term("text", guerre),
    )
    found = query_words(q, "Vienne paix Vienne pieds-noirs guerre", lambda stem: 1.0)
    expected = sorted([(vienne, "vienne"), (paix, "paix"), (pieds, "pieds"), (noirs, "noirs")])
    assert [(word.stem, word.folded) for word in found] == expected
    # Typed in another order, the words come out the same.
    assert query_words(q, "pieds-noirs paix guerre Vienne", lambda stem: 1.0) == found


def test_without_the_text_a_form_is_held_where_the_stem_is_for_a_share_of_its_weight() -> None:
    word = QueryWord("tour", "tours", 1.0)  # a stem shorter than the form: the text would tell
    assert forms_weight([[4]], [word], None) == UNREAD_FORM_SHARE
    assert forms_weight([[]], [QueryWord("villageois", "villageois", 1.0)], None) == 0.0
    assert forms_weight([[4]], [word], lambda: folded_bytes("La tour")) == 0.0


@pytest.fixture(scope="module")
def samples(new_archive: Callable[[], Archive]) -> Archive:
    """The shipped Wikinews sample, indexed once for the paging tests (they only search it)."""
    archive = new_archive()
    archive.add_many(sample_articles())
    return archive


@pytest.mark.parametrize("query", ["le président a annoncé", "France", "gouvernement ministre", "police paris", "Quel pays a gagné la coupe ?"])
def test_pages_across_the_reordered_best_follow_on_from_one_another(samples: Archive, query: str) -> None:
    # The second look reorders the 20 best: pages of 7 cross that line and must still add up to
    # one page of 28, with nothing lost or shown twice.
    archive = samples
    whole = archive.search(query, limit=28, snippets=False)
    assert whole.total > 28
    paged = [hit.id for page in range(1, 5) for hit in archive.search(query, limit=7, page=page, snippets=False).hits]
    assert paged == [hit.id for hit in whole.hits]
