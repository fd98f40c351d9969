"""Bad queries through the Python API: no query string crashes, every highlight is a query word."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from searchlib import Archive, Article, EmptyQuery, SearchResults
from searchlib.analysis.french import fold, terms
from searchlib.backends.whoosh.analyzer import FrenchTokenizer


def test_overlong_query_is_cut_with_a_notice(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add(Article(id="a", title="Pékin"))
    results = archive.search("pekin " + "x" * 5000)
    assert [hit.id for hit in results.hits] == ["a"]
    assert len(results.notices) == 1 and "longer than" in results.notices[0]


# -- Hypothesis: queries -----------------------------------------------------------------------

ARTICLES = [
    Article(
        id="pekin",
        title="Alerte rouge à Pékin",
        lede="Les autorités de Pékin ont décrété l'alerte rouge à la pollution, jeudi.",
        body=(
            "Le secrétaire d'État américain Antony Blinken était à Pékin le mois dernier. "
            + "Une phrase sans rapport avec le sujet. " * 12
            + "Les États-Unis et la Chine s’opposent sur la sécurité économique et l’œuvre du G20. "
            + "Aujourd'hui, le cœur de la capitale chinoise est à l'arrêt."
        ),
        date=dt.date(2023, 7, 13),
        source="AFP",
        author="Georges Haddad",
    ),
    Article(
        id="asean",
        title="Sommet de l'Asean à Jakarta",
        body=(
            "Antony Blinken rencontre Wang Yi à Jakarta, jusqu'à tard. Une cyberattaque chinoise visant "
            "des agences fédérales est évoquée ; les cyberattaques se multiplient. "
            + "Encore une phrase longue pour éloigner les mots. " * 8
            + "À Noël, les Français qu'il a rencontrés parlaient d'opioïdes, de fentanyl et de Pékin."
        ),
        date=dt.date(2023, 7, 14),
        source="Le Monde",
    ),
    Article(
        id="fentanyl",
        title="Fentanyl : un opioïde",
        lede="Le fentanyl inquiète Washington.",
        body="L'opioïde de synthèse, produit en Chine, tue aux États-Unis. Prud'hommes et œufs n'y sont pour rien.",
        author="Paul Martin",
    ),
    Article(id="titre-seul", title="Élections présidentielles : la sécurité en débat"),
]

# The words as the analyzer cuts them ("aujourd'hui" stays whole, "l'Asean" gives "l" and "Asean").
VOCABULARY = sorted(
    {
        token.text
        for article in ARTICLES
        for text in (article.title, article.lede, article.body)
        for token in FrenchTokenizer()(text)
    }
)
SYNTAX = [
    '"', "(", ")", "*", "?", ":", "~", "^", "+", "-", "[", "]", "{", "}", "'", "’", "\\", "/",
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "title:", "body:", "author:", "date:", "source:",
]  # fmt: skip

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def small_archive(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    report = archive.add_many(ARTICLES)
    assert report.added == len(ARTICLES)
    return archive


def check_search(archive: Archive, query: str) -> SearchResults | None:
    """Searches ``query``; the only error allowed is EmptyQuery (None then)."""
    try:
        results = archive.search(query, limit=3)
    except EmptyQuery:
        return None
    assert 0 <= len(results.hits) <= 3 and results.total >= len(results.hits)
    assert {hit.id for hit in results.hits} <= {article.id for article in ARTICLES}
    return results


@PROPERTY_SETTINGS
@given(query=st.text())
def test_any_text_query_searches_or_says_it_is_empty(small_archive: Archive, query: str) -> None:
    check_search(small_archive, query)


query_pieces = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(SYNTAX), st.text(max_size=3)),
        st.sampled_from(["", " ", "  "]),
    ),
    max_size=12,
)


@PROPERTY_SETTINGS
@given(pieces=query_pieces)
def test_any_query_syntax_searches_or_says_it_is_empty(
    small_archive: Archive, pieces: list[tuple[str, str]]
) -> None:
    check_search(small_archive, "".join(piece + sep for piece, sep in pieces))


# -- Hypothesis: highlights --------------------------------------------------------------------

# Each word as people may type it: as written, in any case, or without its accents ("pekin").
spelled = st.sampled_from(VOCABULARY).flatmap(
    lambda word: st.sampled_from([word, word.lower(), word.upper(), word.capitalize(), fold(word)])
)


@PROPERTY_SETTINGS
@given(words=st.lists(spelled, min_size=1, max_size=4))
def test_every_highlight_is_a_query_word_in_the_snippet(small_archive: Archive, words: list[str]) -> None:
    # An upper-cased "et" or "ou" is the operator ET / OU: words from different articles joined
    # by it rightly find nothing.
    assume(not {"ET", "OU", "SAUF", "AND", "OR", "NOT"} & set(words))
    query = " ".join(words)
    query_terms = set(terms(query))
    results = check_search(small_archive, query)
    if results is None:
        assert not query_terms, f"{query!r} has words {query_terms} but was refused as empty"
        return
    if not query_terms:  # common words only: searched in titles and source names, not in the text
        assert any("only common words" in notice for notice in results.notices), query
        return
    assert results.total >= 1, f"{query!r}: words taken from the articles found nothing"
    for hit in results.hits:
        snippet = hit.snippet
        previous_end = 0
        for start, end in snippet.highlights:
            assert previous_end <= start < end <= len(snippet.text), (query, snippet)
            previous_end = end
            word = snippet.text[start:end]
            assert len(terms(word)) == 1 and terms(word)[0] in query_terms, (query, word, snippet.text)
