"""The archive's words near a misspelt one are the words Whoosh's Levenshtein automaton finds
walking the same sorted list (what searchlib used before): same words, for every distance, prefix
and frequency floor."""

from __future__ import annotations

import random

import pytest
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from searchlib.analysis.vocabulary import Vocabulary, vocabulary_of
from searchlib.ingest.sources import read_file
from searchlib.models import Article
from searchlib.search.spelling import words_within

from tests.conftest import SAMPLES

pytestmark = pytest.mark.equivalence


def automaton_words(vocabulary: Vocabulary, folded: str, maxdist: int, more_frequent_than: int, prefix: int) -> set[str]:
    if not folded:
        return set()

    def at_or_after(text: str) -> str | None:
        return vocabulary.at_or_after(text, more_frequent_than)

    found = set(find_all_matches(levenshtein_automaton(folded, maxdist, prefix=prefix).to_dfa(), at_or_after))
    for i in range(prefix, len(folded) - 1):
        swapped = folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :]
        if at_or_after(swapped) == swapped:
            found.add(swapped)
    return found


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    articles = [a for path in sorted(SAMPLES.iterdir()) for a in read_file(path) if isinstance(a, Article)]
    return vocabulary_of(f"{a.title} {a.lede} {a.body}" for a in articles)


def test_the_words_within_a_few_edits_are_the_automatons(vocabulary: Vocabulary) -> None:
    rng = random.Random(7)
    words = sorted(vocabulary.counts)
    for n in range(600):
        word = rng.choice(words)
        if n % 2:  # a misspelling: one letter replaced, dropped or doubled
            i = rng.randrange(len(word))
            word = rng.choice([word[:i] + rng.choice("aeiouyzk") + word[i + 1 :], word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:]])
        maxdist, prefix, floor = rng.choice([1, 2]), rng.choice([0, 1, 2]), rng.choice([0, 0, 1, 3])
        assert words_within(vocabulary, word, maxdist, floor, prefix) == automaton_words(vocabulary, word, maxdist, floor, prefix), (word, maxdist, prefix, floor)


def test_a_word_shorter_than_the_prefix_finds_the_words_it_begins(vocabulary: Vocabulary) -> None:
    # (Whoosh's automaton fails on it: IndexError.)
    assert words_within(vocabulary, "pe", 1, prefix=3) == {w for w in vocabulary.counts if w.startswith("pe") and len(w) <= 3}
    assert words_within(vocabulary, "", 2) == set()
