"""Pruning gives exactly what scoring every match gives: the same top k with the same scores, the
same totals, over the queries people type (words typed with and without accents, phrases, filters),
in an index of several segments with deleted articles. And the postings it reads, and the cache
that keeps them, hold what Whoosh holds."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest

from searchlib import Archive, Article
from searchlib.backends.whoosh import arrays, pruning
from searchlib.backends.whoosh.cache import BoundedCache
from searchlib.backends.whoosh.queries import to_whoosh
from searchlib.backends.whoosh.schema import ARRAY_FIELDS
from tests.corpora import sample_articles, shared_articles


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def typed_queries(articles: list[Article], count: int, seed: int) -> list[str]:
    """Queries as people type them from headlines: 1-4 words, some without accents, some quoted."""
    rng = random.Random(seed)
    queries = []
    for article in rng.sample(articles, min(count, len(articles))):
        words = [w for w in article.title.split() if len(w) > 2]
        if not words:
            continue
        start = rng.randrange(len(words))
        text = " ".join(words[start : start + rng.randint(1, 4)])
        kind = rng.random()
        queries.append(f'"{text}"' if kind < 0.2 else _unaccented(text) if kind < 0.6 else text)
    return queries


def _several_segments(articles: list[Article]) -> Archive:
    archive = Archive.in_memory()
    for part in range(3):  # three commits: three segments; then deletions in each
        archive.add_many(articles[part::3])
    archive.delete([article.id for article in articles[::13]])
    return archive


@pytest.fixture(scope="module")
def corpus_archive(corpus: str) -> tuple[Archive, list[Article]]:
    articles = sample_articles() if corpus == "samples" else list(shared_articles())
    return _several_segments(articles), articles


def _top(archive: Archive, query: str, k: int, allowed: set[int] | None = None) -> tuple[int, list[tuple[int, float]]] | None:
    engine = arrays.engine(archive._backend._searcher())
    found = engine.search(to_whoosh(archive._queries.parse(query).query), k, allowed, ARRAY_FIELDS)
    return None if found is None else (found.total, found.top)


@pytest.mark.equivalence
def test_pruned_searches_find_the_exhaustive_top_k(corpus_archive: tuple[Archive, list[Article]], monkeypatch: pytest.MonkeyPatch) -> None:
    archive, articles = corpus_archive
    queries = typed_queries(articles, 150, seed=7) + ["la une", '"d un"', "Les Échos"]  # common words: ANDs, phrases
    engine = arrays.engine(archive._backend._searcher())
    pruned_runs = []
    real = pruning.candidates

    def counted(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        pruned_runs.append(found is not None)
        return found

    monkeypatch.setattr(pruning, "candidates", counted)
    monkeypatch.setattr(pruning, "MIN_POSTINGS", 0)  # these archives are small: prune them anyway
    live = [d for d in range(engine.doc_count_all) if not archive._backend._searcher().reader().is_deleted(d)]
    half = set(live[::2])
    for query in queries:
        for k, allowed in ((1, None), (10, None), (30, None), (10, half)):
            pruned = _top(archive, query, k, allowed)
            engine.exhaustive = True
            try:
                exhaustive = _top(archive, query, k, allowed)
            finally:
                engine.exhaustive = False
            assert pruned == exhaustive, (query, k)
    # The pruning itself ran, and set documents aside on some of these queries.
    assert any(pruned_runs)


def test_whole_searches_do_not_change_with_pruning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pruning, "MIN_POSTINGS", 0)
    archive = _several_segments(sample_articles())
    queries = typed_queries(sample_articles(), 40, seed=3)
    pruned = [archive.search(q, limit=10) for q in queries]
    monkeypatch.setattr(arrays.Engine, "exhaustive", True)
    exhaustive = [archive.search(q, limit=10) for q in queries]
    for a, b, q in zip(pruned, exhaustive, queries):
        assert (a.total, [(h.id, h.score) for h in a.hits]) == (b.total, [(h.id, h.score) for h in b.hits]), q


@pytest.mark.parametrize("seed", range(40))
def test_candidates_hold_every_document_of_the_top_k(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Random scorers and bonuses: whatever the floor, the candidates hold the brute-force top k.
    monkeypatch.setattr(pruning, "MIN_POSTINGS", 0)
    rng = np.random.default_rng(seed)
    size = 2_000
    scorers, scores = [], np.zeros(size)
    for _ in range(rng.integers(1, 7)):
        docs = np.sort(rng.choice(size, rng.integers(1, size // [2, 20, 200][rng.integers(3)]), replace=False))
        values = rng.random(len(docs)) * rng.uniform(0.5, 8)
        scores[docs] += values
        scorers.append((docs, values))
    bonus_needs = [frozenset(rng.choice(len(scorers), rng.integers(1, len(scorers) + 1), replace=False).tolist()) for _ in range(rng.integers(0, 3))]
    finals = scores.copy()
    bonuses = []
    for needs in bonus_needs:
        holders = np.ones(size, dtype=bool)
        for i in needs:
            held = np.zeros(size, dtype=bool)
            held[scorers[i][0]] = True
            holders &= held
        value = rng.uniform(0, 5)
        finals[holders] += value * rng.random(size)[holders]
        bonuses.append(pruning.Bonus(value, needs))
    matches = np.zeros(size, dtype=bool)
    for docs, _ in scorers:
        matches[docs] = True
    matches &= rng.random(size) < 0.9  # a filter
    k = int(rng.integers(1, 40))

    def partial_at(which: object, docs: np.ndarray) -> np.ndarray:
        total = np.zeros(len(docs))
        for i in which:  # type: ignore[attr-defined]
            where, values = scorers[i]
            at = np.searchsorted(where, docs).clip(0, len(where) - 1)
            total += np.where(where[at] == docs, values[at], 0.0)
        return total

    found = pruning.candidates([pruning.Scorer(d, float(v.max())) for d, v in scorers], bonuses, matches, k, partial_at)
    if found is None:
        return  # every match is scored: nothing to check (the test below shows a set that is pruned)
    everyone = np.flatnonzero(matches)
    best = everyone[np.lexsort((everyone, -finals[everyone]))][:k]
    assert set(best.tolist()) <= set(found.tolist())
    assert matches[found].all()


def test_small_searches_are_not_pruned_and_some_random_sets_are(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = np.arange(0, 40_000, 2)
    rare = np.arange(0, 40_000, 4_000)
    scorers = [pruning.Scorer(docs, 1.0), pruning.Scorer(rare, 9.0)]
    matches = np.zeros(40_000, dtype=bool)
    matches[docs] = True

    def partial_at(which: object, at: np.ndarray) -> np.ndarray:
        return sum((np.isin(at, scorers[i].docs) * scorers[i].bound for i in which), np.zeros(len(at)))  # type: ignore[attr-defined]

    assert pruning.candidates(scorers, [], matches, 5, partial_at) is None  # 20,010 postings: all scored
    monkeypatch.setattr(pruning, "MIN_POSTINGS", 0)
    found = pruning.candidates(scorers, [], matches, 5, partial_at)
    assert found is not None and set(rare.tolist()) == set(found.tolist())


def test_the_cache_keeps_the_words_used_most_within_its_bytes() -> None:
    cache = BoundedCache(limit=100)
    for key in "abc":
        cache.put(key, key.upper(), 30)
    for _ in range(3):  # a and b are searched again and again, c once
        assert cache.get("a") == "A" and cache.get("b") == "B"
    cache.put("d", "D", 30)  # read once: it does not push out c, read as often
    assert cache.get("d") is None and cache.get("c") == "C"
    cache.put("d", "D", 30)
    cache.put("d", "D", 30)  # read three times now, c twice: c goes
    assert cache.get("d") == "D" and cache.get("c") is None and cache.get("a") == "A"
    assert cache.size == 90 <= cache.limit
    cache.put("huge", "H", 101)  # larger than the bound: not kept, nothing dropped for it
    assert cache.get("huge") is None and len(cache) == 3


def test_words_searched_in_turn_stay_cached_past_the_bound() -> None:
    # Ten words searched in turn, five fit: half are found at every round (LRU would find none).
    cache = BoundedCache(limit=50)
    found = []
    for _ in range(5):
        hits = 0
        for key in range(10):
            if cache.get(key) is None:
                cache.put(key, key, 10)
            else:
                hits += 1
        found.append(hits)
    assert found[0] == 0 and found[1:] == [5, 5, 5, 5]
    assert cache.size <= 50


def test_postings_read_whole_are_whoosh_postings() -> None:
    archive = Archive.in_memory()
    articles = sample_articles()
    archive.add_many(articles[:120])
    archive.add_many(articles[120:] + [Article(id="once", title="Zyxwvut", body="Un mot unique: zyxwvut.")])
    archive.delete([article.id for article in articles[::9]])
    reader = archive._backend._searcher().reader()
    checked = 0
    for leaf, _ in reader.leaf_readers():
        for fieldname in ("text", "title_words"):
            for word in list(leaf.lexicon(fieldname))[::7]:
                part = arrays._segment_postings(leaf, fieldname, word)
                assert part is not None
                _, postings, deleted = part
                live = [i for i, docnum in enumerate(postings.ids.tolist()) if not deleted or docnum not in deleted]
                expected_ids, expected_weights = _live_postings(leaf, fieldname, word)
                assert postings.ids[live].tolist() == expected_ids
                assert postings.weights[live].tolist() == expected_weights
                checked += 1
    assert checked > 100
    assert archive.search("zyxwvut").total == 1  # a word of one posting, inlined in its term entry


def _live_postings(leaf: object, fieldname: str, word: bytes) -> tuple[list[int], list[float]]:
    """What Whoosh's own matcher walks: the live documents holding ``word`` and its weights there."""
    matcher = leaf.postings(fieldname, word)  # type: ignore[attr-defined]
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(float(matcher.weight()))
        matcher.next()
    return ids, weights
