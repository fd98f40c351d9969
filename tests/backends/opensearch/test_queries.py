"""searchlib's query tree translated for OpenSearch (``backends/opensearch/queries.py``) matches the
articles the embedded Whoosh engine matches: the shipped samples in both, each query parsed once by
searchlib, the set of article ids compared (engine level: ``View.prepare`` then ``View.match``, so
that no spelling help or second look comes between).

Where the engines cannot match the same way (a fuzzy word within two edits), what holds is
asserted, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from searchlib import Archive
from searchlib.backends.opensearch.documents import to_source
from searchlib.backends.opensearch import queries, settings
from searchlib.models import Article, SearchFilters
from searchlib.search import tree as t
from searchlib.search.query import QueryBuilder

pytestmark = pytest.mark.opensearch

#: Queries both engines must match alike: words (accented or not), phrases without a stop word
#: inside, "…"~N, operators in English and French, +/-, fields, dates, patterns and fuzzy words.
SAME = [
    "police",
    "sécurité",
    "securite",
    "SECURITE chine",
    "président république",
    "élections présidentielles américaines",
    '"grande mosquée"',
    '"tireur fou"',
    '"peugeot 307 rouge immatriculée"',
    '"peugeot rouge"~3',
    '"rouge peugeot"~3',
    '"peugeot immatriculée"~2',
    '"peugeot immatriculée"~3',
    '"peugeot rouge immatriculée"~2',
    '"milliard dollars"~2',
    '"saisi tonnes marijuana"~3',
    "police AND manifestation",
    "police ET manifestants",
    "police OR gendarmerie",
    "police OU gendarmerie",
    "police NOT manifestation",
    "police SAUF manifestation",
    "(police OR armée) AND NOT paris",
    "+police -paris",
    "+france +attaque",
    "titre:france",
    "titre:canada OR titre:allemagne",
    "auteur:haddad",
    "date:2016",
    "date:2017 AND police",
    "date:[2016-01-01 TO 2016-06-30]",
    "date:[2017-06-01 TO 2018-01-01]",
    "pol*",
    "gouv* AND france",
    "t?rqu*",
    "pollutoin~",
    "securiter~",
    "mosqee~2",
    "la une",
    "à la une",
    "le monde",
]

#: Phrases with a stop word between their words: both number positions without the stop words
#: (searchlib sends its own terms), so these match alike.
ACROSS_STOP_WORDS = [
    '"jean yves le drian"', '"forces de sécurité"', '"marijuana libye"~3', '"forces turques"~2',
    '"homme voiture"~5', '"militaires opération sentinelle"', "\"chef de l'état\"", '"président de la république"', '"conseil d\'état"']


@pytest.fixture(scope="module")
def archive() -> Iterator[Archive]:
    """The shipped samples in an embedded in-memory archive."""
    with Archive.in_memory() as embedded:
        embedded.index_paths(["samples/"])
        yield embedded


def _added(archive: Archive) -> dict[str, int]:
    """The time each article was added, as the Whoosh engine recorded it (its ``added`` column)."""
    view = archive._backend.view()
    column = view.engine.column("added")
    return {article.id: int(column[view.find(article.id)]) for article in archive}


@pytest.fixture(scope="module")
def index(cluster: Any, unique_name: str, archive: Archive) -> Iterator[str]:
    """The samples in the cluster: 2 shards, 1 replica, the ``added`` times the embedded index has."""
    from opensearchpy import helpers

    name = unique_name + "-queries"
    cluster.indices.create(index=name, body=settings.index_body(shards=2, replicas=1), wait_for_active_shards="all")
    added = _added(archive)
    actions = ({"_index": name, "_id": a.id, "_source": to_source(a, added[a.id])} for a in archive)
    helpers.bulk(cluster, actions, refresh="wait_for", request_timeout=120)
    yield name
    cluster.indices.delete(index=name, ignore_unavailable=True)


def embedded_ids(archive: Archive, query: t.Node, filters: SearchFilters = SearchFilters()) -> set[str]:
    """The ids of every article the Whoosh engine matches, the total checked against them."""
    view = archive._backend.view()
    matches = view.match(query, filters, window=10_000)
    ids = {view.article(doc).id for doc, _ in matches.top}
    assert len(ids) == matches.total
    return ids


def cluster_ids(cluster: Any, index: str, query: t.Node, filters: SearchFilters = SearchFilters()) -> set[str]:
    """The ids of every article the cluster matches with ``to_dsl`` and ``filter_dsl``."""
    body = {"bool": {"must": [queries.to_dsl(query)], "filter": queries.filter_dsl(filters)}}
    answer = cluster.search(index=index, body={"query": body, "size": 10_000, "_source": False, "track_total_hits": True})
    ids = {hit["_id"] for hit in answer["hits"]["hits"]}
    assert len(ids) == answer["hits"]["total"]["value"]
    return ids


def prepared(archive: Archive, text: str) -> t.Node:
    """The tree of ``text`` as the Whoosh engine searches it (patterns and fuzzy words expanded)."""
    query, _ = archive._backend.view().prepare(QueryBuilder().parse(text).query)
    return query


@pytest.mark.parametrize("text", SAME)
def test_the_cluster_matches_what_the_embedded_index_matches(cluster: Any, index: str, archive: Archive, text: str) -> None:
    query = prepared(archive, text)
    expected = embedded_ids(archive, query)
    assert cluster_ids(cluster, index, query) == expected


def test_the_queries_compared_find_articles(archive: Archive) -> None:
    """Most of the table above is not an empty set against an empty set."""
    found = [text for text in SAME if embedded_ids(archive, prepared(archive, text))]
    assert len(found) >= len(SAME) - 3, sorted(set(SAME) - set(found))


@pytest.mark.parametrize("text", ["pol*", "gouv* AND france", "t?rqu*"])
def test_patterns_expanded_by_the_cluster_match_the_same(cluster: Any, index: str, archive: Archive, text: str) -> None:
    """Unprepared, the cluster expands a pattern over every term; the embedded engine's bound of 200
    words is not reached by the samples, so the sets are equal (on a larger archive the cluster
    finds more: the bound is the view's to apply, as Whoosh's does)."""
    query = QueryBuilder().parse(text).query
    assert cluster_ids(cluster, index, query) == embedded_ids(archive, prepared(archive, text))


@pytest.mark.parametrize("text", ACROSS_STOP_WORDS)
def test_phrases_across_stop_words_match_the_same(cluster: Any, index: str, archive: Archive, text: str) -> None:
    """searchlib sends its own terms, stop words left out without a gap, as the embedded index
    numbers them: a phrase across a stop word matches alike."""
    query = prepared(archive, text)
    expected = embedded_ids(archive, query)
    assert cluster_ids(cluster, index, query) == expected and expected


@pytest.mark.parametrize("text", ["pollutoin~ chine", "cyberataque~", "pekni~2"])
def test_fuzzy_words_unprepared_look_among_the_words_as_written(cluster: Any, index: str, archive: Archive, text: str) -> None:
    """The cluster expands a fuzzy word itself, among the words as written; the embedded engine
    also takes the other words of their stems, so it may find more (a word two edits away)."""
    query = QueryBuilder().parse(text).query
    found, expected = cluster_ids(cluster, index, query), embedded_ids(archive, prepared(archive, text))
    assert found and found <= expected
    if "~2" not in text:
        assert found == expected


def _filters(archive: Archive) -> list[SearchFilters]:
    added = sorted(set(_added(archive).values()))
    middle = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=added[len(added) // 2])
    return [
        SearchFilters(date_from=dt.date(2016, 3, 1)),
        SearchFilters(date_to=dt.date(2016, 3, 1)),
        SearchFilters(date_from=dt.date(2016, 1, 6), date_to=dt.date(2016, 1, 6)),
        SearchFilters(sources=("wikinews",)),
        SearchFilters(sources=("AFP", "le monde")),
        SearchFilters(authors=("georges haddad",)),
        SearchFilters(authors=("haddad georges",)),
        SearchFilters(sections=("sport",)),
        SearchFilters(added_since=middle),
        SearchFilters(added_since=middle + dt.timedelta(microseconds=1)),
        SearchFilters(added_since=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)),
        SearchFilters(date_from=dt.date(2017, 1, 1), sources=("Wikinews",), added_since=middle),
    ]


@pytest.mark.parametrize("case", range(12))
def test_filters_let_the_same_articles_through(cluster: Any, index: str, archive: Archive, case: int) -> None:
    filters = _filters(archive)[case]
    query = prepared(archive, "police OR france")
    assert cluster_ids(cluster, index, query, filters) == embedded_ids(archive, query, filters)


@pytest.mark.parametrize("case", range(12))
def test_filters_on_every_article_let_the_same_articles_through(cluster: Any, index: str, archive: Archive, case: int) -> None:
    filters = _filters(archive)[case]
    assert cluster_ids(cluster, index, t.Every(), filters) == embedded_ids(archive, t.Every(), filters)


def test_highlight_terms_are_the_positive_words_of_the_text_fields(archive: Archive) -> None:
    query = QueryBuilder().parse('"forces turques" sécurité -paris titre:chine pol* auteur:haddad').query
    assert queries.highlight_terms(query) == {"forc", "turqu", "securit", "chin"}


def test_every_node_kind_translates() -> None:
    day = dt.datetime(2016, 1, 1)
    nodes = [
        t.Term("text", "pekin", 2.0), t.Phrase("text", ("a", "b", "c"), slop=3), t.Near("text", ("a", "b"), 3),
        t.Prefix("text", "pek"), t.Wildcard("text", "p?k*"), t.Fuzzy("text", "pekin", distance=2, prefix=1),
        t.DateRange("date", day, None, True), t.TextRange("text", "a", "b", end_excluded=True), t.Every(), t.Every("title"),
        t.Nothing(), t.Unreadable(), t.Not(t.Term("text", "a")), t.AndMaybe(t.Term("text", "a"), t.Term("text", "b")),
        t.Or((t.Term("text", "a"), t.Term("text", "b")), 1.5, minimum=2),
    ]
    dsl = [queries.to_dsl(node) for node in nodes]
    # a phrase and a near window match as spans and score as their words' terms, as Whoosh's do
    assert dsl[1]["bool"]["filter"] == [{"span_near": {"clauses": [{"span_term": {"text": "a"}}, {"span_near": {
        "clauses": [{"span_term": {"text": "b"}}, {"span_term": {"text": "c"}}], "slop": 2, "in_order": True}}],
        "slop": 2, "in_order": True}}]
    assert dsl[1]["bool"]["should"] == [{"term": {"text": {"value": word, "boost": 1.0}}} for word in "abc"]
    assert dsl[2]["bool"]["filter"] == [{"span_near": {"clauses": [{"span_term": {"text": "a"}}, {"span_term": {"text": "b"}}],
                                                       "slop": 2, "in_order": False}}]  # fmt: skip
    # Whoosh's window of 3 words at slop 1 is 2 positions wide: Lucene's unordered slop 0
    assert queries.to_dsl(t.Near("title", ("a", "b", "c"), 1))["bool"]["filter"][0]["span_near"]["slop"] == 0
    assert dsl[6] == {"range": {"date": {"gt": "2016-01-01T00:00:00.000", "format": "strict_date_optional_time", "boost": 1.0}}}
    assert dsl[10] == dsl[11] == {"bool": {"must_not": [{"match_all": {}}]}}
    assert dsl[14] == {"bool": {"should": [queries.to_dsl(t.Term("text", "a")), queries.to_dsl(t.Term("text", "b"))],
                                "minimum_should_match": 2, "boost": 1.5}}


@pytest.mark.parametrize(
    "node",
    [
        t.Term("text", "pekin", 2.0), t.Phrase("text", ("a", "b", "c"), slop=3, boost=2.0), t.Phrase("text", ("a",), boost=2.0),
        t.Near("text", ("a", "b"), 3, 0.5), t.Near("text", ("a",), 1, 0.5), t.Near("text", ("a", "b", "c"), 0, 2.0),
        t.Prefix("text", "pek"), t.Wildcard("text", "p?k*"), t.Fuzzy("text", "pollution", distance=3, prefix=1),
        t.DateRange("date", dt.datetime(2016, 1, 1), None, True), t.TextRange("text", "a", "b", end_excluded=True),
        t.Every(), t.Every("title"), t.Nothing(), t.Unreadable(), t.Not(t.Term("text", "a")),
        t.AndMaybe(t.Term("text", "a"), t.Term("text", "b")), t.Or((t.Term("text", "a"), t.Term("text", "b")), 1.5, minimum=2),
    ],
    ids=repr,
)  # fmt: skip
def test_the_cluster_takes_every_query_translated(cluster: Any, index: str, node: t.Node) -> None:
    """Each kind of node, boosts and bounds included, is a query the cluster accepts."""
    answer = cluster.indices.validate_query(index=index, body={"query": queries.to_dsl(node)}, explain=True)
    assert answer["valid"], answer
