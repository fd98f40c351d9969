"""Phrase matching on whole arrays (searchlib.backends.whoosh.phrases) finds the articles the one-by-one check
finds: the same positions decoded, the same documents matched, for any slop."""

from __future__ import annotations

import itertools
from bisect import bisect_right

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib import Archive, Article
from searchlib.backends.whoosh.codec import CompactPositions
from searchlib.backends.whoosh.near import fits, windows
from searchlib.backends.whoosh.phrases import decode_positions, matching_docs, position_keys, window_docs

positions = st.lists(st.integers(0, 70_000), min_size=1, max_size=40, unique=True).map(sorted)


@pytest.mark.equivalence
@given(st.lists(positions, min_size=1, max_size=30))
def test_positions_of_many_values_decode_as_one_by_one(values: list[list[int]]) -> None:
    encoded = [CompactPositions().encode(p) for p in values]
    stops = np.cumsum([len(e) for e in encoded])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    counts, flat = decode_positions(data, stops - [len(e) for e in encoded], stops)
    assert counts.tolist() == [len(p) for p in values]
    assert flat.tolist() == [x for p in values for x in p]


def one_by_one(words: list[dict[int, list[int]]], slop: int) -> list[int]:
    """The reference: topk.Engine._phrase_at's walk, document by document."""
    found = []
    for doc in sorted(set.intersection(*(set(w) for w in words))):
        ends = words[0][doc]
        for word in words[1:]:
            after = word[doc]
            ends = sorted({p for end in ends for p in after[bisect_right(after, end):] if p <= end + slop})
        if ends:
            found.append(doc)
    return found


small_positions = st.lists(st.integers(0, 30), min_size=1, max_size=8, unique=True).map(sorted)


def _keys(words: list[dict[int, list[int]]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The documents holding every word, and each word's position keys in them."""
    holding = np.array(sorted(set.intersection(*(set(w) for w in words))), dtype=np.int64)
    keys = []
    for word in words:
        counts = np.array([len(word[d]) for d in holding.tolist()], dtype=np.int64)
        flat = np.array([p for d in holding.tolist() for p in word[d]], dtype=np.int64)
        keys.append(position_keys(holding, counts, flat))
    return holding, keys


@pytest.mark.equivalence
@settings(max_examples=300)
@given(
    st.lists(st.dictionaries(st.integers(0, 40), small_positions, min_size=1, max_size=12), min_size=2, max_size=3),
    st.integers(1, 4),
)
def test_whole_array_matching_finds_what_the_walk_finds(words: list[dict[int, list[int]]], slop: int) -> None:
    _, keys = _keys(words)
    assert matching_docs(keys, slop).tolist() == one_by_one(words, slop)


@pytest.mark.equivalence
@settings(max_examples=300)
@given(
    st.lists(st.dictionaries(st.integers(0, 40), small_positions, min_size=1, max_size=12), min_size=2, max_size=4),
    st.integers(1, 9),
)
def test_words_in_a_window_are_found_in_any_order_as_every_choice_of_positions_says(
    words: list[dict[int, list[int]]], width: int
) -> None:
    holding, keys = _keys(words)
    # The reference: some choice of one position per word spans at most ``width``.
    expected = [d for d in holding.tolist()
                if any(max(c) - min(c) <= width for c in itertools.product(*(w[d] for w in words)))]
    assert [d for d in holding.tolist() if windows([w[d] for w in words], width)] == expected
    assert [d for d in holding.tolist() if fits([w[d] for w in words], width)] == expected  # the bonus checks'
    assert window_docs(keys, width).tolist() == expected
    assert window_docs(keys[::-1], width).tolist() == expected  # no order of the words matters


def test_a_quoted_phrase_counts_every_article_it_stands_in() -> None:
    archive = Archive.in_memory()
    archive.add_many(
        [Article(id=f"in{n}", title="Brève", body=f"Jour {n}. La mer de Chine méridionale est calme.") for n in range(300)]
        + [Article(id=f"apart{n}", title="Brève", body="La Chine et la mer, loin.") for n in range(200)]
    )
    results = archive.search('"mer de Chine"', limit=500)
    assert results.total == 300
    assert {hit.id for hit in results.hits} == {f"in{n}" for n in range(300)}


def test_a_words_positions_read_whole_are_those_read_block_by_block(monkeypatch: pytest.MonkeyPatch) -> None:
    # A phrase over most of a word's blocks decompresses them all at once (one entry of the LRU);
    # over a few it reads those blocks. Both give each document's positions, as one by one, over
    # three segments with deleted documents in them.
    from searchlib.backends.whoosh import arrays

    archive = Archive.in_memory()
    for part in range(3):
        archive.add_many(
            [Article(id=f"a{part}-{n}", title="Brève", body=f"La mer {'de ' * (n % 4)}Chine, la mer. Jour {n}, mer.") for n in range(400)]
        )
    archive.delete([f"a{part}-{n}" for part in range(3) for n in range(0, 400, 7)])
    engine = arrays.engine(archive._backend._searcher())
    postings = engine.postings("text", "mer".encode())
    docs = postings.ids.astype(np.int64)
    expected = position_keys(docs, *_counts_and_positions([postings.positions(int(d)) for d in docs]))
    for share, picked in ((float("inf"), docs[::3]), (0.0, docs[::3]), (0.0, docs)):
        monkeypatch.setattr(arrays, "WHOLE_SHARE", share)
        postings.decoded = engine._decoded = arrays._DecodedBlocks()
        wanted = np.isin(expected >> 32, picked)
        assert postings.position_keys(picked).tolist() == expected[wanted].tolist()
        assert ((postings.key, -1) in engine._decoded) == (share == 0.0)


def _counts_and_positions(each: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([len(p) for p in each]), np.array([x for p in each for x in p], dtype=np.int64)
