"""The fast search path gives what Whoosh gives: the same hits in the same order, exact totals,
the same facets and snippets — over several segments, with deleted articles, filters and sorting.
(How fast it is is measured by ``benchmarks/query_latency.py``, not here.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib import Archive, Article
from searchlib.backends.whoosh.queries import to_whoosh
from searchlib.backends.whoosh import arrays as topk
from searchlib.backends.whoosh.schema import ARRAY_FIELDS
from searchlib.search import ranking
from tests.corpora import sample_articles, shared_articles


QUERIES = [
    "pekin",
    "chine pollution",
    "Président de la République",
    "elections presidentielles france",
    '"Coupe du monde"',
    '"Coupe du monde" football',
    "gouvernement",
    "séisme japon tsunami victimes",
    "etats-unis",
    "the",  # a word few articles hold
    "zzzzzz",  # none
    "chine pollutoin",  # a misspelt word, also searched as the archive spells it
    "pol* chine",  # a wildcard: not searched in the title's words as written
    "pollutoin~ chine",  # a fuzzy word: neither
    "titre:chine élections",
    "la une",  # common words only: searched as written in titles and source names
    '"d un"',
    "Les Échos",
]
OPTIONS = [
    {},
    {"page": 2, "limit": 5},
    {"sort": "date"},
    {"sort": "-date", "limit": 3},
    {"sort": "-added", "limit": 4},  # three commits: three times added
    {"all_copies": True},
    {"facets": ["source", "section", "author", "year", "month"]},
    {"date_from": "2017", "date_to": "2017-06"},
    {"sources": ["Wikinews"], "facets": ["year"]},
]


def _in_three_segments(articles: list[Article]) -> Archive:
    archive = Archive.in_memory()
    # Three commits make three segments; the deletions make deleted documents in them.
    for part in range(3):
        archive.add_many(articles[part::3])
    archive.delete([article.id for article in articles[::17]])
    return archive


@pytest.fixture(scope="module")
def archive() -> Archive:
    return _in_three_segments(sample_articles())


@pytest.fixture(scope="module")
def corpus_archive(corpus: str, request: pytest.FixtureRequest) -> Archive:
    """``archive`` for the samples; the shared corpus's articles, in three segments the same way."""
    if corpus == "samples":
        return request.getfixturevalue("archive")
    return _in_three_segments(list(shared_articles()))


def corpus_queries(corpus: str) -> list[str]:
    """QUERIES; over the shared corpus, also headlines of its own as someone would retype them."""
    if corpus == "samples":
        return QUERIES
    return QUERIES + [article.title for article in shared_articles()[250::500]]


def whoosh_only(archive: Archive, monkeypatch: pytest.MonkeyPatch, query: str, **options: object) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(topk.Engine, "search", lambda *args, **kwargs: None)
        return archive.search(query, **options)  # type: ignore[arg-type]


def shape(results: object) -> tuple:
    hits = [(h.id, round(h.score, 9), h.snippet, h.copies) for h in results.hits]  # type: ignore[attr-defined]
    return results.total, hits, results.facets, results.suggestion, results.suggestion_total  # type: ignore[attr-defined]


@pytest.mark.equivalence
@pytest.mark.parametrize("options", OPTIONS, ids=lambda options: ",".join(options) or "plain")
def test_the_fast_path_finds_what_whoosh_finds(
    corpus_archive: Archive, corpus: str, monkeypatch: pytest.MonkeyPatch, options: dict
) -> None:
    archive = corpus_archive
    for query in corpus_queries(corpus):
        assert shape(archive.search(query, **options)) == shape(whoosh_only(archive, monkeypatch, query, **options)), query


