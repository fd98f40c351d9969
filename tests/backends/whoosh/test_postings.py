"""A segment's French text postings built with numpy are those FrenchText.index gives article by article,
and its words-as-written postings those of FoldedWords.index."""

from __future__ import annotations

from collections import Counter

import pytest

from searchlib.analysis.french import folded_words
from searchlib.models import Article
from searchlib.backends.whoosh.postings import WordBuffer, WordNumbers, build_folded
from searchlib.backends.whoosh.schema import build_schema
from searchlib.ingest.sources import read_file

from tests.conftest import SAMPLES
from tests.corpora import shared_articles

# Each test holds the numpy postings to those of the field, article by article.
pytestmark = pytest.mark.equivalence

TEXTS = [
    "Les sécurités de Pékin",
    "",
    "le la les de du",  # stop words only: no postings, length 0
    "l'État et l'Asean, aujourd'hui à Pékin : Pékin répond. PÉKIN ! pekin",
    "de la " * 200 + "Pékin " * 3,  # first kept word past 255: two-byte positions
    "mot " * 300,  # gaps of 1 after a first position past 255
    "Pékin " + "mot " * 70_000 + "Pékin Pékin",  # four-byte positions
    "de " * 70_000 + "Pékin",  # stop words take no position, but the first kept word keeps its index
]


def _texts(corpus: str = "samples") -> list[str]:
    if corpus == "shared":
        articles = list(shared_articles())
    else:
        articles = [a for a in read_file(SAMPLES / "wikinews_fr_sample.jsonl") if isinstance(a, Article)]
    return TEXTS + ["\n".join(part for part in (a.title, a.lede, a.body) if part) for a in articles]


def _expected(texts: list[str], boosts: list[float], fieldname: str = "text") -> dict[bytes, list[tuple[int, float, bytes]]]:
    field = build_schema()[fieldname]
    terms: dict[bytes, list[tuple[int, float, bytes]]] = {}
    for docnum, (text, boost) in enumerate(zip(texts, boosts)):
        for tbytes, _, weight, value in field.index(text):
            terms.setdefault(tbytes, []).append((docnum, weight * boost, value))
    return terms


def _built(buffer: WordBuffer) -> dict[bytes, list[tuple[int, float, bytes]]]:
    grouped = buffer.build(build_schema()["text"].format.field_boost)
    return {t: list(zip(*grouped.postings(span))) for t, span in grouped.spans.items()}


@pytest.mark.parametrize("boosted", [False, True])
def test_postings_are_those_of_the_field_article_by_article(corpus: str, boosted: bool) -> None:
    texts = _texts(corpus)
    boosts = [1.5 if boosted and n % 3 else 1.0 for n in range(len(texts))]
    buffer = WordBuffer(WordNumbers())
    lengths = [buffer.add(docnum, text, boost) for docnum, (text, boost) in enumerate(zip(texts, boosts))]
    assert _built(buffer) == _expected(texts, boosts)
    field = build_schema()["text"]
    assert lengths == [sum(freq for _, freq, _, _ in field.index(text)) for text in texts]


@pytest.mark.parametrize("boosted", [False, True])
def test_words_as_written_are_those_of_the_field_article_by_article(corpus: str, boosted: bool) -> None:
    texts = _texts(corpus)
    boosts = [1.5 if boosted and n % 3 else 1.0 for n in range(len(texts))]
    numbers = WordNumbers()
    text, buffer = WordBuffer(numbers), WordBuffer(numbers)
    lengths = []
    for docnum, (value, boost) in enumerate(zip(texts, boosts)):
        text.add(docnum, value, boost)  # the text field numbers the words; this one copies them
        lengths.append(buffer.add_words_of(docnum, text, boost) if docnum % 2 else buffer.add(docnum, value, boost))
    field = build_schema()["text_words"]
    grouped = build_folded(buffer, field.format.field_boost)
    built = {}
    for t, span in grouped.spans.items():
        ids, weights, values = grouped.postings(span)
        built[t] = [(d, w, values[4 * i : 4 * i + 4]) for i, (d, w) in enumerate(zip(ids, weights))]
    assert built == _expected(texts, boosts, "text_words")
    assert lengths == [sum(freq for _, freq, _, _ in field.index(text)) for text in texts]


def test_words_are_counted_once_per_article(corpus: str) -> None:
    texts = _texts(corpus)
    buffer = WordBuffer(WordNumbers())
    for docnum, text in enumerate(texts):
        buffer.add(docnum, text, 1.0)
    expected = Counter(word for text in texts for word in folded_words(text))
    assert buffer.folded_counts() == dict(expected)


def test_a_forgotten_article_leaves_nothing() -> None:
    numbers = WordNumbers()
    buffer = WordBuffer(numbers)
    buffer.add(0, "Pékin", 1.0)
    buffer.add(1, "Pékin sécurité", 1.0)
    buffer.forget(0)  # not the last one: kept
    buffer.forget(1)
    assert _built(buffer) == _expected(["Pékin"], [1.0])
    assert buffer.folded_counts() == {"pekin": 1}


def test_an_empty_buffer_has_no_postings() -> None:
    assert _built(WordBuffer(WordNumbers())) == {}
    assert build_folded(WordBuffer(WordNumbers()), 1.0).spans == {}
    assert WordBuffer(WordNumbers()).folded_counts() == {}