def test_decoded_blocks_stay_within_their_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # Phrases and proximity bonuses read positions from decompressed blocks, kept in a cache
    # bounded by bytes: past the bound the oldest go, and results do not change.
    archive = Archive.in_memory()
    archive.add_many(sample_articles())
    roomy = [shape(archive.search(query)) for query in QUERIES]
    monkeypatch.setattr(topk, "DECODED_BYTES", 1_500)
    monkeypatch.setattr(topk, "DECODED_PER_ARTICLE", 0)
    archive = Archive.in_memory()
    archive.add_many(sample_articles())
    assert [shape(archive.search(query)) for query in QUERIES] == roomy
    cache = topk.engine(archive._backend._searcher())._decoded
    assert 0 < cache.size <= 1_500 or len(cache) == 1
    assert cache.size == sum(map(topk._block_bytes, cache.values()))


def test_the_fast_path_reads_the_queries_people_type(archive: Archive) -> None:
    engine = topk.engine(archive._backend._searcher())
    for query in ["chine pollution", '"Coupe du monde" football', "pekin", "la une", "Les Échos"]:
        assert engine.search(to_whoosh(archive._queries.parse(query).query), 10, None, ARRAY_FIELDS) is not None
    for query in ["chine AND pollution", "chine -pollution", "pol*", "pollutoin~"]:  # Whoosh runs these
        assert engine.search(to_whoosh(archive._queries.parse(query).query), 10, None, ARRAY_FIELDS) is None


def test_deleted_articles_are_neither_found_nor_counted() -> None:
    archive = Archive.in_memory()
    archive.add_many([Article(id=f"a{n}", title="Pékin", body=f"Pékin, jour {n}.") for n in range(50)])
    archive.add_many([Article(id=f"b{n}", title="Pékin", body="Pékin encore.") for n in range(50)])
    archive.delete([f"a{n}" for n in range(0, 50, 2)] + ["b7"])
    results = archive.search("pekin", limit=100)
    assert results.total == len(results.hits) == 74
    assert {"a0", "b7"}.isdisjoint(hit.id for hit in results.hits)


def test_the_bonuses_lift_articles_the_words_alone_rank_below_others(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the candidates a bonus can lift into the k best get their bonuses read
    # (arrays._within_reach): articles holding the words side by side, whose words alone score
    # below those of articles repeating them far apart, must still come first, as Whoosh ranks them.
    filler = " ".join(f"mot{n}" for n in range(60))
    others = [Article(id=f"other{n}", title=f"Autre sujet {n}", body=f"{filler} autre{n}") for n in range(100)]
    apart = [Article(id=f"apart{n}", title=f"Rapport {n}", body=f"Chine. {filler} " + "pollution, " * (2 + n % 2)) for n in range(40)]
    together = [Article(id=f"together{n}", title=f"Dossier {n}", body=f"{filler} Chine pollution.") for n in range(8)]
    archive = Archive.in_memory()
    archive.add_many(others + apart + together)
    for limit in (1, 5, 8, 20):
        found = archive.search("chine pollution", limit=limit)
        assert shape(found) == shape(whoosh_only(archive, monkeypatch, "chine pollution", limit=limit))
    assert {hit.id for hit in archive.search("chine pollution", limit=8).hits} == {article.id for article in together}
    with monkeypatch.context() as words_alone:  # without the bonuses they come last
        for bonus in ("PROXIMITY_BOOST", "TITLE_NEAR_BOOST", "TITLE_TOGETHER_BOOST"):
            words_alone.setattr(ranking, bonus, 0.0)
        assert not any(hit.id.startswith("together") for hit in archive.search("chine pollution", limit=40).hits)


@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=3_000).map(np.array)
    | st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.5, 2.0]), min_size=2, max_size=3_000).map(np.array),  # every document's score
    st.integers(1, 64),
    st.sampled_from(["as given", "ascending", "descending"]),
)
@settings(max_examples=200, deadline=None)
def test_the_largest_scores_are_found_whatever_their_order(values: np.ndarray, count: int, order: str) -> None:
    # The ranking's top k and the bonus checks' first candidates come from topk._largest, which
    # partitions only the values above a sampled threshold when there are many.
    values = {"as given": values, "ascending": np.sort(values), "descending": np.sort(values)[::-1].copy()}[order]
    count = min(count, len(values) - 1)
    found = topk._largest(values, count)
    assert len(set(found.tolist())) == count
    assert sorted(values[found].tolist()) == sorted(values.tolist())[-count:]
